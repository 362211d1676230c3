/* mounts.c — see mounts.h. The order is runc's: make "/" rslave (or the configured
 * rootfsPropagation) so nothing propagates back to the host, bind the rootfs onto
 * itself, mount what config.json lists, then devices, pivot_root(".", ".") and
 * detach the old root; after the pivot the read-only and masked paths. */
#define _GNU_SOURCE
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "utils.h"

void
ctrun_root_path_release (struct ctrun_root_path *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
}

void
ctrun_root_path_cleanup (struct ctrun_root_path *p)
{
  ctrun_root_path_release (p);
}

/* Creates the missing components of REL under ROOTFD, each parent resolved inside the root. */
static int
create_in_root (int rootfd, const char *rel, int create, ctrun_error_t *err)
{
  cleanup_free char *p = xstrdup (rel);
  char *s = p;

  for (;;)
    {
      char *slash = strchr (s, '/');
      bool last = slash == NULL;
      cleanup_close int parent = -1;
      char *name;
      int r;

      if (slash)
        *slash = '\0';
      /* parent = everything before this component */
      name = strrchr (p, '/');
      if (name)
        {
          *name = '\0';
          parent = sys_openat2 (rootfd, p, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_IN_ROOT);
          *name = '/';
          name++;
        }
      else
        {
          parent = dup (rootfd);
          name = p;
        }
      if (parent < 0)
        return ctrun_make_error (err, errno, "open `%s` in the rootfs", p);
      if (*name)
        {
          if (last && create == S_IFREG)
            {
              r = openat (parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
              if (r >= 0)
                close (r);
            }
          else
            r = mkdirat (parent, name, 0755);
          if (r < 0 && errno != EEXIST)
            return ctrun_make_error (err, errno, "create `/%s` in the rootfs", p);
        }
      if (last)
        break;
      *slash = '/';
      s = slash + 1;
    }
  return 0;
}

int
ctrun_resolve_in_root (int rootfd, const char *rootfs, const char *dest, int create, struct ctrun_root_path *out,
                       ctrun_error_t *err)
{
  const char *rel = dest;
  int fd;

  out->fd = -1;
  while (*rel == '/')
    rel++;
  if (*rel == '\0')
    {
      snprintf (out->path, sizeof (out->path), "%s", rootfs);
      return 0;
    }

  for (int attempt = 0; attempt < 2; attempt++)
    {
      /* No symlink on the way: the literal path is safe, and reads well in a trace. */
      fd = sys_openat2 (rootfd, rel, O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
      if (fd >= 0)
        {
          close (fd);
          snprintf (out->path, sizeof (out->path), "%s/%s", rootfs, rel);
          return 0;
        }
      if (errno == ELOOP || errno == EXDEV)
        {
          /* Symlinks are resolved as if the rootfs were "/", like a chroot would. */
          fd = sys_openat2 (rootfd, rel, O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT);
          if (fd >= 0)
            {
              out->fd = fd;
              snprintf (out->path, sizeof (out->path), "/proc/self/fd/%d", fd);
              return 0;
            }
        }
      if (errno != ENOENT || create == 0 || attempt > 0)
        return ctrun_make_error (err, errno, "resolve `%s` in the rootfs", dest);
      if (create_in_root (rootfd, rel, create, err) < 0)
        return -1;
    }
  return ctrun_make_error (err, ENOENT, "resolve `%s` in the rootfs", dest);
}

/* Flags a bind remount must keep: inside a user namespace the kernel locks the
   nosuid/nodev/noexec/ro flags of mounts inherited from the host. */
static unsigned long
locked_flags (const char *path)
{
  struct statvfs st;
  unsigned long flags = 0;
  if (statvfs (path, &st) < 0)
    return 0;
  if (st.f_flag & ST_NOSUID)
    flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV)
    flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC)
    flags |= MS_NOEXEC;
  if (st.f_flag & ST_RDONLY)
    flags |= MS_RDONLY;
  return flags;
}

