/*
 * Cleartext passwords hashed ahead.  Hashing them is most of what "run"
 * spends, and while the plan is being checked (one processor, in SQLite)
 * the others are idle: so once the mailboxes are planned, the new ones'
 * cleartext passwords go to worker threads, and the writer later takes
 * each hash as it reaches the row.  At most PREHASH_MAX are held, so
 * memory stays bounded; the writer hashes any others itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate-priv.h"
#include "passwd.h"

#define PREHASH_MAX 8192

struct mg_prehash {
	struct ma_passwd_batch	*batch;
	int64_t			 seq[PREHASH_MAX];	/* work.mailbox's */
	char			*clear[PREHASH_MAX];
	char			*hash[PREHASH_MAX];
	size_t			 n, pos;	/* pos: the next to take */
};

static void
release(struct mg_prehash *p)
{
	size_t i;

	ma_passwd_hash_cancel(&p->batch);
	for (i = 0; i < p->n; i++) {
		explicit_bzero(p->clear[i], strlen(p->clear[i]));
		free(p->clear[i]);
	}
	free(p);
}

int
mg_prehash_start(struct ma_migrate *m, struct ma_err *err)
{
	const char *const p[] = { MG_PW_HASH, NULL };
	struct mg_prehash *ph = calloc(1, sizeof(*ph));
	struct ma_stmt *st;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	if (ph == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	/* The rows the writer will add, in its order. */
	if ((rc = mg_query1(m, "SELECT seq, password FROM work.mailbox WHERE "
	    "status = 'import' AND pwclass = ? AND address NOT IN (SELECT "
	    "address FROM work.store_mailbox) ORDER BY seq", p, &st,
	    err)) < 0) {
		free(ph);
		return -1;
	}
	for (; rc == 1 && ph->n < PREHASH_MAX; rc = ma_stmt_step(st, err)) {
		ph->seq[ph->n] = ma_stmt_int(st, 0);
		if ((ph->clear[ph->n] = strdup(ma_stmt_text(st, 1) ?
		    ma_stmt_text(st, 1) : "")) == NULL) {
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
			break;
		}
		ph->n++;
	}
	ma_stmt_reset(st);
	/* The plan goes on in this thread: the workers take the others. */
	if (rc < 0 || (ph->n > 0 && ma_passwd_hash_start(m->o->scheme,
	    (const char *const *)ph->clear, ph->n, m->o->prefix, cpus > 1 ?
	    (int)cpus - 1 : 1, ph->hash, &ph->batch, err) < 0)) {
		release(ph);
		return -1;
	}
	m->prehash = ph;
	return 0;
}

int
mg_prehash_take(struct ma_migrate *m, int64_t seq, char **hash,
    struct ma_err *err)
{
	struct mg_prehash *p = m->prehash;

	*hash = NULL;
	if (p == NULL)
		return 0;
	/* The writer asks for the listed rows in their order, then others. */
	if (p->pos == p->n || p->seq[p->pos] != seq)
		return 0;
	if (ma_passwd_hash_wait(p->batch, p->pos, err) < 0)
		return -1;
	*hash = p->hash[p->pos];
	p->hash[p->pos++] = NULL;
	return 1;
}

void
mg_prehash_free(struct ma_migrate *m)
{
	if (m->prehash != NULL)
		release(m->prehash);
	m->prehash = NULL;
}
