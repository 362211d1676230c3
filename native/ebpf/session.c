/*
 * The eBPF backend's sessions: load the programs, start the command (held on the spawn gate
 * until its pid is followed) or follow the attached processes, then drain the ring buffer into
 * protocol records until the last followed task is gone. Nobody is stopped: the traced tasks
 * only pay for the programs that run in their syscalls.
 */
#include "ebpf-engine.h"
#include "exit-kill.h"
#include "loader.h"
#include "ring-event.h"
#include "ring-records.h"
#include "../records.h"
#include "../spawn.h"
#include "../writer.h"

#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long records wait in the writer's buffer, and how often an idle ring is looked at. */
#define FLUSH_DELAY_NS (20u * 1000000u)
#define IDLE_POLL_MS 5
/* How often, when the ring is idle, the tasks still followed are looked up in /proc. */
#define SWEEP_INTERVAL_NS (250u * 1000000u)
/* After a stop request, how long the killed tasks of a started command get to report their exit. */
#define KILL_GRACE_NS (2000u * 1000000u)

static atomic_int stop_requested;
static atomic_flag session_busy = ATOMIC_FLAG_INIT;

struct ebpf_session {
	struct ct_writer out;
	struct ct_ebpf *ebpf;
	struct ring_buffer *ring;
	struct ct_ring_records records;
	struct ct_exit_kill exit_kill; /* a started command: killed, all it spawned with it, if cttrace dies */
	uint8_t capture[CT_MAX_SYSCALL * CT_CAPTURE_ROW];
	/* per CPU, what the lost map held at the last look (ring-event.h), and when that was */
	struct ct_ring_lost *lost_seen, *lost_now;
	struct ct_lost_cpu *lost_cpus;
	int cpu_count;
	uint64_t lost_reported;
	uint64_t lost_checked_ns;
	int main_reaped; /* the started command was reaped by sweep_vanished: its status is here */
	int main_wait_status;
	int attached;
	int watching; /* cttrace watch: runs until stopped, whoever is followed */
	int stopping;
};

void ct_ebpf_request_stop(void)
{
	atomic_store(&stop_requested, 1);
}

static void session_free(struct ebpf_session *s)
{
	ct_exit_kill_stop(&s->exit_kill);
	free(s->lost_seen);
	free(s->lost_now);
	free(s->lost_cpus);
	ring_buffer__free(s->ring);
	ct_ebpf_unload(s->ebpf);
	ct_ring_records_free(&s->records);
	free(s);
	atomic_flag_clear(&session_busy);
}

static int session_end(struct ebpf_session *s, uint32_t reason)
{
	ct_record_end(&s->out, s->out.failed ? CT_END_OUTPUT_FAILED : s->stopping ? CT_END_STOPPED : reason,
		      s->records.main_status);
	ct_writer_close(&s->out);
	int status = s->records.main_status;
	session_free(s);
	return status;
}

