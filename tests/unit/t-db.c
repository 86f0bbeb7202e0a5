/*
 * The database layer, the schema, transactions, the log and domains, on
 * SQLite and, when MAILADM_TEST_MYSQL_URI is set, on MariaDB as well
 * (e.g. mysql://root@localhost/unit_db?socket=/tmp/x/mysqld.sock: an
 * empty database whose tables these tests drop and create at will).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "mailadm.h"
#include "tap.h"

struct backend {
	const char	*label;
	enum ma_dialect	 dialect;
	struct ma_dburi	 uri;		/* sqlite: path is cur */
	char		 cur[4200];
};

static char tmpdir[4096];
static struct backend *B;		/* the backend under test */

#define P(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NOP ((const char *const *)NULL)
#define MIB 1048576LL
#define GIB (1024 * MIB)

/* A test name prefixed with the backend; four can be alive at once. */
static const char *
N(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *
N(const char *fmt, ...)
{
	static char bufs[4][300];
	static int next;
	char *b = bufs[next++ % 4];
	int n;
	va_list ap;

	n = snprintf(b, 300, "%s: ", B->label);
	va_start(ap, fmt);
	vsnprintf(b + n, 300 - (size_t)n, fmt, ap);
	va_end(ap);
	return b;
}

static const char *
sql2(const char *sqlite, const char *mysql)
{
	return B->dialect == MA_MYSQL ? mysql : sqlite;
}

static struct ma_db *
open_db(const char *why)
{
	struct ma_db *db = NULL;
	struct ma_err err;

	if (ma_db_open(&B->uri, NULL, MA_DB_CREATE, &db, &err) < 0) {
		ok(0, "%s", N("%s: open the database: %s", why, err.msg));
		return NULL;
	}
	return db;
}

/* Drop every table of the MariaDB test database. */
static int
drop_all(struct ma_db *db, struct ma_err *err)
{
	char *names[64], sql[400];
	struct ma_stmt *st;
	size_t n = 0, i;
	int rc;

	if (ma_db_prepare(db, "SELECT TABLE_NAME FROM information_schema."
	    "TABLES WHERE TABLE_SCHEMA = DATABASE()", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1 && n < 64)
		names[n++] = strdup(ma_stmt_text(st, 0));
	ma_stmt_finalize(&st);
	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof(sql), "DROP TABLE `%s`", names[i]);
		if (rc >= 0 && ma_db_exec(db, sql, err) < 0)
			rc = -1;
		free(names[i]);
	}
	return rc < 0 ? -1 : 0;
}

/* An empty database for one test group. */
static struct ma_db *
fresh_db(const char *group)
{
	struct ma_db *db;
	struct ma_err err;

	test_begin(N("%s", group));
	if (B->dialect == MA_SQLITE) {
		snprintf(B->cur, sizeof(B->cur), "%s/%s.db", tmpdir, group);
		unlink(B->cur);
		B->uri.path = B->cur;
		return open_db(group);
	}
	if ((db = open_db(group)) != NULL && drop_all(db, &err) < 0) {
		ok(0, "%s", N("%s: drop the old tables: %s", group, err.msg));
		ma_db_close(&db);
	}
	return db;
}

/* Run sql; a failing test point when it fails. */
static int
run(struct ma_db *db, const char *sql, const char *const *params)
{
	struct ma_err err;

	if (ma_db_run(db, sql, params, NULL, &err) == 0)
		return 0;
	ok(0, "%s", N("run '%.60s': %s", sql, err.msg));
	return -1;
}

/* The integer sql selects, or -999 (and a failing test point) on error. */
static int64_t
qint(struct ma_db *db, const char *sql, const char *const *params)
{
	struct ma_err err;
	int64_t v;

	if (ma_db_int(db, sql, params, &v, &err) == 0)
		return v;
	ok(0, "%s", N("query '%.60s': %s", sql, err.msg));
	return -999;
}

/* The text sql selects, malloc'd; NULL for no row or NULL. */
static char *
qtext(struct ma_db *db, const char *sql, const char *const *params)
{
	struct ma_stmt *st;
	struct ma_err err;
	char *s = NULL;
	int rc;

	rc = ma_db_query(db, sql, params, &st, &err);
	if (rc < 0)
		ok(0, "%s", N("query '%.60s': %s", sql, err.msg));
	if (rc == 1 && !ma_stmt_isnull(st, 0))
		s = strdup(ma_stmt_text(st, 0));
	ma_stmt_finalize(&st);
	return s;
}

static void
is_text(struct ma_db *db, const char *sql, const char *const *params,
    const char *want, const char *name)
{
	char *s = qtext(db, sql, params);

	is_str(s, want, name);
	free(s);
}

static int
is_timestamp(const char *s)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd";
	size_t i;

	if (s == NULL || strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
			return 0;
	return 1;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Schema changes reported by ma_schema_upgrade. */
struct reports {
	char	*v[64];
	size_t	 n;
};

static void
collect(const char *what, void *arg)
{
	struct reports *r = arg;

	if (r->n < 64)
		r->v[r->n++] = strdup(what != NULL ? what : "(null)");
}

static int
reported(const struct reports *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i], what) == 0)
			return 1;
	return 0;
}

static void
reports_free(struct reports *r)
{
	while (r->n > 0)
		free(r->v[--r->n]);
}

static void
show_reports(const struct reports *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		diag("reported: %s", r->v[i]);
}

/* ma_schema_upgrade inside ma_txn_run, to try it as a dry run. */
struct upgrade_arg {
	struct reports	*rep;
	int		 dry;
};

static int
txn_upgrade(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct upgrade_arg *a = arg;

	reports_free(a->rep);
	a->dry = ma_txn_dry_run(db);
	return ma_schema_upgrade(db, collect, a->rep, err);
}

/* --- connections ------------------------------------------------------ */

static void
test_open(void)
{
	struct ma_dburi u;
	struct ma_db *db = NULL;
	struct ma_err err;
	char path[4300];
	FILE *f;

	test_begin(N("open and close"));
	if (B->dialect == MA_SQLITE) {
		memset(&u, 0, sizeof(u));
		u.dialect = MA_SQLITE;
		u.path = path;
		snprintf(path, sizeof(path), "%s/missing.db", tmpdir);
		ok(ma_db_open(&u, NULL, 0, &db, &err) == -1 &&
		    err.status == MA_EUNAVAIL,
		    "%s", N("missing file without MA_DB_CREATE: MA_EUNAVAIL"));
		ok(access(path, F_OK) < 0, "%s", N("and no file created"));
		snprintf(path, sizeof(path), "%s/no/such/dir/x.db", tmpdir);
		ok(ma_db_open(&u, NULL, MA_DB_CREATE, &db, &err) == -1 &&
		    err.status == MA_EUNAVAIL,
		    "%s", N("missing directory: MA_EUNAVAIL"));
		ok(strstr(err.msg, path) != NULL,
		    "%s", N("message names the path"));
		snprintf(path, sizeof(path), "%s/not-a-db.db", tmpdir);
		if ((f = fopen(path, "w")) != NULL) {
			fputs("this is not an SQLite database, just some text "
			    "long enough to fill the header page.\n", f);
			fclose(f);
		}
		if (ma_db_open(&u, NULL, 0, &db, &err) == 0) {
			struct ma_schema_status st;

			ok(ma_schema_status(db, &st, &err) == -1 &&
			    err.status == MA_EUNAVAIL,
			    "%s", N("a file that is no database: MA_EUNAVAIL"));
			ma_schema_status_release(&st);
			ma_db_close(&db);
		} else {
			ok(err.status == MA_EUNAVAIL,
			    "%s", N("a file that is no database: MA_EUNAVAIL"));
		}
		u.path = (char *)":memory:";
		ok(ma_db_open(&u, NULL, MA_DB_CREATE, &db, &err) == 0,
		    "%s", N("open :memory:"));
		if (db != NULL) {
			is_int(ma_db_dialect(db), MA_SQLITE,
			    N("ma_db_dialect is MA_SQLITE"));
			ok(ma_schema_init(db, &err) == 0,
			    "%s", N("schema init on :memory:"));
			ma_db_close(&db);
		}
	} else {
		db = open_db("connect");
		if (db != NULL)
			is_int(ma_db_dialect(db), MA_MYSQL,
			    N("ma_db_dialect is MA_MYSQL"));
		ma_db_close(&db);
		ok(ma_db_open(&B->uri, "wr0ng-s3cret", 0, &db, &err) == -1 &&
		    err.status == MA_EPERM,
		    "%s", N("a wrong password: MA_EPERM"));
		ok(strstr(err.msg, "wr0ng-s3cret") == NULL,
		    "%s", N("the message hides the password"));
		u = B->uri;
		u.name = (char *)"no_such_db_for_mailadm";
		ok(ma_db_open(&u, NULL, 0, &db, &err) == -1 &&
		    (err.status == MA_EUNAVAIL || err.status == MA_EPERM),
		    "%s", N("a missing database: MA_EUNAVAIL"));
		u = B->uri;
		u.socket = (char *)"/nonexistent/mysqld.sock";
		u.host = (char *)"localhost";
		ok(ma_db_open(&u, NULL, 0, &db, &err) == -1 &&
		    err.status == MA_EUNAVAIL,
		    "%s", N("an absent server: MA_EUNAVAIL"));
		ok(strstr(err.msg, "/nonexistent/mysqld.sock") != NULL,
		    "%s", N("the message names the socket"));
	}
	ok(db == NULL, "%s", N("a failed open leaves *dbp NULL"));
	ma_db_close(&db);
	ok(1, "%s", N("ma_db_close(NULL) is harmless"));
}

/* --- schema ----------------------------------------------------------- */

static const char *const table_names[] = {
	"domain", "mailbox", "alias", "alias_domain", "log", "mailadm_schema"
};

static const struct ma_schema_table *
find_table(const struct ma_schema_status *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ntables; i++)
		if (strcmp(st->tables[i].name, name) == 0)
			return &st->tables[i];
	return NULL;
}

