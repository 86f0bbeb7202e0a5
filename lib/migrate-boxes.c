/*
 * Writing the plan's mailboxes: new ones by chunks of multi-row INSERTs,
 * with their self alias rows and log rows, from a second thread while the
 * next chunk is read; changed ones updated in their place.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alias-priv.h"
#include "log.h"
#include "mailbox-priv.h"
#include "migrate-priv.h"
#include "passwd.h"
#include "worker.h"

#define CHUNK MG_CHUNK
#define SENTINEL MG_SENTINEL

/*
 * What to store for a work.mailbox row (class, value): *hash_r the value
 * as it is, or *clear_r a password to hash: the cleartext, or a new
 * random one (written to the passwords file, in the rows' order).
 */
static int
password_plan(struct ma_migrate *m, const char *address, const char *class,
    const char *value, char **clear_r, char **hash_r, struct ma_err *err)
{
	char *pw = NULL;

	*clear_r = *hash_r = NULL;
	if (strcmp(class, MG_PW_HASH) == 0)
		return (*clear_r = strdup(value)) != NULL ? 0 :
		    ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (strcmp(class, MG_PW_LOCK) != 0 || m->o->new_passwords == NULL)
		return (*hash_r = strdup(value)) != NULL ? 0 :
		    ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (ma_passwd_random(&pw, err) < 0)
		return -1;
	if (fprintf(m->o->new_passwords, "%s,%s\n", address, pw) < 0) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
		return ma_fail(err, MA_EIO, errno, "cannot write the "
		    "passwords file: %s", strerror(errno));
	}
	*clear_r = pw;
	return 0;
}

static void
wipe(char **clear)
{
	if (*clear != NULL)
		explicit_bzero(*clear, strlen(*clear));
	free(*clear);
	*clear = NULL;
}

/* New mailboxes waiting for their INSERT, with their self alias rows. */
struct new_boxes {
	struct ma_migrate	*m;
	struct ma_db		*db;
	struct ma_mailbox	 rows[CHUNK];
	struct alias_row	 self[CHUNK];
	char			*gotos[CHUNK];
	char			*clear[CHUNK];	/* to hash, or NULL */
	size_t			 n;
	/* the clear ones being hashed: rows at[i]'s password into hash[i] */
	const char		*pw[CHUNK];
	char			*hash[CHUNK];
	size_t			 at[CHUNK], nhash;
	struct ma_passwd_batch	*batch;
};

static void
drop_boxes(struct new_boxes *nb)
{
	struct ma_err ignored;
	size_t i;

	/* The workers read the clear passwords until they are done. */
	if (ma_passwd_hash_finish(&nb->batch, NULL, &ignored) == 0)
		for (i = 0; i < nb->nhash; i++)
			free(nb->hash[i]);
	nb->nhash = 0;
	for (i = 0; i < nb->n; i++) {
		ma_mailbox_release(&nb->rows[i]);
		free(nb->gotos[i]);
		wipe(&nb->clear[i]);
	}
	nb->n = 0;
}

/*
 * Start hashing the passwords of the waiting mailboxes that need it, in
 * other threads: the cost of crypt(3) is most of a migration's, and the
 * chunk before goes to the store meanwhile.
 */
static int
hash_start(struct ma_migrate *m, struct new_boxes *nb, struct ma_err *err)
{
	size_t i;

	nb->nhash = 0;
	for (i = 0; i < nb->n; i++)
		if (nb->clear[i] != NULL) {
			nb->at[nb->nhash] = i;
			nb->pw[nb->nhash++] = nb->clear[i];
		}
	return ma_passwd_hash_start(m->o->scheme, nb->pw, nb->nhash,
	    m->o->prefix, 0, nb->hash, &nb->batch, err);
}

/* The hashes, once all are made, in their rows. */
static int
hash_finish(struct new_boxes *nb, struct ma_err *err)
{
	size_t i, bad;

	if (ma_passwd_hash_finish(&nb->batch, &bad, err) < 0) {
		nb->nhash = 0;
		return ma_err_prefix(err, "%s", nb->rows[nb->at[bad]].address);
	}
	for (i = 0; i < nb->nhash; i++) {
		nb->rows[nb->at[i]].password = nb->hash[i];
		wipe(&nb->clear[nb->at[i]]);
	}
	nb->nhash = 0;
	return 0;
}

/*
 * Mailboxes, their self alias rows (with the forwards the source had, so
 * that no row is written twice) and their log rows, which name the
 * forwards: "address quota=N goto=address,other".
 */
