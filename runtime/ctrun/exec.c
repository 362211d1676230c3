/* exec.c — `ctrun exec`: another process in a running container, as runc does it: the
 * container's namespaces joined with setns (pid first, by the parent, so the child is
 * born in it), its cgroup joined before the child runs anything, and the end of the init's
 * sequence (rlimits, seccomp, identity, cwd, execve) with the exec'd process's settings.
 * The process is runc's --process FILE (a spec `process` object) or the container's own
 * process with other args. */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "child-sync.h"
#include "config.h"
#include "ids.h"
#include "namespaces.h"
#include "process.h"
#include "state.h"
#include "tty-relay.h"
#include "utils.h"

static const struct
{
  int flag;
  const char *name; /* under /proc/PID/ns */
} ns_files[] = {
  { CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" }, { CLONE_NEWNET, "net" },
  { CLONE_NEWPID, "pid" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" }, { CLONE_NEWNS, "mnt" },
};

/* The container's namespaces as paths under /proc/INIT/ns, but those it shares with us
   (setns into one's own user namespace fails, and the others are no-ops). */
static void
point_namespaces_at_init (struct ctrun_config *c, pid_t init)
{
  size_t n = 0;
  for (size_t i = 0; i < c->n_namespaces; i++)
    {
      struct ctrun_namespace *ns = &c->namespaces[i];
      const char *name = NULL;
      char theirs[64], ours[64], a[64] = "", b[64] = "";

      free (ns->path);
      ns->path = NULL;
      for (size_t k = 0; k < ARRAY_SIZE (ns_files); k++)
        if (ns_files[k].flag == ns->flag)
          name = ns_files[k].name;
      if (name == NULL)
        continue;
      snprintf (theirs, sizeof (theirs), "/proc/%d/ns/%s", init, name);
      snprintf (ours, sizeof (ours), "/proc/self/ns/%s", name);
      if (readlink (theirs, a, sizeof (a) - 1) > 0 && readlink (ours, b, sizeof (b) - 1) > 0 && strcmp (a, b) == 0)
        continue;
      c->namespaces[n].flag = ns->flag;
      c->namespaces[n].path = xstrdup (theirs);
      n++;
    }
  c->n_namespaces = n;
}

int
ctrun_container_exec (struct ctrun_context *ctx, const char *process_file, char **args, bool tty, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_config struct ctrun_config *c = NULL;
  cleanup_close int sync_parent = -1;
  cleanup_close int sync_child = -1;
  cleanup_close int cgroup_fd = -1;
  cleanup_close int console_master = -1;
  cleanup_seccomp_filter ctrun_seccomp_filter filter = NULL;
  cleanup_free char *cache = NULL;
  struct ctrun_child_sync cs;
  struct ctrun_spawn spawn;
  const char *status;
  int exit_status = 0;
  pid_t pid;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  status = ctrun_state_status (&st);
  if (strcmp (status, "running") != 0 && strcmp (status, "created") != 0)
    return ctrun_make_error (err, 0, "cannot exec in container `%s`: it is %s", ctx->id, status);
  if (ctrun_config_load (st.bundle, &c, err) < 0)
    return ctrun_error_wrap (err, "exec in `%s`", ctx->id);
  if (process_file)
    {
      if (ctrun_config_load_process (c, process_file, err) < 0)
        return -1;
    }
  else
    {
      size_t n = 0;
      if (args == NULL || args[0] == NULL)
        return ctrun_make_error (err, 0, "exec: give a command or --process FILE");
      strv_free (c->args);
      while (args[n])
        n++;
      c->args = xmalloc0 (sizeof (char *) * (n + 1));
      for (size_t i = 0; i < n; i++)
        c->args[i] = xstrdup (args[i]);
      c->terminal = tty;
    }
  if (c->terminal && ctx->console_socket == NULL && ctx->detach)
    return ctrun_make_error (err, 0, "a terminal with --detach needs --console-socket to receive the pty");
  point_namespaces_at_init (c, st.pid);

  memset (&spawn, 0, sizeof (spawn));
  spawn.config = c;
  spawn.cgroup = &st.cg;
  spawn.fifo_fd = -1;
  spawn.wait_for_go = true;
  spawn.last_cap = c->has_caps ? ctrun_last_cap () : 0;
  spawn.setgroups_denied = false;
  if (c->seccomp && ctrun_seccomp_build (c->seccomp, cache = ctrun_state_seccomp_cache (ctx->state_root), &filter, err) < 0)
    return -1;
  spawn.seccomp = filter;
  if (st.cg.mode == CGROUP_MODE_V2 && st.cg.n)
    {
      /* Born in the container's cgroup: clone3 CLONE_INTO_CGROUP. */
      cgroup_fd = open (st.cg.leaf[0], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      if (cgroup_fd < 0)
        return ctrun_make_error (err, errno, "open `%s`", st.cg.leaf[0]);
      st.cg.v2_fd = cgroup_fd;
      cgroup_fd = -1;
    }
  if (ctrun_namespaces_open (c, &spawn.ns, err) < 0)
    {
      ctrun_namespaces_close (&spawn.ns);
      return -1;
    }
  if (ctrun_spawn_sync_pair (&spawn, err) < 0)
    return -1;
  sync_parent = spawn.sync_parent_fd; /* closed by scope */
  sync_child = spawn.sync_fd;
  ctrun_block_forwarded_signals (&spawn.saved_mask);

  pid = ctrun_spawn_exec (&spawn, err);
  ctrun_namespaces_close (&spawn.ns);
  if (pid < 0)
    return -1;
  close (sync_child);
  sync_child = -1;
  if (ctrun_cgroup_enter (&st.cg, pid, st.cg.v2_fd >= 0, err) < 0
      || send (sync_parent, (char[]) { SYNC_GO }, 1, MSG_NOSIGNAL) != 1)
    {
      kill (pid, SIGKILL);
      if (*err == NULL)
        ctrun_make_error (err, errno, "signal the exec'd process");
      return -1;
    }
  cs = (struct ctrun_child_sync) { .fd = sync_parent, .pid = pid, .config = c, .id = ctx->id,
                                   .console_socket = ctx->console_socket, .console_master = -1 };
  if (ctrun_child_sync_wait (&cs, err) < 0)
    {
      if (cs.console_master >= 0)
        close (cs.console_master);
      kill (pid, SIGKILL);
      return -1;
    }
  console_master = cs.console_master;
  if (ctx->pid_file && write_pid_file (ctx->pid_file, pid, err) < 0)
    return -1;
  if (ctx->detach)
    return 0;
  if (console_master >= 0 ? ctrun_tty_relay (console_master, pid, &spawn.saved_mask, &exit_status, err) < 0
                          : ctrun_wait_foreground (pid, &spawn.saved_mask, &exit_status, err) < 0)
    return -1;
  return exit_status;
}
