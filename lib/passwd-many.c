/*
 * Many passwords hashed at once: a bulk writer (a migration's cleartext
 * passwords) spends most of its time in crypt(3), whose cost is made to
 * be high.  The work is shared by a few threads, one per processor,
 * while the caller does something else (its database round trips); the
 * caller helps with what is left when it needs the hashes.  A batch may
 * also be opened empty and fed passwords as the caller finds them.
 * Each thread takes a few at once: SHA512-CRYPT ones go side by side
 * through the lanes of the vector unit (passwd-sha512.c).  Hashing keeps
 * no state between calls (scratch of its own, getrandom for salts), so
 * the results are those of a loop of ma_passwd_hash.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "passwd-priv.h"

/* More threads than this gain nothing on the batches callers make. */
#define WORKERS_MAX 16
/* rcs[i] of a password not hashed yet (ma_passwd_hash gives 0 or -1). */
#define PENDING 1

struct ma_passwd_batch {
	const char		*scheme;
	const char *const	*pw;
	char			**hashes;
	struct ma_err		*errs;	/* one per password */
	int			*rcs;	/* PENDING until hashes[i] is set */
	size_t			 n, fed, next;	/* pw[0..fed) may be hashed */
	size_t			 group;		/* taken at once */
	int			 prefix;
	int			 closed;	/* no more will be fed */
	pthread_mutex_t		 lock;
	pthread_cond_t		 hashed;	/* another one is done */
	pthread_cond_t		 more;		/* fed more, or closed */
	pthread_t		 tid[WORKERS_MAX];
	size_t			 started;
};

/*
 * The next passwords nobody has taken, hashed: as many as pw_hash_group
 * does at once.  A worker waits for that many unless no more will come;
 * whoever waits for a password (partial) takes what there is.  Called
 * and returns locked.
 */
static int
hash_next(struct ma_passwd_batch *b, int partial)
{
	char *hashes[PW_GROUP_MAX];
	int rcs[PW_GROUP_MAX];
	size_t i = b->next, j, k = b->fed - b->next;

	if (k == 0 || (k < b->group && !partial && !b->closed))
		return 0;
	if (k > b->group)
		k = b->group;
	b->next += k;
	pthread_mutex_unlock(&b->lock);
	pw_hash_group(b->scheme, b->pw + i, k, b->prefix, hashes, rcs,
	    b->errs + i);
	pthread_mutex_lock(&b->lock);
	for (j = 0; j < k; j++) {
		b->hashes[i + j] = hashes[j];
		b->rcs[i + j] = rcs[j];
	}
	pthread_cond_broadcast(&b->hashed);
	return 1;
}

