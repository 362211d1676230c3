/* main.c — ctrun's command line, compatible with runc's:
 *   ctrun [--root DIR] run [--bundle DIR] [--pid-file F] [--detach] ID
 *   ctrun [--root DIR] create [--bundle DIR] [--pid-file F] ID
 *   ctrun [--root DIR] start|state ID
 *   ctrun [--root DIR] kill ID [SIGNAL]
 *   ctrun [--root DIR] delete [--force] ID */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "error.h"

#define CTRUN_VERSION "0.1.0"

static const char usage[] =
  "usage: ctrun [--root DIR] COMMAND [OPTIONS] ID\n"
  "\n"
  "commands:\n"
  "  run [--bundle DIR] [--pid-file FILE] [--detach] ID   create and start a container\n"
  "  create [--bundle DIR] [--pid-file FILE] ID           set it up, stopped before exec\n"
  "  start ID                                             run the created container's process\n"
  "  state ID                                             print its OCI state as JSON\n"
  "  kill ID [SIGNAL]                                     signal its process (default SIGTERM)\n"
  "  delete [--force] ID                                  remove it (--force: kill it first)\n"
  "\n"
  "--root DIR  where the state is kept (default /run/ctrun)\n";

/* "--name value", "--name=value" or "-n value". Returns true and sets *value if it matched. */
static bool
take_option (int argc, char **argv, int *i, const char *long_name, const char *short_name, const char **value)
{
  const char *a = argv[*i];
  size_t len = strlen (long_name);

  if (strncmp (a, long_name, len) == 0 && a[len] == '=')
    {
      *value = a + len + 1;
      return true;
    }
  if (strcmp (a, long_name) == 0 || (short_name && strcmp (a, short_name) == 0))
    {
      if (*i + 1 >= argc)
        {
          fprintf (stderr, "ctrun: option %s needs a value\n", long_name);
          exit (1);
        }
      *value = argv[++*i];
      return true;
    }
  return false;
}

static int
fail_usage (const char *fmt, const char *arg)
{
  fprintf (stderr, "ctrun: ");
  fprintf (stderr, fmt, arg);
  fprintf (stderr, " (see ctrun --help)\n");
  return 1;
}

int
main (int argc, char **argv)
{
  struct ctrun_context ctx = { .state_root = "/run/ctrun", .bundle = "." };
  ctrun_error_t err = NULL;
  const char *command = NULL, *signal = NULL, *value;
  bool force = false;
  int i, ret;

  for (i = 1; i < argc; i++)
    {
      if (take_option (argc, argv, &i, "--root", NULL, &value))
        ctx.state_root = value;
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
        return fail_usage ("unknown option `%s`", argv[i]);
      else
        break;
    }
  if (i >= argc)
    return fail_usage ("%s", "a command is required");
  command = argv[i++];

  for (; i < argc; i++)
    {
      const char *a = argv[i];
      bool creating = strcmp (command, "run") == 0 || strcmp (command, "create") == 0;
      if (creating && take_option (argc, argv, &i, "--bundle", "-b", &value))
        ctx.bundle = value;
      else if (creating && take_option (argc, argv, &i, "--pid-file", NULL, &value))
        ctx.pid_file = value;
      else if (strcmp (command, "run") == 0 && (strcmp (a, "--detach") == 0 || strcmp (a, "-d") == 0))
        ctx.detach = true;
      else if (strcmp (command, "delete") == 0 && (strcmp (a, "--force") == 0 || strcmp (a, "-f") == 0))
        force = true;
      else if (a[0] == '-' && a[1] != '\0')
        return fail_usage ("unknown option `%s`", a);
      else if (ctx.id == NULL)
        ctx.id = a;
      else if (strcmp (command, "kill") == 0 && signal == NULL)
        signal = a;
      else
        return fail_usage ("unexpected argument `%s`", a);
    }
  if (ctx.id == NULL)
    return fail_usage ("%s: a container id is required", command);

  if (strcmp (command, "run") == 0)
    ret = ctrun_container_run (&ctx, &err);
  else if (strcmp (command, "create") == 0)
    ret = ctrun_container_create (&ctx, &err);
  else if (strcmp (command, "start") == 0)
    ret = ctrun_container_start (&ctx, &err);
  else if (strcmp (command, "state") == 0)
    ret = ctrun_container_state (&ctx, &err);
  else if (strcmp (command, "kill") == 0)
    ret = ctrun_container_kill (&ctx, signal, &err);
  else if (strcmp (command, "delete") == 0)
    ret = ctrun_container_delete (&ctx, force, &err);
  else
    return fail_usage ("unknown command `%s`", command);

  if (ret < 0)
    {
      ret = ctrun_error_print (&err);
      ctrun_error_release (&err);
      return ret;
    }
  return ret;
}