static void
test_schema(void)
{
	struct ma_db *db = fresh_db("schema");
	struct ma_schema_status st;
	const struct ma_schema_table *t;
	struct reports rep = { { NULL }, 0 };
	struct ma_err err;
	size_t i;
	int rc, all;

	if (db == NULL)
		return;
	rc = ma_schema_status(db, &st, &err);
	is_int(rc, 0, N("status of an empty database"));
	is_int(st.version, 0, N("empty: version 0"));
	is_int(st.up_to_date, 0, N("empty: not up to date"));
	is_int((int64_t)st.ntables, 6, N("six tables known"));
	for (i = 0, all = 1; i < 6; i++)
		if ((t = find_table(&st, table_names[i])) == NULL || t->present)
			all = 0;
	ok(all, "%s", N("empty: every table known and absent"));
	ma_schema_status_release(&st);

	rc = ma_schema_init(db, &err);
	if (!is_int(rc, 0, N("ma_schema_init")))
		diag("%s", err.msg);
	rc = ma_schema_status(db, &st, &err);
	is_int(rc, 0, N("status after init"));
	is_int(st.version, MA_SCHEMA_VERSION, N("version 1"));
	is_int(st.up_to_date, 1, N("up to date"));
	for (i = 0, all = 1; i < 6; i++)
		if ((t = find_table(&st, table_names[i])) == NULL ||
		    !t->present || t->nmissing != 0)
			all = 0;
	ok(all, "%s", N("every table present and complete"));
	ma_schema_status_release(&st);

	ma_err_clear(&err);
	rc = ma_schema_init(db, &err);
	ok(rc == -1 && err.status == MA_EEXIST, "%s", N("init again: MA_EEXIST"));
	ok(strstr(err.msg, "domain") != NULL, "%s", N("message names a table"));

	rc = ma_schema_upgrade(db, collect, &rep, &err);
	is_int(rc, 0, N("upgrade an up-to-date database"));
	if (!is_int((int64_t)rep.n, 0, N("upgrade reports no change")))
		show_reports(&rep);
	reports_free(&rep);

	/* Postfixadmin's defaults, so that rows other tools write work. */
	run(db, "INSERT INTO domain (domain) VALUES ('defaults.example')", NOP);
	is_text(db, "SELECT transport FROM domain", NOP, "virtual",
	    N("domain.transport defaults to 'virtual'"));
	is_text(db, "SELECT created FROM domain", NOP, "2000-01-01 00:00:00",
	    N("domain.created defaults to the 2000-01-01 sentinel"));
	is_text(db, "SELECT modified FROM domain", NOP, "2000-01-01 00:00:00",
	    N("domain.modified defaults to the 2000-01-01 sentinel"));
	is_int(qint(db, "SELECT active FROM domain", NOP), 1,
	    N("domain.active defaults to 1"));
	is_int(qint(db, "SELECT smtp_auth + default_quota + backupmx + "
	    "maxquota + quota + aliases + mailboxes FROM domain", NOP), 0,
	    N("the numeric domain columns default to 0"));
	run(db, "INSERT INTO mailbox (username) VALUES ('u@defaults.example')",
	    NOP);
	is_text(db, "SELECT token_validity FROM mailbox", NOP,
	    "2000-01-01 00:00:00", N("mailbox timestamps default to the "
	    "sentinel"));

	/* A dropped table and a dropped column come back. */
	run(db, "DROP TABLE alias_domain", NOP);
	run(db, "ALTER TABLE domain DROP COLUMN smtp_auth", NOP);
	rc = ma_schema_status(db, &st, &err);
	is_int(st.up_to_date, 0, N("a table and a column gone: not up to date"));
	t = find_table(&st, "alias_domain");
	ok(t != NULL && !t->present, "%s", N("alias_domain absent"));
	t = find_table(&st, "domain");
	ok(t != NULL && t->present && t->nmissing == 1 &&
	    strcmp(t->missing[0], "smtp_auth") == 0,
	    "%s", N("domain misses smtp_auth"));
	ma_schema_status_release(&st);
	{
		struct upgrade_arg ua = { &rep, 0 };

		rc = ma_txn_run(db, txn_upgrade, &ua, MA_TXN_DRY_RUN, &err);
		if (!is_int(rc, 0, N("upgrade as a dry run")))
			diag("%s", err.msg);
		is_int(ua.dry, 1, N("ma_txn_dry_run is set inside it"));
		ok(rep.n == 2 && reported(&rep, "created table alias_domain") &&
		    reported(&rep, "added column domain.smtp_auth"),
		    "%s", N("the dry run reports both changes"));
		reports_free(&rep);
		rc = ma_schema_status(db, &st, &err);
		t = find_table(&st, "alias_domain");
		ok(rc == 0 && !st.up_to_date && t != NULL && !t->present,
		    "%s", N("and makes neither"));
		ma_schema_status_release(&st);
		is_int(ma_txn_dry_run(db), 0, N("no dry run after it"));
		/* A fresh handle, so the bug above does not spread. */
		ma_db_close(&db);
		if ((db = open_db("reopen")) == NULL)
			return;
	}
	rc = ma_schema_upgrade(db, collect, &rep, &err);
	if (!is_int(rc, 0, N("upgrade restores them")))
		diag("%s", err.msg);
	ok(reported(&rep, "created table alias_domain"),
	    "%s", N("reported 'created table alias_domain'"));
	ok(reported(&rep, "added column domain.smtp_auth"),
	    "%s", N("reported 'added column domain.smtp_auth'"));
	if (!is_int((int64_t)rep.n, 2, N("and nothing else")))
		show_reports(&rep);
	reports_free(&rep);
	is_int(qint(db, "SELECT COUNT(*) FROM domain WHERE domain = "
	    "'defaults.example' AND smtp_auth = 0", NOP), 1,
	    N("the row kept, the new column at its default"));
	rc = ma_schema_status(db, &st, &err);
	is_int(st.up_to_date, 1, N("up to date again"));
	ma_schema_status_release(&st);

	/* A lost version row is written again. */
	run(db, "DELETE FROM mailadm_schema", NOP);
	rc = ma_schema_status(db, &st, &err);
	ok(st.version == 0 && st.up_to_date == 0,
	    "%s", N("without a version row: version 0, not up to date"));
	ma_schema_status_release(&st);
	rc = ma_schema_upgrade(db, collect, &rep, &err);
	ok(rc == 0 && rep.n == 1 && reported(&rep, "schema version 1"),
	    "%s", N("upgrade reports 'schema version 1'"));
	reports_free(&rep);
	is_int(qint(db, "SELECT COUNT(*) FROM mailadm_schema", NOP), 1,
	    N("one version row"));
	rc = ma_schema_upgrade(db, collect, &rep, &err);
	ok(rc == 0 && rep.n == 0, "%s", N("and again: nothing to do"));
	reports_free(&rep);
	ma_db_close(&db);
}

/* A database that Postfixadmin 3.3 created, before mailadm's columns. */
static const char pfa_sqlite[] =
    "CREATE TABLE domain ("
    " `domain` varchar(255) NOT NULL,"
    " `description` varchar(255) NOT NULL,"
    " `aliases` int(11) NOT NULL DEFAULT 0,"
    " `mailboxes` int(11) NOT NULL DEFAULT 0,"
    " `maxquota` bigint(20) NOT NULL DEFAULT 0,"
    " `quota` bigint(20) NOT NULL DEFAULT 0,"
    " `transport` varchar(255) NOT NULL,"
    " `backupmx` tinyint(1) NOT NULL DEFAULT '0',"
    " `created` datetime NOT NULL default '2000-01-01',"
    " `modified` datetime NOT NULL default '2000-01-01',"
    " `active` tinyint(1) NOT NULL DEFAULT '1',"
    " password_expiry int DEFAULT 0,"
    " PRIMARY KEY (`domain`));"
    "CREATE TABLE mailbox ("
    " `username` varchar(255) NOT NULL,"
    " `password` varchar(255) NOT NULL,"
    " `name` varchar(255) NOT NULL,"
    " `maildir` varchar(255) NOT NULL,"
    " `quota` bigint(20) NOT NULL DEFAULT 0,"
    " `local_part` varchar(255) NOT NULL,"
    " `domain` varchar(255) NOT NULL,"
    " `created` datetime NOT NULL default '2000-01-01',"
    " `modified` datetime NOT NULL default '2000-01-01',"
    " `active` tinyint(1) NOT NULL DEFAULT '1',"
    " `phone` varchar(30) NOT NULL DEFAULT '',"
    " `email_other` varchar(255) NOT NULL DEFAULT '',"
    " token varchar(255) NOT NULL DEFAULT '',"
    " token_validity datetime NOT NULL default '2000-01-01',"
    " password_expiry datetime NOT NULL default '2000-01-01',"
    " totp_secret VARCHAR(255) DEFAULT NULL,"
    " smtp_active tinyint(1) NOT NULL DEFAULT '1',"
    " PRIMARY KEY (`username`));";

static const char *const pfa_mysql[] = {
	"CREATE TABLE `domain` ("
	" `domain` varchar(255) NOT NULL,"
	" `description` varchar(255) CHARACTER SET utf8mb4 COLLATE "
	"utf8mb4_general_ci NOT NULL,"
	" `aliases` int(10) NOT NULL DEFAULT 0,"
	" `mailboxes` int(10) NOT NULL DEFAULT 0,"
	" `maxquota` bigint(20) NOT NULL DEFAULT 0,"
	" `quota` bigint(20) NOT NULL DEFAULT 0,"
	" `transport` varchar(255) NOT NULL,"
	" `backupmx` tinyint(1) NOT NULL DEFAULT 0,"
	" `created` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
	" `modified` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
	" `active` tinyint(1) NOT NULL DEFAULT 1,"
	" `password_expiry` int(11) DEFAULT 0,"
	" PRIMARY KEY (`domain`)"
	") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci "
	"COMMENT='Postfix Admin - Virtual Domains'",
	"CREATE TABLE `mailbox` ("
	" `username` varchar(255) NOT NULL,"
	" `password` varchar(255) NOT NULL,"
	" `name` varchar(255) CHARACTER SET utf8mb4 COLLATE "
	"utf8mb4_general_ci NOT NULL,"
	" `maildir` varchar(255) NOT NULL,"
	" `quota` bigint(20) NOT NULL DEFAULT 0,"
	" `local_part` varchar(255) NOT NULL,"
	" `domain` varchar(255) NOT NULL,"
	" `created` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
	" `modified` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
	" `active` tinyint(1) NOT NULL DEFAULT 1,"
	" `phone` varchar(30) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',"
	" `email_other` varchar(255) CHARACTER SET utf8mb4 NOT NULL "
	"DEFAULT '',"
	" `token` varchar(255) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',"
	" `token_validity` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
	" `password_expiry` datetime NOT NULL DEFAULT '2000-01-01 00:00:00',"
	" `totp_secret` varchar(255) CHARACTER SET utf8mb4 DEFAULT NULL,"
	" `smtp_active` tinyint(1) NOT NULL DEFAULT 1,"
	" PRIMARY KEY (`username`), KEY `domain` (`domain`)"
	") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci "
	"COMMENT='Postfix Admin - Virtual Mailboxes'",
	NULL
};

#define PFA_ROWS "SELECT domain, description, aliases, mailboxes, maxquota, " \
	"quota, transport, backupmx, created, modified, active, " \
	"password_expiry FROM domain ORDER BY domain"

