/*
 * Postfix: mysql_table(5) or sqlite_table(5) files, one per lookup, with
 * Postfixadmin's file names and queries (so that guides written for it
 * apply), narrowed to active rows of active, non-backup-MX domains; and
 * main.cf.mailadm, the main.cf lines that use them.
 */
#include "srvconf-priv.h"

#include <stdio.h>
#include <string.h>

/* The domains whose mailboxes and aliases live here. */
#define SERVED(d) d ".active = 1 AND " d ".backupmx = 0"

struct map {
	const char	*param;		/* the main.cf parameter it serves */
	const char	*name;		/* file name after "mysql_"/"sqlite_" */
	const char	*about;
};

static const struct map maps[] = {
	{ "virtual_mailbox_domains", "virtual_domains_maps",
	    "the domains whose mail is delivered here." },
	{ "virtual_mailbox_maps", "virtual_mailbox_maps",
	    "mailboxes: address -> Maildir\n"
	    "under virtual_mailbox_base." },
	{ "virtual_mailbox_maps", "virtual_alias_domain_mailbox_maps",
	    "mailboxes reached through an\n"
	    "alias domain: user@alias -> the Maildir of user@target." },
	{ "virtual_alias_maps", "virtual_alias_maps",
	    "aliases, catch-alls (@domain) and\n"
	    "the self alias of every mailbox." },
	{ "virtual_alias_maps", "virtual_alias_domain_maps",
	    "user@alias -> what user@target\n"
	    "goes to." },
	{ "virtual_alias_maps", "virtual_alias_domain_catchall_maps",
	    "user@alias -> the catch-all\n"
	    "of the target domain." },
	{ "relay_domains", "relay_domains",
	    "backup MX domains (domain add --backup-mx):\n"
	    "relayed, not delivered here." },
	{ "transport_maps", "transport_maps",
	    "domains with a transport of their own\n"
	    "(domain add --transport); 'virtual' and '' keep the default." },
	{ "smtpd_sender_login_maps", "sender_login_maps",
	    "who may send as an address of a\n"
	    "domain that requires SMTP AUTH (domain add --require-auth): its\n"
	    "mailbox, or the targets of its alias; for an unknown address of\n"
	    "the domain, the targets of its catch-all and '@domain' (no one)." },
};
#define NMAPS (sizeof(maps) / sizeof(maps[0]))

static void
query(struct srv_gen *g, struct ma_buf *b, size_t i)
{
	ma_buf_add(b, "query = ");
	switch (i) {
	case 0:
		ma_buf_add(b, "SELECT domain FROM domain WHERE domain = '%s' "
		    "AND " SERVED("domain"));
		break;
	case 1:
		ma_buf_add(b, "SELECT m.maildir FROM mailbox m JOIN domain d "
		    "ON d.domain = m.domain WHERE m.username = '%s' AND "
		    "m.active = 1 AND " SERVED("d"));
		break;
	case 2: case 4: case 5:
		ma_buf_add(b, i == 2 ? "SELECT m.maildir FROM mailbox m" :
		    "SELECT a.goto FROM alias a");
		ma_buf_add(b, " JOIN alias_domain ad ON ");
		ma_buf_add(b, i == 2 ? "m.username = " : "a.address = ");
		if (i == 5)
			srv_concat(g, b, "'@'", "ad.target_domain", NULL);
		else
			srv_concat(g, b, "'%u'", "'@'", "ad.target_domain",
			    NULL);
		ma_buf_addf(b, " JOIN domain da ON da.domain = ad.alias_domain "
		    "JOIN domain d ON d.domain = ad.target_domain WHERE "
		    "ad.alias_domain = '%%d' AND ad.active = 1 AND %s.active = "
		    "1 AND " SERVED("da") " AND " SERVED("d"), i == 2 ? "m" :
		    "a");
		break;
	case 3:
		ma_buf_add(b, "SELECT a.goto FROM alias a JOIN domain d ON "
		    "d.domain = a.domain WHERE a.address = '%s' AND "
		    "a.active = 1 AND " SERVED("d"));
		break;
	case 6:
		ma_buf_add(b, "SELECT domain FROM domain WHERE domain = '%s' "
		    "AND active = 1 AND backupmx = 1");
		break;
	case 7:
		ma_buf_add(b, "SELECT transport FROM domain WHERE domain = "
		    "'%s' AND active = 1 AND transport NOT IN ('', 'virtual')");
		break;
	case 8:
		/*
		 * Postfix looks up user@domain, then @domain; every address
		 * of such a domain thus has owners, so that an unknown or
		 * disabled one cannot be used without a login either.
		 */
		ma_buf_add(b, "SELECT a.goto FROM alias a JOIN domain d ON "
		    "d.domain = a.domain WHERE a.address = '%s' AND a.active = "
		    "1 AND d.smtp_auth = 1 UNION SELECT m.username FROM mailbox "
		    "m JOIN domain d ON d.domain = m.domain WHERE m.username = "
		    "'%s' AND m.active = 1 AND d.smtp_auth = 1 UNION SELECT ");
		srv_concat(g, b, "'@'", "domain", NULL);
		ma_buf_add(b, " FROM domain WHERE ");
		srv_concat(g, b, "'@'", "domain", NULL);
		ma_buf_add(b, " = '%s' AND smtp_auth = 1");
		break;
	}
	ma_buf_add(b, "\n");
}