int
ctrun_mounts_prepare_root (const struct ctrun_config *c, int *rootfd, ctrun_error_t *err)
{
  unsigned long prop = c->rootfs_propagation;

  if (mount (NULL, "/", NULL, prop, NULL) < 0)
    return ctrun_make_error (err, errno, "make `/` %s", (prop & MS_SLAVE) ? "rslave" : "private");

  if (prop & MS_SHARED)
    {
      /* pivot_root refuses a shared parent: make the mount holding the rootfs private. */
      cleanup_free char *dir = xstrdup (c->rootfs);
      for (;;)
        {
          char *d = dirname (dir);
          if (mount (NULL, d, NULL, MS_PRIVATE, NULL) == 0)
            break;
          if (errno != EINVAL)
            return ctrun_make_error (err, errno, "make the parent mount of `%s` private", c->rootfs);
          if (strcmp (d, "/") == 0)
            break;
          memmove (dir, d, strlen (d) + 1);
        }
    }

  if (mount (c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return ctrun_make_error (err, errno, "bind the rootfs `%s` onto itself", c->rootfs);

  *rootfd = open (c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*rootfd < 0)
    return ctrun_make_error (err, errno, "open `%s`", c->rootfs);
  return 0;
}

/* The flags a bind mount sets with its second, MS_REMOUNT call. */
#define BIND_REMOUNT_FLAGS                                                                                        \
  (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

static int
bind_mount (const char *source, const char *target, const char *dest, bool rec, unsigned long flags,
            bool in_userns, ctrun_error_t *err)
{
  if (mount (source, target, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
    return ctrun_make_error (err, errno, "bind `%s` on `%s`", source, dest);
  if (flags & BIND_REMOUNT_FLAGS)
    {
      unsigned long f = MS_REMOUNT | MS_BIND | (flags & BIND_REMOUNT_FLAGS);
      if (in_userns)
        f |= locked_flags (target);
      if (mount (NULL, target, NULL, f, NULL) < 0)
        return ctrun_make_error (err, errno, "remount `%s`", dest);
    }
  return 0;
}

/* type "cgroup": the container's own cgroup directories, read-only by default.
   v1/hybrid: a tmpfs with one bind per hierarchy ctrun joined; v2: the leaf itself,
   or a fresh cgroup2 mount when the container has its own cgroup namespace. */
static int
mount_cgroup (const struct ctrun_config *c, int rootfd, const struct ctrun_mount *m, const struct ctrun_cgroup *cg,
              bool in_userns, ctrun_error_t *err)
{
  cleanup_root_path struct ctrun_root_path t = { .fd = -1 };
  unsigned long flags = m->flags & ~MS_REMOUNT;

  if (ctrun_resolve_in_root (rootfd, c->rootfs, m->destination, S_IFDIR, &t, err) < 0)
    return -1;

  if (cg->mode == CGROUP_MODE_V2)
    {
      const char *cgns_path;
      if (ctrun_config_has_namespace (c, CLONE_NEWCGROUP, &cgns_path))
        {
          if (mount ("cgroup2", t.path, "cgroup2", flags, NULL) < 0)
            return ctrun_make_error (err, errno, "mount cgroup2 on `%s`", m->destination);
          return 0;
        }
      return bind_mount (cg->leaf[0], t.path, m->destination, true, flags, in_userns, err);
    }

  if (mount ("tmpfs", t.path, "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
    return ctrun_make_error (err, errno, "mount tmpfs on `%s`", m->destination);
  for (size_t i = 0; i < cg->n; i++)
    {
      cleanup_root_path struct ctrun_root_path sub = { .fd = -1 };
      cleanup_free char *dest = xasprintf ("%s/%s", m->destination, cg->name[i]);
      if (ctrun_resolve_in_root (rootfd, c->rootfs, dest, S_IFDIR, &sub, err) < 0)
        return -1;
      if (bind_mount (cg->leaf[i], sub.path, dest, true, flags, in_userns, err) < 0)
        return -1;
    }
  if (flags & MS_RDONLY)
    {
      cleanup_root_path struct ctrun_root_path again = { .fd = -1 };
      if (ctrun_resolve_in_root (rootfd, c->rootfs, m->destination, 0, &again, err) < 0)
        return -1;
      if (mount (NULL, again.path, NULL, MS_REMOUNT | MS_BIND | (flags & BIND_REMOUNT_FLAGS), NULL) < 0)
        return ctrun_make_error (err, errno, "remount `%s` read-only", m->destination);
    }
  return 0;
}

static int
mount_one (const struct ctrun_config *c, int rootfd, const struct ctrun_mount *m, const struct ctrun_cgroup *cg,
           bool in_userns, ctrun_error_t *err)
{
  cleanup_root_path struct ctrun_root_path t = { .fd = -1 };
  unsigned long flags = m->flags & ~MS_REMOUNT;

  if (!m->bind && strcmp (m->type, "cgroup") == 0)
    {
      if (mount_cgroup (c, rootfd, m, cg, in_userns, err) < 0)
        return -1;
    }
  else if (m->bind)
    {
      struct stat st;
      if (stat (m->source, &st) < 0)
        return ctrun_make_error (err, errno, "bind source `%s`", m->source);
      if (ctrun_resolve_in_root (rootfd, c->rootfs, m->destination, S_ISDIR (st.st_mode) ? S_IFDIR : S_IFREG, &t,
                                 err)
          < 0)
        return -1;
      if (bind_mount (m->source, t.path, m->destination, m->rbind, flags, in_userns, err) < 0)
        return -1;
    }
  else
    {
      if (ctrun_resolve_in_root (rootfd, c->rootfs, m->destination, S_IFDIR, &t, err) < 0)
        return -1;
      if (mount (m->source, t.path, m->type, flags, m->data) < 0)
        {
          /* In a user namespace sysfs and mqueue need their own net / ipc namespace;
             without it, runc binds the host's instead. So do we. */
          int e = errno;
          const char *host = strcmp (m->type, "sysfs") == 0 ? "/sys"
                             : strcmp (m->type, "mqueue") == 0 ? "/dev/mqueue"
                                                               : NULL;
          if (!(in_userns && e == EPERM && host))
            return ctrun_make_error (err, e, "mount %s on `%s`", m->type, m->destination);
          if (bind_mount (host, t.path, m->destination, true, flags, in_userns, err) < 0)
            return -1;
        }
    }

  if (m->propagation)
    {
      cleanup_root_path struct ctrun_root_path again = { .fd = -1 };
      if (ctrun_resolve_in_root (rootfd, c->rootfs, m->destination, 0, &again, err) < 0)
        return -1;
      if (mount (NULL, again.path, NULL, m->propagation, NULL) < 0)
        return ctrun_make_error (err, errno, "set propagation of `%s`", m->destination);
    }
  return 0;
}

int
ctrun_mounts_setup (const struct ctrun_config *c, int rootfd, const struct ctrun_cgroup *cg, bool in_userns,
                    ctrun_error_t *err)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    if (mount_one (c, rootfd, &c->mounts[i], cg, in_userns, err) < 0)
      return -1;
  return 0;
}

int
ctrun_mounts_pivot_root (const char *rootfs, ctrun_error_t *err)
{
  if (chdir (rootfs) < 0)
    return ctrun_make_error (err, errno, "chdir `%s`", rootfs);
  /* The old root is stacked on "." and then detached: no put_old directory needed. */
  if (sys_pivot_root (".", ".") < 0)
    return ctrun_make_error (err, errno, "pivot_root `%s`", rootfs);
  /* Make sure the detach below cannot propagate to the host's mounts. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return ctrun_make_error (err, errno, "make the old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return ctrun_make_error (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return ctrun_make_error (err, errno, "chdir `/`");
  return 0;
}

int
ctrun_mounts_move_root (const char *rootfs, ctrun_error_t *err)
{
  if (chdir (rootfs) < 0)
    return ctrun_make_error (err, errno, "chdir `%s`", rootfs);
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return ctrun_make_error (err, errno, "move the rootfs `%s` onto /", rootfs);
  if (chroot (".") < 0)
    return ctrun_make_error (err, errno, "chroot `%s`", rootfs);
  if (chdir ("/") < 0)
    return ctrun_make_error (err, errno, "chdir `/`");
  return 0;
}

int
ctrun_mounts_readonly_paths (const struct ctrun_config *c, bool in_userns, ctrun_error_t *err)
{
  for (char **p = c->readonly_paths; p && *p; p++)
    {
      unsigned long f = MS_REMOUNT | MS_BIND | MS_RDONLY;
      if (mount (*p, *p, NULL, MS_BIND | MS_REC, NULL) < 0)
        {
          if (errno == ENOENT)
            continue;
          return ctrun_make_error (err, errno, "bind readonly path `%s`", *p);
        }
      if (in_userns)
        f |= locked_flags (*p);
      if (mount (NULL, *p, NULL, f, NULL) < 0)
        return ctrun_make_error (err, errno, "remount readonly path `%s`", *p);
    }
  return 0;
}

int
ctrun_mounts_masked_paths (const struct ctrun_config *c, ctrun_error_t *err)
{
  for (char **p = c->masked_paths; p && *p; p++)
    {
      /* A file gets /dev/null on top; a directory (ENOTDIR) an empty read-only tmpfs. */
      if (mount ("/dev/null", *p, NULL, MS_BIND, NULL) == 0)
        continue;
      if (errno == ENOENT)
        continue;
      if (errno != ENOTDIR)
        return ctrun_make_error (err, errno, "mask `%s`", *p);
      if (mount ("tmpfs", *p, "tmpfs", MS_RDONLY, NULL) < 0)
        return ctrun_make_error (err, errno, "mask directory `%s`", *p);
    }
  return 0;
}

int
ctrun_mounts_readonly_root (ctrun_error_t *err)
{
  /* Keep the flags the rootfs already has (nosuid, nodev... are locked in a user namespace). */
  unsigned long f = MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags ("/");
  if (mount (NULL, "/", NULL, f, NULL) < 0)
    return ctrun_make_error (err, errno, "remount `/` read-only");
  return 0;
}
