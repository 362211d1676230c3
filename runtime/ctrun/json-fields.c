/* json-fields.c — typed reads of a JSON document's fields, each failure one line naming
 * the document and the field ("config.json: linux.resources.memory.limit must be an integer"). */
#define _GNU_SOURCE
#include "json-fields.h"

#include <string.h>

#include "utils.h"

/* The document the messages name: config.json, or what `update --resources` reads. */
const char *field_document = "config.json";

/* Only these keys may appear in `obj`: what ctrun cannot honour is an error. */
int
field_check_keys (json_t *obj, const char *where, const char *const *allowed, ctrun_error_t *err)
{
  const char *key;
  json_t *v;
  json_object_foreach (obj, key, v)
    {
      bool ok = false;
      for (const char *const *a = allowed; *a; a++)
        if (strcmp (key, *a) == 0)
          ok = true;
      if (!ok && !json_is_null (v))
        {
          if (where == NULL)
            return ctrun_make_error (err, 0, "%s: %s is not supported", field_document, key);
          return ctrun_make_error (err, 0, "%s: %s.%s is not supported", field_document, where, key);
        }
    }
  return 0;
}

int
field_string (json_t *obj, const char *key, const char *where, const char **out, ctrun_error_t *err)
{
  json_t *v = json_object_get (obj, key);
  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_string (v))
    return ctrun_make_error (err, 0, "%s: %s.%s must be a string", field_document, where, key);
  *out = json_string_value (v);
  return 0;
}

int
field_int (json_t *obj, const char *key, const char *where, bool *has, int64_t *out, ctrun_error_t *err)
{
  json_t *v = json_object_get (obj, key);
  if (has)
    *has = false;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_integer (v))
    return ctrun_make_error (err, 0, "%s: %s.%s must be an integer", field_document, where, key);
  *out = json_integer_value (v);
  if (has)
    *has = true;
  return 0;
}

int
field_bool (json_t *obj, const char *key, const char *where, bool *out, ctrun_error_t *err)
{
  json_t *v = json_object_get (obj, key);
  *out = false;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_boolean (v))
    return ctrun_make_error (err, 0, "%s: %s.%s must be a boolean", field_document, where, key);
  *out = json_is_true (v);
  return 0;
}

int
field_object (json_t *obj, const char *key, const char *where, json_t **out, ctrun_error_t *err)
{
  json_t *v = json_object_get (obj, key);
  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_object (v))
    return ctrun_make_error (err, 0, "%s: %s.%s must be an object", field_document, where, key);
  *out = v;
  return 0;
}

int
field_array (json_t *obj, const char *key, const char *where, json_t **out, ctrun_error_t *err)
{
  json_t *v = json_object_get (obj, key);
  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if (!json_is_array (v))
    return ctrun_make_error (err, 0, "%s: %s.%s must be an array", field_document, where, key);
  *out = v;
  return 0;
}

/* A NULL-terminated copy of an array of strings. */
int
field_strv (json_t *obj, const char *key, const char *where, char ***out, ctrun_error_t *err)
{
  json_t *arr, *v;
  size_t i;
  char **r;

  *out = NULL;
  if (field_array (obj, key, where, &arr, err) < 0)
    return -1;
  if (arr == NULL)
    return 0;
  r = xmalloc0 (sizeof (char *) * (json_array_size (arr) + 1));
  json_array_foreach (arr, i, v)
    {
      if (!json_is_string (v))
        {
          strv_free (r);
          return ctrun_make_error (err, 0, "%s: %s.%s must be an array of strings", field_document, where, key);
        }
      r[i] = xstrdup (json_string_value (v));
    }
  *out = r;
  return 0;
}