/* Every row of PFA_ROWS as one string. */
static char *
dump_domains(struct ma_db *db)
{
	struct ma_buf b = MA_BUF_INIT;
	struct ma_stmt *st;
	struct ma_err err;
	const char *s;
	char *out;
	int i;

	if (ma_db_prepare(db, PFA_ROWS, &st, &err) < 0) {
		diag("%s", err.msg);
		return NULL;
	}
	while (ma_stmt_step(st, &err) == 1) {
		for (i = 0; i < 12; i++) {
			s = ma_stmt_text(st, i);
			ma_buf_addf(&b, "%s|", s != NULL ? s : "NULL");
		}
		ma_buf_add(&b, "\n");
	}
	ma_stmt_finalize(&st);
	out = strdup(ma_buf_str(&b) != NULL ? ma_buf_str(&b) : "");
	ma_buf_release(&b);
	return out;
}

static void
test_pfa_upgrade(void)
{
	struct ma_db *db = fresh_db("postfixadmin-upgrade");
	struct ma_schema_status st;
	const struct ma_schema_table *t;
	struct reports rep = { { NULL }, 0 };
	struct ma_domain d;
	struct ma_domain_req req;
	struct ma_err err;
	char *before, *after;
	int rc;
	size_t i;

	if (db == NULL)
		return;
	if (B->dialect == MA_MYSQL) {
		for (i = 0; pfa_mysql[i] != NULL; i++)
			if (ma_db_exec(db, pfa_mysql[i], &err) < 0)
				ok(0, "%s", N("create Postfixadmin table: %s",
				    err.msg));
	} else if (ma_db_exec(db, pfa_sqlite, &err) < 0) {
		ok(0, "%s", N("create Postfixadmin tables: %s", err.msg));
	}
	run(db, "INSERT INTO domain VALUES ('ALL', '', 0, 0, 0, 0, '', 0, "
	    "'2009-03-01 10:00:00', '2009-03-01 10:00:00', 1, 0)", NOP);
	run(db, "INSERT INTO domain VALUES (?, ?, 10, 20, 100, 2000, "
	    "'virtual', 0, '2009-03-01 10:00:00', '2009-03-02 11:30:00', 1, "
	    "365)", P("example.com", "Société « exemple »"));
	run(db, "INSERT INTO domain VALUES ('backup.example', '', 0, 0, -1, "
	    "0, 'relay:[mx.example]', 1, '2010-01-01 00:00:00', "
	    "'2010-01-01 00:00:00', 0, 0)", NOP);
	run(db, "INSERT INTO mailbox (username, password, name, maildir, "
	    "quota, local_part, domain, totp_secret) VALUES ('jo@example.com', "
	    "'$1$salt$hash', 'Jo', 'example.com/jo/', 1024000, 'jo', "
	    "'example.com', 'TOTP')", NOP);
	before = dump_domains(db);

	rc = ma_schema_status(db, &st, &err);
	is_int(rc, 0, N("status of a Postfixadmin database"));
	is_int(st.up_to_date, 0, N("not up to date"));
	is_int(st.version, 0, N("no version"));
	t = find_table(&st, "domain");
	ok(t != NULL && t->present && t->nmissing == 2,
	    "%s", N("domain lacks two columns"));
	for (i = 0; t != NULL && i < t->nmissing; i++)
		ok(strcmp(t->missing[i], "smtp_auth") == 0 ||
		    strcmp(t->missing[i], "default_quota") == 0,
		    "%s", N("missing domain.%s", t->missing[i]));
	t = find_table(&st, "mailbox");
	ok(t != NULL && t->present && t->nmissing == 0,
	    "%s", N("mailbox complete (its extra columns are no concern)"));
	t = find_table(&st, "alias");
	ok(t != NULL && !t->present, "%s", N("alias absent"));
	ma_schema_status_release(&st);

	ok(ma_schema_init(db, &err) == -1 && err.status == MA_EEXIST,
	    "%s", N("init refuses a Postfixadmin database"));

	{
		struct upgrade_arg ua = { &rep, 0 };

		rc = ma_txn_run(db, txn_upgrade, &ua, MA_TXN_DRY_RUN, &err);
		if (!is_int(rc, 0, N("upgrade as a dry run")))
			diag("%s", err.msg);
		ok(rep.n == 7 && reported(&rep, "added column domain.smtp_auth")
		    && reported(&rep, "created table log") &&
		    reported(&rep, "schema version 1"),
		    "%s", N("the dry run reports the seven changes"));
		if (rep.n != 7)
			show_reports(&rep);
		reports_free(&rep);
		rc = ma_schema_status(db, &st, &err);
		t = find_table(&st, "domain");
		ok(rc == 0 && t != NULL && t->nmissing == 2 &&
		    !find_table(&st, "log")->present,
		    "%s", N("and makes none of them"));
		ma_schema_status_release(&st);
		ma_db_close(&db);	/* see "db->dry_run outlives" */
		if ((db = open_db("reopen")) == NULL)
			return;
	}

	rc = ma_schema_upgrade(db, collect, &rep, &err);
	if (!is_int(rc, 0, N("upgrade a Postfixadmin database")))
		diag("%s", err.msg);
	ok(reported(&rep, "added column domain.smtp_auth"),
	    "%s", N("reported 'added column domain.smtp_auth'"));
	ok(reported(&rep, "added column domain.default_quota"),
	    "%s", N("reported 'added column domain.default_quota'"));
	ok(reported(&rep, "created table alias"),
	    "%s", N("reported 'created table alias'"));
	ok(reported(&rep, "created table alias_domain"),
	    "%s", N("reported 'created table alias_domain'"));
	ok(reported(&rep, "created table log"),
	    "%s", N("reported 'created table log'"));
	ok(reported(&rep, "created table mailadm_schema"),
	    "%s", N("reported 'created table mailadm_schema'"));
	ok(reported(&rep, "schema version 1"),
	    "%s", N("reported 'schema version 1'"));
	ok(!reported(&rep, "created table mailbox") &&
	    !reported(&rep, "created table domain"),
	    "%s", N("existing tables not created again"));
	if (!is_int((int64_t)rep.n, 7, N("seven changes in all")))
		show_reports(&rep);
	reports_free(&rep);

	after = dump_domains(db);
	ok(before != NULL && after != NULL && strcmp(before, after) == 0,
	    "%s", N("existing domain rows unchanged"));
	if (before != NULL && after != NULL && strcmp(before, after) != 0) {
		diag("before:\n%s", before);
		diag("after:\n%s", after);
	}
	free(before);
	free(after);
	is_int(qint(db, "SELECT COUNT(*) FROM domain WHERE smtp_auth = 0 AND "
	    "default_quota = 0", NOP), 3,
	    N("new columns at their defaults on old rows"));
	is_text(db, "SELECT totp_secret FROM mailbox", NOP, "TOTP",
	    N("Postfixadmin's own mailbox columns untouched"));
	is_int(qint(db, "SELECT quota FROM mailbox WHERE username = "
	    "'jo@example.com'", NOP), 1024000, N("mailbox row unchanged"));

	rc = ma_schema_status(db, &st, &err);
	ok(rc == 0 && st.up_to_date && st.version == 1,
	    "%s", N("up to date after upgrade"));
	ma_schema_status_release(&st);
	rc = ma_schema_upgrade(db, collect, &rep, &err);
	ok(rc == 0 && rep.n == 0, "%s", N("upgrade again: no change"));
	reports_free(&rep);

	/* mailadm reads Postfixadmin's rows in its units. */
	rc = ma_domain_get(db, "Example.COM", &d, 1024000, &err);
	is_int(rc, 1, N("get a Postfixadmin domain"));
	if (rc == 1) {
		is_str(d.description, "Société « exemple »", N("description"));
		is_int(d.max_aliases, 10, N("max_aliases"));
		is_int(d.max_mailboxes, 20, N("max_mailboxes"));
		is_int(d.max_quota, 100 * 1024000LL, N("max_quota in bytes"));
		is_int(d.domain_quota, 2000 * 1024000LL,
		    N("domain_quota in bytes"));
		is_str(d.created, "2009-03-01 10:00:00", N("created"));
		is_str(d.modified, "2009-03-02 11:30:00", N("modified"));
		is_int(d.mailbox_count, 1, N("mailbox_count"));
		ma_domain_release(&d);
	}
	rc = ma_domain_get(db, "backup.example", &d, 1024000, &err);
	ok(rc == 1 && d.max_quota == -1 && d.backup_mx == 1 && !d.active &&
	    strcmp(d.transport, "relay:[mx.example]") == 0,
	    "%s", N("a disabled quota, backup MX, inactive"));
	if (rc == 1)
		ma_domain_release(&d);

	/* Postfixadmin's description and transport have no default. */
	memset(&req, 0, sizeof(req));
	req.name = "new.example";
	req.multiplier = 1024000;
	rc = ma_domain_add(db, &req, &err);
	if (!is_int(rc, 0, N("add a domain to a Postfixadmin database")))
		diag("%s", err.msg);
	memset(&req, 0, sizeof(req));
	req.name = "new2.example";
	req.multiplier = 1024000;
	req.fields = MA_DOM_DESCRIPTION | MA_DOM_TRANSPORT;
	req.values.description = "";
	req.values.transport = "virtual";
	rc = ma_domain_add(db, &req, &err);
	if (!is_int(rc, 0, N("add a domain with description and transport")))
		diag("%s", err.msg);
	ma_db_close(&db);
}

/* --- statements ------------------------------------------------------- */

