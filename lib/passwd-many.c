/*
 * Many passwords hashed at once: a bulk writer (a migration's cleartext
 * passwords) spends most of its time in crypt(3), whose cost is made to
 * be high.  The work is shared by a few threads, one per processor:
 * ma_passwd_hash keeps no state between calls (crypt_r over scratch of
 * its own, getrandom for salts), so the results are those of a loop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "passwd.h"

/* More threads than this gain nothing on the batches callers make. */
#define WORKERS_MAX 16

struct job {
	const char		*scheme;
	const char *const	*pw;
	char			**hashes;
	struct ma_err		*errs;	/* one per password */
	int			*rcs;
	size_t			 n, next;
	int			 prefix;
	pthread_mutex_t		 lock;
};

static void *
work(void *arg)
{
	struct job *j = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&j->lock);
		i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->n)
			return NULL;
		j->rcs[i] = ma_passwd_hash(j->scheme, j->pw[i], j->prefix,
		    &j->hashes[i], &j->errs[i]);
	}
}

static size_t
workers_for(size_t n, int workers)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (workers <= 0)
		workers = cpus > 0 ? (int)cpus : 1;
	if (workers > WORKERS_MAX)
		workers = WORKERS_MAX;
	return (size_t)workers < n ? (size_t)workers : n;
}

int
ma_passwd_hash_many(const char *scheme, const char *const *pw, size_t n,
    int prefix, int workers, char **hashes, size_t *bad, struct ma_err *err)
{
	pthread_t tid[WORKERS_MAX];
	struct job j;
	size_t i, started = 0, w = workers_for(n, workers);
	int rc = 0;

	memset(&j, 0, sizeof(j));
	j.scheme = scheme;
	j.pw = pw;
	j.hashes = hashes;
	j.n = n;
	j.prefix = prefix;
	for (i = 0; i < n; i++)
		hashes[i] = NULL;
	if (n == 0)
		return 0;
	if ((j.errs = calloc(n, sizeof(*j.errs))) == NULL ||
	    (j.rcs = calloc(n, sizeof(*j.rcs))) == NULL) {
		free(j.errs);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	pthread_mutex_init(&j.lock, NULL);
	/* The calling thread is one of the workers. */
	for (; started + 1 < w; started++)
		if (pthread_create(&tid[started], NULL, work, &j) != 0)
			break;
	work(&j);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&j.lock);
	/* The first failure in the caller's order, as a loop would stop. */
	for (i = 0; i < n && rc == 0; i++)
		if (j.rcs[i] < 0) {
			*err = j.errs[i];
			if (bad != NULL)
				*bad = i;
			rc = -1;
		}
	for (i = 0; i < n && rc < 0; i++) {
		free(hashes[i]);
		hashes[i] = NULL;
	}
	free(j.errs);
	free(j.rcs);
	return rc;
}
