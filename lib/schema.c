#include "schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "txn.h"

struct column {
	const char	*name;
	const char	*mysql;
	const char	*sqlite;
};

/* Addresses and domain names are ASCII; they compare case-insensitively. */
#define ADDR	"varchar(255) CHARACTER SET ascii COLLATE ascii_general_ci " \
		"NOT NULL DEFAULT ''", \
		"varchar(255) COLLATE NOCASE NOT NULL DEFAULT ''"
#define UTEXT	"varchar(255) CHARACTER SET utf8mb4 COLLATE " \
		"utf8mb4_general_ci NOT NULL DEFAULT ''", \
		"varchar(255) NOT NULL DEFAULT ''"
#define STAMP	"datetime NOT NULL DEFAULT '2000-01-01 00:00:00'", \
		"datetime NOT NULL DEFAULT '2000-01-01 00:00:00'"
#define FLAG(d)	"tinyint(1) NOT NULL DEFAULT " #d, \
		"tinyint(1) NOT NULL DEFAULT " #d
#define BIG	"bigint(20) NOT NULL DEFAULT 0", "bigint(20) NOT NULL DEFAULT 0"
#define COUNT	"int(10) NOT NULL DEFAULT 0", "int(10) NOT NULL DEFAULT 0"

static const struct column domain_cols[] = {
	{ "domain", ADDR },
	{ "description", UTEXT },
	{ "aliases", COUNT },
	{ "mailboxes", COUNT },
	{ "maxquota", BIG },
	{ "quota", BIG },
	{ "transport", "varchar(255) CHARACTER SET ascii NOT NULL DEFAULT "
	    "'virtual'", "varchar(255) NOT NULL DEFAULT 'virtual'" },
	{ "backupmx", FLAG(0) },
	{ "created", STAMP },
	{ "modified", STAMP },
	{ "active", FLAG(1) },
	{ "password_expiry", "int(11) DEFAULT 0", "int DEFAULT 0" },
	/* mailadm's own: SMTP AUTH required to send as the domain. */
	{ "smtp_auth", FLAG(0) },
	/* mailadm's own: quota in bytes given to each new mailbox. */
	{ "default_quota", BIG },
	{ NULL, NULL, NULL }
};

static const struct column mailbox_cols[] = {
	{ "username", ADDR },
	{ "password", "varchar(255) CHARACTER SET ascii NOT NULL DEFAULT ''",
	    "varchar(255) NOT NULL DEFAULT ''" },
	{ "name", UTEXT },
	{ "maildir", "varchar(255) NOT NULL DEFAULT ''",
	    "varchar(255) NOT NULL DEFAULT ''" },
	{ "quota", BIG },
	{ "local_part", ADDR },
	{ "domain", ADDR },
	{ "created", STAMP },
	{ "modified", STAMP },
	{ "active", FLAG(1) },
	{ "phone", "varchar(30) NOT NULL DEFAULT ''",
	    "varchar(30) NOT NULL DEFAULT ''" },
	{ "email_other", UTEXT },
	{ "token", UTEXT },
	{ "token_validity", STAMP },
	{ "password_expiry", STAMP },
	{ NULL, NULL, NULL }
};

static const struct column alias_cols[] = {
	{ "address", ADDR },
	{ "goto", "text CHARACTER SET ascii NOT NULL", "text NOT NULL DEFAULT ''" },
	{ "domain", ADDR },
	{ "created", STAMP },
	{ "modified", STAMP },
	{ "active", FLAG(1) },
	{ NULL, NULL, NULL }
};

static const struct column alias_domain_cols[] = {
	{ "alias_domain", ADDR },
	{ "target_domain", ADDR },
	{ "created", STAMP },
	{ "modified", STAMP },
	{ "active", FLAG(1) },
	{ NULL, NULL, NULL }
};

static const struct column log_cols[] = {
	{ "id", "int(11) NOT NULL AUTO_INCREMENT",
	    "integer PRIMARY KEY AUTOINCREMENT NOT NULL" },
	{ "timestamp", STAMP },
	{ "username", "varchar(255) NOT NULL DEFAULT ''",
	    "varchar(255) NOT NULL DEFAULT ''" },
	{ "domain", ADDR },
	{ "action", "varchar(255) NOT NULL DEFAULT ''",
	    "varchar(255) NOT NULL DEFAULT ''" },
	{ "data", "text NOT NULL", "text NOT NULL DEFAULT ''" },
	{ NULL, NULL, NULL }
};

static const struct column version_cols[] = {
	{ "version", "int NOT NULL", "int NOT NULL" },
	{ "modified", STAMP },
	{ NULL, NULL, NULL }
};

struct table {
	const char		*name;
	const struct column	*cols;
	const char		*mysql_keys;	/* inside CREATE TABLE */
	const char		*sqlite_keys;	/* inside CREATE TABLE */
	const char		*sqlite_index;	/* run after it */
	const char		*comment;
};