static void
test_stmt(void)
{
	struct ma_db *db = fresh_db("statements");
	struct ma_stmt *st = NULL;
	struct ma_err err;
	char *big;
	const char *values[12];
	int64_t nums[12], changes;
	size_t i, n;
	int rc;

	if (db == NULL)
		return;
	big = malloc(10241);
	for (i = 0; i < 10240; i++)
		big[i] = (char)(' ' + i % 95);
	big[10240] = '\0';
	memcpy(big + 5000, "é日本😀", strlen("é日本😀"));
	n = 0;
	values[n] = "plain";				nums[n++] = 0;
	values[n] = "it's";				nums[n++] = 1;
	values[n] = "back\\slash \\' \\\\";		nums[n++] = -1;
	values[n] = "'; DROP TABLE x; --";		nums[n++] = INT64_MAX;
	values[n] = "\"double\" `back` quotes";	nums[n++] = INT64_MIN;
	values[n] = "café 日本語 😀";			nums[n++] = 42;
	values[n] = big;				nums[n++] = 10240;
	values[n] = "";					nums[n++] = 7;
	values[n] = "%s %n %d ? :1 $1";			nums[n++] = 8;
	values[n] = "tab\there\nnewline";		nums[n++] = 9;

	ok(ma_db_exec(db, sql2("CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "s TEXT, n BIGINT)", "CREATE TABLE t (id INT PRIMARY KEY, s "
	    "MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, n BIGINT) "
	    "ENGINE=InnoDB"), &err) == 0, "%s", N("create a table"));
	ok(ma_db_exec(db, "CREATE TABLE x (a INT)", &err) == 0,
	    "%s", N("create table x"));

	rc = ma_db_prepare(db, "INSERT INTO t (id, s, n) VALUES (?, ?, ?)",
	    &st, &err);
	is_int(rc, 0, N("prepare an INSERT"));
	for (i = 0; rc == 0 && i < n; i++) {
		if (i > 0)
			ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, (int64_t)i + 1);
		ma_stmt_bind_text(st, 2, values[i]);
		ma_stmt_bind_int(st, 3, nums[i]);
		if (!ok(ma_stmt_step(st, &err) == 0 &&
		    ma_stmt_changes(st) == 1, "%s", N("insert value %zu", i)))
			diag("%s", err.msg);
	}
	if (rc == 0) {
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, 100);
		ma_stmt_bind_null(st, 2);
		ma_stmt_bind_null(st, 3);
		ok(ma_stmt_step(st, &err) == 0, "%s", N("insert NULLs"));
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, 101);
		ma_stmt_bind_text(st, 2, NULL);
		ma_stmt_bind_int(st, 3, 0);
		ok(ma_stmt_step(st, &err) == 0,
		    "%s", N("insert a NULL text pointer"));
	}
	ma_stmt_finalize(&st);
	ok(st == NULL, "%s", N("finalize sets the pointer to NULL"));
	ma_stmt_finalize(&st);

	rc = ma_db_prepare(db, "SELECT s, n, id FROM t WHERE id = ?", &st,
	    &err);
	is_int(rc, 0, N("prepare a SELECT"));
	for (i = 0; rc == 0 && i < n; i++) {
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, (int64_t)i + 1);
		if (!is_int(ma_stmt_step(st, &err), 1, N("read value %zu", i)))
			continue;
		is_str(ma_stmt_text(st, 0), values[i],
		    N("text value %zu round-trips", i));
		is_int(ma_stmt_int(st, 1), nums[i],
		    N("int value %zu round-trips", i));
		is_int(ma_stmt_isnull(st, 0), 0, N("value %zu not NULL", i));
		is_int(ma_stmt_step(st, &err), 0, N("then no more rows"));
	}
	if (rc == 0) {
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, 100);
		is_int(ma_stmt_step(st, &err), 1, N("read the NULL row"));
		ok(ma_stmt_isnull(st, 0) && ma_stmt_isnull(st, 1),
		    "%s", N("NULL columns are NULL"));
		is_str(ma_stmt_text(st, 0), NULL, N("NULL reads as NULL text"));
		is_int(ma_stmt_int(st, 1), 0, N("NULL reads as 0"));
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, 101);
		ok(ma_stmt_step(st, &err) == 1 && ma_stmt_isnull(st, 0),
		    "%s", N("a NULL text pointer binds NULL"));
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, 8);
		ok(ma_stmt_step(st, &err) == 1 && !ma_stmt_isnull(st, 0) &&
		    ma_stmt_text(st, 0) != NULL && *ma_stmt_text(st, 0) == '\0',
		    "%s", N("the empty string is not NULL"));
		ma_stmt_reset(st);
		ma_stmt_bind_int(st, 1, 999);
		is_int(ma_stmt_step(st, &err), 0, N("no row for id 999"));
	}
	ma_stmt_finalize(&st);

	is_int(qint(db, "SELECT COUNT(*) FROM x", NOP), 0,
	    N("table x survived the injection attempt"));
	is_int(qint(db, "SELECT id FROM t WHERE s = ?",
	    P("'; DROP TABLE x; --")), 4, N("text params compare exactly"));
	is_int(qint(db, "SELECT id FROM t WHERE s = ?", P(values[2])), 3,
	    N("backslashes compare exactly"));
	is_int(qint(db, "SELECT id FROM t WHERE s = ?", P(big)), 7,
	    N("a 10 kB parameter"));
	is_int(qint(db, "SELECT LENGTH(s) FROM t WHERE id = 7", NOP),
	    B->dialect == MA_MYSQL ? 10240 :
	    10240 - (int64_t)strlen("é日本😀") + 4,
	    N("10 kB stored whole (bytes on MariaDB, characters on SQLite)"));
	is_text(db, "SELECT n FROM t WHERE id = 4", NOP, "9223372036854775807",
	    N("BIGINT as text"));
	is_int(qint(db, "SELECT n FROM t WHERE id = 999", NOP), 0,
	    N("ma_db_int without a row is 0"));
	{
		/* Several rows, and values that need larger buffers late. */
		int64_t prev = 0, seen = 0, bad = 0;

		rc = ma_db_prepare(db, "SELECT id, s FROM t WHERE id <= 10 "
		    "ORDER BY id", &st, &err);
		while (rc >= 0 && (rc = ma_stmt_step(st, &err)) == 1) {
			if (ma_stmt_int(st, 0) <= prev)
				bad++;
			if (strcmp(ma_stmt_text(st, 1),
			    values[ma_stmt_int(st, 0) - 1]) != 0)
				bad++;
			prev = ma_stmt_int(st, 0);
			seen++;
		}
		if (!ok(rc == 0 && seen == (int64_t)n && bad == 0,
		    "%s", N("step through %zu rows in order", n)))
			diag("rc %d, seen %lld, bad %lld: %s", rc,
			    (long long)seen, (long long)bad, err.msg);
		ma_stmt_finalize(&st);
	}

	test_begin(N("changes, query, errors"));
	rc = ma_db_run(db, "UPDATE t SET n = n + 1 WHERE id <= 3", NOP,
	    &changes, &err);
	ok(rc == 0 && changes == 3, "%s", N("UPDATE of 3 rows: 3 changes"));
	rc = ma_db_run(db, "UPDATE t SET n = n WHERE id = ?", P("1"), &changes,
	    &err);
	ok(rc == 0 && changes == 1,
	    "%s", N("an UPDATE to the same value counts the matched row"));
	rc = ma_db_run(db, "DELETE FROM t WHERE id = ?", P("999"), &changes,
	    &err);
	ok(rc == 0 && changes == 0, "%s", N("DELETE of nothing: 0 changes"));
	rc = ma_db_run(db, "DELETE FROM t WHERE id >= ?", P("100"), &changes,
	    &err);
	ok(rc == 0 && changes == 2, "%s", N("DELETE of 2 rows: 2 changes"));
	rc = ma_db_prepare(db, "UPDATE t SET s = ? WHERE n > ?", &st, &err);
	if (rc == 0) {
		ma_stmt_bind_text(st, 1, "positive");
		ma_stmt_bind_int(st, 2, 0);
		ok(ma_stmt_step(st, &err) == 0 && ma_stmt_changes(st) == 8,
		    "%s", N("ma_stmt_changes after an UPDATE"));
		ma_stmt_finalize(&st);
	}

	rc = ma_db_query(db, "SELECT s FROM t WHERE id = ?", P("2"), &st, &err);
	ok(rc == 1 && st != NULL && strcmp(ma_stmt_text(st, 0), "positive")
	    == 0, "%s", N("ma_db_query: 1 and the row"));
	ma_stmt_finalize(&st);
	rc = ma_db_query(db, "SELECT s FROM t WHERE id = ?", P("999"), &st,
	    &err);
	ok(rc == 0 && st == NULL, "%s", N("ma_db_query: 0 and no statement"));
	rc = ma_db_query(db, "SELEKT 1", NOP, &st, &err);
	ok(rc == -1 && err.status == MA_EDB && st == NULL,
	    "%s", N("a syntax error: -1, MA_EDB"));
	ok(ma_db_prepare(db, "SELECT nope FROM t", &st, &err) == -1 ||
	    ma_stmt_step(st, &err) == -1, "%s", N("an unknown column fails"));
	ma_stmt_finalize(&st);
	rc = ma_db_int(db, "SELECT COUNT(*) FROM no_such_table", NOP, &changes,
	    &err);
	ok(rc == -1 && err.status == MA_EUNAVAIL &&
	    strstr(err.msg, "schema init") != NULL,
	    "%s", N("a missing table: MA_EUNAVAIL, 'run schema init'"));
	rc = ma_db_run(db, "INSERT INTO t (id, s, n) VALUES (1, 'dup', 0)",
	    NOP, NULL, &err);
	ok(rc == -1 && err.status == MA_EEXIST,
	    "%s", N("a duplicate key: MA_EEXIST"));
	ok(ma_db_exec(db, "CREATE TABLE t (a INT)", &err) == -1 &&
	    err.status == MA_EDB, "%s", N("ma_db_exec error: MA_EDB"));

	ok(is_timestamp(ma_db_now(db)), "%s", N("ma_db_now looks like "
	    "YYYY-MM-DD HH:MM:SS ('%s')", ma_db_now(db)));
	free(big);
	ma_db_close(&db);
}

/* --- transactions and the log ----------------------------------------- */

struct txn_arg {
	const char	*id;
	int		 calls, fail_times, logs;
	enum ma_status	 fail_status;
};

static int
txn_insert(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct txn_arg *a = arg;
	char data[64];
	int i;

	a->calls++;
	if (ma_db_run(db, "INSERT INTO t (id, s, n) VALUES (?, 'txn', 0)",
	    P(a->id), NULL, err) < 0)
		return -1;
	for (i = 0; i < a->logs; i++) {
		snprintf(data, sizeof(data), "example.com row=%s n=%d", a->id,
		    i);
		if (ma_log_write(db, "example.com", "create_domain", data,
		    err) < 0)
			return -1;
	}
	if (a->calls <= a->fail_times)
		return ma_fail(err, a->fail_status, 0, "simulated failure %d",
		    a->calls);
	return 0;
}

static int64_t
rows_with_id(struct ma_db *db, const char *id)
{
	return qint(db, "SELECT COUNT(*) FROM t WHERE id = ?", P(id));
}

