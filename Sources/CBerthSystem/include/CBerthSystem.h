// Linux spawn and pipe calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc
// module does not define: small wrappers for BerthSystem.
#pragma once
#include <spawn.h>

int berth_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int berth_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int berth_pipe_cloexec(int fds[2]);

// At most `count` malloc arenas (glibc's M_ARENA_MAX); 0 on failure. No-op elsewhere.
int berth_limit_malloc_arenas(int count);
