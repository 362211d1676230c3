/* namespaces.c — namespaces: which to create, joining by path, uid/gid maps. */
#define _GNU_SOURCE
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"

unsigned long
ctrun_namespaces_clone_flags (const struct ctrun_config *c)
{
  unsigned long flags = 0;
  for (size_t i = 0; i < c->n_namespaces; i++)
    if (c->namespaces[i].path == NULL)
      flags |= c->namespaces[i].flag;
  return flags;
}

int
ctrun_namespaces_open (const struct ctrun_config *c, struct ctrun_ns_fds *fds, ctrun_error_t *err)
{
  fds->n = 0;
  for (size_t i = 0; i < c->n_namespaces; i++)
    {
      const struct ctrun_namespace *ns = &c->namespaces[i];
      int fd;
      if (ns->path == NULL)
        continue;
      fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return ctrun_make_error (err, errno, "open namespace `%s`", ns->path);
      {
        /* The path must be a namespace, and of the kind it is listed as. */
        int type = ioctl (fd, NS_GET_NSTYPE);
        if (type != ns->flag)
          {
            close (fd);
            if (type < 0)
              return ctrun_make_error (err, 0, "namespace path `%s` is not a namespace", ns->path);
            return ctrun_make_error (err, 0, "namespace path `%s` is a %s namespace, not a %s one", ns->path,
                                     ctrun_namespace_name (type), ctrun_namespace_name (ns->flag));
          }
      }
      if (ns->flag == CLONE_NEWPID)
        {
          /* Only pid_for_children changes: the container process is born there. */
          int r = setns (fd, CLONE_NEWPID);
          close (fd);
          if (r < 0)
            return ctrun_make_error (err, errno, "setns pid namespace `%s`", ns->path);
          continue;
        }
      fds->fd[fds->n] = fd;
      fds->flag[fds->n] = ns->flag;
      fds->n++;
    }
  return 0;
}

void
ctrun_namespaces_close (struct ctrun_ns_fds *fds)
{
  for (size_t i = 0; i < fds->n; i++)
    if (fds->fd[i] >= 0)
      close (fds->fd[i]);
  fds->n = 0;
}

static int
join_one (struct ctrun_ns_fds *fds, int flag, ctrun_error_t *err)
{
  for (size_t i = 0; i < fds->n; i++)
    {
      if (fds->flag[i] != flag || fds->fd[i] < 0)
        continue;
      if (setns (fds->fd[i], flag) < 0)
        return ctrun_make_error (err, errno, "setns 0x%x", flag);
      close (fds->fd[i]);
      fds->fd[i] = -1;
    }
  return 0;
}

int
ctrun_namespaces_join (struct ctrun_ns_fds *fds, ctrun_error_t *err)
{
  /* The user namespace first (it owns the others), the mount namespace last. */
  static const int order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
                               CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS };
  for (size_t i = 0; i < ARRAY_SIZE (order); i++)
    if (join_one (fds, order[i], err) < 0)
      return -1;
  return 0;
}

static int
write_map (pid_t pid, const char *file, const struct ctrun_id_map *maps, size_t n, ctrun_error_t *err)
{
  char path[64], buf[4096];
  size_t len = 0;

  for (size_t i = 0; i < n; i++)
    {
      int w = snprintf (buf + len, sizeof (buf) - len, "%u %u %u\n", maps[i].container_id, maps[i].host_id,
                        maps[i].size);
      if (w < 0 || (size_t) w >= sizeof (buf) - len)
        return ctrun_make_error (err, 0, "%s: too many mappings", file);
      len += w;
    }
  snprintf (path, sizeof (path), "/proc/%d/%s", pid, file);
  return write_file (path, buf, len, err);
}

int
ctrun_write_id_maps (pid_t pid, const struct ctrun_config *c, bool deny_setgroups, ctrun_error_t *err)
{
  char path[64];

  /* An unprivileged parent must deny setgroups before it may write gid_map (and the
     container then never calls setgroups(2)); root writes the maps with CAP_SETGID and
     leaves setgroups allowed, so additionalGids work as under runc. */
  snprintf (path, sizeof (path), "/proc/%d/setgroups", pid);
  if (deny_setgroups && write_file_str (path, "deny", err) < 0)
    return -1;
  if (c->n_uid_mappings && write_map (pid, "uid_map", c->uid_mappings, c->n_uid_mappings, err) < 0)
    return -1;
  if (c->n_gid_mappings && write_map (pid, "gid_map", c->gid_mappings, c->n_gid_mappings, err) < 0)
    return -1;
  return 0;
}
