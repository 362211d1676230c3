/* cli.c — options as runc's command line (urfave/cli) spells them. */
#define _GNU_SOURCE
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "--name value", "--name=value" or "-n value". Returns true and sets *value if it matched. */
bool
ctrun_take_option (int argc, char **argv, int *i, const char *long_name, const char *short_name, const char **value)
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

/* A flag, also as "--name=true|false" (the form urfave/cli and go-runc accept). */
bool
ctrun_take_flag (const char *a, const char *long_name, const char *short_name, bool *out)
{
  size_t len = strlen (long_name);
  if (strcmp (a, long_name) == 0 || (short_name && strcmp (a, short_name) == 0))
    return *out = true;
  if (strncmp (a, long_name, len) == 0 && a[len] == '=')
    {
      *out = strcmp (a + len + 1, "false") != 0;
      return true;
    }
  return false;
}

