/* main.c — ctrun's command line: runc's, as containerd-shim-runc-v2 and other engines
 * drive it. Global options come before the command:
 *   ctrun [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND ...
 * Errors go to stderr as one line ("ctrun: ..."), and with --log also to the log file
 * in the asked format, where the shim reads them. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "container.h"
#include "error.h"
#include "events.h"
#include "hooks.h"
#include "log.h"
#include "seccomp.h"
#include "update.h"
#include "utils.h"

#define CTRUN_VERSION "0.2.0"

static const char usage[] =
  "usage: ctrun [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [OPTIONS] ID\n"
  "\n"
  "commands:\n"
  "  run [--bundle DIR] [--pid-file FILE] [--detach] [--console-socket SOCK] ID   create and start a container\n"
  "  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-pivot]\n"
  "         [--preserve-fds N] ID                            set it up, stopped before exec\n"
  "  start ID                                                run the created container's process\n"
  "  state ID                                                print its OCI state as JSON\n"
  "  kill [--all] ID [SIGNAL]                                signal its process (default SIGTERM)\n"
  "  delete [--force] ID                                     remove it (--force: kill it first)\n"
  "  exec [--process FILE] [--tty] [--console-socket SOCK] [--detach] [--pid-file FILE] ID [CMD...]\n"
  "                                                          run another process in it\n"
  "  ps [--format table|json] ID                             its processes\n"
  "  pause ID / resume ID                                    freeze and thaw it\n"
  "  update [-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N] [--cpu-share N]\n"
  "         [--cpu-quota N] [--cpu-period N] [--cpu-rt-runtime N] [--cpu-rt-period N]\n"
  "         [--cpuset-cpus LIST] [--cpuset-mems LIST] [--pids-limit N] [--blkio-weight N] ID\n"
  "                                                          change its cgroup limits (as runc update)\n"
  "  events [--stats] [--interval 5s] ID                     its stats and OOM events, as JSON lines\n"
  "  features                                                what ctrun supports, as JSON\n"
  "\n"
  "--root DIR  where the state is kept (default /run/ctrun)\n";

static int
fail (const char *fmt, const char *arg)
{
  cleanup_free char *msg = NULL;
  if (asprintf (&msg, fmt, arg) < 0)
    abort ();
  if (ctrun_log_to_file ())
    ctrun_log (CTRUN_LOG_ERROR, "%s", msg);
  fprintf (stderr, "ctrun: %s (see ctrun --help)\n", msg);
  return 1;
}

/* A failed command: its error to the log (where the shim reads it) and to stderr. */
static int
report (ctrun_error_t *err)
{
  int ret;
  if (ctrun_log_to_file ())
    ctrun_log (CTRUN_LOG_ERROR, "%s", (*err)->msg);
  ret = ctrun_error_print (err);
  ctrun_error_release (err);
  return ret;
}

static int
print_features (void)
{
  cleanup_json json_t *f = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *libseccomp = ctrun_seccomp_library_version ();
  json_t *hooks = json_array ();

  for (int k = 0; k < HOOK_KINDS; k++)
    json_array_append_new (hooks, json_string (ctrun_hook_kind_name (k)));
  f = json_pack ("{s:s, s:s, s:o, s:{s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}}, s:{s:s, s:s}}", "ociVersionMin",
                 "1.0.0", "ociVersionMax", "1.0.2", "hooks", hooks, "linux", "cgroup", "v1", 1, "v2", 1, "systemd", 0,
                 "systemdUser", 0, "seccomp", ctrun_seccomp_describe (), "apparmor", "enabled", 0, "selinux",
                 "enabled", 0, "annotations", "io.github.seccomp.libseccomp.version", libseccomp,
                 "org.opencontainers.ctrun.version", CTRUN_VERSION);
  ctrun_config_describe (f);
  text = json_dumps (f, JSON_INDENT (4));
  printf ("%s\n", text);
  return 0;
}

