/*
 * Cleartext passwords hashed ahead.  Hashing them is most of what "run"
 * spends, and while the plan is being checked (one processor, in SQLite)
 * the others are idle: so each new mailbox's cleartext password goes to
 * worker threads as soon as the mailbox is planned, and the writer later
 * takes each hash as it reaches the row.  At most PREHASH_MAX are held,
 * so memory stays bounded; the writer hashes any others itself.
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
	char			*address[PREHASH_MAX];
	char			*clear[PREHASH_MAX];
	char			*hash[PREHASH_MAX];
	size_t			 n, pos;	/* pos: the next to take */
};

int
mg_prehash_open(struct ma_migrate *m, struct ma_err *err)
{
	struct mg_prehash *ph = calloc(1, sizeof(*ph));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (ph == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	/* The plan goes on in this thread: the workers take the others. */
	if (ma_passwd_hash_open(m->o->scheme, (const char *const *)ph->clear,
	    PREHASH_MAX, m->o->prefix, cpus > 1 ? (int)cpus - 1 : 1, ph->hash,
	    &ph->batch, err) < 0) {
		free(ph);
		return -1;
	}
	m->prehash = ph;
	return 0;
}

int
mg_prehash_add(struct ma_migrate *m, const char *address, const char *clear,
    struct ma_err *err)
{
	const char *const p[] = { address, NULL };
	struct mg_prehash *ph = m->prehash;
	int64_t stored;

	if (ph == NULL || ph->n == PREHASH_MAX)
		return 0;
	/* One the store has is compared, and written only if it changed. */
	if (mg_count(m, "SELECT COUNT(*) FROM work.store_mailbox WHERE "
	    "address = ?", p, &stored, err) < 0)
		return -1;
	if (stored)
		return 0;
	if ((ph->address[ph->n] = strdup(address)) == NULL ||
	    (ph->clear[ph->n] = strdup(clear)) == NULL) {
		free(ph->address[ph->n]);
		ph->address[ph->n] = NULL;
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	ma_passwd_hash_feed(ph->batch, ++ph->n);
	return 0;
}

int
mg_prehash_take(struct ma_migrate *m, const char *address, char **hash,
    struct ma_err *err)
{
	struct mg_prehash *p = m->prehash;

	*hash = NULL;
	/* The writer asks for the listed rows in their order, then others. */
	if (p == NULL || p->pos == p->n || strcmp(p->address[p->pos],
	    address) != 0)
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
	struct mg_prehash *p = m->prehash;
	size_t i;

	if (p == NULL)
		return;
	ma_passwd_hash_cancel(&p->batch);
	for (i = 0; i < p->n; i++) {
		explicit_bzero(p->clear[i], strlen(p->clear[i]));
		free(p->clear[i]);
		free(p->address[i]);
	}
	free(p);
	m->prehash = NULL;
}
