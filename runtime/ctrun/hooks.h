/* hooks.h — the spec's lifecycle hooks: prestart, createRuntime, createContainer,
   startContainer, poststart, poststop. Each is a program run with the container's
   state (JSON) on its stdin, with its own args, env and timeout. */
#ifndef CTRUN_HOOKS_H
#define CTRUN_HOOKS_H

#include <jansson.h>

#include "error.h"

enum ctrun_hook_kind
{
  HOOK_PRESTART,
  HOOK_CREATE_RUNTIME,
  HOOK_CREATE_CONTAINER,
  HOOK_START_CONTAINER,
  HOOK_POSTSTART,
  HOOK_POSTSTOP,
  HOOK_KINDS,
};

struct ctrun_hook
{
  char *path;
  char **args;         /* NULL-terminated; argv[0] included; may be NULL */
  char **env;          /* NULL-terminated; may be NULL (an empty environment) */
  int timeout;         /* seconds; 0: none */
};

struct ctrun_hooks
{
  struct ctrun_hook *list[HOOK_KINDS];
  size_t n[HOOK_KINDS];
};

/* config.json's "hooks" object (NULL: none). */
int ctrun_hooks_parse (json_t *obj, struct ctrun_hooks *out, ctrun_error_t *err);
void ctrun_hooks_free (struct ctrun_hooks *h);

const char *ctrun_hook_kind_name (enum ctrun_hook_kind kind);

/* Runs every hook of KIND in order with STATE on stdin; the first that fails (non-zero
   exit, a signal, its timeout) stops them with an error. */
int ctrun_hooks_run (const struct ctrun_hooks *h, enum ctrun_hook_kind kind, json_t *state, ctrun_error_t *err);

#endif