static void
connection(struct srv_gen *g, struct ma_buf *b)
{
	const struct ma_dburi *db = g->in->db;

	if (!g->mysql) {
		ma_buf_addf(b, "dbpath = %s\n", db->path);
		return;
	}
	if (db->socket != NULL)
		ma_buf_addf(b, "hosts = unix:%s\n", db->socket);
	else if (db->port != 0)
		ma_buf_addf(b, "hosts = inet:%s:%u\n", db->host, db->port);
	else
		ma_buf_addf(b, "hosts = %s\n", db->host);
	ma_buf_addf(b, "user = %s\n", db->user);
	if (g->in->password != NULL)
		ma_buf_addf(b, "password = %s\n", g->in->password);
	ma_buf_addf(b, "dbname = %s\n", db->name);
}

/* The values the files hold, checked against what Postfix can read. */
static int
check(struct srv_gen *g, struct ma_err *err)
{
	const struct ma_dburi *db = g->in->db;

	if (!g->mysql)
		return srv_check_value(g, "SQLite path", db->path, 0, "", err);
	/* hosts is a list: separators end a value. */
	return srv_check_value(g, "database socket", db->socket ? db->socket :
	    "", 0, " ,", err) < 0 || srv_check_value(g, "database host",
	    db->host ? db->host : "", 0, " ,", err) < 0 ||
	    srv_check_value(g, "database user", db->user, 0, "", err) < 0 ||
	    srv_check_value(g, "database name", db->name, 0, "", err) < 0 ||
	    (g->in->password != NULL && srv_check_value(g, "the database "
	    "password", g->in->password, 1, "", err) < 0) ? -1 : 0;
}

static void
main_cf_tables(struct srv_gen *g, struct ma_buf *b, const char *param)
{
	const char *type = g->mysql ? "mysql" : "sqlite";
	size_t i;
	int n = 0;

	ma_buf_addf(b, "%s =", param);
	for (i = 0; i < NMAPS; i++)
		if (strcmp(maps[i].param, param) == 0)
			ma_buf_addf(b, "%s proxy:%s:%s/%s_%s.cf", n++ ?
			    ",\n   " : "", type, g->in->dir, type,
			    maps[i].name);
	ma_buf_add(b, "\n");
}

static const char main_about[] =
	"The main.cf lines that make Postfix read mailadm's database through\n"
	"the tables beside this file: merge them into main.cf.  proxy: shares\n"
	"connections; proxy_read_maps lists all these parameters by default.";

static void
main_cf(struct srv_gen *g)
{
	static const char *const params[] = { "virtual_mailbox_domains",
	    "virtual_mailbox_maps", "virtual_alias_maps", "relay_domains",
	    "transport_maps", "smtpd_sender_login_maps", NULL };
	const struct ma_srvconf_in *in = g->in;
	struct ma_buf *b = srv_file(g, "main.cf.mailadm", main_about);
	const char *const *p;

	for (p = params; *p != NULL; p++)
		main_cf_tables(g, b, *p);
	ma_buf_add(b, "# Only the login that owns an address of a "
	    "--require-auth domain sends as it.\n"
	    "smtpd_sender_restrictions = reject_known_sender_login_mismatch\n"
	    "smtpd_relay_restrictions = permit_mynetworks, "
	    "permit_sasl_authenticated, reject_unauth_destination\n");
	ma_buf_addf(b, "virtual_mailbox_base = %s\n"
	    "virtual_uid_maps = static:%u\nvirtual_gid_maps = static:%u\n"
	    "virtual_minimum_uid = %u\n", in->vmail_base,
	    (unsigned)in->vmail_uid, (unsigned)in->vmail_gid,
	    (unsigned)in->vmail_uid);
	if (g->mysql)
		ma_buf_addf(b, "# SMTP AUTH: Cyrus SASL asks courier's "
		    "authdaemond (mailadm config sasl\n# writes smtpd.conf "
		    "into cyrus_sasl_config_path).\n"
		    "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = cyrus\n"
		    "smtpd_sasl_path = smtpd\n"
		    "smtpd_sasl_security_options = noanonymous\n"
		    "# Delivery by maildrop, which gets the Maildir and quota "
		    "from authdaemond;\n# in master.cf (no chroot: the "
		    "sockets are outside the queue directory):\n"
		    "#   maildrop  unix  -  n  n  -  -  pipe\n"
		    "#     flags=DRXhu user=vmail argv=/usr/bin/maildrop "
		    "-d ${recipient}\n"
		    "virtual_transport = maildrop\n"
		    "maildrop_destination_recipient_limit = 1\n");
	else
		ma_buf_add(b, "# SMTP AUTH: courier-authlib cannot read "
		    "SQLite; Dovecot can (mailadm config\n# dovecot) and "
		    "offers its auth socket to Postfix.\n"
		    "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\n"
		    "smtpd_sasl_path = private/auth\n"
		    "smtpd_sasl_security_options = noanonymous\n"
		    "# Delivery by Postfix's virtual(8) into "
		    "virtual_mailbox_base/maildir (which does\n# not enforce "
		    "quotas; Dovecot's LMTP does: lmtp:unix:private/dovecot-"
		    "lmtp).\nvirtual_transport = virtual\n");
}

int
srv_postfix(struct srv_gen *g, struct ma_err *err)
{
	char name[MA_SRVCONF_NAMEMAX], about[512];
	struct ma_buf *b;
	size_t i;

	if (check(g, err) < 0 || srv_check_value(g, "vmail_base",
	    g->in->vmail_base, 0, "$", err) < 0 || srv_check_value(g,
	    "directory", g->in->dir, 0, " ,$", err) < 0)
		return -1;
	for (i = 0; i < NMAPS; i++) {
		snprintf(name, sizeof(name), "%s_%s.cf", g->mysql ? "mysql" :
		    "sqlite", maps[i].name);
		snprintf(about, sizeof(about), "%s: %s", maps[i].param,
		    maps[i].about);
		b = srv_file(g, name, about);
		connection(g, b);
		query(g, b, i);
	}
	main_cf(g);
	return 0;
}
