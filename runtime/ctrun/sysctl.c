/* sysctl.c — see sysctl.h. */
#define _GNU_SOURCE
#include "sysctl.h"

#include <stdio.h>
#include <string.h>

#include "utils.h"

int
ctrun_sysctl_apply (const struct ctrun_config *c, ctrun_error_t *err)
{
  for (size_t i = 0; i < c->n_sysctls; i++)
    {
      char path[4096];
      /* "net.ipv4.ip_forward" → /proc/sys/net/ipv4/ip_forward */
      int n = snprintf (path, sizeof (path), "/proc/sys/%s", c->sysctls[i].key);
      for (char *p = path + strlen ("/proc/sys/"); p < path + n; p++)
        if (*p == '.')
          *p = '/';
      if (write_file_str (path, c->sysctls[i].value, err) < 0)
        return ctrun_error_wrap (err, "sysctl `%s`", c->sysctls[i].key);
    }
  return 0;
}