static void *
work(void *arg)
{
	struct ma_passwd_batch *b = arg;

	pthread_mutex_lock(&b->lock);
	for (;;)
		if (!hash_next(b, 0)) {
			if (b->closed)
				break;
			pthread_cond_wait(&b->more, &b->lock);
		}
	pthread_mutex_unlock(&b->lock);
	return NULL;
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

/* The batch, with threads threads at work on its first fed passwords. */
static int
start(const char *scheme, const char *const *pw, size_t n, size_t fed,
    int prefix, size_t threads, char **hashes, struct ma_passwd_batch **bp,
    struct ma_err *err)
{
	struct ma_passwd_batch *b = calloc(1, sizeof(*b));
	size_t i;

	*bp = NULL;
	if (b == NULL || (b->errs = calloc(n ? n : 1, sizeof(*b->errs))) ==
	    NULL || (b->rcs = calloc(n ? n : 1, sizeof(*b->rcs))) == NULL) {
		if (b != NULL)
			free(b->errs);
		free(b);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	b->scheme = scheme;
	b->pw = pw;
	b->hashes = hashes;
	b->n = n;
	b->fed = fed;
	b->closed = fed == n;
	b->prefix = prefix;
	b->group = pw_hash_group_size(scheme);
	for (i = 0; i < n; i++) {
		hashes[i] = NULL;
		b->rcs[i] = PENDING;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->hashed, NULL);
	pthread_cond_init(&b->more, NULL);
	/* Threads that cannot start leave their share to the caller. */
	for (; b->started < threads; b->started++)
		if (pthread_create(&b->tid[b->started], NULL, work, b) != 0)
			break;
	*bp = b;
	return 0;
}

int
ma_passwd_hash_start(const char *scheme, const char *const *pw, size_t n,
    int prefix, int workers, char **hashes, struct ma_passwd_batch **bp,
    struct ma_err *err)
{
	return start(scheme, pw, n, n, prefix, workers_for(n, workers), hashes,
	    bp, err);
}

int
ma_passwd_hash_open(const char *scheme, const char *const *pw, size_t n,
    int prefix, int workers, char **hashes, struct ma_passwd_batch **bp,
    struct ma_err *err)
{
	return start(scheme, pw, n, 0, prefix, workers_for(n, workers), hashes,
	    bp, err);
}

void
ma_passwd_hash_feed(struct ma_passwd_batch *b, size_t fed)
{
	pthread_mutex_lock(&b->lock);
	b->fed = fed;
	pthread_cond_broadcast(&b->more);
	pthread_mutex_unlock(&b->lock);
}

/* No more passwords: the workers end once the fed ones are taken. */
static void
close_batch(struct ma_passwd_batch *b)
{
	pthread_mutex_lock(&b->lock);
	b->closed = 1;
	pthread_cond_broadcast(&b->more);
	pthread_mutex_unlock(&b->lock);
}

/*
 * The workers stopped and joined, the batch freed: its hashes kept for
 * the caller when keep and none failed, else all freed.
 */
static int
end_batch(struct ma_passwd_batch **bp, int keep, size_t *bad,
    struct ma_err *err)
{
	struct ma_passwd_batch *b = *bp;
	size_t i;
	int rc = 0;

	if (b == NULL)
		return 0;
	*bp = NULL;
	close_batch(b);
	work(b);
	for (i = 0; i < b->started; i++)
		pthread_join(b->tid[i], NULL);
	pthread_cond_destroy(&b->more);
	pthread_cond_destroy(&b->hashed);
	pthread_mutex_destroy(&b->lock);
	/* The first failure in the caller's order, as a loop would stop. */
	for (i = 0; i < b->n && rc == 0; i++)
		if (b->rcs[i] < 0) {
			*err = b->errs[i];
			if (bad != NULL)
				*bad = i;
			rc = -1;
		}
	for (i = 0; i < b->n && (rc < 0 || !keep); i++) {
		free(b->hashes[i]);
		b->hashes[i] = NULL;
	}
	free(b->errs);
	free(b->rcs);
	free(b);
	return rc;
}

int
ma_passwd_hash_finish(struct ma_passwd_batch **bp, size_t *bad,
    struct ma_err *err)
{
	return end_batch(bp, 1, bad, err);
}

int
ma_passwd_hash_wait(struct ma_passwd_batch *b, size_t i, struct ma_err *err)
{
	int rc;

	pthread_mutex_lock(&b->lock);
	/* Help with those before it; wait for it if a worker has it. */
	while (b->rcs[i] == PENDING)
		if (!hash_next(b, 1))
			pthread_cond_wait(&b->hashed, &b->lock);
	rc = b->rcs[i];
	if (rc < 0)
		*err = b->errs[i];
	pthread_mutex_unlock(&b->lock);
	return rc;
}

void
ma_passwd_hash_cancel(struct ma_passwd_batch **bp)
{
	struct ma_err ignored;

	if (*bp == NULL)
		return;
	/* Nothing more is begun: those under way end, then all is freed. */
	pthread_mutex_lock(&(*bp)->lock);
	(*bp)->next = (*bp)->fed;
	pthread_mutex_unlock(&(*bp)->lock);
	end_batch(bp, 0, NULL, &ignored);
}

int
ma_passwd_hash_many(const char *scheme, const char *const *pw, size_t n,
    int prefix, int workers, char **hashes, size_t *bad, struct ma_err *err)
{
	struct ma_passwd_batch *b;
	size_t w = workers_for(n, workers);

	/* The caller is one of the workers. */
	if (start(scheme, pw, n, n, prefix, w > 0 ? w - 1 : 0, hashes, &b,
	    err) < 0)
		return -1;
	return ma_passwd_hash_finish(&b, bad, err);
}