static void
test_txn(void)
{
	struct ma_db *db = fresh_db("transactions"), *db2;
	struct txn_arg a;
	struct ma_err err;
	const char *const *j;
	size_t nj;
	char now[32];
	int rc;

	if (db == NULL)
		return;
	if (ma_schema_init(db, &err) < 0)
		ok(0, "%s", N("schema init: %s", err.msg));
	ma_db_exec(db, sql2("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, "
	    "n BIGINT)", "CREATE TABLE t (id INT PRIMARY KEY, s TEXT, n BIGINT) "
	    "ENGINE=InnoDB"), &err);

	memset(&a, 0, sizeof(a));
	a.id = "1";
	a.logs = 1;
	a.fail_times = 1000;
	a.fail_status = MA_EINVAL;
	rc = ma_txn_run(db, txn_insert, &a, 0, &err);
	ok(rc == -1 && err.status == MA_EINVAL,
	    "%s", N("fn failing: -1 with its status"));
	is_str(err.msg, "simulated failure 1", N("fn's message kept"));
	is_int(a.calls, 1, N("a non-temporary failure is not retried"));
	is_int(rows_with_id(db, "1"), 0, N("rolled back: row absent"));
	is_int(qint(db, "SELECT COUNT(*) FROM log", NOP), 0,
	    N("rolled back: no log row"));

	memset(&a, 0, sizeof(a));
	a.id = "2";
	a.logs = 1;
	rc = ma_txn_run(db, txn_insert, &a, MA_TXN_DRY_RUN, &err);
	is_int(rc, 0, N("dry run succeeds"));
	is_int(rows_with_id(db, "2"), 0, N("dry run: row absent"));
	is_int(qint(db, "SELECT COUNT(*) FROM log", NOP), 0,
	    N("dry run: no log row"));
	j = ma_log_journal(db, &nj);
	ok(nj == 1 && strcmp(j[0], "create_domain example.com row=2 n=0") == 0,
	    "%s", N("dry run: the journal shows what would be done"));

	memset(&a, 0, sizeof(a));
	a.id = "3";
	a.logs = 1;
	ma_log_set_actor(db, "root (mailadm)");
	rc = ma_txn_run(db, txn_insert, &a, 0, &err);
	if (!is_int(rc, 0, N("success commits")))
		diag("%s", err.msg);
	is_int(rows_with_id(db, "3"), 1, N("committed: row present"));
	is_int(qint(db, "SELECT COUNT(*) FROM log", NOP), 1,
	    N("committed: one log row"));
	is_text(db, "SELECT username FROM log", NOP, "root (mailadm)",
	    N("log.username is the actor"));
	is_text(db, "SELECT domain FROM log", NOP, "example.com",
	    N("log.domain"));
	is_text(db, "SELECT action FROM log", NOP, "create_domain",
	    N("log.action"));
	is_text(db, "SELECT data FROM log", NOP, "example.com row=3 n=0",
	    N("log.data"));
	{
		char *ts = qtext(db, "SELECT timestamp FROM log", NOP);

		ok(is_timestamp(ts) && strcmp(ts, "2000-01-01 00:00:00") != 0,
		    "%s", N("log.timestamp is a real time ('%s')",
		    ts ? ts : "NULL"));
		free(ts);
	}
	j = ma_log_journal(db, &nj);
	ok(nj == 1 && strcmp(j[0], "create_domain example.com row=3 n=0") == 0,
	    "%s", N("ma_log_journal lists the change"));

	memset(&a, 0, sizeof(a));
	a.id = "4";
	a.logs = 3;
	rc = ma_txn_run(db, txn_insert, &a, 0, &err);
	j = ma_log_journal(db, &nj);
	ok(rc == 0 && nj == 3 && strcmp(j[2],
	    "create_domain example.com row=4 n=2") == 0,
	    "%s", N("the journal restarts with each transaction, in order"));
	is_int(qint(db, "SELECT COUNT(*) FROM log", NOP), 4,
	    N("four log rows in all"));
	is_int(qint(db, "SELECT COUNT(DISTINCT timestamp) FROM log WHERE "
	    "data LIKE '%row=4%'", NOP), 1,
	    N("one timestamp for the rows of a transaction"));

	memset(&a, 0, sizeof(a));
	a.id = "5";
	a.logs = 1;
	a.fail_times = 2;
	a.fail_status = MA_ETEMP;
	rc = ma_txn_run(db, txn_insert, &a, 0, &err);
	is_int(rc, 0, N("temporary failures are retried"));
	is_int(a.calls, 3, N("fn ran three times"));
	is_int(rows_with_id(db, "5"), 1,
	    N("the failed attempts were rolled back"));
	j = ma_log_journal(db, &nj);
	is_int((int64_t)nj, 1, N("the journal holds the last attempt only"));

	memset(&a, 0, sizeof(a));
	a.id = "6";
	a.fail_times = 1000;
	a.fail_status = MA_ETEMP;
	rc = ma_txn_run(db, txn_insert, &a, 0, &err);
	ok(rc == -1 && err.status == MA_ETEMP,
	    "%s", N("always temporary: MA_ETEMP"));
	is_int(a.calls, 5, N("five attempts"));
	ok(strstr(err.msg, "gave up after 5 attempts") != NULL &&
	    strstr(err.msg, "simulated failure 5") != NULL,
	    "%s", N("the message says it gave up, and why"));
	is_int(rows_with_id(db, "6"), 0, N("nothing committed"));

	test_begin(N("begin, commit, rollback, close"));
	ok(ma_db_begin(db, &err) == 0, "%s", N("begin"));
	snprintf(now, sizeof(now), "%s", ma_db_now(db));
	sleep_ms(1100);
	is_str(ma_db_now(db), now, N("ma_db_now is fixed within a transaction"));
	run(db, "INSERT INTO t (id, s, n) VALUES (10, 'x', 0)", NOP);
	ma_db_rollback(db);
	is_int(rows_with_id(db, "10"), 0, N("rollback"));
	ok(strcmp(ma_db_now(db), now) != 0,
	    "%s", N("ma_db_now moves on outside a transaction"));
	ok(ma_db_begin(db, &err) == 0, "%s", N("begin again"));
	run(db, "INSERT INTO t (id, s, n) VALUES (11, 'x', 0)", NOP);
	ok(ma_db_commit(db, &err) == 0, "%s", N("commit"));
	is_int(rows_with_id(db, "11"), 1, N("committed row present"));
	ma_db_begin(db, &err);
	run(db, "INSERT INTO t (id, s, n) VALUES (12, 'x', 0)", NOP);
	ma_db_close(&db);
	ok(db == NULL, "%s", N("close sets the pointer to NULL"));
	if ((db = open_db("reopen")) == NULL)
		return;
	is_int(rows_with_id(db, "12"), 0,
	    N("closing with an open transaction rolls it back"));
	is_int(rows_with_id(db, "11"), 1, N("committed data survives"));

	/* Out of a transaction the log row commits by itself. */
	ok(ma_log_write(db, "x.example", "edit_domain", "x.example active=0",
	    &err) == 0, "%s", N("ma_log_write outside a transaction"));
	is_text(db, "SELECT username FROM log WHERE domain = 'x.example'",
	    NOP, "mailadm", N("the default actor is 'mailadm'"));

	/* A dry run ends with its ma_txn_run. */
	memset(&a, 0, sizeof(a));
	a.id = "20";
	a.logs = 1;
	ok(ma_txn_run(db, txn_insert, &a, MA_TXN_DRY_RUN, &err) == 0,
	    "%s", N("another dry run"));
	is_int(ma_txn_dry_run(db), 0, N("ma_txn_dry_run is 0 afterwards"));
	ma_log_write(db, "after.example", "edit_domain", "after.example",
	    &err);
	is_int(qint(db, "SELECT COUNT(*) FROM log WHERE domain = "
	    "'after.example'", NOP), 1,
	    N("a log row written after a dry run is stored"));

	test_begin(N("lock waits"));
	if ((db2 = open_db("second connection")) == NULL) {
		ma_db_close(&db);
		return;
	}
	ok(ma_db_lock_timeout(db2, 1, &err) == 0, "%s", N("lock timeout 1 s"));
	ok(ma_db_begin(db, &err) == 0, "%s", N("first connection begins"));
	run(db, "UPDATE t SET n = 1 WHERE id = 11", NOP);
	{
		time_t t0 = time(NULL);

		rc = ma_db_begin(db2, &err);
		if (rc == 0)
			rc = ma_db_run(db2, "UPDATE t SET n = 2 WHERE id = 11",
			    NOP, NULL, &err);
		if (!ok(rc == -1 && err.status == MA_ETEMP,
		    "%s", N("second writer: MA_ETEMP after the lock timeout")))
			diag("rc %d: %s", rc, rc < 0 ? err.msg : "");
		ok(time(NULL) - t0 < 5, "%s", N("within the timeout"));
		ma_db_rollback(db2);
	}
	ma_db_rollback(db);
	ok(ma_db_begin(db2, &err) == 0 && ma_db_run(db2, "UPDATE t SET n = 2 "
	    "WHERE id = 11", NOP, NULL, &err) == 0 &&
	    ma_db_commit(db2, &err) == 0,
	    "%s", N("after the rollback the second writer gets in"));
	is_int(qint(db, "SELECT n FROM t WHERE id = 11", NOP), 2,
	    N("and its change is visible"));
	ma_db_close(&db2);
	ma_db_close(&db);
}

/* --- domains ---------------------------------------------------------- */

static struct ma_domain_req
req_for(const char *name, unsigned int fields)
{
	struct ma_domain_req r;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.fields = fields;
	r.multiplier = MIB;
	return r;
}

static int
get(struct ma_db *db, const char *name, struct ma_domain *d, uint64_t mult)
{
	struct ma_err err;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = ma_domain_get(db, name, d, mult, &err);
	if (rc < 0)
		diag("get %s: %s", name, err.msg);
	return rc;
}

struct names {
	char	 v[16][MA_DOMAIN_MAX * 2 + 20];
	int	 n, stop_after;
};

static int
collect_domain(const struct ma_domain *d, void *arg)
{
	struct names *nm = arg;

	if (nm->n < 16)
		snprintf(nm->v[nm->n++], sizeof(nm->v[0]), "%s", d->domain);
	return nm->stop_after > 0 && nm->n >= nm->stop_after ? -1 : 0;
}

static int
collect_alias_domain(const char *alias, const char *target, int active,
    void *arg)
{
	struct names *nm = arg;

	if (nm->n < 16)
		snprintf(nm->v[nm->n++], sizeof(nm->v[0]), "%s>%s%s", alias, target,
		    active ? "" : " (inactive)");
	return 0;
}

static void
add_ok(struct ma_db *db, const char *name)
{
	struct ma_domain_req r = req_for(name, 0);
	struct ma_err err;

	if (!ok(ma_domain_add(db, &r, &err) == 0, "%s", N("add %s", name)))
		diag("%s", err.msg);
}

/*
 * ma_domain_add_rows: one INSERT for many domains, with the rows and
 * log rows ma_domain_add writes for each; a failure writes none.
 */