static int
flush_mailboxes(struct ma_migrate *m, struct ma_db *db, struct new_boxes *nb,
    struct ma_err *err)
{
	const char *domains[CHUNK], *data[CHUNK];
	char text[CHUNK][MA_MAILBOX_DESCRIBE_MAX], *fwd[CHUNK];
	size_t i;
	int rc = 0;

	if (nb->n == 0)
		return 0;
	if ((nb->batch == NULL && hash_start(m, nb, err) < 0) ||
	    hash_finish(nb, err) < 0) {
		drop_boxes(nb);
		return -1;
	}
	for (i = 0; i < nb->n; i++) {
		ma_mailbox_describe(&nb->rows[i], text[i], sizeof(text[i]));
		domains[i] = nb->rows[i].domain;
		data[i] = text[i];
		fwd[i] = NULL;
		if (strcmp(nb->gotos[i], nb->rows[i].address) == 0)
			continue;
		if (asprintf(&fwd[i], "%s goto=%s", text[i], nb->gotos[i]) < 0) {
			fwd[i] = NULL;
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		}
		data[i] = fwd[i];
	}
	if (rc == 0 && (mailbox_insert_only(db, nb->rows, nb->n, err) < 0 ||
	    alias_insert_rows(db, nb->self, nb->n, err) < 0 ||
	    ma_log_write_rows(db, nb->n, domains, "create_mailbox", data,
	    err) < 0))
		rc = -1;
	for (i = 0; i < nb->n; i++)
		free(fwd[i]);
	drop_boxes(nb);
	return rc;
}

/* flush_mailboxes as the worker's job. */
static int
flush_boxes_job(void *arg, struct ma_err *err)
{
	struct new_boxes *nb = arg;

	return flush_mailboxes(nb->m, nb->db, nb, err);
}

/*
 * A row of work.mailbox as a mailbox to write; its password, when it is
 * one to hash, in *clear (b->password NULL).
 */
