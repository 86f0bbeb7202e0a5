/*
 * lib/worker.c: jobs run one at a time, in the order handed over, in a
 * thread of their own; a job's failure comes back at the next run or
 * wait, and the job handed over then is not run.
 */
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "worker.h"

struct log {
	int	order[16];
	int	n;
	int	running;	/* jobs under way at once, at most */
	int	most;
};

struct job {
	struct log	*log;
	int		 id;
	int		 fail;
};

static atomic_int gate;

/* A job that runs until the gate opens. */
static int
gated(void *arg, struct ma_err *err)
{
	(void)arg;
	(void)err;
	while (!atomic_load(&gate))
		sched_yield();
	return 0;
}

static int
job(void *arg, struct ma_err *err)
{
	struct job *j = arg;
	struct timespec ms = { 0, 2000000 };

	if (++j->log->running > j->log->most)
		j->log->most = j->log->running;
	nanosleep(&ms, NULL);	/* long enough for a second to overlap */
	j->log->order[j->log->n++] = j->id;
	j->log->running--;
	if (j->fail)
		return ma_fail(err, MA_EIO, 0, "job %d failed", j->id);
	return 0;
}

int
main(void)
{
	struct ma_worker *w;
	struct log log;
	struct job jobs[6];
	struct ma_err err;
	int i, rc = 0;

	memset(&log, 0, sizeof(log));
	for (i = 0; i < 6; i++) {
		jobs[i].log = &log;
		jobs[i].id = i;
		jobs[i].fail = i == 3;
	}
	test_begin("in order, one at a time");
	ok(ma_worker_start(&w, &err) == 0, "started");
	for (i = 0; i < 3 && rc == 0; i++)
		rc = ma_worker_run(w, job, &jobs[i], &err);
	is_int(rc, 0, "three handed over");
	is_int(ma_worker_wait(w, &err), 0, "and done");
	is_int(log.n, 3, "all three ran");
	ok(log.order[0] == 0 && log.order[1] == 1 && log.order[2] == 2,
	    "in the order handed over");
	is_int(log.most, 1, "never two at once");

	test_begin("a failure");
	is_int(ma_worker_run(w, job, &jobs[3], &err), 0, "the failing job "
	    "handed over");
	is_int(ma_worker_run(w, job, &jobs[4], &err), -1, "the next is "
	    "refused");
	is_str(err.msg, "job 3 failed", "with the failure's error");
	is_int(log.n, 4, "and not run");
	is_int(ma_worker_wait(w, &err), 0, "the failure is told once");
	is_int(ma_worker_run(w, job, &jobs[5], &err), 0, "then jobs go on");
	is_int(ma_worker_run(w, gated, NULL, &err), 0, "a job that waits");
	is_int(ma_worker_busy(w), 1, "busy while it runs");
	atomic_store(&gate, 1);
	is_int(ma_worker_wait(w, &err), 0, "done once let go");
	is_int(ma_worker_busy(w), 0, "and idle");
	ma_worker_stop(&w);
	is_int(log.n, 5, "stop waits for the job under way");
	ok(w == NULL, "and frees the worker");
	ma_worker_stop(&w);

	test_begin("the last job");
	ok(ma_worker_start(&w, &err) == 0, "started");
	is_int(ma_worker_last(&w, job, &jobs[3], 0, &err), -1, "its failure "
	    "told");
	ok(log.n == 6 && w == NULL, "it ran, and the worker is stopped");
	ok(ma_worker_start(&w, &err) == 0, "started");
	is_int(ma_worker_last(&w, job, &jobs[0], -1, &err), -1, "the caller's "
	    "own failure kept");
	ok(log.n == 6 && w == NULL, "the job not run, the worker stopped");
	return done_testing();
}