int
main (int argc, char **argv)
{
  struct ctrun_context ctx = { .state_root = "/run/ctrun", .bundle = "." };
  ctrun_error_t err = NULL;
  const char *command = NULL, *signal = NULL, *value, *log_file = NULL, *log_format = "text", *process_file = NULL;
  const char *ps_format = "table", *interval = "5s";
  struct ctrun_update_request update = { 0 };
  bool stats_once = false;
  bool force = false, all = false, debug = false, tty = false, flag, systemd_cgroup = false;
  char **exec_args = NULL;
  int i, ret;

  for (i = 1; i < argc; i++)
    {
      if (ctrun_take_option (argc, argv, &i, "--root", NULL, &value))
        ctx.state_root = value;
      else if (ctrun_take_option (argc, argv, &i, "--log", NULL, &value))
        log_file = value;
      else if (ctrun_take_option (argc, argv, &i, "--log-format", NULL, &value))
        log_format = value;
      else if (ctrun_take_flag (argv[i], "--debug", NULL, &flag))
        debug = flag;
      else if (ctrun_take_flag (argv[i], "--systemd-cgroup", NULL, &flag))
        systemd_cgroup = flag;
      else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          fputs (usage, stdout);
          return 0;
        }
      else if (strcmp (argv[i], "--version") == 0 || strcmp (argv[i], "-v") == 0)
        {
          printf ("ctrun version %s\nspec: 1.0.2\n", CTRUN_VERSION);
          return 0;
        }
      else if (argv[i][0] == '-')
        return fail ("unknown option `%s`", argv[i]);
      else
        break;
    }
  if (ctrun_log_init (log_file, log_format, debug, &err) < 0)
    {
      ret = ctrun_error_print (&err);
      ctrun_error_release (&err);
      return ret;
    }
  if (systemd_cgroup)
    return fail ("%s", "--systemd-cgroup is not supported: ctrun manages cgroupfs directly; use the cgroupfs driver (docker: --exec-opt native.cgroupdriver=cgroupfs)");
  if (i >= argc)
    return fail ("%s", "a command is required");
  command = argv[i++];
  if (strcmp (command, "features") == 0)
    return print_features ();

  for (; i < argc; i++)
    {
      const char *a = argv[i];
      bool creating = strcmp (command, "run") == 0 || strcmp (command, "create") == 0;
      bool exec = strcmp (command, "exec") == 0;
      if (creating && ctrun_take_option (argc, argv, &i, "--bundle", "-b", &value))
        ctx.bundle = value;
      else if ((creating || exec) && ctrun_take_option (argc, argv, &i, "--pid-file", NULL, &value))
        ctx.pid_file = value;
      else if ((creating || exec) && ctrun_take_option (argc, argv, &i, "--console-socket", NULL, &value))
        ctx.console_socket = value;
      else if (creating && ctrun_take_flag (a, "--no-pivot", NULL, &flag))
        ctx.no_pivot = flag;
      else if (creating && ctrun_take_flag (a, "--no-new-keyring", NULL, &flag))
        ; /* ctrun makes no session keyring: nothing to leave out */
      else if (creating && ctrun_take_option (argc, argv, &i, "--preserve-fds", NULL, &value))
        {
          char *end;
          long n = strtol (value, &end, 10);
          if (*value == '\0' || *end || n < 0 || n > 1024)
            return fail ("invalid --preserve-fds `%s`: a number of descriptors", value);
          ctx.preserve_fds = n;
        }
      else if ((strcmp (command, "run") == 0 || exec) && ctrun_take_flag (a, "--detach", "-d", &flag))
        ctx.detach = flag;
      else if (exec && ctrun_take_option (argc, argv, &i, "--process", "-p", &value))
        process_file = value;
      else if (exec && ctrun_take_flag (a, "--tty", "-t", &flag))
        tty = flag;
      else if (strcmp (command, "delete") == 0 && ctrun_take_flag (a, "--force", "-f", &flag))
        force = flag;
      else if (strcmp (command, "kill") == 0 && ctrun_take_flag (a, "--all", "-a", &flag))
        all = flag;
      else if (strcmp (command, "ps") == 0 && ctrun_take_option (argc, argv, &i, "--format", "-f", &value))
        ps_format = value;
      else if (strcmp (command, "events") == 0 && ctrun_take_option (argc, argv, &i, "--interval", NULL, &value))
        interval = value;
      else if (strcmp (command, "events") == 0 && ctrun_take_flag (a, "--stats", NULL, &flag))
        stats_once = flag;
      else if (strcmp (command, "update") == 0 && (ret = ctrun_update_take_option (argc, argv, &i, &update, &err)) != 0)
        {
          if (ret < 0)
            {
              ctrun_update_request_release (&update);
              return report (&err);
            }
        }
      else if (a[0] == '-' && a[1] != '\0')
        return fail ("unknown option `%s`", a);
      else if (ctx.id == NULL)
        {
          ctx.id = a;
          if (exec)
            {
              exec_args = argv + i + 1; /* the command, options and all */
              break;
            }
        }
      else if (strcmp (command, "kill") == 0 && signal == NULL)
        signal = a;
      else
        return fail ("unexpected argument `%s`", a);
    }
  if (ctx.id == NULL)
    return fail ("%s: a container id is required", command);

  if (strcmp (command, "run") == 0)
    ret = ctrun_container_run (&ctx, &err);
  else if (strcmp (command, "create") == 0)
    ret = ctrun_container_create (&ctx, &err);
  else if (strcmp (command, "start") == 0)
    ret = ctrun_container_start (&ctx, &err);
  else if (strcmp (command, "state") == 0)
    ret = ctrun_container_state (&ctx, &err);
  else if (strcmp (command, "kill") == 0)
    ret = ctrun_container_kill (&ctx, signal, all, &err);
  else if (strcmp (command, "delete") == 0)
    ret = ctrun_container_delete (&ctx, force, &err);
  else if (strcmp (command, "exec") == 0)
    ret = ctrun_container_exec (&ctx, process_file, exec_args, tty, &err);
  else if (strcmp (command, "ps") == 0)
    {
      if (strcmp (ps_format, "json") != 0 && strcmp (ps_format, "table") != 0)
        return fail ("invalid --format `%s`: use table or json", ps_format);
      ret = ctrun_container_ps (&ctx, strcmp (ps_format, "json") == 0, &err);
    }
  else if (strcmp (command, "update") == 0)
    {
      ret = ctrun_container_update (&ctx, &update, &err);
      ctrun_update_request_release (&update);
    }
  else if (strcmp (command, "events") == 0)
    {
      int64_t ns = ctrun_parse_duration (interval);
      if (ns <= 0)
        return fail ("invalid --interval `%s`: a duration greater than 0, such as 5s or 250ms", interval);
      ret = ctrun_container_events (&ctx, stats_once, ns, &err);
    }
  else if (strcmp (command, "pause") == 0 || strcmp (command, "resume") == 0)
    ret = ctrun_container_pause (&ctx, strcmp (command, "pause") == 0, &err);
  else
    return fail ("unknown command `%s`", command);

  if (ret < 0)
    return report (&err);
  return ret;
}