static void
test_domain_rows(void)
{
	static const char logged[] = "SELECT data FROM log WHERE action = "
	    "'create_domain' AND domain = ?";
	struct ma_db *db = fresh_db("domain-rows");
	const char *cols = sql2("SELECT description || '|' || aliases || "
	    "'|' || mailboxes || '|' || maxquota || '|' || quota || '|' || "
	    "default_quota || '|' || transport || '|' || backupmx || '|' || "
	    "active FROM domain WHERE domain = ?", "SELECT CONCAT_WS('|', "
	    "description, aliases, mailboxes, maxquota, quota, default_quota, "
	    "transport, backupmx, active) FROM domain WHERE domain = ?");
	struct ma_domain_req one, many[3];
	struct ma_err err;
	char *want, *got, *log1, *log2;
	size_t i;

	if (db == NULL)
		return;
	if (ma_schema_init(db, &err) < 0)
		ok(0, "%s", N("schema init: %s", err.msg));
	one = req_for("one.example", MA_DOM_DESCRIPTION | MA_DOM_MAX_QUOTA |
	    MA_DOM_MAX_MAILBOXES | MA_DOM_ACTIVE);
	one.values.description = "Société";
	one.values.max_quota = 300 * MIB + 1;
	one.values.max_mailboxes = 7;
	one.values.active = 0;
	if (!ok(ma_domain_add(db, &one, &err) == 0, "%s", N("add one")))
		diag("%s", err.msg);
	for (i = 0; i < 3; i++)
		many[i] = one;
	many[0].name = "Two.Example";
	many[1].name = "three.example.";
	many[2].name = "four.example";
	many[2].values.created = "2009-03-04 05:06:07";
	if (!ok(ma_domain_add_rows(db, many, 3, &err) == 0, "%s",
	    N("add three in one INSERT")))
		diag("%s", err.msg);
	want = qtext(db, cols, P("one.example"));
	log1 = qtext(db, logged, P("one.example"));
	got = qtext(db, cols, P("three.example"));
	is_str(got, want, N("the row ma_domain_add writes (name normalized)"));
	free(got);
	log2 = qtext(db, logged, P("three.example"));
	ok(log1 != NULL && log2 != NULL && strncmp(log2, "three.example ", 14)
	    == 0 && strcmp(log2 + 14, log1 + 12) == 0, "%s",
	    N("and its log row ('%s')", log2 ? log2 : "none"));
	free(log2);
	is_text(db, "SELECT created FROM domain WHERE domain = ?",
	    P("four.example"), "2009-03-04 05:06:07", N("created as given"));
	is_int(qint(db, "SELECT COUNT(*) FROM domain WHERE domain = "
	    "'two.example' AND created = modified", NOP), 1,
	    N("else created = modified = now"));

	test_begin(N("domain add rows: refused as a whole"));
	many[0].name = "five.example";
	many[1].name = "one.example";
	many[2].name = "six.example";
	ok(ma_domain_add_rows(db, many, 3, &err) == -1 &&
	    err.status == MA_EEXIST, "%s", N("one that exists: MA_EEXIST"));
	if (!ok(strstr(err.msg, "'five.example' to 'six.example'") != NULL,
	    "%s", N("the message names the batch")))
		diag("%s", err.msg);
	many[1].name = "bad name";
	if (!ok(ma_domain_add_rows(db, many, 3, &err) == -1 &&
	    err.status == MA_EINVAL && strstr(err.msg, "bad name") != NULL,
	    "%s", N("a bad name: MA_EINVAL naming it")))
		diag("%s", err.msg);
	many[1].name = "seven.example";
	many[1].fields |= MA_DOM_QUOTA;
	ok(ma_domain_add_rows(db, many, 3, &err) == -1 &&
	    err.status == MA_EINVAL, "%s", N("other fields: MA_EINVAL"));
	is_int(qint(db, "SELECT COUNT(*) FROM domain", NOP), 4,
	    N("nothing written by the refused ones"));
	is_int(qint(db, "SELECT COUNT(*) FROM log", NOP), 4,
	    N("no log row either"));
	free(want);
	free(log1);
	ma_db_close(&db);
}

