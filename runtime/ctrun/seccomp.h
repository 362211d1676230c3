/* seccomp.h — linux.seccomp: parsed and checked with the config, compiled with
   libseccomp in the parent, loaded by the container's init as late as it may
   (see ctrun_seccomp_load_early), and the notify fd handed to listenerPath. */
#ifndef CTRUN_SECCOMP_H
#define CTRUN_SECCOMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct ctrun_seccomp_arg
{
  unsigned index;
  int op;               /* enum scmp_compare */
  uint64_t value, value_two;
};

struct ctrun_seccomp_rule
{
  char **names;         /* NULL-terminated */
  uint32_t action;      /* SCMP_ACT_*, errno/trace data included */
  struct ctrun_seccomp_arg *args;
  size_t n_args;
};

struct ctrun_seccomp
{
  uint32_t default_action;
  uint32_t *archs;      /* SCMP_ARCH_* tokens */
  size_t n_archs;
  bool flag_log, flag_spec_allow;
  char *listener_path;  /* where the notify fd goes (SCMP_ACT_NOTIFY) */
  char *listener_metadata;
  struct ctrun_seccomp_rule *rules;
  size_t n_rules;
  bool uses_notify;
  char *canonical;      /* the profile as compact, key-sorted JSON: the key of the compiled-filter cache */
};

/* linux.seccomp → *out (NULL when absent). Unknown actions, operators, architectures
   and flags fail here, before anything is made. */
int ctrun_seccomp_parse (json_t *obj, struct ctrun_seccomp **out, ctrun_error_t *err);
void ctrun_seccomp_free (struct ctrun_seccomp *s);

/* The filter: built with libseccomp (names it does not know are skipped with a debug log,
   as runc does), or its BPF taken from the cache in CACHE_DIR (NULL: no cache), where a
   build also leaves it: compiling docker's profile costs more than the rest of a start. */
typedef struct ctrun_seccomp_filter_s *ctrun_seccomp_filter;
int ctrun_seccomp_build (const struct ctrun_seccomp *s, const char *cache_dir, ctrun_seccomp_filter *out,
                         ctrun_error_t *err);
void ctrun_seccomp_filter_release (ctrun_seccomp_filter *f);
#define cleanup_seccomp_filter __attribute__ ((cleanup (ctrun_seccomp_filter_release)))

/* seccomp(SECCOMP_SET_MODE_FILTER, ...). Sets *notify_fd to the listener fd when the
   filter has SCMP_ACT_NOTIFY rules, else -1. */
int ctrun_seccomp_load (ctrun_seccomp_filter f, int *notify_fd, ctrun_error_t *err);

/* Parent: connects to listenerPath and sends the container process state (JSON) with
   the notify fd as SCM_RIGHTS, as the runtime spec asks. */
int ctrun_seccomp_send_to_listener (const struct ctrun_seccomp *s, int notify_fd, json_t *state, pid_t pid,
                                    ctrun_error_t *err);

/* `features`: linux.seccomp's actions, operators, archs, flags. */
json_t *ctrun_seccomp_describe (void);
char *ctrun_seccomp_library_version (void);

#endif
