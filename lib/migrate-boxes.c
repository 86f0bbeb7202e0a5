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
 * random one (written to the passwords file: new mailboxes in their
 * order, then, with update, changed ones).
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

/*
 * What a chunk's INSERTs write: a mailbox's row, its self alias row and
 * its log row at once, or (mg_early_*) its row first and the others later.
 */
enum box_part { BOX_WHOLE, BOX_ROW, BOX_REST };

/* New mailboxes waiting for their INSERT, with their self alias rows. */
struct new_boxes {
	struct ma_migrate	*m;
	struct ma_db		*db;
	enum box_part		 part;
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
	/* The rows' passwords are hashed by now, or (the rest) not needed. */
	if (nb->part != BOX_REST && ((nb->batch == NULL && hash_start(m, nb,
	    err) < 0) || hash_finish(nb, err) < 0)) {
		drop_boxes(nb);
		return -1;
	}
	if (nb->part == BOX_ROW) {
		rc = mailbox_insert_only(db, nb->rows, nb->n, err);
		drop_boxes(nb);
		return rc;
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
	if (rc == 0 && ((nb->part == BOX_WHOLE && mailbox_insert_only(db,
	    nb->rows, nb->n, err) < 0) ||
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

/* Two chunks, one filled while the worker writes the other. */
static void
boxes_init(struct new_boxes nb[2], struct ma_migrate *m, struct ma_db *db,
    enum box_part part)
{
	nb[0].m = nb[1].m = m;
	nb[0].db = nb[1].db = db;
	nb[0].part = nb[1].part = part;
}

/*
 * The chunk *cur handed to the worker, its passwords being hashed
 * meanwhile; *cur is then the other one (never the one under way, which
 * is older).
 */
static int
post_chunk(struct ma_migrate *m, struct ma_worker *w, struct new_boxes nb[2],
    struct new_boxes **cur, struct ma_err *err)
{
	struct new_boxes *full = *cur;

	*cur = full == nb ? nb + 1 : nb;
	if (full->n == 0)
		return 0;
	if (hash_start(m, full, err) < 0)
		return -1;
	return ma_worker_run(w, flush_boxes_job, full, err);
}

/*
 * A row of work.mailbox as a mailbox to write; its password, when it is
 * one to hash, in *clear (b->password NULL); none if not password.
 */
static int
row_to_mailbox(struct ma_migrate *m, struct ma_stmt *st, struct ma_mailbox *b,
    int password, char **clear, struct ma_err *err)
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
	if (password && password_plan(m, b->address, ma_stmt_text(st, 8),
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

	if (row_to_mailbox(m, st, &nb->rows[i], nb->part != BOX_REST,
	    &nb->clear[i], err) < 0)
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
	if (nb->part == BOX_ROW) {
		nb->n++;
		return 0;
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
	struct new_boxes *nb = calloc(2, sizeof(*nb)), *cur = nb;
	struct ma_worker *w = NULL;
	struct ma_mailbox one;
	struct ma_stmt *st;
	char *clear;
	int rc, keep;

	if (nb == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	/* The new ones' rows are in if they went in while planning. */
	boxes_init(nb, m, db, m->early_done ? BOX_REST : BOX_WHOLE);
	if (ma_worker_start(&w, err) < 0 || mg_write_prepare(m, "SELECT "
	    "address, local, domain, maildir, name, quota, active, created, "
	    "pwclass, password, store, self_goto, self_active, has_alias FROM "
	    "(SELECT x.*, COALESCE(a.goto, x.address) AS self_goto, "
	    "COALESCE(a.active, x.active) AS self_active, a.seq IS NOT NULL AS "
	    "has_alias FROM work.mailbox x LEFT JOIN work.alias a ON a.address "
	    "= x.address AND a.kind = 'mailbox' AND a.status = 'import') WHERE "
	    "status = 'import' AND %s ORDER BY seq", &st, err) < 0) {
		ma_worker_stop(&w);
		free(nb);
		return -1;
	}
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (!ma_stmt_isnull(st, 10)) {
			if ((rc = ma_worker_wait(w, err)) < 0)
				break;
			/* (a random password given before stays: no new one) */
			keep = strcmp(ma_stmt_text(st, 8), MG_PW_LOCK) == 0 &&
			    m->o->new_passwords != NULL;
			if ((rc = row_to_mailbox(m, st, &one, !keep, &clear,
			    err)) ==
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
			if (cur->n == CHUNK)
				rc = post_chunk(m, w, nb, &cur, err);
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

/*
 * The rows of new mailboxes written while the aliases are planned, which
 * keeps the processor on SQLite and the server on INSERTs at once; their
 * self alias and log rows follow in mg_write_mailboxes (the log keeps
 * its order).  Set up once the mailboxes are planned; mg_early_step, at
 * each alias row, hands the worker the next chunk when it is idle.  A
 * chunk the server refuses stops the early rows, not the plan: the
 * transaction then fails with that error (and is tried again whole).
 */
struct mg_early {
	struct ma_worker	*w;
	struct ma_stmt		*st;	/* new mailboxes not read yet */
	struct new_boxes	 nb[2], *cur;
	int			 failed;
	struct ma_err		 err;	/* why */
};

int
mg_early_open(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct mg_early *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	e->cur = e->nb;
	boxes_init(e->nb, m, db, BOX_ROW);
	/* The rows mg_write_mailboxes takes as new, in its order. */
	if (ma_worker_start(&e->w, err) < 0 || ma_db_prepare(m->w, "SELECT "
	    "address, local, domain, maildir, name, quota, active, created, "
	    "pwclass, password FROM work.mailbox x WHERE status = 'import' AND "
	    "NOT EXISTS (SELECT 1 FROM work.store_mailbox s WHERE s.address = "
	    "x.address) ORDER BY seq", &e->st, err) < 0) {
		ma_worker_stop(&e->w);
		free(e);
		return -1;
	}
	m->early = e;
	return 0;
}

/*
 * The next chunk read and handed to the worker (after the one before);
 * any failure ends the early rows, its error kept.
 */
static void
early_chunk(struct ma_migrate *m, struct mg_early *e)
{
	int rc = 1;

	while (e->cur->n < CHUNK && (rc = ma_stmt_step(e->st, &e->err)) == 1)
		if (add_box(m, e->st, e->cur, &e->err) < 0) {
			rc = -1;
			break;
		}
	if (rc == 0)		/* the last row read */
		ma_stmt_finalize(&e->st);
	if (rc < 0 || post_chunk(m, e->w, e->nb, &e->cur, &e->err) < 0) {
		e->failed = 1;
		ma_stmt_finalize(&e->st);
	}
}

void
mg_early_step(struct ma_migrate *m)
{
	struct mg_early *e = m->early;

	if (e != NULL && e->st != NULL && !ma_worker_busy(e->w))
		early_chunk(m, e);
}

void
mg_early_close(struct ma_migrate *m, int finish)
{
	struct mg_early *e = m->early;
	struct ma_err last;

	if (e == NULL)
		return;
	while (finish && e->st != NULL)
		early_chunk(m, e);
	/* Given up: the rows are not all in. */
	e->failed |= e->st != NULL;
	ma_stmt_finalize(&e->st);
	if (ma_worker_wait(e->w, &last) < 0 && !e->failed) {
		e->err = last;
		e->failed = 1;
	}
	ma_worker_stop(&e->w);
	drop_boxes(&e->nb[0]);
	drop_boxes(&e->nb[1]);
	m->early_done = !e->failed;
	if (e->failed) {
		m->early_err = e->err;
		ma_err_prefix(&m->early_err, "mailboxes");
	}
	free(e);
	m->early = NULL;
}
