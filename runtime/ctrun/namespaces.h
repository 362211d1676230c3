/* namespaces.h — which namespaces to create, join, and the uid/gid maps. */
#ifndef CTRUN_NAMESPACES_H
#define CTRUN_NAMESPACES_H

#include <sys/types.h>

#include "config.h"
#include "error.h"

struct ctrun_ns_fds
{
  int fd[8];      /* opened `path`s of joined namespaces, -1 if none */
  int flag[8];
  size_t n;
};

/* CLONE_NEW* flags of the namespaces the config creates (those without a path). */
unsigned long ctrun_namespaces_clone_flags (const struct ctrun_config *c);

/* Parent, before clone: opens every namespace `path`; joins the pid one
   (setns sets pid_for_children, so the child is born in it). */
int ctrun_namespaces_open (const struct ctrun_config *c, struct ctrun_ns_fds *fds, ctrun_error_t *err);
void ctrun_namespaces_close (struct ctrun_ns_fds *fds);

/* Child: setns into the joined namespaces (user first, mount last; pid was done by the parent). */
int ctrun_namespaces_join (struct ctrun_ns_fds *fds, ctrun_error_t *err);

/* Parent: writes /proc/PID/{setgroups,uid_map,gid_map} for a new user namespace. */
int ctrun_write_id_maps (pid_t pid, const struct ctrun_config *c, bool deny_setgroups, ctrun_error_t *err);

#endif