static int
row_to_mailbox(struct ma_migrate *m, struct ma_stmt *st, struct ma_mailbox *b,
    char **clear, struct ma_err *err)
{
	*clear = NULL;
	memset(b, 0, sizeof(*b));
	snprintf(b->address, sizeof(b->address), "%s", ma_stmt_text(st, 0));
	snprintf(b->local, sizeof(b->local), "%s", ma_stmt_text(st, 1));
	snprintf(b->domain, sizeof(b->domain), "%s", ma_stmt_text(st, 2));
	snprintf(b->maildir, sizeof(b->maildir), "%s", ma_stmt_text(st, 3));
	b->quota = ma_stmt_int(st, 5);
	b->active = ma_stmt_int(st, 6) != 0;
	if ((b->name = strdup(ma_stmt_text(st, 4) ? ma_stmt_text(st, 4) :
	    "")) == NULL || (b->created = strdup(ma_stmt_text(st, 7) ?
	    ma_stmt_text(st, 7) : SENTINEL)) == NULL) {
		ma_mailbox_release(b);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	if (password_plan(m, b->address, ma_stmt_text(st, 8),
	    ma_stmt_text(st, 9) ? ma_stmt_text(st, 9) : "", clear,
	    &b->password, err) < 0) {
		ma_mailbox_release(b);
		return ma_err_prefix(err, "%s", b->address);
	}
	return 0;
}

/* A mailbox changed at the source: every field it has, and its alias. */
static int
update_mailbox(struct ma_migrate *m, struct ma_db *db,
    const struct ma_mailbox *b, struct ma_stmt *st, struct ma_err *err)
{
	struct ma_mailbox_req req;
	const char *const p[] = { b->active ? "1" : "0", ma_db_now(db),
	    b->address, b->address, NULL };
	int keep_pw = strcmp(ma_stmt_text(st, 8), MG_PW_LOCK) == 0 &&
	    m->o->new_passwords != NULL;

	memset(&req, 0, sizeof(req));
	req.fields = MA_MBX_NAME | MA_MBX_QUOTA | MA_MBX_ACTIVE |
	    (keep_pw ? 0 : MA_MBX_PASSWORD);
	req.name = b->name;
	req.quota = b->quota;
	req.active = b->active;
	req.password = b->password;
	if (mailbox_update_row(db, &req, b->address, err) < 0 ||
	    ma_db_run(db, "UPDATE alias SET active = ?, modified = ? WHERE "
	    "address = ? AND goto = ?", p, NULL, err) < 0)
		return -1;
	return ma_log_write(db, b->domain, "edit_mailbox", b->address, err);
}

/* Queue a new mailbox (the current row of st) for the next INSERT. */
static int
add_box(struct ma_migrate *m, struct ma_stmt *st, struct new_boxes *nb,
    struct ma_err *err)
{
	size_t i = nb->n;
	int rc;

	if (row_to_mailbox(m, st, &nb->rows[i], &nb->clear[i], err) < 0)
		return -1;
	if (nb->clear[i] != NULL) {
		rc = mg_prehash_take(m, nb->rows[i].address,
		    &nb->rows[i].password, err);
		if (rc < 0) {
			ma_err_prefix(err, "%s", nb->rows[i].address);
			ma_mailbox_release(&nb->rows[i]);
			wipe(&nb->clear[i]);
			return -1;
		}
		if (rc == 1)
			wipe(&nb->clear[i]);
	}
	if ((nb->gotos[i] = strdup(ma_stmt_text(st, 11))) == NULL) {
		ma_mailbox_release(&nb->rows[i]);
		wipe(&nb->clear[i]);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	nb->self[i].address = nb->rows[i].address;
	nb->self[i].goto_list = nb->gotos[i];
	nb->self[i].domain = nb->rows[i].domain;
	nb->self[i].created = nb->rows[i].created;
	nb->self[i].active = ma_stmt_int(st, 12) != 0;
	nb->n++;
	return 0;
}

/*
 * New mailboxes go in CHUNK at a time: the worker writes one chunk (its
 * passwords being hashed meanwhile, if they were not already) while the
 * next is read.  A changed one is updated in its place in the order,
 * once the chunks before are in (the log keeps the order).
 */
int
mg_write_mailboxes(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct new_boxes *nb = calloc(2, sizeof(*nb)), *cur = nb, *full;
	struct ma_worker *w = NULL;
	struct ma_mailbox one;
	struct ma_stmt *st;
	char *clear;
	int rc;

	if (nb == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	nb[0].m = nb[1].m = m;
	nb[0].db = nb[1].db = db;
	if (ma_worker_start(&w, err) < 0 || mg_write_prepare(m, "SELECT address, local, "
	    "domain, maildir, name, quota, "
	    "active, created, pwclass, password, store, self_goto, self_active, "
	    "has_alias FROM (SELECT x.*, COALESCE(a.goto, x.address) AS "
	    "self_goto, COALESCE(a.active, x.active) AS self_active, a.seq IS "
	    "NOT NULL AS has_alias FROM work.mailbox x "
	    "LEFT JOIN work.alias a ON a.address = x.address AND a.kind = "
	    "'mailbox' AND a.status = 'import') WHERE status = 'import' AND %s "
	    "ORDER BY seq", &st, err) < 0) {
		ma_worker_stop(&w);
		free(nb);
		return -1;
	}
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (!ma_stmt_isnull(st, 10)) {
			if ((rc = ma_worker_wait(w, err)) < 0)
				break;
			if ((rc = row_to_mailbox(m, st, &one, &clear, err)) ==
			    0 && clear != NULL && (rc = ma_passwd_hash(
			    m->o->scheme, clear, m->o->prefix, &one.password,
			    err)) < 0)
				ma_err_prefix(err, "%s", one.address);
			if (rc == 0)
				rc = update_mailbox(m, db, &one, st, err);
			wipe(&clear);
			ma_mailbox_release(&one);
		} else if ((rc = add_box(m, st, cur, err)) == 0) {
			/* the source's row of its self alias goes in too */
			m->written[MA_MIG_ALIASES] += ma_stmt_int(st, 13);
			if (cur->n == CHUNK) {
				full = cur;
				cur = cur == nb ? nb + 1 : nb;
				if ((rc = hash_start(m, full, err)) == 0)
					rc = ma_worker_run(w, flush_boxes_job,
					    full, err);
			}
		}
		if (rc < 0)
			break;
		m->written[MA_MIG_MAILBOXES]++;
	}
	ma_stmt_finalize(&st);
	rc = ma_worker_last(&w, flush_boxes_job, cur, rc, err);
	drop_boxes(&nb[0]);
	drop_boxes(&nb[1]);
	free(nb);
	/* Done with, or (on a retry) no longer in step with the rows. */
	mg_prehash_free(m);
	return rc < 0 ? ma_err_prefix(err, "mailboxes") : 0;
}