static const struct table tables[] = {
	{ "domain", domain_cols, "PRIMARY KEY (domain)", "PRIMARY KEY (domain)",
	    NULL, "Postfix Admin - Virtual Domains" },
	{ "mailbox", mailbox_cols, "PRIMARY KEY (username), KEY domain (domain)",
	    "PRIMARY KEY (username)",
	    "CREATE INDEX IF NOT EXISTS mailbox_domain ON mailbox (domain)",
	    "Postfix Admin - Virtual Mailboxes" },
	{ "alias", alias_cols, "PRIMARY KEY (address), KEY domain (domain)",
	    "PRIMARY KEY (address)",
	    "CREATE INDEX IF NOT EXISTS alias_domain_idx ON alias (domain)",
	    "Postfix Admin - Virtual Aliases" },
	{ "alias_domain", alias_domain_cols, "PRIMARY KEY (alias_domain), "
	    "KEY active (active), KEY target_domain (target_domain)",
	    "PRIMARY KEY (alias_domain)", "CREATE INDEX IF NOT EXISTS "
	    "alias_domain_target ON alias_domain (target_domain)",
	    "Postfix Admin - Domain Aliases" },
	{ "log", log_cols, "PRIMARY KEY (id), KEY timestamp (timestamp), "
	    "KEY domain_timestamp (domain, timestamp)", NULL,
	    "CREATE INDEX IF NOT EXISTS log_domain_timestamp ON log "
	    "(domain, timestamp)", "Postfix Admin - Log" },
	{ "mailadm_schema", version_cols, NULL, NULL, NULL,
	    "mailadm schema version" },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static const char *
coldef(struct ma_db *db, const struct column *c)
{
	return ma_db_dialect(db) == MA_MYSQL ? c->mysql : c->sqlite;
}

static void
free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* Append the names of t's existing columns to *names; *n of them. */
static int
table_columns(struct ma_db *db, const char *table, char ***names, size_t *n,
    struct ma_err *err)
{
	const char *sql = ma_db_dialect(db) == MA_MYSQL ?
	    "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
	    "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?" :
	    "SELECT name FROM pragma_table_info(?)";
	struct ma_stmt *st;
	char **v;
	int rc;

	*names = NULL;
	*n = 0;
	if (ma_db_prepare(db, sql, &st, err) < 0)
		return -1;
	ma_stmt_bind_text(st, 1, table);
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if ((v = realloc(*names, (*n + 1) * sizeof(*v))) == NULL ||
		    (v[*n] = strdup(ma_stmt_text(st, 0))) == NULL) {
			*names = v != NULL ? v : *names;
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
			break;
		}
		*names = v;
		(*n)++;
	}
	ma_stmt_finalize(&st);
	if (rc < 0) {
		free_names(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

static int
has_name(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return 1;
	return 0;
}

static int
read_version(struct ma_db *db, int *version, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	rc = ma_db_query(db, "SELECT MAX(version) FROM mailadm_schema", NULL,
	    &st, err);
	*version = rc == 1 ? (int)ma_stmt_int(st, 0) : 0;
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

int
ma_schema_status(struct ma_db *db, struct ma_schema_status *out,
    struct ma_err *err)
{
	const struct column *c;
	struct ma_schema_table *t;
	char **names;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if ((out->tables = calloc(NTABLES, sizeof(*t))) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	out->ntables = NTABLES;
	out->up_to_date = 1;
	for (i = 0; i < NTABLES; i++) {
		t = &out->tables[i];
		t->name = tables[i].name;
		if (table_columns(db, t->name, &names, &n, err) < 0)
			return -1;
		t->present = n > 0;
		for (c = tables[i].cols; n > 0 && c->name != NULL; c++) {
			if (has_name(names, n, c->name))
				continue;
			t->missing = realloc(t->missing,
			    (t->nmissing + 1) * sizeof(char *));
			if (t->missing == NULL)
				return ma_fail(err, MA_ENOMEM, ENOMEM,
				    "out of memory");
			t->missing[t->nmissing++] = strdup(c->name);
		}
		free_names(names, n);
		if (!t->present || t->nmissing > 0)
			out->up_to_date = 0;
	}
	if (out->tables[NTABLES - 1].present &&
	    read_version(db, &out->version, err) < 0)
		return -1;
	if (out->version != MA_SCHEMA_VERSION)
		out->up_to_date = 0;
	return 0;
}

void
ma_schema_status_release(struct ma_schema_status *st)
{
	size_t i;

	for (i = 0; st->tables != NULL && i < st->ntables; i++)
		free_names(st->tables[i].missing, st->tables[i].nmissing);
	free(st->tables);
	memset(st, 0, sizeof(*st));
}

/* DDL commits at once on MariaDB: a dry run only reports it. */
static int
ddl(struct ma_db *db, const char *sql, struct ma_err *err)
{
	return ma_txn_dry_run(db) ? 0 : ma_db_exec(db, sql, err);
}

static int
create_table(struct ma_db *db, const struct table *t, struct ma_err *err)
{
	int mysql = ma_db_dialect(db) == MA_MYSQL;
	const char *keys = mysql ? t->mysql_keys : t->sqlite_keys;
	struct ma_buf sql = MA_BUF_INIT;
	const struct column *c;
	int rc;

	ma_buf_addf(&sql, "CREATE TABLE %s (", t->name);
	for (c = t->cols; c->name != NULL; c++)
		ma_buf_addf(&sql, "%s%s %s", c == t->cols ? "" : ", ", c->name,
		    coldef(db, c));
	if (keys != NULL)
		ma_buf_addf(&sql, ", %s", keys);
	ma_buf_add(&sql, ")");
	if (mysql)
		ma_buf_addf(&sql, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		    "COLLATE=utf8mb4_general_ci COMMENT='%s'", t->comment);
	if (ma_buf_str(&sql) == NULL)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	else
		rc = ddl(db, ma_buf_str(&sql), err);
	ma_buf_release(&sql);
	if (rc == 0 && !mysql && t->sqlite_index != NULL)
		rc = ddl(db, t->sqlite_index, err);
	return rc < 0 ? ma_err_prefix(err, "create table %s", t->name) : 0;
}

static int
write_version(struct ma_db *db, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	/* In a dry run the version table may exist only in the report. */
	if (ma_txn_dry_run(db))
		return 0;
	if (ma_db_run(db, "DELETE FROM mailadm_schema", NULL, NULL, err) < 0)
		return -1;
	if (ma_db_prepare(db, "INSERT INTO mailadm_schema (version, modified) "
	    "VALUES (?, ?)", &st, err) < 0)
		return -1;
	ma_stmt_bind_int(st, 1, MA_SCHEMA_VERSION);
	ma_stmt_bind_text(st, 2, ma_db_now(db));
	rc = ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

int
ma_schema_init(struct ma_db *db, struct ma_err *err)
{
	struct ma_schema_status st;
	size_t i;
	int rc = 0;

	if (ma_schema_status(db, &st, err) < 0) {
		ma_schema_status_release(&st);
		return -1;
	}
	for (i = 0; i < st.ntables && rc == 0; i++)
		if (st.tables[i].present)
			rc = ma_fail(err, MA_EEXIST, 0, "database already has "
			    "table '%s': use 'mailadm schema upgrade'",
			    st.tables[i].name);
	ma_schema_status_release(&st);
	for (i = 0; i < NTABLES && rc == 0; i++)
		rc = create_table(db, &tables[i], err);
	if (rc == 0)
		rc = write_version(db, err);
	return rc;
}

static int
add_column(struct ma_db *db, const char *table, const struct column *c,
    struct ma_err *err)
{
	struct ma_buf sql = MA_BUF_INIT;
	int rc;

	ma_buf_addf(&sql, "ALTER TABLE %s ADD COLUMN %s %s", table, c->name,
	    coldef(db, c));
	rc = ma_buf_str(&sql) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : ddl(db, ma_buf_str(&sql), err);
	ma_buf_release(&sql);
	return rc < 0 ? ma_err_prefix(err, "add column %s.%s", table,
	    c->name) : 0;
}

int
ma_schema_upgrade(struct ma_db *db, void (*report)(const char *, void *),
    void *arg, struct ma_err *err)
{
	const struct column *c;
	struct ma_buf what = MA_BUF_INIT;
	char **names;
	size_t i, n;
	int rc = 0, version;

	for (i = 0; i < NTABLES && rc == 0; i++) {
		if ((rc = table_columns(db, tables[i].name, &names, &n, err)) < 0)
			break;
		if (n == 0) {
			rc = create_table(db, &tables[i], err);
			ma_buf_addf(&what, "created table %s", tables[i].name);
			if (rc == 0 && ma_buf_str(&what) != NULL)
				report(ma_buf_str(&what), arg);
			ma_buf_release(&what);
		}
		for (c = tables[i].cols; n > 0 && rc == 0 && c->name; c++) {
			if (has_name(names, n, c->name))
				continue;
			rc = add_column(db, tables[i].name, c, err);
			ma_buf_addf(&what, "added column %s.%s", tables[i].name,
			    c->name);
			if (rc == 0 && ma_buf_str(&what) != NULL)
				report(ma_buf_str(&what), arg);
			ma_buf_release(&what);
		}
		free_names(names, n);
	}
	/* A dry run may not have created the version table it reports. */
	if (rc == 0 && read_version(db, &version, err) < 0 &&
	    !ma_txn_dry_run(db))
		rc = -1;
	if (rc == 0 && version != MA_SCHEMA_VERSION) {
		rc = write_version(db, err);
		ma_buf_addf(&what, "schema version %d", MA_SCHEMA_VERSION);
		if (rc == 0 && ma_buf_str(&what) != NULL)
			report(ma_buf_str(&what), arg);
		ma_buf_release(&what);
	}
	return rc;
}
