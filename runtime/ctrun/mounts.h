/* mounts.h — the container's filesystem: propagation, rootfs, mounts, pivot_root,
   masked and read-only paths. Runs in the container's init, in its mount namespace. */
#ifndef CTRUN_MOUNTS_H
#define CTRUN_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroups.h"
#include "config.h"
#include "error.h"

/* A path inside the rootfs, resolved safely: `path` is the literal host path when
   no component is a symlink, else "/proc/self/fd/N" for an O_PATH fd resolved
   with RESOLVE_IN_ROOT (kept open in `fd` while `path` is in use). */
struct ctrun_root_path
{
  char path[4096];
  int fd;
};

/* create: 0 (must exist), S_IFDIR or S_IFREG (made, with missing parents, if absent). */
int ctrun_resolve_in_root (int rootfd, const char *rootfs, const char *dest, int create,
                           struct ctrun_root_path *out, ctrun_error_t *err);
void ctrun_root_path_release (struct ctrun_root_path *p);
void ctrun_root_path_cleanup (struct ctrun_root_path *p);
#define cleanup_root_path __attribute__ ((cleanup (ctrun_root_path_cleanup)))

/* Propagation of "/", then rootfs bound onto itself; returns an O_PATH fd of the rootfs. */
int ctrun_mounts_prepare_root (const struct ctrun_config *c, int *rootfd, ctrun_error_t *err);

/* The configured mounts, in order. */
int ctrun_mounts_setup (const struct ctrun_config *c, int rootfd, const struct ctrun_cgroup *cg, bool in_userns,
                        ctrun_error_t *err);

/* chdir(rootfs); pivot_root(".", "."); umount2(".", MNT_DETACH); chdir("/"). */
int ctrun_mounts_pivot_root (const char *rootfs, ctrun_error_t *err);

/* --no-pivot: mount --move the rootfs onto "/" and chroot into it (for roots pivot_root
   refuses, such as a ramdisk). */
int ctrun_mounts_move_root (const char *rootfs, ctrun_error_t *err);

/* After pivot_root: readonlyPaths, maskedPaths, then the read-only root. */
int ctrun_mounts_readonly_paths (const struct ctrun_config *c, bool in_userns, ctrun_error_t *err);
int ctrun_mounts_masked_paths (const struct ctrun_config *c, ctrun_error_t *err);
int ctrun_mounts_readonly_root (ctrun_error_t *err);

#endif