/* Loaded and ready for records; on failure out_fd carries HELLO, an ERROR saying why, and END. */
static struct ebpf_session *session_begin(int out_fd, const uint8_t *capture, const uint8_t *bitmap, uint32_t flags, int watch,
					  int *rc)
{
	if (atomic_flag_test_and_set(&session_busy)) {
		close(out_fd);
		*rc = -EBUSY;
		return NULL;
	}
	struct ebpf_session *s = calloc(1, sizeof *s);
	*rc = s ? ct_writer_open(&s->out, out_fd) : -ENOMEM;
	if (*rc == 0)
		*rc = ct_ring_records_init(&s->records, &s->out, s->capture);
	if (*rc != 0) {
		if (s)
			ct_writer_close(&s->out);
		else
			close(out_fd);
		free(s);
		atomic_flag_clear(&session_busy);
		return NULL;
	}
	memcpy(s->capture, capture, sizeof s->capture);
	atomic_store(&stop_requested, 0);
	char why[512];
	*rc = ct_ebpf_load(&s->ebpf, capture, bitmap, watch, why, sizeof why);
	s->cpu_count = ct_ebpf_cpu_count();
	if (*rc == 0 && s->cpu_count > 0) {
		s->lost_seen = calloc((size_t)s->cpu_count, sizeof *s->lost_seen);
		s->lost_now = calloc((size_t)s->cpu_count, sizeof *s->lost_now);
		s->lost_cpus = calloc((size_t)s->cpu_count, sizeof *s->lost_cpus);
		if (!s->lost_seen || !s->lost_now || !s->lost_cpus) {
			*rc = -ENOMEM;
			snprintf(why, sizeof why, "cannot count lost events: out of memory");
		}
	}
	if (*rc == 0) {
		s->ring = ring_buffer__new(ct_ebpf_ring_fd(s->ebpf), ct_ring_records_handle, &s->records, NULL);
		if (!s->ring) {
			*rc = -errno;
			snprintf(why, sizeof why, "cannot map the eBPF ring buffer: %s; use --backend ptrace", strerror(-*rc));
		}
	}
	/* The session starts once the programs are in and the ring mapped: loading them (the
	 * verifier's time) is the tracer's start-up, as Node's is, not time the command spends. */
	s->lost_checked_ns = ct_monotonic_ns();
	ct_record_hello(&s->out, s->lost_checked_ns, flags | CT_SESSION_EBPF);
	if (*rc != 0) {
		ct_record_error(&s->out, 0, -*rc, why);
		session_end(s, CT_END_DONE);
		return NULL;
	}
	return s;
}

/* Losses are said as they are counted: a LOST record with how many since the last look, by CPU,
 * and the window they fell in (after the last look, up to the last loss). */
static void report_lost(struct ebpf_session *s)
{
	uint64_t now = ct_monotonic_ns(); /* before the read: whatever it finds was lost after `since` */
	uint64_t since = s->lost_checked_ns;
	if (!s->lost_now || ct_ebpf_lost(s->ebpf, s->lost_now) != 0)
		return;
	s->lost_checked_ns = now;
	struct ct_lost lost = { .since_ns = since };
	uint64_t last_ns = 0;
	for (int cpu = 0; cpu < s->cpu_count; cpu++) {
		uint64_t here = s->lost_now[cpu].count - s->lost_seen[cpu].count;
		if (!here)
			continue;
		s->lost_cpus[lost.cpu_count++] = (struct ct_lost_cpu){ .cpu = (uint32_t)cpu, .count = here };
		lost.count += here;
		if (s->lost_now[cpu].last_ns > last_ns)
			last_ns = s->lost_now[cpu].last_ns;
		s->lost_seen[cpu] = s->lost_now[cpu];
	}
	if (!lost.count)
		return;
	s->lost_reported += lost.count;
	lost.total = s->lost_reported;
	/* the count is bumped before the time in the program: a read between the two sees an older time */
	ct_writer_record(&s->out, CT_REC_LOST, 0, last_ns > since ? last_ns : now, &lost, sizeof lost, s->lost_cpus,
			 lost.cpu_count * sizeof *s->lost_cpus);
}

/* A stop request: a started command is killed (as the ptrace engine's EXITKILL would), an attach
 * just ends. */
static void begin_stop(struct ebpf_session *s)
{
	s->stopping = 1;
	if (s->attached || s->watching)
		return;
	ct_tasks_for_each(&s->records.tasks, t)
		kill(t->tid, SIGKILL);
}

