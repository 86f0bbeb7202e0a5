/*
 * Dovecot 2.3: dovecot-sql.conf.ext for an SQL passdb and userdb, on
 * MariaDB/MySQL or SQLite.
 */
#include "srvconf-priv.h"

#include <stdio.h>

/* The mailboxes that may log in: active, in an active served domain. */
#define FROM_SERVED " FROM mailbox m JOIN domain d ON d.domain = m.domain " \
	"WHERE m.active = 1 AND d.active = 1 AND d.backupmx = 0"

static const char about[] =
	"Dovecot's SQL passdb and userdb; in conf.d/auth-sql.conf.ext:\n"
	"  passdb { driver = sql\n"
	"    args = <this file> }\n"
	"  userdb { driver = sql\n"
	"    args = <this file> }\n"
	"Bare crypt(3) hashes are read through default_pass_scheme = CRYPT;\n"
	"{SCHEME} hashes name their scheme.  A quota of 0 is no limit.";

/* The connect string is split at spaces, and has no quoting. */
static int
check(struct srv_gen *g, struct ma_err *err)
{
	const struct ma_dburi *db = g->in->db;

	if (!g->mysql)
		return srv_check_value(g, "SQLite path", db->path, 0, " ", err);
	return srv_check_value(g, "database socket", db->socket ? db->socket :
	    "", 0, " ", err) < 0 || srv_check_value(g, "database host",
	    db->host ? db->host : "", 0, " ", err) < 0 ||
	    srv_check_value(g, "database user", db->user, 0, " ", err) < 0 ||
	    srv_check_value(g, "database name", db->name, 0, " ", err) < 0 ||
	    (g->in->password != NULL && srv_check_value(g, "the database "
	    "password", g->in->password, 1, " ", err) < 0) ? -1 : 0;
}

static void
connect_line(struct srv_gen *g, struct ma_buf *b)
{
	const struct ma_dburi *db = g->in->db;

	if (!g->mysql) {
		ma_buf_addf(b, "driver = sqlite\nconnect = %s\n", db->path);
		return;
	}
	ma_buf_addf(b, "driver = mysql\nconnect = host=%s", db->socket ?
	    db->socket : db->host);
	if (db->socket == NULL && db->port != 0)
		ma_buf_addf(b, " port=%u", db->port);
	ma_buf_addf(b, " dbname=%s user=%s", db->name, db->user);
	if (g->in->password != NULL)
		ma_buf_addf(b, " password=%s", g->in->password);
	ma_buf_add(b, "\n");
}

int
srv_dovecot(struct srv_gen *g, struct ma_err *err)
{
	struct ma_buf *b;

	if (check(g, err) < 0 || srv_check_value(g, "vmail_base",
	    g->in->vmail_base, 0, "", err) < 0)
		return -1;
	b = srv_file(g, "dovecot-sql.conf.ext", about);
	connect_line(g, b);
	ma_buf_add(b, "default_pass_scheme = CRYPT\n"
	    "password_query = SELECT m.username AS user, m.password AS "
	    "password" FROM_SERVED " AND m.username = '%u'\n"
	    "user_query = SELECT ");
	srv_maildir_expr(g, b, "", "m.maildir");
	ma_buf_add(b, " AS home, ");
	srv_maildir_expr(g, b, "maildir:", "m.maildir");
	ma_buf_addf(b, " AS mail, %u AS uid, %u AS gid, ",
	    (unsigned)g->in->vmail_uid, (unsigned)g->in->vmail_gid);
	srv_concat(g, b, "'*:bytes='", "m.quota", NULL);
	ma_buf_add(b, " AS quota_rule" FROM_SERVED " AND m.username = '%u'\n"
	    "iterate_query = SELECT m.username AS user" FROM_SERVED "\n");
	return 0;
}
