/* events.c — `ctrun events [--stats] [--interval D] ID`, as `runc events`: one JSON event a
 * line, {"type":"stats","id":ID,"data":{...}} every interval (default 5s) and
 * {"type":"oom","id":ID} when the kernel's OOM killer strikes in the container; --stats prints
 * the stats once and exits. Single-threaded: one poll(2) on the OOM notifier and the init's
 * pidfd, with the interval as its timeout. It ends when the container stops.
 *
 * OOM notification: v1 registers an eventfd on memory.oom_control through
 * cgroup.event_control; v2 watches memory.events with inotify for a rising oom_kill count. */
#define _GNU_SOURCE
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "stats.h"
#include "utils.h"

/* Go's time.Duration syntax ("5s", "100ms", "1m30s", "1.5h"): nanoseconds, or -1 if invalid. */
int64_t
ctrun_parse_duration (const char *s)
{
  static const struct
  {
    const char *unit;
    double ns;
  } units[] = { { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
  double total = 0;

  if (strcmp (s, "0") == 0)
    return 0;
  if (*s == '\0')
    return -1;
  while (*s)
    {
      char *end;
      double n = strtod (s, &end);
      size_t best = 0;
      int which = -1;
      if (end == s || *s == '-' || *s == '+')
        return -1;
      for (size_t u = 0; u < sizeof (units) / sizeof (units[0]); u++)
        {
          size_t len = strlen (units[u].unit);
          if (strncmp (end, units[u].unit, len) == 0 && len > best)
            {
              best = len;
              which = u;
            }
        }
      if (which < 0)
        return -1;
      total += n * units[which].ns;
      s = end + best;
    }
  return total > 9.2e18 ? -1 : (int64_t) total;
}

static int
print_event (const char *type, const char *id, json_t *data)
{
  cleanup_json json_t *event = json_pack ("{s:s, s:s}", "type", type, "id", id);
  cleanup_free char *text = NULL;

  if (data)
    json_object_set_new (event, "data", data);
  text = ctrun_stats_dump (event);
  if (printf ("%s\n", text) < 0 || fflush (stdout) != 0)
    return -1;
  return 0;
}

/* v1: an eventfd the kernel signals on each OOM in the memory cgroup DIR. */
static int
open_oom_v1 (const char *dir, ctrun_error_t *err)
{
  cleanup_close int efd = eventfd (0, EFD_CLOEXEC);
  cleanup_close int control = -1;
  cleanup_free char *oom = xasprintf ("%s/memory.oom_control", dir);
  cleanup_free char *event_control = xasprintf ("%s/cgroup.event_control", dir);
  char line[64];
  int fd;

  if (efd < 0)
    return ctrun_make_error (err, errno, "eventfd");
  control = xopen (oom, O_RDONLY, 0, err);
  if (control < 0)
    return -1;
  snprintf (line, sizeof (line), "%d %d", efd, control);
  if (write_file_str (event_control, line, err) < 0)
    return ctrun_error_wrap (err, "register for OOM notifications");
  fd = efd;
  efd = -1;
  return fd;
}

/* v2: an inotify watch on memory.events; -2 if the cgroup has no memory controller. */
static int
open_oom_v2 (const char *dir, ctrun_error_t *err)
{
  cleanup_close int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  cleanup_free char *events = xasprintf ("%s/memory.events", dir);
  int ret;

  if (fd < 0)
    return ctrun_make_error (err, errno, "inotify_init1");
  if (access (events, F_OK) < 0 && errno == ENOENT)
    return -2; /* the memory controller is not enabled for the cgroup: no OOM to report */
  if (inotify_add_watch (fd, events, IN_MODIFY) < 0)
    return ctrun_make_error (err, errno, "watch `%s`", events);
  ret = fd;
  fd = -1;
  return ret;
}

static unsigned long long
oom_kills_v2 (const char *dir)
{
  cleanup_free char *path = xasprintf ("%s/memory.events", dir);
  cleanup_free char *text = NULL;
  const char *at;

  if (read_file (path, &text, NULL, NULL) < 0 || (at = strstr (text, "oom_kill ")) == NULL)
    return 0;
  return strtoull (at + 9, NULL, 10);
}

static int64_t
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
ctrun_container_events (struct ctrun_context *ctx, bool stats_once, int64_t interval_ns, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_close int oom_fd = -1;
  cleanup_close int pidfd = -1;
  const char *memory;
  bool v2;
  unsigned long long oom_kills = 0;
  int64_t next;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  if (!ctrun_state_init_alive (&st))
    return ctrun_make_error (err, 0, "container with id %s is not running", ctx->id);
  if (stats_once)
    return print_event ("stats", ctx->id, ctrun_stats_collect (&st.cg)) < 0 ? ctrun_make_error (err, errno, "write stdout") : 0;

  v2 = st.cg.mode == CGROUP_MODE_V2;
  memory = ctrun_cgroup_leaf (&st.cg, "memory");
  if (memory)
    {
      oom_fd = v2 ? open_oom_v2 (memory, err) : open_oom_v1 (memory, err);
      if (oom_fd == -1)
        return -1;
      if (v2)
        oom_kills = oom_kills_v2 (memory);
    }
  pidfd = sys_pidfd_open (st.pid);
  if (pidfd < 0)
    return ctrun_make_error (err, errno, "pidfd_open %d", st.pid);

  next = now_ns () + interval_ns;
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = oom_fd, .events = POLLIN } };
      int64_t wait = next - now_ns ();
      int n = poll (fds, oom_fd >= 0 ? 2 : 1, wait > 0 ? (int) ((wait + 999999) / 1000000) : 0);

      if (n < 0 && errno != EINTR)
        return ctrun_make_error (err, errno, "poll");
      if (n > 0 && (fds[1].revents & POLLIN))
        {
          char buf[4096];
          bool oom = true;
          while (read (oom_fd, buf, sizeof (buf)) > 0 && v2)
            ;
          if (!v2 && access (memory, F_OK) < 0)
            return 0; /* v1 signals the removal of the cgroup too: the container is gone */
          if (v2)
            {
              unsigned long long kills = oom_kills_v2 (memory);
              oom = kills > oom_kills;
              oom_kills = kills;
            }
          if (oom && print_event ("oom", ctx->id, NULL) < 0)
            return ctrun_make_error (err, errno, "write stdout");
        }
      if (n > 0 && (fds[0].revents & POLLIN))
        return 0; /* the container stopped */
      if (now_ns () >= next)
        {
          if (print_event ("stats", ctx->id, ctrun_stats_collect (&st.cg)) < 0)
            return ctrun_make_error (err, errno, "write stdout");
          next += interval_ns;
        }
    }
}