static void
test_domain(void)
{
	struct ma_db *db = fresh_db("domains");
	struct ma_domain_req r;
	struct ma_domain d;
	struct names nm;
	struct ma_err err;
	int rc;

	if (db == NULL)
		return;
	if (ma_schema_init(db, &err) < 0)
		ok(0, "%s", N("schema init: %s", err.msg));

	r = req_for("Example.COM", 0);
	rc = ma_domain_add(db, &r, &err);
	if (!is_int(rc, 0, N("add Example.COM with the defaults")))
		diag("%s", err.msg);
	rc = get(db, "example.com", &d, MIB);
	is_int(rc, 1, N("get it"));
	if (rc == 1) {
		is_str(d.domain, "example.com", N("stored in lower case"));
		is_str(d.description, "", N("description ''"));
		ok(d.max_aliases == 0 && d.max_mailboxes == 0 &&
		    d.max_quota == 0 && d.domain_quota == 0 && d.quota == 0,
		    "%s", N("limits and quotas 0 (unlimited)"));
		is_str(d.transport, "virtual", N("transport 'virtual'"));
		ok(!d.backup_mx && d.active && !d.require_auth,
		    "%s", N("not backup MX, active, no auth required"));
		ok(is_timestamp(d.created) &&
		    strcmp(d.created, "2000-01-01 00:00:00") != 0,
		    "%s", N("created is now ('%s')", d.created));
		is_str(d.modified, d.created, N("modified = created"));
		ok(d.mailbox_count == 0 && d.alias_count == 0 &&
		    d.alias_of == NULL, "%s", N("no mailboxes, aliases, target"));
		ma_domain_release(&d);
	}
	is_int(qint(db, "SELECT COUNT(*) FROM log WHERE action = "
	    "'create_domain' AND domain = 'example.com'", NOP), 1,
	    N("a create_domain log row"));
	is_int(get(db, "EXAMPLE.com.", &d, MIB), 1,
	    N("get normalizes the name"));
	ma_domain_release(&d);
	is_int(get(db, "missing.example", &d, MIB), 0,
	    N("get of a missing domain: 0"));
	ok(ma_domain_get(db, "bad name", &d, MIB, &err) == -1 &&
	    err.status == MA_EINVAL, "%s", N("get of a bad name: MA_EINVAL"));

	test_begin(N("domain add: duplicates and bad requests"));
	r = req_for("example.com", 0);
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EEXIST,
	    "%s", N("duplicate: MA_EEXIST"));
	ok(strstr(err.msg, "'example.com'") != NULL,
	    "%s", N("message names the domain"));
	r = req_for("EXAMPLE.com", 0);
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EEXIST,
	    "%s", N("duplicate by case: MA_EEXIST"));
	run(db, "INSERT INTO domain (domain) VALUES ('Mixed.Example')", NOP);
	r = req_for("mixed.example", 0);
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EEXIST,
	    "%s", N("a mixed-case row written by another tool: MA_EEXIST"));
	is_int(get(db, "MIXED.example", &d, MIB), 1,
	    N("and it is found case-insensitively"));
	ma_domain_release(&d);
	r = req_for("bad..name", 0);
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("a bad name: MA_EINVAL"));
	r = req_for("t.example", MA_DOM_TRANSPORT);
	r.values.transport = "smtp relay";
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("a transport with a space: MA_EINVAL"));
	r.values.transport = "";
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("an empty transport: MA_EINVAL"));
	r = req_for("t.example", MA_DOM_DESCRIPTION);
	r.values.description = "line\nbreak";
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("a description with a newline: MA_EINVAL"));
	r = req_for("t.example", MA_DOM_QUOTA);
	r.values.quota = -1;
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("a disabled mailbox quota: MA_EINVAL"));
	r = req_for("t.example", MA_DOM_MAX_QUOTA);
	r.values.max_quota = INT64_MAX;
	r.multiplier = 1;
	ok(ma_domain_add(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("a max quota too large: MA_EINVAL"));
	is_int(qint(db, "SELECT COUNT(*) FROM domain WHERE domain = "
	    "'t.example'", NOP), 0, N("none of them stored"));

	test_begin(N("domain add: every field"));
	r = req_for("full.example", MA_DOM_DESCRIPTION | MA_DOM_MAX_ALIASES |
	    MA_DOM_MAX_MAILBOXES | MA_DOM_MAX_QUOTA | MA_DOM_DOMAIN_QUOTA |
	    MA_DOM_QUOTA | MA_DOM_TRANSPORT | MA_DOM_BACKUP_MX | MA_DOM_ACTIVE |
	    MA_DOM_REQUIRE_AUTH);
	r.values.description = "Société Générale — l'équipe \"mail\" \\ 😀";
	r.values.max_aliases = 50;
	r.values.max_mailboxes = -1;
	r.values.max_quota = GIB;
	r.values.domain_quota = 10 * GIB;
	r.values.quota = 512 * MIB;
	r.values.transport = "smtp:[relay.example]:587";
	r.values.backup_mx = 1;
	r.values.active = 0;
	r.values.require_auth = 1;
	rc = ma_domain_add(db, &r, &err);
	if (!is_int(rc, 0, N("add with every field")))
		diag("%s", err.msg);
	if (get(db, "full.example", &d, MIB) == 1) {
		is_str(d.description, r.values.description, N("description"));
		is_int(d.max_aliases, 50, N("max_aliases"));
		is_int(d.max_mailboxes, -1, N("max_mailboxes disabled"));
		is_int(d.max_quota, GIB, N("max_quota"));
		is_int(d.domain_quota, 10 * GIB, N("domain_quota"));
		is_int(d.quota, 512 * MIB, N("quota (default for mailboxes)"));
		is_str(d.transport, "smtp:[relay.example]:587", N("transport"));
		ok(d.backup_mx && !d.active && d.require_auth,
		    "%s", N("backup MX, inactive, auth required"));
		ma_domain_release(&d);
	} else {
		ok(0, "%s", N("get full.example"));
	}
	is_int(qint(db, "SELECT maxquota FROM domain WHERE domain = "
	    "'full.example'", NOP), 1024, N("maxquota stored in MB"));
	is_int(qint(db, "SELECT quota FROM domain WHERE domain = "
	    "'full.example'", NOP), 10240, N("quota stored in MB"));
	is_int(qint(db, "SELECT default_quota FROM domain WHERE domain = "
	    "'full.example'", NOP), 512 * MIB, N("default_quota in bytes"));
	is_int(qint(db, "SELECT smtp_auth FROM domain WHERE domain = "
	    "'full.example'", NOP), 1, N("require_auth is smtp_auth"));

	r = req_for("café.fr", 0);
	ok(ma_domain_add(db, &r, &err) == 0, "%s", N("add café.fr"));
	is_int(get(db, "xn--caf-dma.fr", &d, MIB), 1,
	    N("stored as xn--caf-dma.fr"));
	ma_domain_release(&d);
	is_int(get(db, "CAFÉ.FR", &d, MIB), 1, N("found as CAFÉ.FR"));
	ma_domain_release(&d);

	test_begin(N("quota units"));
	r = req_for("units.example", MA_DOM_MAX_QUOTA | MA_DOM_DOMAIN_QUOTA);
	r.multiplier = 1024000;
	r.values.max_quota = GIB;
	r.values.domain_quota = 10 * GIB;
	ok(ma_domain_add(db, &r, &err) == 0,
	    "%s", N("add max_quota 1G, multiplier 1024000"));
	is_int(qint(db, "SELECT maxquota FROM domain WHERE domain = "
	    "'units.example'", NOP), 1048, N("stores 1048 units (rounded down)"));
	is_int(qint(db, "SELECT quota FROM domain WHERE domain = "
	    "'units.example'", NOP), 10485, N("and 10485 for 10G"));
	if (get(db, "units.example", &d, 1024000) == 1) {
		is_int(d.max_quota, 1048 * 1024000LL,
		    N("reads back 1048 * 1024000"));
		is_int(d.domain_quota, 10485 * 1024000LL,
		    N("reads back 10485 * 1024000"));
		ma_domain_release(&d);
	}
	r = req_for("units.example", MA_DOM_MAX_QUOTA | MA_DOM_DOMAIN_QUOTA);
	r.values.max_quota = -1;
	r.values.domain_quota = 0;
	ok(ma_domain_set(db, &r, &err) == 0, "%s", N("set -1 and 0"));
	if (get(db, "units.example", &d, MIB) == 1) {
		ok(d.max_quota == -1 && d.domain_quota == 0,
		    "%s", N("-1 (disabled) and 0 (unlimited) kept as they are"));
		ma_domain_release(&d);
	}
	r = req_for("units.example", MA_DOM_MAX_QUOTA);
	r.values.max_quota = 512 * 1024;	/* half a unit */
	rc = ma_domain_set(db, &r, &err);
	ok(rc == -1 || qint(db, "SELECT maxquota FROM domain WHERE domain = "
	    "'units.example'", NOP) != 0,
	    "%s", N("max_quota 512K in 1M units is not stored as unlimited"));

	test_begin(N("domain set"));
	r = req_for("EXAMPLE.COM", MA_DOM_DESCRIPTION | MA_DOM_MAX_MAILBOXES);
	r.values.description = "changed";
	r.values.max_mailboxes = 25;
	rc = ma_domain_set(db, &r, &err);
	if (!is_int(rc, 0, N("set two fields")))
		diag("%s", err.msg);
	if (get(db, "example.com", &d, MIB) == 1) {
		is_str(d.description, "changed", N("description changed"));
		is_int(d.max_mailboxes, 25, N("max_mailboxes changed"));
		ok(d.max_aliases == 0 && d.active &&
		    strcmp(d.transport, "virtual") == 0,
		    "%s", N("the other fields unchanged"));
		ma_domain_release(&d);
	}
	r = req_for("example.com", MA_DOM_ACTIVE | MA_DOM_REQUIRE_AUTH);
	r.values.active = 0;
	r.values.require_auth = 1;
	ok(ma_domain_set(db, &r, &err) == 0, "%s", N("disable, require auth"));
	if (get(db, "example.com", &d, MIB) == 1) {
		ok(!d.active && d.require_auth && strcmp(d.description,
		    "changed") == 0, "%s", N("flags set, description kept"));
		ma_domain_release(&d);
	}
	is_int(qint(db, "SELECT COUNT(*) FROM log WHERE action = 'edit_domain' "
	    "AND domain = 'example.com'", NOP), 2, N("two edit_domain rows"));
	r = req_for("missing.example", MA_DOM_ACTIVE);
	r.values.active = 1;
	ok(ma_domain_set(db, &r, &err) == -1 && err.status == MA_ENODOMAIN,
	    "%s", N("set of a missing domain: MA_ENODOMAIN"));
	ok(strstr(err.msg, "missing.example") != NULL,
	    "%s", N("message names it"));
	r = req_for("-bad.example", MA_DOM_ACTIVE);
	ok(ma_domain_set(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("set of a bad name: MA_EINVAL"));
	r = req_for("example.com", MA_DOM_TRANSPORT);
	r.values.transport = "a b";
	ok(ma_domain_set(db, &r, &err) == -1 && err.status == MA_EINVAL,
	    "%s", N("set of a bad transport: MA_EINVAL"));
	is_text(db, "SELECT transport FROM domain WHERE domain = 'example.com'",
	    NOP, "virtual", N("and the transport is unchanged"));

	test_begin(N("domain list"));
	run(db, "INSERT INTO domain (domain) VALUES ('ALL')", NOP);
	memset(&nm, 0, sizeof(nm));
	rc = ma_domain_list(db, MIB, collect_domain, &nm, &err);
	is_int(rc, 0, N("list"));
	ok(nm.n == 5 && strcmp(nm.v[0], "example.com") == 0 &&
	    strcmp(nm.v[1], "full.example") == 0 &&
	    strcasecmp(nm.v[2], "mixed.example") == 0 &&
	    strcmp(nm.v[3], "units.example") == 0 &&
	    strcmp(nm.v[4], "xn--caf-dma.fr") == 0,
	    "%s", N("in name order, without Postfixadmin's 'ALL'"));
	memset(&nm, 0, sizeof(nm));
	nm.stop_after = 2;
	ma_domain_list(db, MIB, collect_domain, &nm, &err);
	is_int(nm.n, 2, N("a callback returning -1 stops the list"));

	test_begin(N("domain del"));
	add_ok(db, "a.example");
	add_ok(db, "b.example");
	add_ok(db, "c.example");
	ok(ma_alias_domain_add(db, "a.example", "b.example", &err) == 0,
	    "%s", N("alias domain a.example -> b.example"));
	ok(ma_domain_del(db, "b.example", 0, &err) == -1 &&
	    err.status == MA_EEXIST,
	    "%s", N("del of an alias target: MA_EEXIST"));
	ok(strstr(err.msg, "1 alias domains") != NULL ||
	    strstr(err.msg, "alias domain") != NULL,
	    "%s", N("message says why"));
	is_int(get(db, "b.example", &d, MIB), 1, N("b.example still there"));
	ma_domain_release(&d);
	ok(ma_domain_del(db, "B.EXAMPLE", 1, &err) == 0,
	    "%s", N("del --force of the target"));
	is_int(get(db, "b.example", &d, MIB), 0, N("b.example gone"));
	is_int(qint(db, "SELECT COUNT(*) FROM alias_domain", NOP), 0,
	    N("the alias domain row went with it"));
	is_int(get(db, "a.example", &d, MIB), 1,
	    N("the alias domain's own domain row stays"));
	ma_domain_release(&d);

	run(db, "INSERT INTO mailbox (username, password, name, maildir, "
	    "local_part, domain) VALUES ('u@c.example', 'x', 'U', "
	    "'c.example/u/', 'u', 'c.example')", NOP);
	run(db, "INSERT INTO alias (address, goto, domain) VALUES "
	    "('u@c.example', 'u@c.example', 'c.example')", NOP);
	run(db, "INSERT INTO alias (address, goto, domain) VALUES "
	    "('info@c.example', 'u@c.example', 'c.example')", NOP);
	if (get(db, "c.example", &d, MIB) == 1) {
		is_int(d.mailbox_count, 1, N("one mailbox"));
		is_int(d.alias_count, 1, N("one alias (the self alias "
		    "not counted)"));
		ma_domain_release(&d);
	}
	ok(ma_domain_del(db, "c.example", 0, &err) == -1 &&
	    err.status == MA_EEXIST, "%s", N("del with a mailbox: MA_EEXIST"));
	ok(strstr(err.msg, "1 mailboxes") != NULL &&
	    strstr(err.msg, "1 aliases") != NULL,
	    "%s", N("message counts them"));
	ok(ma_domain_del(db, "c.example", 1, &err) == 0,
	    "%s", N("del --force with a mailbox"));
	ok(qint(db, "SELECT COUNT(*) FROM mailbox WHERE domain = 'c.example'",
	    NOP) == 0 && qint(db, "SELECT COUNT(*) FROM alias WHERE domain = "
	    "'c.example'", NOP) == 0,
	    "%s", N("its mailboxes and aliases went with it"));
	is_int(qint(db, "SELECT COUNT(*) FROM log WHERE action = "
	    "'delete_domain' AND domain = 'c.example'", NOP), 1,
	    N("a delete_domain log row"));
	ok(ma_domain_del(db, "c.example", 0, &err) == -1 &&
	    err.status == MA_ENODOMAIN, "%s", N("del again: MA_ENODOMAIN"));
	ok(ma_domain_del(db, "never.example", 1, &err) == -1 &&
	    err.status == MA_ENODOMAIN,
	    "%s", N("del --force of a missing domain: MA_ENODOMAIN"));
	ok(ma_domain_del(db, "bad_name.example", 0, &err) == -1 &&
	    err.status == MA_EINVAL, "%s", N("del of a bad name: MA_EINVAL"));
	ok(ma_domain_del(db, "a.example", 0, &err) == 0,
	    "%s", N("del of an unused domain"));
	ma_db_close(&db);
}

static void
test_alias_domain(void)
{
	struct ma_db *db = fresh_db("alias-domains");
	struct ma_domain d;
	struct ma_err err;
	struct names nm;
	int rc;

	if (db == NULL)
		return;
	if (ma_schema_init(db, &err) < 0)
		ok(0, "%s", N("schema init: %s", err.msg));
	add_ok(db, "x.example");
	add_ok(db, "y.example");
	add_ok(db, "z.example");
	add_ok(db, "w.example");

	rc = ma_alias_domain_add(db, "X.example", "y.example.", &err);
	if (!is_int(rc, 0, N("alias domain x -> y")))
		diag("%s", err.msg);
	is_int(qint(db, "SELECT COUNT(*) FROM log WHERE action = "
	    "'create_alias_domain' AND domain = 'x.example'", NOP), 1,
	    N("a create_alias_domain log row"));
	if (get(db, "x.example", &d, MIB) == 1) {
		is_str(d.alias_of, "y.example", N("get shows alias_of"));
		ma_domain_release(&d);
	}
	if (get(db, "y.example", &d, MIB) == 1) {
		is_str(d.alias_of, NULL, N("the target is no alias"));
		ma_domain_release(&d);
	}
	memset(&nm, 0, sizeof(nm));
	ok(ma_alias_domain_list(db, collect_alias_domain, &nm, &err) == 0 &&
	    nm.n == 1 && strcmp(nm.v[0], "x.example>y.example") == 0,
	    "%s", N("list shows x.example -> y.example, active"));

	ok(ma_alias_domain_add(db, "w.example", "W.EXAMPLE", &err) == -1 &&
	    err.status == MA_EINVAL, "%s", N("to itself: MA_EINVAL"));
	ok(ma_alias_domain_add(db, "nope.example", "y.example", &err) == -1 &&
	    err.status == MA_ENODOMAIN,
	    "%s", N("missing alias domain: MA_ENODOMAIN"));
	ok(strstr(err.msg, "nope.example") != NULL,
	    "%s", N("message names it"));
	ok(ma_alias_domain_add(db, "z.example", "nope.example", &err) == -1 &&
	    err.status == MA_ENODOMAIN,
	    "%s", N("missing target: MA_ENODOMAIN"));
	ok(ma_alias_domain_add(db, "z.example", "x.example", &err) == -1 &&
	    err.status == MA_EINVAL,
	    "%s", N("chain z -> x -> y: MA_EINVAL"));
	ok(ma_alias_domain_add(db, "x.example", "z.example", &err) == -1 &&
	    err.status == MA_EEXIST, "%s", N("x again: MA_EEXIST"));
	ok(ma_alias_domain_add(db, "bad..example", "y.example", &err) == -1 &&
	    err.status == MA_EINVAL, "%s", N("a bad name: MA_EINVAL"));
	rc = ma_alias_domain_add(db, "y.example", "w.example", &err);
	ok(rc == -1 && err.status == MA_EINVAL,
	    "%s", N("chain x -> y -> w: MA_EINVAL"));
	if (rc == 0)
		ma_alias_domain_del(db, "y.example", &err);
	is_int(qint(db, "SELECT COUNT(*) FROM alias_domain", NOP), 1,
	    N("only x -> y stored"));

	ok(ma_alias_domain_del(db, "x.example", &err) == 0,
	    "%s", N("del x.example"));
	ok(ma_alias_domain_del(db, "x.example", &err) == -1 &&
	    err.status == MA_ENODOMAIN, "%s", N("del again: MA_ENODOMAIN"));
	memset(&nm, 0, sizeof(nm));
	ok(ma_alias_domain_list(db, collect_alias_domain, &nm, &err) == 0 &&
	    nm.n == 0, "%s", N("list is empty"));
	ok(ma_alias_domain_add(db, "z.example", "x.example", &err) == 0,
	    "%s", N("x is no alias any more: z -> x accepted"));
	ma_db_close(&db);
}

/* --- a database without mailadm's tables ------------------------------ */

/* Fill the stack below the caller with garbage, as a long run would. */
static void __attribute__((noinline))
poison_stack(void)
{
	volatile unsigned char junk[16384];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

enum uninit_case { U_GET, U_LIST, U_ADD, U_DEL, U_ALIAS_ADD, U_STATUS,
	U_UPGRADE_DRY };

static int
count_cb(const struct ma_domain *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static void
ignore_report(const char *what, void *arg)
{
	(void)what;
	(void)arg;
}

static int
txn_upgrade_quiet(struct ma_db *db, void *arg, struct ma_err *err)
{
	(void)arg;
	return ma_schema_upgrade(db, ignore_report, NULL, err);
}

/*
 * In a child process with its own connection: 0 when the call fails
 * cleanly (-1 and status want), 1 when it does something else, 3 when it
 * cannot connect.
 */
static int
uninit_child(enum uninit_case which, enum ma_status want)
{
	struct ma_domain_req r = req_for("example.com", 0);
	struct ma_schema_status st;
	struct ma_domain d;
	struct ma_db *db = NULL;
	struct ma_err err;
	int rc = 0, n = 0;

	if (ma_db_open(&B->uri, NULL, 0, &db, &err) < 0)
		return 3;
	ma_err_clear(&err);
	poison_stack();
	switch (which) {
	case U_GET:
		rc = ma_domain_get(db, "example.com", &d, MIB, &err);
		break;
	case U_LIST:
		rc = ma_domain_list(db, MIB, count_cb, &n, &err);
		break;
	case U_ADD:
		rc = ma_domain_add(db, &r, &err);
		break;
	case U_DEL:
		rc = ma_domain_del(db, "example.com", 1, &err);
		break;
	case U_ALIAS_ADD:
		rc = ma_alias_domain_add(db, "a.example", "b.example", &err);
		break;
	case U_STATUS:
		rc = ma_schema_status(db, &st, &err);
		ma_schema_status_release(&st);
		break;
	case U_UPGRADE_DRY:
		rc = ma_txn_run(db, txn_upgrade_quiet, NULL, MA_TXN_DRY_RUN,
		    &err);
		rc = rc == 0 ? -1 : 0;	/* success wanted here */
		err.status = want;
		break;
	}
	ma_db_close(&db);
	return rc == -1 && err.status == want ? 0 : 1;
}

/* Run a case in a child; a test point saying how it ended. */
static void
uninit_check(enum uninit_case which, enum ma_status want, const char *what)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		ok(0, "%s", N("fork: %s", strerror(errno)));
		return;
	}
	if (pid == 0)
		_exit(uninit_child(which, want));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		ok(0, "%s", N("%s (killed by signal %d)", what,
		    WTERMSIG(status)));
		return;
	}
	if (!ok(WEXITSTATUS(status) == 0, "%s", N("%s", what)))
		diag("child exit status %d", WEXITSTATUS(status));
}

