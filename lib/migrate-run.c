/*
 * Writing the plan: the transaction of "migrate run".  New rows go in
 * with the library's own writers (multi-row INSERTs for mailboxes and
 * aliases, as "user import"); rows changed at the source are updated
 * only with update; rows already there as they are are left alone, so a
 * second run writes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alias-priv.h"
#include "domain.h"
#include "log.h"
#include "mailbox-priv.h"
#include "migrate-priv.h"
#include "passwd.h"
#include "worker.h"

/* Rows per INSERT, as user import writes them. */
#define CHUNK 256
/* Postfixadmin's "never set" time, for dates the source did not know. */
#define SENTINEL "2000-01-01 00:00:00"

/* The rows of a work query to write: new ones, and changed ones if asked. */
static const char *
wanted(const struct ma_migrate *m)
{
	return m->o->update ? "(store IS NULL OR store = 'change')" :
	    "store IS NULL";
}

static int
prepare(struct ma_migrate *m, const char *fmt, struct ma_stmt **st,
    struct ma_err *err)
{
	char *sql;
	int rc;

	if (asprintf(&sql, fmt, wanted(m)) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = ma_db_prepare(m->w, sql, st, err);
	free(sql);
	return rc;
}

/* New domains waiting for their INSERT; their strings are copies. */
struct new_domains {
	struct ma_domain_req	 req[CHUNK];
	char			*text[CHUNK][4];	/* name, … */
	size_t			 n;
};

static void
drop_domains(struct new_domains *nd)
{
	size_t i, j;

	for (i = 0; i < nd->n; i++)
		for (j = 0; j < 4; j++)
			free(nd->text[i][j]);
	nd->n = 0;
}

static int
flush_domains(struct ma_db *db, struct new_domains *nd, struct ma_err *err)
{
	int rc = ma_domain_add_rows(db, nd->req, nd->n, err);

	drop_domains(nd);
	return rc;
}

/*
 * A row of work.domain as a request: its strings st's, or copies in
 * copies[4] (which the caller frees) when copies is not NULL.
 */
static int
row_to_domain(struct ma_migrate *m, struct ma_stmt *st,
    struct ma_domain_req *req, char **copies, struct ma_err *err)
{
	static const int text_cols[4] = { 0, 1, 7, 10 };
	const char *v[4];
	size_t j;

