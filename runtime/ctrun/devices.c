/* devices.c — see devices.h. */
#define _GNU_SOURCE
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mounts.h"
#include "utils.h"

/* The OCI default devices. */
static const struct
{
  const char *path;
  unsigned major, minor;
} default_devices[] = {
  { "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct
{
  const char *path, *target;
} dev_symlinks[] = {
  { "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" },
  { "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
};

/* NODE is a usable host path of the node (see ctrun_resolve_in_root); PATH its name in the container. */
static int
make_node (const char *node, const char *path, char type, unsigned major, unsigned minor, mode_t mode, uid_t uid,
           gid_t gid, bool in_userns, ctrun_error_t *err)
{
  mode_t fmt = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;

  if (in_userns)
    {
      /* mknod is refused in a user namespace: bind the host's node on an empty file. */
      int fd = open (node, O_CREAT | O_WRONLY | O_CLOEXEC, 0000);
      if (fd < 0)
        return ctrun_make_error (err, errno, "create `%s`", path);
      close (fd);
      if (mount (path, node, NULL, MS_BIND, NULL) < 0)
        return ctrun_make_error (err, errno, "bind device `%s`", path);
      return 0;
    }
  if (mknod (node, fmt | (mode & 07777), makedev (major, minor)) < 0)
    {
      if (errno == EEXIST)
        return 0;
      return ctrun_make_error (err, errno, "mknod `%s`", path);
    }
  if ((uid != 0 || gid != 0) && chown (node, uid, gid) < 0)
    return ctrun_make_error (err, errno, "chown `%s`", path);
  return 0;
}

static int
make_config_device (const struct ctrun_config *c, int rootfd, const struct ctrun_device *d, bool in_userns,
                    ctrun_error_t *err)
{
  cleanup_root_path struct ctrun_root_path parent = { .fd = -1 };
  cleanup_free char *dir = xstrdup (d->path);
  char node[4200];

  *strrchr (dir, '/') = '\0';
  if (ctrun_resolve_in_root (rootfd, c->rootfs, *dir ? dir : "/", S_IFDIR, &parent, err) < 0)
    return -1;
  snprintf (node, sizeof (node), "%s/%s", parent.path, strrchr (d->path, '/') + 1);
  return make_node (node, d->path, d->type, d->major, d->minor, d->mode, d->uid, d->gid, in_userns, err);
}

static bool
dev_is_bind_mounted (const struct ctrun_config *c)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    if (c->mounts[i].bind && strcmp (c->mounts[i].destination, "/dev") == 0)
      return true;
  return false;
}

int
ctrun_devices_setup (const struct ctrun_config *c, int rootfd, bool in_userns, ctrun_error_t *err)
{
  cleanup_root_path struct ctrun_root_path dev = { .fd = -1 };
  char link[4200];

  if (dev_is_bind_mounted (c))
    return 0;
  if (ctrun_resolve_in_root (rootfd, c->rootfs, "/dev", S_IFDIR, &dev, err) < 0)
    return -1;

  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    {
      snprintf (link, sizeof (link), "%s/%s", dev.path, default_devices[i].path + strlen ("/dev/"));
      if (make_node (link, default_devices[i].path, 'c', default_devices[i].major, default_devices[i].minor, 0666, 0,
                     0, in_userns, err)
          < 0)
        return -1;
    }
  for (size_t i = 0; i < c->n_devices; i++)
    if (make_config_device (c, rootfd, &c->devices[i], in_userns, err) < 0)
      return -1;

  for (size_t i = 0; i < ARRAY_SIZE (dev_symlinks); i++)
    {
      snprintf (link, sizeof (link), "%s/%s", dev.path, dev_symlinks[i].path + strlen ("/dev/"));
      if (symlink (dev_symlinks[i].target, link) < 0 && errno != EEXIST)
        return ctrun_make_error (err, errno, "symlink `%s`", dev_symlinks[i].path);
    }
  /* /dev/core only where the kernel has a /proc/kcore. */
  if (access ("/proc/kcore", F_OK) == 0)
    {
      snprintf (link, sizeof (link), "%s/core", dev.path);
      if (symlink ("/proc/kcore", link) < 0 && errno != EEXIST)
        return ctrun_make_error (err, errno, "symlink `/dev/core`");
    }
  /* /dev/ptmx is the devpts instance's own ptmx (mount option newinstance). */
  snprintf (link, sizeof (link), "%s/ptmx", dev.path);
  if (symlink ("pts/ptmx", link) < 0)
    {
      if (errno != EEXIST || unlink (link) < 0 || symlink ("pts/ptmx", link) < 0)
        return ctrun_make_error (err, errno, "symlink `/dev/ptmx`");
    }
  return 0;
}
