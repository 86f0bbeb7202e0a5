#include "import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "csv.h"
#include "domain.h"
#include "log.h"
#include "mailbox-priv.h"
#include "passwd.h"
#include "size.h"
#include "txn.h"
#include "valid.h"

/* Rows per INSERT: few round trips, and statements far below the limits. */
#define CHUNK 256
/*
 * Domains whose limits and counts are kept while the transaction runs: a
 * hash table, so that an export sorted by address (every row in another
 * domain) locks and counts each domain once.  Kept three quarters full
 * at most; beyond that it is emptied (after the pending rows are written).
 */
#define DOMAIN_SLOTS 4096
#define DOMAINS (DOMAIN_SLOTS / 4 * 3)

enum column { COL_ADDRESS, COL_PASSWORD, COL_NAME, COL_QUOTA, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = {
	"address", "password", "name", "quota"
};

/* A domain locked by this transaction, with what it has so far. */
struct import_domain {
	char			 name[MA_DOMAIN_MAX + 1];
	struct ma_domain_limits	 l;
	int64_t			 mailboxes, quota_sum;
};

struct ma_import {
	const struct ma_import_opts *o;
	FILE			*in;
	off_t			 start;
	struct ma_csv		 csv;
	int			 col[NCOLUMNS];	/* field index, or -1 */
	size_t			 ncols;
	struct ma_mailbox	 rows[CHUNK];
	unsigned long		 lines[CHUNK];
	size_t			 nrows;
	struct import_domain	 domains[DOMAIN_SLOTS];	/* "" name: free */
	size_t			 ndomains;
	FILE			*made;		/* Maildirs to undo, one a line */
	unsigned long		 count;
};

int
ma_import_new(const struct ma_import_opts *o, FILE *in,
    struct ma_import **impp, struct ma_err *err)
{
	struct ma_import *imp = calloc(1, sizeof(*imp));