	for (j = 0; j < 4; j++) {
		v[j] = ma_stmt_text(st, text_cols[j]);
		if (j == 3 && v[j] == NULL)
			v[j] = SENTINEL;
		if (copies == NULL || v[j] == NULL)
			continue;
		if ((copies[j] = strdup(v[j])) == NULL)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		v[j] = copies[j];
	}
	memset(req, 0, sizeof(*req));
	req->name = v[0];
	req->multiplier = m->o->multiplier;
	req->fields = MA_DOM_DESCRIPTION | MA_DOM_QUOTA | MA_DOM_MAX_QUOTA |
	    MA_DOM_DOMAIN_QUOTA | MA_DOM_MAX_MAILBOXES | MA_DOM_MAX_ALIASES |
	    MA_DOM_TRANSPORT | MA_DOM_BACKUP_MX | MA_DOM_ACTIVE;
	req->values.description = v[1];
	req->values.quota = ma_stmt_int(st, 2);
	req->values.max_quota = ma_stmt_int(st, 3);
	req->values.domain_quota = ma_stmt_int(st, 4);
	req->values.max_mailboxes = ma_stmt_int(st, 5);
	req->values.max_aliases = ma_stmt_int(st, 6);
	req->values.transport = v[2];
	req->values.backup_mx = ma_stmt_int(st, 8) != 0;
	req->values.active = ma_stmt_int(st, 9) != 0;
	req->values.created = v[3];
	return 0;
}

/*
 * New domains go in CHUNK at a time; a changed one is updated in its
 * place in the order (the log rows keep the plan's order).
 */
static int
write_domains(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct new_domains nd;
	struct ma_domain_req req;
	struct ma_stmt *st;
	int rc;

	nd.n = 0;
	if (prepare(m, "SELECT name, description, quota, max_quota, "
	    "domain_quota, max_mailboxes, max_aliases, transport, backup_mx, "
	    "active, created, store FROM work.domain WHERE status = 'import' "
	    "AND %s ORDER BY seq", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (ma_stmt_isnull(st, 11)) {
			memset(nd.text[nd.n], 0, sizeof(nd.text[nd.n]));
			rc = row_to_domain(m, st, &nd.req[nd.n], nd.text[nd.n],
			    err);
			nd.n++;
			if (rc == 0 && nd.n == CHUNK)
				rc = flush_domains(db, &nd, err);
		} else if ((rc = flush_domains(db, &nd, err)) == 0 &&
		    (rc = row_to_domain(m, st, &req, NULL, err)) == 0) {
			rc = ma_domain_set(db, &req, err);
		}
		if (rc < 0)
			break;
		m->written[MA_MIG_DOMAINS]++;
	}
	ma_stmt_finalize(&st);
	if (rc == 0)
		rc = flush_domains(db, &nd, err);
	drop_domains(&nd);
	return rc < 0 ? ma_err_prefix(err, "domains") : 0;
}

static int
write_alias_domains(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (prepare(m, "SELECT substr(address, 2), substr(goto, 2), store FROM "
	    "work.alias WHERE status = 'import' AND kind = 'domain_alias' AND "
	    "%s ORDER BY seq", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if ((!ma_stmt_isnull(st, 2) && ma_alias_domain_del(db,
		    ma_stmt_text(st, 0), err) < 0) || ma_alias_domain_add(db,
		    ma_stmt_text(st, 0), ma_stmt_text(st, 1), err) < 0) {
			rc = -1;
			break;
		}
		m->written[MA_MIG_ALIAS_DOMAINS]++;
	}
	ma_stmt_finalize(&st);
	return rc < 0 ? ma_err_prefix(err, "alias domains") : 0;
}

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
static int
write_mailboxes(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
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
	if (ma_worker_start(&w, err) < 0 || prepare(m, "SELECT address, local, "
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

/* "address +t1 +t2", the log data alias add writes. */
static char *
describe_alias(const char *address, const char *targets)
{
	char *s = NULL, *p;
	size_t n = strlen(address) + 2 * strlen(targets) + 4;

	if ((s = malloc(n)) == NULL)
		return NULL;
	p = s + snprintf(s, n, "%s +", address);
	for (; *targets != '\0'; targets++) {
		if (*targets == ',') {
			*p++ = ' ';
			*p++ = '+';
		} else {
			*p++ = *targets;
		}
	}
	*p = '\0';
	return s;
}

/* New aliases waiting for their INSERT; their strings are copies. */
struct new_aliases {
	struct ma_db		*db;
	struct alias_row	 rows[CHUNK];
	char			*data[CHUNK];	/* their log rows */
	char			*strings[CHUNK][3];
	size_t			 n;
};

static void
drop_aliases(struct new_aliases *na)
{
	size_t i, j;

	for (i = 0; i < na->n; i++) {
		for (j = 0; j < 3; j++)
			free(na->strings[i][j]);
		free(na->data[i]);
	}
	na->n = 0;
}

/* The aliases and their log rows, as the worker's job. */
static int
flush_aliases(void *arg, struct ma_err *err)
{
	struct new_aliases *na = arg;
	const char *domains[CHUNK];
	size_t i;
	int rc = 0;

	for (i = 0; i < na->n; i++)
		domains[i] = na->rows[i].domain;
	if (na->n > 0 && (alias_insert_rows(na->db, na->rows, na->n, err) < 0 ||
	    ma_log_write_rows(na->db, na->n, domains, "create_alias",
	    (const char *const *)na->data, err) < 0))
		rc = -1;
	drop_aliases(na);
	return rc;
}

/* Queue a new alias (the current row of st) for the next INSERT. */
static int
add_alias(struct ma_stmt *st, struct new_aliases *na, struct ma_err *err)
{
	size_t i = na->n++, j;

	for (j = 0; j < 3; j++)
		na->strings[i][j] = strdup(ma_stmt_text(st, (int)j));
	na->rows[i].address = na->strings[i][0];
	na->rows[i].goto_list = na->strings[i][1];
	na->rows[i].domain = na->strings[i][2];
	na->rows[i].active = ma_stmt_int(st, 3) != 0;
	na->rows[i].created = NULL;
	na->data[i] = na->strings[i][0] && na->strings[i][1] ? describe_alias(
	    na->strings[i][0], na->strings[i][1]) : NULL;
	if (na->strings[i][2] == NULL || na->data[i] == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	return 0;
}

/* An alias row the store has (or a new mailbox just got): new targets. */
static int
update_alias(struct ma_db *db, struct ma_stmt *st, struct ma_err *err)
{
	const char *const p[] = { ma_stmt_text(st, 1), ma_stmt_int(st, 3) ?
	    "1" : "0", ma_db_now(db), ma_stmt_text(st, 0), NULL };
	char *data;
	int rc;

	if (ma_db_run(db, "UPDATE alias SET goto = ?, active = ?, modified = ? "
	    "WHERE address = ?", p, NULL, err) < 0)
		return -1;
	if ((data = describe_alias(ma_stmt_text(st, 0), ma_stmt_text(st, 1))) ==
	    NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = ma_log_write(db, ma_stmt_text(st, 2), "edit_alias", data, err);
	free(data);
	return rc;
}

/*
 * New aliases go in CHUNK at a time, the worker writing one chunk while
 * the next is read; one the store has is updated in its place.
 */
static int
write_aliases(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct new_aliases *na = calloc(2, sizeof(*na)), *cur = na;
	struct ma_worker *w = NULL;
	struct ma_stmt *st;
	int rc;

	if (na == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	na[0].db = na[1].db = db;
	/* A new mailbox's own row went in with it. */
	if (ma_worker_start(&w, err) < 0 || prepare(m, "SELECT address, goto, "
	    "domain, active, created, kind, "
	    "store FROM work.alias WHERE status = 'import' AND kind <> "
	    "'domain_alias' AND (%s) AND NOT (kind = 'mailbox' AND store IS "
	    "NULL) ORDER BY seq", &st, err) < 0) {
		ma_worker_stop(&w);
		free(na);
		return -1;
	}
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (strcmp(ma_stmt_text(st, 5), "mailbox") == 0 ||
		    !ma_stmt_isnull(st, 6)) {
			if ((rc = ma_worker_wait(w, err)) < 0 ||
			    (rc = update_alias(db, st, err)) < 0)
				break;
		} else if ((rc = add_alias(st, cur, err)) < 0) {
			break;
		} else if (cur->n == CHUNK) {
			if ((rc = ma_worker_run(w, flush_aliases, cur, err)) < 0)
				break;
			cur = cur == na ? na + 1 : na;
		}
		m->written[MA_MIG_ALIASES]++;
	}
	ma_stmt_finalize(&st);
	rc = ma_worker_last(&w, flush_aliases, cur, rc, err);
	drop_aliases(&na[0]);
	drop_aliases(&na[1]);
	free(na);
	return rc < 0 ? ma_err_prefix(err, "aliases") : 0;
}

static int
flush_log(void *db, struct ma_err *err)
{
	return ma_log_flush(db, err);
}

/*
 * The late checks (in SQLite), made while the worker writes the held log
 * rows: the server is busy with the one, a processor with the other.
 * Once: an attempt that is retried has them already.
 */
static int
log_and_check(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct ma_worker *w;
	struct ma_err logged;
	int rc;

	if (ma_worker_start(&w, err) < 0)
		return -1;
	if ((rc = ma_worker_run(w, flush_log, db, err)) == 0) {
		rc = mg_cross_checks(m, err);
		m->checked = rc == 0;
	}
	if (ma_worker_wait(w, &logged) < 0 && rc == 0) {
		*err = logged;
		rc = -1;
	}
	ma_worker_stop(&w);
	return rc;
}

int
ma_migrate_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct ma_migrate *m = arg;
	FILE *pw = m->o->new_passwords;

	memset(m->written, 0, sizeof(m->written));
	/* An attempt that is retried starts the passwords file again. */
	if (pw != NULL && (fflush(pw) != 0 || ftruncate(fileno(pw), 0) < 0 ||
	    fseeko(pw, 0, SEEK_SET) < 0 || fprintf(pw, "address,password\n") < 0))
		return ma_fail(err, MA_EIO, errno, "cannot write the passwords "
		    "file: %s", strerror(errno));
	if (write_domains(m, db, err) < 0 || write_alias_domains(m, db, err) < 0 ||
	    write_mailboxes(m, db, err) < 0 || write_aliases(m, db, err) < 0)
		return -1;
	if (m->o->late_checks && !m->checked && log_and_check(m, db, err) < 0)
		return -1;
	if (pw != NULL && fflush(pw) != 0)
		return ma_fail(err, MA_EIO, errno, "cannot write the passwords "
		    "file: %s", strerror(errno));
	return 0;
}
