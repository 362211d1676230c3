/* state.c — see state.h. */
#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

int
ctrun_validate_id (const char *id, ctrun_error_t *err)
{
  if (id == NULL || *id == '\0')
    return ctrun_make_error (err, 0, "a container id is required");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0 || strlen (id) > 1024)
    return ctrun_make_error (err, 0, "invalid container id `%s`", id);
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr ("_+-.", *p)))
      return ctrun_make_error (err, 0, "invalid container id `%s`: use letters, digits, _ + - .", id);
  return 0;
}

char *
ctrun_state_seccomp_cache (const char *root)
{
  return xasprintf ("%s/@seccomp", root);
}

char *
ctrun_state_dir (const char *root, const char *id)
{
  return xasprintf ("%s/%s", root, id);
}

void
ctrun_state_remove_dir (const char *dir)
{
  char path[4096];
  snprintf (path, sizeof (path), "%s/exec.fifo", dir);
  unlink (path);
  snprintf (path, sizeof (path), "%s/state.json", dir);
  unlink (path);
  rmdir (dir);
}

static void
now_rfc3339 (char *buf, size_t size)
{
  struct timespec ts;
  struct tm tm;
  char base[32];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof (base), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

json_t *
ctrun_spec_state (const char *id, const char *status, pid_t pid, const char *bundle, json_t *annotations)
{
  json_t *j = json_pack ("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", CTRUN_OCI_VERSION, "id", id, "status", status, "pid",
                         (int) pid, "bundle", bundle);
  if (j && annotations && json_object_size (annotations))
    json_object_set (j, "annotations", annotations);
  return j;
}

int
ctrun_state_write (const char *dir, const char *id, const struct ctrun_config *c, pid_t pid,
                   const struct ctrun_cgroup *cg, ctrun_error_t *err)
{
  cleanup_json json_t *j = NULL;
  cleanup_free char *path = xasprintf ("%s/state.json", dir);
  cleanup_free char *text = NULL;
  json_t *dirs = json_array ();
  char created[64];

  now_rfc3339 (created, sizeof (created));
  for (size_t i = 0; i < cg->n_created; i++)
    json_array_append_new (dirs, json_string (cg->created[i]));
  j = json_pack ("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:o, s:o, s:O}", "ociVersion", CTRUN_OCI_VERSION, "id", id,
                 "pid", pid, "starttime", (json_int_t) process_start_time (pid), "bundle", c->bundle, "rootfs",
                 c->rootfs, "created", created, "cgroupDirs", dirs, "cgroups", ctrun_cgroup_to_json (cg),
                 "annotations", c->annotations);
  if (j == NULL)
    return ctrun_make_error (err, 0, "build state.json");
  text = json_dumps (j, JSON_COMPACT);
  return create_file (path, text, strlen (text), 0600, err);
}

int
ctrun_state_load (const char *root, const char *id, struct ctrun_state *st, ctrun_error_t *err)
{
  cleanup_free char *path = NULL;
  json_error_t jerr;

  memset (st, 0, sizeof (*st));
  st->cg.v2_fd = -1;
  st->root = root;
  st->id = id;
  if (ctrun_validate_id (id, err) < 0)
    return -1;
  path = xasprintf ("%s/%s/state.json", root, id);
  st->json = json_load_file (path, 0, &jerr);
  if (st->json == NULL)
    {
      if (access (path, F_OK) < 0 && errno == ENOENT)
        return ctrun_make_error (err, 0, "container `%s` does not exist", id);
      return ctrun_make_error (err, 0, "read `%s`: %s", path, jerr.text);
    }
  st->pid = json_integer_value (json_object_get (st->json, "pid"));
  st->starttime = json_integer_value (json_object_get (st->json, "starttime"));
  st->bundle = json_string_value (json_object_get (st->json, "bundle"));
  if (st->bundle == NULL)
    return ctrun_make_error (err, 0, "state of `%s` is damaged", id);
  return ctrun_cgroup_from_json (json_object_get (st->json, "cgroups"), &st->cg, err);
}

void
ctrun_state_release (struct ctrun_state *st)
{
  if (st->json)
    json_decref (st->json);
  st->json = NULL;
  ctrun_cgroup_release (&st->cg);
}

bool
ctrun_state_init_alive (const struct ctrun_state *st)
{
  char path[64];
  cleanup_free char *buf = NULL;
  char *p;

  if (st->pid <= 0 || process_start_time (st->pid) != st->starttime)
    return false;
  /* A zombie is stopped too. */
  snprintf (path, sizeof (path), "/proc/%d/stat", st->pid);
  if (read_file (path, &buf, NULL, NULL) < 0 || (p = strrchr (buf, ')')) == NULL)
    return false;
  return p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

const char *
ctrun_state_status (const struct ctrun_state *st)
{
  char path[4096];
  if (!ctrun_state_init_alive (st))
    return "stopped";
  snprintf (path, sizeof (path), "%s/%s/exec.fifo", st->root, st->id);
  if (access (path, F_OK) == 0)
    return "created";
  return ctrun_cgroup_is_frozen (&st->cg) ? "paused" : "running";
}