	if (imp == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	imp->o = o;
	imp->in = in;
	if ((imp->start = ftello(in)) < 0) {
		free(imp);
		return ma_fail(err, MA_EIO, errno, "the input cannot be read "
		    "again: %s", strerror(errno));
	}
	*impp = imp;
	return 0;
}

static void
drop_rows(struct ma_import *imp)
{
	size_t i;

	for (i = 0; i < imp->nrows; i++)
		ma_mailbox_release(&imp->rows[i]);
	imp->nrows = 0;
}

void
ma_import_free(struct ma_import **impp)
{
	struct ma_import *imp = *impp;

	if (imp == NULL)
		return;
	drop_rows(imp);
	ma_csv_release(&imp->csv);
	if (imp->made != NULL)
		fclose(imp->made);
	free(imp);
	*impp = NULL;
}

unsigned long
ma_import_count(const struct ma_import *imp)
{
	return imp->count;
}

static int
read_header(struct ma_import *imp, struct ma_err *err)
{
	char q[MA_QUOTE_MAX];
	size_t i;
	int c, rc;

	if ((rc = ma_csv_read(&imp->csv, err)) <= 0)
		return rc < 0 ? -1 : ma_fail(err, MA_EINVAL, 0, "empty input: "
		    "expected the header line address,password,name,quota");
	for (c = 0; c < NCOLUMNS; c++)
		imp->col[c] = -1;
	imp->ncols = imp->csv.nfields;
	for (i = 0; i < imp->csv.nfields; i++) {
		for (c = 0; c < NCOLUMNS; c++)
			if (strcasecmp(imp->csv.field[i], column_names[c]) == 0)
				break;
		if (c == NCOLUMNS)
			return ma_fail(err, MA_EINVAL, 0, "line %lu: unknown "
			    "column '%s' (the columns are address, password, "
			    "name and quota)", imp->csv.line,
			    ma_quote(imp->csv.field[i], q, sizeof(q)));
		if (imp->col[c] >= 0)
			return ma_fail(err, MA_EINVAL, 0, "line %lu: column "
			    "'%s' given twice", imp->csv.line, column_names[c]);
		imp->col[c] = (int)i;
	}
	if (imp->col[COL_ADDRESS] < 0 || imp->col[COL_PASSWORD] < 0)
		return ma_fail(err, MA_EINVAL, 0, "line %lu: the header needs "
		    "the columns address and password (and may have name and "
		    "quota)", imp->csv.line);
	return 0;
}

static const char *
field(const struct ma_import *imp, enum column c)
{
	return imp->col[c] >= 0 ? imp->csv.field[imp->col[c]] : NULL;
}

static void
forget_domains(struct ma_import *imp)
{
	size_t i;

	for (i = 0; i < DOMAIN_SLOTS; i++)
		imp->domains[i].name[0] = '\0';
	imp->ndomains = 0;
}

/* The domain's entry, locked and counted when first seen. */
static struct import_domain *
domain_entry(struct ma_db *db, struct ma_import *imp, const char *name,
    struct ma_err *err)
{
	const char *const p[] = { name, NULL };
	struct import_domain *d;
	const unsigned char *c;
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (c = (const unsigned char *)name; *c != '\0'; c++)
		h = (h ^ *c) * 16777619u;
	for (;; h++) {
		d = &imp->domains[h % DOMAIN_SLOTS];
		if (d->name[0] == '\0')
			break;
		if (strcmp(d->name, name) == 0)
			return d;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->mailboxes = d->quota_sum = 0;
	if (ma_domain_lock(db, name, &d->l, err) < 0 ||
	    (d->l.max_mailboxes > 0 && ma_db_int(db, "SELECT COUNT(*) FROM "
	    "mailbox WHERE domain = ?", p, &d->mailboxes, err) < 0) ||
	    (d->l.domain_quota_units > 0 && ma_db_int(db, "SELECT "
	    "COALESCE(SUM(quota), 0) FROM mailbox WHERE domain = ?", p,
	    &d->quota_sum, err) < 0)) {
		d->name[0] = '\0';
		return NULL;
	}
	imp->ndomains++;
	return d;
}

/* The hash to store: the field itself, or the clear password hashed. */
static int
password_hash(const struct ma_import *imp, const char *pw, char **hash_r,
    struct ma_err *err)
{
	if (*pw == '$' || *pw == '{') {
		if (ma_passwd_identify(pw, NULL, NULL, err) < 0)
			return ma_err_prefix(err, "password column: looks like "
			    "a hash but is not one mailadm knows");
		return (*hash_r = strdup(pw)) != NULL ? 0 :
		    ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	if (ma_passwd_check(pw, strlen(pw), err) < 0)
		return -1;
	return ma_passwd_hash(imp->o->scheme, pw, imp->o->prefix, hash_r, err);
}

/* Check the current record and queue its row. */
static int
add_record(struct ma_db *db, struct ma_import *imp, struct ma_err *err)
{
	const char *quota = field(imp, COL_QUOTA);
	struct ma_mailbox_req req;
	struct import_domain *d;
	struct ma_address a;
	uint64_t bytes = 0;
	char *hash = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	if (imp->csv.nfields != imp->ncols)
		return ma_fail(err, MA_EINVAL, 0, "%zu fields, but the header "
		    "has %zu", imp->csv.nfields, imp->ncols);
	if (*field(imp, COL_ADDRESS) == '\0')
		return ma_fail(err, MA_EINVAL, 0, "empty address");
	if (*field(imp, COL_PASSWORD) == '\0')
		return ma_fail(err, MA_EINVAL, 0, "empty password");
	if (ma_address_normalize(field(imp, COL_ADDRESS), 0, &a, err) < 0 ||
	    (quota != NULL && *quota != '\0' &&
	    ma_size_parse(quota, &bytes, err) < 0) ||
	    (d = domain_entry(db, imp, a.domain, err)) == NULL ||
	    password_hash(imp, field(imp, COL_PASSWORD), &hash, err) < 0)
		return -1;
	req.address = a.address;
	req.password = hash;
	req.name = field(imp, COL_NAME);
	req.fields = quota != NULL && *quota != '\0' ? MA_MBX_QUOTA : 0;
	req.quota = (int64_t)bytes;
	req.maildir_format = imp->o->maildir_format;
	rc = mailbox_row_make(&req, &a, &d->l, &imp->rows[imp->nrows], err);
	free(hash);		/* the row has its own copy */
	if (rc < 0)
		return -1;
	if (ma_domain_room(d->name, d->l.max_mailboxes, d->mailboxes,
	    "mailboxes", err) < 0 || mailbox_quota_fits(d->name,
	    imp->rows[imp->nrows].quota, &d->l, imp->o->multiplier,
	    d->quota_sum, err) < 0) {
		ma_mailbox_release(&imp->rows[imp->nrows]);
		return -1;
	}
	d->mailboxes++;
	d->quota_sum += imp->rows[imp->nrows].quota;
	imp->lines[imp->nrows++] = imp->csv.line;
	return 0;
}

/*
 * A chunk's INSERT failed on a duplicate: name the first row at fault,
 * one the database has or one an earlier row of the chunk took.
 */
static int
find_duplicate(struct ma_db *db, struct ma_import *imp, struct ma_err *err)
{
	struct ma_err why;
	size_t i, j;

	for (i = 0; i < imp->nrows; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(imp->rows[i].address, imp->rows[j].address)
			    == 0)
				return ma_fail(err, MA_EEXIST, 0, "line %lu: "
				    "'%s' is also on line %lu",
				    imp->lines[i], imp->rows[i].address,
				    imp->lines[j]);
		if (mailbox_check_free(db, imp->rows[i].address, &why) < 0) {
			*err = why;
			return ma_err_prefix(err, "line %lu", imp->lines[i]);
		}
	}
	return -1;	/* err still says what the database said */
}

static int
make_maildirs(struct ma_import *imp, struct ma_err *err)
{
	size_t i;

	for (i = 0; i < imp->nrows; i++) {
		if (ma_maildir_create(imp->o->dirs, imp->rows[i].maildir,
		    (uint64_t)imp->rows[i].quota, err) < 0)
			return ma_err_prefix(err, "line %lu", imp->lines[i]);
		if (fprintf(imp->made, "%s\n", imp->rows[i].maildir) < 0 ||
		    fflush(imp->made) != 0)
			return ma_fail(err, MA_EIO, errno, "cannot note the "
			    "Maildirs made: %s", strerror(errno));
	}
	return 0;
}

static int
flush(struct ma_db *db, struct ma_import *imp, struct ma_err *err)
{
	const char *domains[CHUNK], *data[CHUNK];
	char text[CHUNK][MA_MAILBOX_DESCRIBE_MAX];
	size_t i;

	if (imp->nrows == 0)
		return 0;
	for (i = 0; i < imp->nrows; i++) {
		ma_mailbox_describe(&imp->rows[i], text[i], sizeof(text[i]));
		domains[i] = imp->rows[i].domain;
		data[i] = text[i];
	}
	/* On a duplicate, look for it in the database as it was before. */
	if (ma_db_exec(db, "SAVEPOINT import_chunk", err) < 0)
		return -1;
	if (mailbox_insert_rows(db, imp->rows, imp->nrows, err) < 0) {
		if (err->status != MA_EEXIST)
			return -1;
		return ma_db_exec(db, "ROLLBACK TO SAVEPOINT import_chunk",
		    err) < 0 ? -1 : find_duplicate(db, imp, err);
	}
	if (ma_db_exec(db, "RELEASE SAVEPOINT import_chunk", err) < 0)
		return -1;
	if (ma_log_write_rows(db, imp->nrows, domains, "create_mailbox", data,
	    err) < 0)
		return -1;
	if (imp->o->dirs != NULL && !ma_txn_dry_run(db) &&
	    make_maildirs(imp, err) < 0)
		return -1;
	for (i = 0; i < imp->nrows; i++)
		if (imp->o->added != NULL)
			imp->o->added(&imp->rows[i], imp->o->arg);
	imp->count += imp->nrows;
	drop_rows(imp);
	return 0;
}

static int
rewind_input(struct ma_import *imp, struct ma_err *err)
{
	if (fseeko(imp->in, imp->start, SEEK_SET) != 0)
		return ma_fail(err, MA_EIO, errno, "the input cannot be read "
		    "again: %s", strerror(errno));
	ma_csv_release(&imp->csv);
	ma_csv_init(&imp->csv, imp->in);
	drop_rows(imp);
	forget_domains(imp);
	imp->count = 0;
	if (imp->made == NULL && imp->o->dirs != NULL &&
	    (imp->made = tmpfile()) == NULL)
		return ma_fail(err, MA_EIO, errno, "cannot make a temporary "
		    "file: %s", strerror(errno));
	if (imp->made != NULL)
		rewind(imp->made);
	return 0;
}

static int
import_all(struct ma_db *db, struct ma_import *imp, struct ma_err *err)
{
	int rc;

	if (rewind_input(imp, err) < 0 || read_header(imp, err) < 0)
		return -1;
	while ((rc = ma_csv_read(&imp->csv, err)) == 1) {
		/*
		 * A full table of domains is emptied once the pending rows
		 * are written: counts read again then include them.
		 */
		if (imp->ndomains == DOMAINS) {
			if (flush(db, imp, err) < 0)
				return -1;
			forget_domains(imp);
		}
		if (add_record(db, imp, err) < 0) {
			unsigned long line = imp->csv.line;
			struct ma_err first;

			/* Earlier lines go first: report the first at fault. */
			if (err->status != MA_ETEMP && flush(db, imp, &first) < 0) {
				*err = first;
				return -1;
			}
			return ma_err_prefix(err, "line %lu", line);
		}
		if (imp->nrows == CHUNK && flush(db, imp, err) < 0)
			return -1;
	}
	if (rc < 0 || flush(db, imp, err) < 0)
		return -1;
	return 0;
}

/* A failed attempt takes its Maildirs back itself (ma_txn_run's rule). */
int
ma_import_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct ma_err ignored;

	if (import_all(db, arg, err) == 0)
		return 0;
	ma_import_undo(db, arg, &ignored);
	return -1;
}

int
ma_import_undo(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct ma_import *imp = arg;
	char rel[MA_MAILDIR_MAX + 2];
	int rc = 0;

	(void)db;
	if (imp->made == NULL)
		return 0;
	fflush(imp->made);
	rewind(imp->made);
	while (fgets(rel, sizeof(rel), imp->made) != NULL) {
		rel[strcspn(rel, "\n")] = '\0';
		if (ma_maildir_undo_create(imp->o->dirs, rel, err) < 0)
			rc = -1;
	}
	/* The next attempt starts a new list. */
	if (ftruncate(fileno(imp->made), 0) == 0)
		rewind(imp->made);
	return rc;
}
