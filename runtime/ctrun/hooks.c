/* hooks.c — see hooks.h. A hook is forked and exec'd with a pipe on its stdin that
 * holds the state; ctrun waits on a pidfd so a timeout needs no signal handler. */
#define _GNU_SOURCE
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

static const char *const kind_names[HOOK_KINDS] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

const char *
ctrun_hook_kind_name (enum ctrun_hook_kind kind)
{
  return kind_names[kind];
}

static int
strv_from_json (json_t *arr, const char *where, char ***out, ctrun_error_t *err)
{
  json_t *v;
  size_t i;

  *out = NULL;
  if (arr == NULL || json_is_null (arr))
    return 0;
  if (!json_is_array (arr))
    return ctrun_make_error (err, 0, "config.json: %s must be an array of strings", where);
  *out = xmalloc0 (sizeof (char *) * (json_array_size (arr) + 1));
  json_array_foreach (arr, i, v)
    {
      if (!json_is_string (v))
        return ctrun_make_error (err, 0, "config.json: %s must be an array of strings", where);
      (*out)[i] = xstrdup (json_string_value (v));
    }
  return 0;
}

int
ctrun_hooks_parse (json_t *obj, struct ctrun_hooks *out, ctrun_error_t *err)
{
  const char *key;
  json_t *arr;

  memset (out, 0, sizeof (*out));
  if (obj == NULL || json_is_null (obj))
    return 0;
  if (!json_is_object (obj))
    return ctrun_make_error (err, 0, "config.json: hooks must be an object");
  json_object_foreach (obj, key, arr)
    {
      int kind = -1;
      json_t *v;
      size_t i;

      for (int k = 0; k < HOOK_KINDS; k++)
        if (strcmp (key, kind_names[k]) == 0)
          kind = k;
      if (kind < 0)
        return ctrun_make_error (err, 0, "config.json: unknown hook `%s`", key);
      if (json_is_null (arr))
        continue;
      if (!json_is_array (arr))
        return ctrun_make_error (err, 0, "config.json: hooks.%s must be an array", key);
      out->list[kind] = xmalloc0 (sizeof (struct ctrun_hook) * (json_array_size (arr) + 1));
      json_array_foreach (arr, i, v)
        {
          struct ctrun_hook *h = &out->list[kind][out->n[kind]++];
          const char *path = json_string_value (json_object_get (v, "path"));
          json_t *timeout = json_object_get (v, "timeout");
          char where[64];

          if (path == NULL || path[0] != '/')
            return ctrun_make_error (err, 0, "config.json: hooks.%s[%zu].path must be an absolute path", key, i);
          h->path = xstrdup (path);
          snprintf (where, sizeof (where), "hooks.%s[%zu].args", key, i);
          if (strv_from_json (json_object_get (v, "args"), where, &h->args, err) < 0)
            return -1;
          snprintf (where, sizeof (where), "hooks.%s[%zu].env", key, i);
          if (strv_from_json (json_object_get (v, "env"), where, &h->env, err) < 0)
            return -1;
          if (timeout && !json_is_null (timeout))
            {
              if (!json_is_integer (timeout) || json_integer_value (timeout) <= 0)
                return ctrun_make_error (err, 0, "config.json: hooks.%s[%zu].timeout must be a number of seconds above 0", key, i);
              h->timeout = json_integer_value (timeout);
            }
        }
    }
  return 0;
}

void
ctrun_hooks_free (struct ctrun_hooks *h)
{
  for (int k = 0; k < HOOK_KINDS; k++)
    {
      for (size_t i = 0; i < h->n[k]; i++)
        {
          free (h->list[k][i].path);
          strv_free (h->list[k][i].args);
          strv_free (h->list[k][i].env);
        }
      free (h->list[k]);
      h->list[k] = NULL;
      h->n[k] = 0;
    }
}

static int
run_one (const struct ctrun_hook *h, const char *kind, const char *state, ctrun_error_t *err)
{
  static char *const no_env[] = { NULL };
  cleanup_close int pidfd = -1;
  int in[2], status = 0;
  pid_t pid;

  if (pipe2 (in, O_CLOEXEC) < 0)
    return ctrun_make_error (err, errno, "%s hook `%s`: pipe", kind, h->path);
  pid = fork ();
  if (pid < 0)
    {
      close (in[0]);
      close (in[1]);
      return ctrun_make_error (err, errno, "%s hook `%s`: fork", kind, h->path);
    }
  if (pid == 0)
    {
      char *const default_args[] = { h->path, NULL };
      sigset_t all;
      sigemptyset (&all);
      sigprocmask (SIG_SETMASK, &all, NULL);
      if (dup2 (in[0], 0) < 0)
        _exit (127);
      execve (h->path, h->args && h->args[0] ? h->args : default_args, h->env ? h->env : no_env);
      _exit (127);
    }
  close (in[0]);
  /* The state is small: the pipe holds it, and a hook that does not read it still runs. */
  write_all (in[1], state, strlen (state));
  close (in[1]);

  pidfd = sys_pidfd_open (pid);
  if (h->timeout > 0 && pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      int r;
      do
        r = poll (&p, 1, h->timeout * 1000);
      while (r < 0 && errno == EINTR);
      if (r == 0)
        {
          kill (pid, SIGKILL);
          while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
            ;
          return ctrun_make_error (err, 0, "%s hook `%s` timed out after %d s", kind, h->path, h->timeout);
        }
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ctrun_make_error (err, errno, "%s hook `%s`: wait", kind, h->path);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFSIGNALED (status))
    return ctrun_make_error (err, 0, "%s hook `%s` was killed by signal %d", kind, h->path, WTERMSIG (status));
  if (WEXITSTATUS (status) == 127 && access (h->path, X_OK) < 0)
    return ctrun_make_error (err, errno, "%s hook `%s`", kind, h->path);
  return ctrun_make_error (err, 0, "%s hook `%s` failed with exit status %d", kind, h->path, WEXITSTATUS (status));
}

int
ctrun_hooks_run (const struct ctrun_hooks *h, enum ctrun_hook_kind kind, json_t *state, ctrun_error_t *err)
{
  cleanup_free char *text = NULL;

  if (h->n[kind] == 0)
    return 0;
  text = json_dumps (state, JSON_COMPACT);
  for (size_t i = 0; i < h->n[kind]; i++)
    if (run_one (&h->list[kind][i], kind_names[kind], text, err) < 0)
      return -1;
  return 0;
}
