/* update.c — `ctrun update`: new limits for a live container, as `runc update` takes them.
 *
 * From the options (--memory 100M --cpu-quota 50000 ...) or, with -r FILE|-, from a
 * linux.resources JSON object (what containerd's shim pipes in for `docker update`); with -r
 * the options are ignored, as in runc. Only what runc's update applies is applied: memory
 * limit, reservation, swap and checkBeforeUpdate; every cpu field; blockIO.weight; pids.limit; unified. A value
 * of 0 leaves its file alone. */
#define _GNU_SOURCE
#include "update.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups.h"
#include "cli.h"
#include "json-fields.h"
#include "log.h"
#include "resources.h"
#include "state.h"
#include "utils.h"

enum value_kind
{
  VALUE_BYTES,    /* a size: "-1", or docker's RAMInBytes ("100M", "1.5g", "512KiB") */
  VALUE_UNSIGNED,
  VALUE_SIGNED,
  VALUE_STRING,
};

/* One option of `runc update`, and the linux.resources field it sets. */
static const struct
{
  const char *option, *object, *field;
  enum value_kind kind;
} update_options[] = {
  { "--memory", "memory", "limit", VALUE_BYTES },
  { "--memory-reservation", "memory", "reservation", VALUE_BYTES },
  { "--memory-swap", "memory", "swap", VALUE_BYTES },
  { "--kernel-memory", "memory", "kernel", VALUE_BYTES },
  { "--kernel-memory-tcp", "memory", "kernelTCP", VALUE_BYTES },
  { "--cpu-share", "cpu", "shares", VALUE_UNSIGNED },
  { "--cpu-shares", "cpu", "shares", VALUE_UNSIGNED }, /* the name docker and crun's docs use */
  { "--cpu-quota", "cpu", "quota", VALUE_SIGNED },
  { "--cpu-period", "cpu", "period", VALUE_UNSIGNED },
  { "--cpu-rt-runtime", "cpu", "realtimeRuntime", VALUE_SIGNED },
  { "--cpu-rt-period", "cpu", "realtimePeriod", VALUE_UNSIGNED },
  { "--cpuset-cpus", "cpu", "cpus", VALUE_STRING },
  { "--cpuset-mems", "cpu", "mems", VALUE_STRING },
  { "--pids-limit", "pids", "limit", VALUE_SIGNED },
  { "--blkio-weight", "blockIO", "weight", VALUE_UNSIGNED },
};

/* The fields of each object runc's update applies; anything else in -r is ignored, as runc does. */
static const char *const memory_fields[] = { "limit", "reservation", "swap", "checkBeforeUpdate", NULL };
static const char *const cpu_fields[] = { "shares", "quota", "period", "realtimeRuntime", "realtimePeriod", "cpus",
                                         "mems", "idle", NULL };
static const char *const blkio_fields[] = { "weight", NULL };
static const char *const pids_fields[] = { "limit", NULL };

/* docker's units.RAMInBytes: NUMBER[.FRACTION][ ][kmgtp][i][b], binary multiples, any case. */
static bool
parse_bytes (const char *s, int64_t *out)
{
  static const char units[] = "kmgtp";
  const char *p = s, *unit;
  double n, multiplier = 1;

  if (strcmp (s, "-1") == 0)
    {
      *out = -1;
      return true;
    }
  p += strspn (p, "0123456789");
  if (p == s)
    return false;
  while (*p == '.' && p[1] >= '0' && p[1] <= '9')
    p += 1 + strspn (p + 1, "0123456789");
  n = strtod (s, NULL); /* the digits just checked: no exponent, hex or sign gets in */
  if (*p == ' ')
    p++;
  if (*p && (unit = strchr (units, *p | 0x20)) != NULL)
    {
      for (const char *u = units; u <= unit; u++)
        multiplier *= 1024;
      p++;
    }
  if ((*p | 0x20) == 'i')
    p++;
  if ((*p | 0x20) == 'b')
    p++;
  if (*p || n * multiplier >= 9223372036854775807.0)
    return false;
  *out = (int64_t) (n * multiplier);
  return true;
}

/* A decimal integer; IS_SIGNED allows a leading '-'. */
static bool
parse_integer (const char *s, bool is_signed, json_int_t *out)
{
  char *end;

  if (*s == '\0' || (!is_signed && *s == '-'))
    return false;
  errno = 0;
  if (is_signed)
    *out = strtoll (s, &end, 10);
  else
    {
      unsigned long long u = strtoull (s, &end, 10);
      if (u > INT64_MAX)
        return false;
      *out = (json_int_t) u;
    }
  return errno == 0 && *end == '\0';
}

static json_t *
object_of (json_t *resources, const char *name)
{
  json_t *o = json_object_get (resources, name);
  if (o == NULL)
    {
      o = json_object ();
      json_object_set_new (resources, name, o);
    }
  return o;
}

