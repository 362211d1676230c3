/* json-fields.h — typed reads of a JSON document's fields (config.json, update's resources). */
#ifndef CTRUN_JSON_FIELDS_H
#define CTRUN_JSON_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* What the error messages call the document ("config.json" unless a reader of another sets it). */
extern const char *field_document;

/* Each: absent or null → *out empty (NULL, false) and 0; the wrong type → an error naming
   WHERE.KEY. */
int field_check_keys (json_t *obj, const char *where, const char *const *allowed, ctrun_error_t *err);
int field_string (json_t *obj, const char *key, const char *where, const char **out, ctrun_error_t *err);
int field_int (json_t *obj, const char *key, const char *where, bool *has, int64_t *out, ctrun_error_t *err);
int field_bool (json_t *obj, const char *key, const char *where, bool *out, ctrun_error_t *err);
int field_object (json_t *obj, const char *key, const char *where, json_t **out, ctrun_error_t *err);
int field_array (json_t *obj, const char *key, const char *where, json_t **out, ctrun_error_t *err);
/* A NULL-terminated copy of an array of strings. */
int field_strv (json_t *obj, const char *key, const char *where, char ***out, ctrun_error_t *err);

#endif