/* Whether `tid` still runs: not gone from /proc, not a zombie. */
static int task_alive(pid_t tid)
{
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/%d/stat", tid);
	FILE *file = fopen(path, "re");
	if (!file)
		return 0;
	size_t n = fread(stat, 1, sizeof stat - 1, file);
	fclose(file);
	stat[n] = '\0';
	const char *end = strrchr(stat, ')'); /* "tid (comm) S ..." */
	return end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

/*
 * An exit lost to a full ring (or a task met only after it had exited) would keep the session
 * waiting for a task that is gone: when the ring is idle, tasks that no longer run are let go
 * (their call in flight written unfinished); the started command is reaped here and its exit
 * written from its wait status.
 */
static void sweep_vanished(struct ebpf_session *s)
{
	pid_t vanished[64];
	size_t count = 0;
	ct_tasks_for_each(&s->records.tasks, t) {
		if (count < sizeof vanished / sizeof vanished[0] && t->tid != s->records.main_pid && !task_alive(t->tid))
			vanished[count++] = t->tid;
	}
	int status;
	pid_t main_pid = s->records.main_pid;
	int main_gone = main_pid && !s->main_reaped && waitpid(main_pid, &status, __WALL | WNOHANG) == main_pid;
	if (main_gone) {
		s->main_reaped = 1;
		s->main_wait_status = status;
	}
	ring_buffer__consume(s->ring); /* an exit emitted since is in the ring now: it goes first */
	uint64_t now = ct_monotonic_ns();
	for (size_t i = 0; i < count; i++) {
		struct ct_task_state *t = ct_tasks_find(&s->records.tasks, vanished[i]);
		if (t)
			ct_record_unfinished(&s->out, t, now);
		ct_tasks_remove(&s->records.tasks, vanished[i]);
	}
	struct ct_task_state *main_task = main_gone ? ct_tasks_find(&s->records.tasks, main_pid) : NULL;
	if (main_task) {
		struct ct_exit exit = { .kind = WIFEXITED(status) ? CT_EXIT_EXITED : CT_EXIT_KILLED,
					.value = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
					.core_dumped = WIFSIGNALED(status) && WCOREDUMP(status) };
		ct_record_unfinished(&s->out, main_task, now);
		ct_record_exit(&s->out, main_pid, now, &exit);
		s->records.main_status = exit.kind == CT_EXIT_EXITED ? exit.value : 128 + exit.value;
		s->records.main_exited = 1;
		ct_tasks_remove(&s->records.tasks, main_pid);
	}
}

static void run_loop(struct ebpf_session *s)
{
	uint64_t kill_deadline = 0, next_sweep = 0;
	for (;;) {
		int consumed = ring_buffer__consume(s->ring);
		report_lost(s);
		if (consumed == 0 && ct_monotonic_ns() >= next_sweep) {
			sweep_vanished(s);
			next_sweep = ct_monotonic_ns() + SWEEP_INTERVAL_NS;
		}
		if (s->out.failed || (s->records.tasks.count == 0 && !s->watching))
			break;
		if (!s->stopping && atomic_load(&stop_requested)) {
			begin_stop(s);
			kill_deadline = ct_monotonic_ns() + KILL_GRACE_NS;
		}
		if (s->stopping && (s->attached || s->watching || ct_monotonic_ns() > kill_deadline))
			break;
		if (consumed > 0)
			continue;
		if (s->out.length && ct_monotonic_ns() >= s->out.oldest_ns + FLUSH_DELAY_NS)
			ct_writer_flush(&s->out);
		/* Records wake no one, exits do (trace.bpf.c): the end is seen at once, the rest in a while. */
		ring_buffer__poll(s->ring, IDLE_POLL_MS);
	}
	ring_buffer__consume(s->ring);
	report_lost(s);
	ct_ring_records_finish(&s->records, ct_monotonic_ns());
}

int ct_ebpf_trace_command(const char *path, const char *const *argv, int out_fd, uint32_t options,
			  const uint8_t *capture, const uint8_t *bitmap)
{
	(void)options; /* --all is in the bitmap; there is no tracer thread to pin */
	int rc;
	struct ebpf_session *s = session_begin(out_fd, capture, bitmap, 0, 0, &rc);
	if (!s)
		return rc;
	int links[CT_EXIT_KILL_MAX_FDS - 2];
	int link_count = ct_ebpf_link_fds(s->ebpf, links, CT_EXIT_KILL_MAX_FDS - 2);
	rc = ct_exit_kill_start(&s->exit_kill, ct_ebpf_followed_fd(s->ebpf), links, link_count);
	if (rc != 0) {
		ct_record_error(&s->out, 0, -rc, "cannot start the guard that kills the command if cttrace dies");
		session_end(s, CT_END_DONE);
		return rc;
	}
	int go[2];
	if (pipe2(go, O_CLOEXEC) != 0) {
		rc = -errno;
		session_end(s, CT_END_DONE);
		return rc;
	}
	char **envp = ct_spawn_copy_environment();
	struct ct_spawn_request request = {
		.path = path, .argv = (char *const *)argv, .envp = envp, .wait_fd = go[0], .close_fd = go[1],
	};
	struct ct_spawned spawned = { 0 };
	rc = envp ? ct_spawn(&request, &spawned) : -ENOMEM;
	close(go[0]);
	if (rc != 0) {
		close(go[1]);
		free(envp);
		ct_record_error(&s->out, 0, -rc, "could not start the command");
		session_end(s, CT_END_DONE);
		return rc;
	}
	/* Held on the gate until it is followed: its execve is the first call recorded. */
	pid_t child = spawned.pid;
	rc = ct_ebpf_follow(s->ebpf, child);
	s->records.main_pid = child;
	if (rc == 0)
		ct_ring_records_adopt(&s->records, child, ct_monotonic_ns());
	else
		ct_record_error(&s->out, child, -rc, "could not follow the started command");
	if (rc != 0 || write(go[1], "g", 1) != 1)
		kill(child, SIGKILL);
	close(go[1]);
	run_loop(s);
	if (!s->records.main_exited)
		kill(child, SIGKILL); /* the output failed: nobody would see the rest */
	int status = s->main_wait_status;
	while (!s->main_reaped && waitpid(child, &status, __WALL) < 0 && errno == EINTR)
		;
	if (!s->records.main_exited)
		s->records.main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	ct_spawn_release(&spawned);
	free(envp);
	return session_end(s, CT_END_DONE);
}

/* Follow `pid` and say what its threads are now. Returns 0, or -errno when it is gone. */
static int follow_process(struct ebpf_session *s, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *dir = opendir(path);
	if (!dir)
		return -errno;
	int rc = ct_ebpf_follow(s->ebpf, pid);
	struct dirent *entry;
	while (rc == 0 && (entry = readdir(dir))) {
		pid_t tid = (pid_t)atoi(entry->d_name);
		if (tid > 0)
			ct_ring_records_adopt(&s->records, tid, ct_monotonic_ns());
	}
	closedir(dir);
	return rc;
}

int ct_ebpf_trace_attach(const int32_t *pids, int32_t pid_count, int out_fd, uint32_t options,
			 const uint8_t *capture, const uint8_t *bitmap)
{
	int rc;
	struct ebpf_session *s = session_begin(out_fd, capture, bitmap, CT_SESSION_ATTACHED | ((options & CT_OPT_TRACE_ALL) ? CT_SESSION_TRACE_ALL : 0), 0, &rc);
	if (!s)
		return rc;
	s->attached = 1;
	for (int i = 0; i < pid_count; i++) {
		rc = follow_process(s, pids[i]);
		/* A process that ended since it was listed is no error, unless nothing at all is followed. */
		int gone = rc == -ENOENT || rc == -ESRCH;
		if (gone && (i + 1 < pid_count || s->records.tasks.count > 0))
			continue;
		if (rc < 0) {
			char message[96];
			snprintf(message, sizeof message, "cannot attach to process %d", pids[i]);
			ct_record_error(&s->out, pids[i], -rc, message);
			session_end(s, CT_END_DONE);
			return rc;
		}
	}
	run_loop(s);
	session_end(s, CT_END_DONE);
	return 0;
}

int ct_ebpf_watch(int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap)
{
	int rc;
	struct ebpf_session *s = session_begin(out_fd, capture, bitmap,
					       CT_SESSION_ATTACHED | ((options & CT_OPT_TRACE_ALL) ? CT_SESSION_TRACE_ALL : 0), 1, &rc);
	if (!s)
		return rc;
	s->watching = 1;
	run_loop(s);
	session_end(s, CT_END_DONE);
	return 0;
}
