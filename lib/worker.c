#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct ma_worker {
	pthread_mutex_t	 lock;
	pthread_cond_t	 posted;	/* a job, or the end */
	pthread_cond_t	 done;		/* the job is done */
	pthread_t	 tid;
	int		 started;	/* else jobs run in the caller */
	ma_worker_fn	*fn;		/* the job under way, or NULL */
	void		*arg;
	int		 rc;		/* of the last job */
	struct ma_err	 err;
	int		 ending;
};

static void *
loop(void *arg)
{
	struct ma_worker *w = arg;
	struct ma_err err;
	int rc;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->fn == NULL && !w->ending)
			pthread_cond_wait(&w->posted, &w->lock);
		if (w->fn == NULL)
			break;
		pthread_mutex_unlock(&w->lock);
		rc = w->fn(w->arg, &err);
		pthread_mutex_lock(&w->lock);
		w->rc = rc;
		if (rc < 0)
			w->err = err;
		w->fn = NULL;
		pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int
ma_worker_start(struct ma_worker **wp, struct ma_err *err)
{
	struct ma_worker *w = calloc(1, sizeof(*w));

	*wp = NULL;
	if (w == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->posted, NULL);
	pthread_cond_init(&w->done, NULL);
	w->started = pthread_create(&w->tid, NULL, loop, w) == 0;
	*wp = w;
	return 0;
}

int
ma_worker_busy(struct ma_worker *w)
{
	int busy;

	pthread_mutex_lock(&w->lock);
	busy = w->fn != NULL;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

int
ma_worker_wait(struct ma_worker *w, struct ma_err *err)
{
	int rc;

	pthread_mutex_lock(&w->lock);
	while (w->fn != NULL)
		pthread_cond_wait(&w->done, &w->lock);
	rc = w->rc;
	if (rc < 0)
		*err = w->err;
	w->rc = 0;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int
ma_worker_run(struct ma_worker *w, ma_worker_fn *fn, void *arg,
    struct ma_err *err)
{
	if (ma_worker_wait(w, err) < 0)
		return -1;
	if (!w->started)
		return fn(arg, err);
	pthread_mutex_lock(&w->lock);
	w->fn = fn;
	w->arg = arg;
	pthread_cond_signal(&w->posted);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int
ma_worker_last(struct ma_worker **wp, ma_worker_fn *fn, void *arg, int rc,
    struct ma_err *err)
{
	if (rc == 0)
		rc = ma_worker_run(*wp, fn, arg, err);
	if (rc == 0)
		rc = ma_worker_wait(*wp, err);
	ma_worker_stop(wp);
	return rc;
}

void
ma_worker_stop(struct ma_worker **wp)
{
	struct ma_worker *w = *wp;
	struct ma_err ignored;

	if (w == NULL)
		return;
	*wp = NULL;
	ma_worker_wait(w, &ignored);
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->ending = 1;
		pthread_cond_signal(&w->posted);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->tid, NULL);
	}
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->posted);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
