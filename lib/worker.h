/*
 * One job at a time in a thread of its own: a bulk writer hands it the
 * INSERTs of a chunk of rows, which the database server takes most of the
 * time over, and reads the next chunk meanwhile.
 */
#ifndef MA_WORKER_H
#define MA_WORKER_H

#include "err.h"

typedef int ma_worker_fn(void *arg, struct ma_err *err);
struct ma_worker;

/*
 * A worker, idle.  When no thread can be made, jobs run in the caller's
 * thread as they are handed over: the same results, later.
 */
int	ma_worker_start(struct ma_worker **wp, struct ma_err *err);
/*
 * fn(arg) as the next job, once the job before is done: -1 (and its
 * error) if that one failed, and then fn is not run (without a thread:
 * fn's own result).
 */
int	ma_worker_run(struct ma_worker *w, ma_worker_fn *fn, void *arg,
	    struct ma_err *err);
/* Whether a job is under way (never, without a thread). */
int	ma_worker_busy(struct ma_worker *w);
/* The job under way done: 0, or -1 and its error. */
int	ma_worker_wait(struct ma_worker *w, struct ma_err *err);
/*
 * The last job: fn(arg) handed over if rc (the caller's so far) is 0, and
 * waited for; then the worker stopped.  rc, or -1 and the job's error.
 */
int	ma_worker_last(struct ma_worker **wp, ma_worker_fn *fn, void *arg,
	    int rc, struct ma_err *err);
/* Waits for the job under way, ends the thread, frees; NULL is fine. */
void	ma_worker_stop(struct ma_worker **wp);

#endif
