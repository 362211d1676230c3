/* update.h — `ctrun update [OPTIONS | -r FILE|-] ID`: new limits for a live container. */
#ifndef CTRUN_UPDATE_H
#define CTRUN_UPDATE_H

#include <jansson.h>

#include "container.h"
#include "error.h"

struct ctrun_update_request
{
  json_t *flags;              /* linux.resources built from the options; NULL if none */
  const char *resources_file; /* -r: a file, or "-" for stdin */
};

/* Takes one of update's options at argv[*i]: 1 if it was one (*i moves past its value), 0 if
   not, -1 with *err on a bad value. */
int ctrun_update_take_option (int argc, char **argv, int *i, struct ctrun_update_request *req, ctrun_error_t *err);

int ctrun_container_update (struct ctrun_context *ctx, struct ctrun_update_request *req, ctrun_error_t *err);

void ctrun_update_request_release (struct ctrun_update_request *req);

#endif
