/* cli.h — options as runc's command line (urfave/cli) spells them. */
#ifndef CTRUN_CLI_H
#define CTRUN_CLI_H

#include <stdbool.h>

/* "--name value", "--name=value" or "-n value" at argv[*i]: true, *value set, *i past it.
   A missing value is a one-line error and exit 1. */
bool ctrun_take_option (int argc, char **argv, int *i, const char *long_name, const char *short_name,
                        const char **value);

/* A flag, also as "--name=true|false" (the form urfave/cli and go-runc accept). */
bool ctrun_take_flag (const char *a, const char *long_name, const char *short_name, bool *out);

#endif
