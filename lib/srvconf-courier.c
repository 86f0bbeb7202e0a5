/*
 * courier-authlib (authmysqlrc, authdaemonrc) and Cyrus SASL's smtpd.conf,
 * which checks SMTP AUTH passwords through the same authdaemond, so that
 * SMTP, IMAP and POP3 share one password check.
 */
#include "srvconf-priv.h"

#include <stdio.h>
#include <string.h>

/* Why SQLite cannot be used: the message of both generators. */
static int
no_sqlite(struct srv_gen *g, struct ma_err *err)
{
	return ma_fail(err, MA_ECONFIG, 0, "courier-authlib has no SQLite "
	    "module (only authmysql, authpgsql, authldap, ...)%s: use a "
	    "MariaDB/MySQL database, or Dovecot (mailadm config dovecot)",
	    g->srv == MA_SRV_SASL ? ", and Cyrus SASL reads the accounts "
	    "through its authdaemond" : "");
}

/*
 * authmysqlrc values run to the end of the line; the reader drops the
 * white space at both ends and joins a line ending in '\' to the next.
 */
static int
check(struct srv_gen *g, struct ma_err *err)
{
	const struct ma_dburi *db = g->in->db;
	const char *pw = g->in->password;

	if (srv_check_value(g, "database socket", db->socket ? db->socket :
	    "", 0, "", err) < 0 || srv_check_value(g, "database host",
	    db->host ? db->host : "", 0, "", err) < 0 ||
	    srv_check_value(g, "database user", db->user, 0, "", err) < 0 ||
	    srv_check_value(g, "database name", db->name, 0, "", err) < 0 ||
	    (pw != NULL && srv_check_value(g, "the database password", pw, 1,
	    "", err) < 0))
		return -1;
	if (pw != NULL && *pw != '\0' && pw[strlen(pw) - 1] == '\\')
		return ma_fail(err, MA_ECONFIG, 0, "the database password ends "
		    "in a backslash, which authmysqlrc reads as a line "
		    "continuation");
	return 0;
}

/* A key and its value, tab-separated as in Debian's authmysqlrc. */
static void
key(struct ma_buf *b, const char *k, const char *v)
{
	ma_buf_addf(b, "%s%s%s\n", k, strlen(k) < 16 ? "\t\t" : "\t", v);
}

static const char authmysql_about[] =
	"courier-authlib's authmysql module (authdaemonrc: authmodulelist=\n"
	"\"authmysql\"): the mailboxes of active domains, their crypt(3) or\n"
	"{SCHEME} password, Maildir and Maildir++ quota.  A quota of 0 is\n"
	"sent as 1 PiB: maildrop ignores 0S and would keep an old limit.\n"
	"Leave passwords to mailadm: authpasswd would store {SSHA} instead.";

static void
authmysqlrc(struct srv_gen *g)
{
	const struct ma_srvconf_in *in = g->in;
	const struct ma_dburi *db = in->db;
	struct ma_buf *b = srv_file(g, "authmysqlrc", authmysql_about);
	struct ma_buf home = MA_BUF_INIT;
	char num[32];

	if (db->socket != NULL)
		key(b, "MYSQL_SOCKET", db->socket);
	else
		key(b, "MYSQL_SERVER", db->host);
	/* authmysql fails to start without a number here; 0: the default. */
	snprintf(num, sizeof(num), "%u", db->socket ? 0 : db->port);
	key(b, "MYSQL_PORT", num);
	key(b, "MYSQL_USERNAME", db->user);
	if (in->password != NULL)
		key(b, "MYSQL_PASSWORD", in->password);
	key(b, "MYSQL_DATABASE", db->name);
	key(b, "MYSQL_OPT", "0");
	key(b, "MYSQL_CHARACTER_SET", "utf8mb4");
	key(b, "MYSQL_USER_TABLE", "mailbox");
	key(b, "MYSQL_CRYPT_PWFIELD", "password");
	key(b, "MYSQL_LOGIN_FIELD", "username");
	/* Field expressions: uid and gid are SQL literals. */
	snprintf(num, sizeof(num), "'%u'", (unsigned)in->vmail_uid);
	key(b, "MYSQL_UID_FIELD", num);
	snprintf(num, sizeof(num), "'%u'", (unsigned)in->vmail_gid);
	key(b, "MYSQL_GID_FIELD", num);
	srv_maildir_expr(g, &home, "", "maildir");
	key(b, "MYSQL_HOME_FIELD", ma_buf_str(&home) ? home.s : "");
	key(b, "MYSQL_MAILDIR_FIELD", ma_buf_str(&home) ? home.s : "");
	if (home.oom)
		b->oom = 1;
	ma_buf_release(&home);
	key(b, "MYSQL_NAME_FIELD", "name");
	key(b, "MYSQL_QUOTA_FIELD", "IF(quota > 0, CONCAT(quota, 'S'), "
	    "'1125899906842624S')");
	key(b, "MYSQL_WHERE_CLAUSE", "active = 1 AND domain IN (SELECT "
	    "d.domain FROM domain d WHERE d.active = 1 AND d.backupmx = 0)");
	/* courier-authlib 0.71 refuses a file without this last section. */
	ma_buf_add(b, "\n##NAME: MARKER:0\n#\n# Do not remove this section "
	    "from this configuration file. This section\n# must be present "
	    "at the end of this file.\n");
}

static const char authdaemon_about[] =
	"courier-authlib's authdaemond: ask only authmysql (authmysqlrc).\n"
	"Its socket directory must be reachable (mode 0755) by the users\n"
	"that run Postfix's smtpd and maildrop.";

static void
authdaemonrc(struct srv_gen *g)
{
	struct ma_buf *b = srv_file(g, "authdaemonrc", authdaemon_about);

	ma_buf_add(b, "authmodulelist=\"authmysql\"\n"
	    "authmodulelistorig=\"authmysql\"\n"
	    "daemons=5\n"
	    "authdaemonvar=" SRV_AUTHDAEMON_VAR "\n"
	    "DEBUG_LOGIN=0\n"
	    "DEFAULTOPTIONS=\"\"\n"
	    "LOGGEROPTS=\"\"\n");
}

int
srv_courier(struct srv_gen *g, struct ma_err *err)
{
	if (!g->mysql)
		return no_sqlite(g, err);
	if (check(g, err) < 0 || srv_check_value(g, "vmail_base",
	    g->in->vmail_base, 0, "", err) < 0)
		return -1;
	authmysqlrc(g);
	authdaemonrc(g);
	return 0;
}

static const char sasl_about[] =
	"Cyrus SASL for Postfix's smtpd (cyrus_sasl_config_path, or\n"
	"/etc/postfix/sasl on Debian): SMTP AUTH passwords are checked by\n"
	"courier's authdaemond (mailadm config courier), as IMAP and POP3\n"
	"logins are.  Only PLAIN and LOGIN: the database holds no clear\n"
	"passwords for CRAM-MD5 or DIGEST-MD5.  Offer them over TLS only\n"
	"(smtpd_tls_auth_only = yes) on a public port.";

int
srv_sasl(struct srv_gen *g, struct ma_err *err)
{
	struct ma_buf *b;

	if (!g->mysql)
		return no_sqlite(g, err);
	b = srv_file(g, "smtpd.conf", sasl_about);
	ma_buf_add(b, "pwcheck_method: authdaemond\n"
	    "authdaemond_path: " SRV_AUTHDAEMON_VAR "/socket\n"
	    "mech_list: PLAIN LOGIN\n");
	return 0;
}