static void
test_uninitialised(void)
{
	struct ma_db *db = fresh_db("uninitialised");
	struct ma_err err;

	if (db == NULL)
		return;
	uninit_check(U_GET, MA_EUNAVAIL, "domain get: MA_EUNAVAIL, no crash");
	uninit_check(U_LIST, MA_EUNAVAIL, "domain list: MA_EUNAVAIL");
	uninit_check(U_ADD, MA_EUNAVAIL, "domain add: MA_EUNAVAIL");
	uninit_check(U_DEL, MA_EUNAVAIL, "domain del: MA_EUNAVAIL");
	uninit_check(U_ALIAS_ADD, MA_EUNAVAIL, "alias domain add: MA_EUNAVAIL");
	/* read_version() on a version table it cannot read. */
	if (ma_db_exec(db, "CREATE TABLE mailadm_schema (x INT)", &err) < 0)
		ok(0, "%s", N("create a bad version table: %s", err.msg));
	uninit_check(U_STATUS, MA_EUNAVAIL,
	    "schema status, version table without 'version': -1, no crash");
	ma_db_exec(db, "DROP TABLE mailadm_schema", &err);
	uninit_check(U_UPGRADE_DRY, MA_OK,
	    "dry-run upgrade of an empty database succeeds, no crash");
	ma_db_close(&db);
}

/*
 * Multi-row INSERTs stay prepared: the same shape is handed out again
 * once finalized, a busy one is not shared, and more shapes than are
 * kept still work; every row lands with its own values.
 */
static void
test_rows_kept(void)
{
	static const char head[] = "INSERT INTO r (a, b)";
	struct ma_db *db = fresh_db("rows-kept");
	struct ma_stmt *st, *first, *busy;
	struct ma_err err;
	char text[16], sum[64];
	size_t rows, i, total = 0, same;
	int shape;

	if (db == NULL)
		return;
	ok(ma_db_exec(db, "CREATE TABLE r (a INT, b VARCHAR(16))", &err) ==
	    0, "%s", N("create table r"));
	/* shapes 1..12 rows, each twice: more than are kept */
	for (shape = 0, same = 0; shape < 24; shape++) {
		rows = (size_t)(shape % 12) + 1;
		if (ma_db_prepare_rows(db, head, 2, rows, &st, &err) < 0) {
			ok(0, "%s", N("prepare %zu rows: %s", rows, err.msg));
			break;
		}
		if (shape == 0)
			first = st;
		if (shape == 12)
			same = st == first;
		for (i = 0; i < rows; i++, total++) {
			snprintf(text, sizeof(text), "v%zu", total);
			ma_stmt_bind_int(st, (int)(2 * i + 1), (int64_t)total);
			ma_stmt_bind_text(st, (int)(2 * i + 2), text);
		}
		if (ma_stmt_step(st, &err) < 0)
			ok(0, "%s", N("insert %zu rows: %s", rows, err.msg));
		ma_stmt_finalize(&st);
	}
	ok(same, "%s", N("a kept shape is handed out again"));
	is_int(total, 2 * 78, N("rows sent"));
	ok(ma_db_prepare_rows(db, head, 2, 1, &busy, &err) == 0 &&
	    ma_db_prepare_rows(db, head, 2, 1, &st, &err) == 0 && st != busy,
	    "%s", N("a shape in use is not handed out twice"));
	ma_stmt_bind_int(busy, 1, -1);
	ma_stmt_bind_text(busy, 2, "busy");
	ma_stmt_bind_int(st, 1, -2);
	ma_stmt_bind_text(st, 2, "other");
	ok(ma_stmt_step(busy, &err) == 0 && ma_stmt_step(st, &err) == 0,
	    "%s", N("both insert"));
	ma_stmt_finalize(&busy);
	ma_stmt_finalize(&st);
	if (!ok(ma_db_query(db, sql2("SELECT COUNT(*), SUM(a), SUM(b = 'v' || "
	    "a) FROM r WHERE a >= 0", "SELECT COUNT(*), SUM(a), SUM(b = "
	    "CONCAT('v', a)) FROM r WHERE a >= 0"), NULL, &st, &err) == 1,
	    "%s", N("count the rows"))) {
		diag("%s", err.msg);
		ma_db_close(&db);
		return;
	}
	snprintf(sum, sizeof(sum), "%s %s %s", ma_stmt_text(st, 0),
	    ma_stmt_text(st, 1), ma_stmt_text(st, 2));
	is_str(sum, "156 12090 156", N("every row with its own values"));
	ma_stmt_finalize(&st);
	ma_db_close(&db);
}

static void
run_all(void)
{
	test_open();
	test_uninitialised();
	test_schema();
	test_pfa_upgrade();
	test_stmt();
	test_rows_kept();
	test_txn();
	test_domain();
	test_domain_rows();
	test_alias_domain();
}

static void
remove_tmpdir(void)
{
	static const char *const names[] = { "schema", "postfixadmin-upgrade",
	    "uninitialised",
	    "statements", "rows-kept", "transactions", "domains", "domain-rows", "alias-domains",
	    "missing", "not-a-db" };
	char path[4300];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.db", tmpdir, names[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s.db-journal", tmpdir,
		    names[i]);
		unlink(path);
	}
	if (rmdir(tmpdir) < 0)
		diag("cannot remove %s: %s", tmpdir, strerror(errno));
}

int
main(void)
{
	struct backend sqlite, mysql;
	const char *t = getenv("TMPDIR"), *uri;
	struct ma_err err;

	snprintf(tmpdir, sizeof(tmpdir), "%s/t-db.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 2;
	}
	memset(&sqlite, 0, sizeof(sqlite));
	sqlite.label = "sqlite";
	sqlite.dialect = MA_SQLITE;
	sqlite.uri.dialect = MA_SQLITE;
	B = &sqlite;
	run_all();
	remove_tmpdir();

	uri = getenv("MAILADM_TEST_MYSQL_URI");
	if (uri == NULL || *uri == '\0') {
		test_begin("mysql: MAILADM_TEST_MYSQL_URI not set");
		skip(1, "MAILADM_TEST_MYSQL_URI not set: no MariaDB tests");
		return done_testing();
	}
	memset(&mysql, 0, sizeof(mysql));
	mysql.label = "mysql";
	mysql.dialect = MA_MYSQL;
	B = &mysql;
	if (ma_dburi_parse(uri, &mysql.uri, &err) < 0) {
		ok(0, "MAILADM_TEST_MYSQL_URI parses: %s", err.msg);
		return done_testing();
	}
	if (mysql.uri.dialect != MA_MYSQL) {
		ok(0, "MAILADM_TEST_MYSQL_URI is a mysql:// URI");
	} else {
		struct ma_db *db = open_db("MAILADM_TEST_MYSQL_URI");

		/* Unreachable although asked for: that is a failure. */
		if (db != NULL) {
			ma_db_close(&db);
			run_all();
		}
	}
	ma_dburi_release(&mysql.uri);
	return done_testing();
}
