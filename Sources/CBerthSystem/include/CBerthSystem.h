// Linux spawn and pipe calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc
// module does not define: small wrappers for BerthSystem.
#pragma once
#include <spawn.h>

int berth_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int berth_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int berth_pipe_cloexec(int fds[2]);
