#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include "CBerthSystem.h"

int berth_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int berth_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int berth_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

#if defined(__GLIBC__)
#include <malloc.h>
int berth_limit_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }
#else
int berth_limit_malloc_arenas(int count) { (void)count; return 1; }
#endif