int
ctrun_update_take_option (int argc, char **argv, int *i, struct ctrun_update_request *req, ctrun_error_t *err)
{
  const char *value;

  if (ctrun_take_option (argc, argv, i, "--resources", "-r", &value))
    {
      req->resources_file = value;
      return 1;
    }
  for (const char *const *rdt = (const char *const[]){ "--l3-cache-schema", "--mem-bw-schema", NULL }; *rdt; rdt++)
    if (ctrun_take_option (argc, argv, i, *rdt, NULL, &value))
      return ctrun_make_error (err, 0, "update %s: Intel RDT is not supported by ctrun (use runc on a host with resctrl)",
                               *rdt);
  for (size_t k = 0; k < ARRAY_SIZE (update_options); k++)
    {
      json_int_t n;
      int64_t bytes;
      json_t *v;

      if (!ctrun_take_option (argc, argv, i, update_options[k].option, NULL, &value))
        continue;
      switch (update_options[k].kind)
        {
        case VALUE_BYTES:
          if (!parse_bytes (value, &bytes))
            return ctrun_make_error (err, 0, "update %s `%s`: not a size (bytes, or a number with k, m, g, t or p; -1 for no limit)",
                                     update_options[k].option, value);
          v = json_integer (bytes);
          break;
        case VALUE_UNSIGNED:
        case VALUE_SIGNED:
          if (!parse_integer (value, update_options[k].kind == VALUE_SIGNED, &n))
            return ctrun_make_error (err, 0, "update %s `%s`: not %s integer", update_options[k].option, value,
                                     update_options[k].kind == VALUE_SIGNED ? "an" : "a non-negative");
          v = json_integer (n);
          break;
        default:
          v = json_string (value);
        }
      if (req->flags == NULL)
        req->flags = json_object ();
      json_object_set_new (object_of (req->flags, update_options[k].object), update_options[k].field, v);
      return 1;
    }
  return 0;
}

/* -r FILE or -r - (stdin). */
static json_t *
read_resources (const char *file, ctrun_error_t *err)
{
  json_error_t jerr;
  json_t *j = strcmp (file, "-") == 0 ? json_loadf (stdin, JSON_DISABLE_EOF_CHECK, &jerr)
                                      : json_load_file (file, 0, &jerr);
  if (j == NULL)
    {
      ctrun_make_error (err, 0, "update --resources `%s`: %s", file, jerr.text);
      return NULL;
    }
  if (!json_is_object (j))
    {
      json_decref (j);
      ctrun_make_error (err, 0, "update --resources `%s`: must be a JSON object (linux.resources of config.json)", file);
      return NULL;
    }
  return j;
}

/* Copies into OUT the FIELDS of IN.NAME. */
static void
keep_fields (json_t *in, json_t *out, const char *name, const char *const *fields)
{
  json_t *from = json_object_get (in, name), *to;

  if (!json_is_object (from))
    {
      if (from && !json_is_null (from))
        json_object_set (out, name, from); /* the wrong type: the parser says so */
      return;
    }
  to = json_object ();
  for (const char *const *f = fields; *f; f++)
    if (json_object_get (from, *f))
      json_object_set (to, *f, json_object_get (from, *f));
  json_object_set_new (out, name, to);
}

/* What of IN runc's update applies. */
static json_t *
applied_fields (json_t *in)
{
  json_t *out = json_object (), *mem = json_object_get (in, "memory");

  keep_fields (in, out, "memory", memory_fields);
  keep_fields (in, out, "cpu", cpu_fields);
  keep_fields (in, out, "blockIO", blkio_fields);
  keep_fields (in, out, "pids", pids_fields);
  if (json_object_get (in, "unified"))
    json_object_set (out, "unified", json_object_get (in, "unified"));
  if (json_integer_value (json_object_get (mem, "kernel")) || json_integer_value (json_object_get (mem, "kernelTCP")))
    ctrun_log (CTRUN_LOG_WARNING, "kernel memory settings are ignored (the kernel no longer limits kernel memory)");
  return out;
}

int
ctrun_container_update (struct ctrun_context *ctx, struct ctrun_update_request *req, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_json json_t *given = NULL;
  cleanup_json json_t *applied = NULL;
  struct ctrun_resources r = { 0 };
  const char *document = req->resources_file ? "update --resources" : "update";
  int ret;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  if (!ctrun_state_init_alive (&st))
    return ctrun_make_error (err, 0, "container `%s` is stopped: there is nothing to update", ctx->id);
  if (req->resources_file)
    given = read_resources (req->resources_file, err);
  else
    given = req->flags ? json_incref (req->flags) : json_object ();
  if (given == NULL)
    return -1;
  applied = applied_fields (given);

  field_document = document;
  ret = ctrun_resources_parse (&r, applied, err);
  field_document = "config.json";
  if (ret == 0)
    ret = ctrun_cgroup_update (&st.cg, &r, err);
  ctrun_resources_free (&r);
  if (ret < 0)
    return ctrun_error_wrap (err, "update `%s`", ctx->id);
  return 0;
}

void
ctrun_update_request_release (struct ctrun_update_request *req)
{
  if (req->flags)
    json_decref (req->flags);
  req->flags = NULL;
}
