/* mailadm user add|set|passwd|verify|del|list|show|enable|disable */
#include <argtable2.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Where a new password comes from: the options add and passwd share. */
struct pw_opts {
	struct arg_lit	*from_stdin, *random;
	struct arg_file	*file;
	struct arg_str	*hash, *scheme;
};

static size_t
pw_opts_table(struct pw_opts *o, void **at)
{
	at[0] = o->from_stdin = arg_lit0(NULL, "password-stdin",
	    "read the password from standard input (one line)");
	at[1] = o->file = arg_file0(NULL, "password-file", "FILE",
	    "read it from the first line of FILE (mode 0600)");
	at[2] = o->random = arg_lit0(NULL, "random-password",
	    "generate one and print it once");
	at[3] = o->hash = arg_str0(NULL, "password-hash", "HASH",
	    "store this hash as it is");
	at[4] = o->scheme = arg_str0(NULL, "scheme", "SCHEME",
	    "hash scheme (default: password_scheme; see 'mailadm pw -l')");
	return 5;
}

static int
random_password(struct cli *cli, char **pw_r)
{
	return ma_passwd_random(pw_r, &cli->err) < 0 ? cli_fail(cli) : -1;
}

/*
 * The hash to store, from whichever option was given; *shown_r gets a
 * generated password to print.  Returns -1 to go on, else an exit code.
 */
static int
password_hash(struct cli *cli, const struct pw_opts *o, char **hash_r,
    char **shown_r)
{
	const char *scheme = o->scheme->count ? o->scheme->sval[0] :
	    cli->conf.password_scheme;
	int given = o->from_stdin->count + o->file->count + o->random->count +
	    o->hash->count, rc;
	char *pw = NULL;

	*hash_r = *shown_r = NULL;
	if (given > 1)
		return cli_error(cli, EX_USAGE, "give one of --password-stdin, "
		    "--password-file, --random-password and --password-hash");
	if (o->hash->count > 0) {
		const struct ma_passwd_scheme *s;
		unsigned int who;

		if (ma_passwd_identify(o->hash->sval[0], &s, &who,
		    &cli->err) < 0)
			return cli_fail(cli);
		if (!(who & MA_PW_COURIER))
			cli_warn(cli, "courier-authlib cannot verify a %s hash",
			    s->name);
		if ((*hash_r = strdup(o->hash->sval[0])) == NULL)
			return cli_error(cli, EX_OSERR, "out of memory");
		return -1;
	}
	if (!ma_passwd_courier_ok(scheme, cli->conf.password_prefix))
		cli_warn(cli, "courier-authlib cannot verify %s hashes", scheme);
	if (o->file->count > 0)
		rc = (pw = ma_conf_read_secret(o->file->filename[0],
		    "--password-file", &cli->err)) == NULL ? cli_fail(cli) : -1;
	else if (o->random->count > 0)
		rc = random_password(cli, &pw);
	else
		rc = cli_read_password(cli, o->from_stdin->count > 0, 1, &pw);
	if (rc >= 0)
		return rc;
	if (ma_passwd_check(pw, strlen(pw), &cli->err) < 0 ||
	    ma_passwd_hash(scheme, pw, cli->conf.password_prefix, hash_r,
	    &cli->err) < 0)
		rc = cli_fail(cli);
	if (rc < 0 && o->random->count > 0)
		*shown_r = pw;
	else
		cli_password_free(pw);
	return rc;
}

static const char *
scheme_of(const char *hash)
{
	const struct ma_passwd_scheme *s;
	struct ma_err ignored;
	unsigned int who;

	return ma_passwd_identify(hash, &s, &who, &ignored) < 0 ? "unknown" :
	    s->name;
}

/* One mailbox record; shown is a generated password to print once. */
static void
mailbox_record(struct out *o, const struct ma_mailbox *m, const char *shown)
{
	out_record(o);
	out_str(o, "address", m->address);
	out_str(o, "name", m->name);
	out_size(o, "quota", m->quota);
	out_bool(o, "active", m->active);
	if (o->mode != OUT_LONG) {
		out_str(o, "domain", m->domain);
		out_str(o, "maildir", m->maildir);
		out_str(o, "password_scheme", scheme_of(m->password));
		out_time(o, "created", m->created);
		out_time(o, "modified", m->modified);
	}
	if (shown != NULL)
		out_str(o, "password", shown);
	out_record_end(o);
}

static int
render_mailbox(const struct ma_mailbox *m, void *arg)
{
	mailbox_record(arg, m, NULL);
	return 0;
}

/* add, set, passwd, enable and disable: one change to one mailbox. */
struct user_change {
	struct ma_mailbox_req	 req;
	int			 add;
	int			 make_maildir;
	struct ma_maildir_opts	 dirs;
	char			 made[MA_MAILDIR_MAX + 1];	/* to undo */
	struct ma_mailbox	 got;
};

/*
 * The Maildir is made once the row is checked and before it is written,
 * so that a failure leaves the database as it was.
 */
static int
make_maildir(const struct ma_mailbox *m, void *arg, struct ma_err *err)
{
	struct user_change *c = arg;
	char msg[sizeof(err->msg)];

	if (ma_maildir_create(&c->dirs, m->maildir, (uint64_t)m->quota,
	    err) < 0) {
		if (err->status != MA_EEXIST)
			return -1;
		memcpy(msg, err->msg, sizeof(msg));
		return ma_fail(err, MA_EEXIST, err->code, "%s (use it with "
		    "--no-maildir, or move it away)", msg);
	}
	snprintf(c->made, sizeof(c->made), "%s", m->maildir);
	return 0;
}

/* The transaction did not commit: take back the Maildir it made. */
static int
user_change_undo(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct user_change *c = arg;

	(void)db;
	if (c->made[0] == '\0')
		return 0;
	if (ma_maildir_undo_create(&c->dirs, c->made, err) < 0)
		return -1;
	c->made[0] = '\0';
	return 0;
}

static int
user_change_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct user_change *c = arg;
	struct ma_err ignored;

	ma_mailbox_release(&c->got);
	if (!c->add)
		return ma_mailbox_set(db, &c->req, &c->got, err);
	c->req.before_insert = c->make_maildir && !ma_txn_dry_run(db) ?
	    make_maildir : NULL;
	c->req.before_insert_arg = c;
	if (ma_mailbox_add(db, &c->req, &c->got, err) == 0)
		return 0;
	user_change_undo(db, c, &ignored);
	return -1;
}

static int
user_change_run(struct cli *cli, struct user_change *c)
{
	int rc;

	c->req.maildir_format = cli->conf.maildir_format;
	c->req.multiplier = cli->conf.quota_multiplier;
	cli_maildir_opts(cli, &c->dirs);
	if (ma_txn_run_undo(cli->db, user_change_txn, user_change_undo, c,
	    cli->dry_run ? MA_TXN_DRY_RUN : 0, &cli->err) < 0)
		return cli_fail(cli);
	rc = cli_change_report(cli);
	cli_maildir_made(cli, c->made);
	if (!c->add && (c->req.fields & MA_MBX_QUOTA))
		cli_maildir_quota(cli, c->got.address, c->got.maildir,
		    c->got.quota);
	return rc;
}

static int
cmd_user_add(struct cli *cli, int argc, char **argv)
{
	struct pw_opts p;
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS",
	    "the new mailbox, local@domain");
	struct arg_str *name = arg_str0(NULL, "name", "NAME", "full name");
	struct arg_str *quota = arg_str0(NULL, "quota", "SIZE",
	    "quota (default: the domain's)");
	struct arg_lit *inactive = arg_lit0(NULL, "inactive", "disabled");
	struct arg_lit *no_maildir = arg_lit0(NULL, "no-maildir",
	    "do not create the Maildir");
	void *at[11] = { address, name, quota, inactive, no_maildir };
	size_t n = 5 + pw_opts_table(&p, at + 5);
	struct user_change c;
	char *hash = NULL, *shown = NULL;
	uint64_t bytes;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cli, argc, argv, at, n)) >= 0)
		goto out;
	if (quota->count > 0 && ma_size_parse(quota->sval[0], &bytes,
	    &cli->err) < 0) {
		rc = cli_fail(cli);
		goto out;
	}
	if ((rc = password_hash(cli, &p, &hash, &shown)) >= 0)
		goto out;
	c.add = 1;
	c.make_maildir = no_maildir->count == 0;
	c.req.address = address->sval[0];
	c.req.password = hash;
	c.req.name = name->count ? name->sval[0] : NULL;
	c.req.fields = (quota->count ? MA_MBX_QUOTA : 0) | MA_MBX_ACTIVE;
	c.req.quota = (int64_t)bytes;
	c.req.active = inactive->count == 0;
	if ((rc = user_change_run(cli, &c)) != EX_OK)
		goto out;
	if (cli->json) {
		out_begin(cli, 0);
		mailbox_record(&cli->out, &c.got, shown);
		out_end(&cli->out);
	} else if (shown != NULL) {
		printf("%s\n", shown);
	}
out:
	ma_mailbox_release(&c.got);
	cli_password_free(shown);
	free(hash);
	arg_freetable(at, n);
	return rc;
}

static int
cmd_user_set(struct cli *cli, int argc, char **argv)
{
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS", "the mailbox");
	struct arg_str *name = arg_str0(NULL, "name", "NAME", "full name");
	struct arg_str *quota = arg_str0(NULL, "quota", "SIZE", "quota");
	struct arg_lit *active = arg_lit0(NULL, "active", "enabled");
	struct arg_lit *inactive = arg_lit0(NULL, "inactive", "disabled");
	void *at[] = { address, name, quota, active, inactive };
	struct user_change c;
	uint64_t bytes = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	if ((rc = cli_exclusive(cli, active, inactive)) >= 0)
		goto out;
	if (quota->count > 0 && ma_size_parse(quota->sval[0], &bytes,
	    &cli->err) < 0) {
		rc = cli_fail(cli);
		goto out;
	}
	c.req.address = address->sval[0];
	c.req.fields = (name->count ? MA_MBX_NAME : 0) |
	    (quota->count ? MA_MBX_QUOTA : 0) |
	    (active->count || inactive->count ? MA_MBX_ACTIVE : 0);
	c.req.name = name->count ? name->sval[0] : NULL;
	c.req.quota = (int64_t)bytes;
	c.req.active = active->count > 0;
	if (c.req.fields == 0)
		rc = cli_error(cli, EX_USAGE, "nothing to change (see 'mailadm "
		    "user set --help')");
	else if ((rc = user_change_run(cli, &c)) == EX_OK && cli->json) {
		out_begin(cli, 0);
		render_mailbox(&c.got, &cli->out);
		out_end(&cli->out);
	}
out:
	ma_mailbox_release(&c.got);
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
cmd_user_passwd(struct cli *cli, int argc, char **argv)
{
	struct pw_opts p;
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS", "the mailbox");
	void *at[6] = { address };
	size_t n = 1 + pw_opts_table(&p, at + 1);
	struct user_change c;
	char *hash = NULL, *shown = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cli, argc, argv, at, n)) < 0 &&
	    (rc = password_hash(cli, &p, &hash, &shown)) < 0) {
		c.req.address = address->sval[0];
		c.req.fields = MA_MBX_PASSWORD;
		c.req.password = hash;
		if ((rc = user_change_run(cli, &c)) == EX_OK && shown != NULL)
			printf(cli->json ? "{\"password\": \"%s\"}\n" : "%s\n",
			    shown);
	}
	ma_mailbox_release(&c.got);
	cli_password_free(shown);
	free(hash);
	arg_freetable(at, n);
	return rc;
}

static int
user_toggle(struct cli *cli, int argc, char **argv, int active)
{
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS", "the mailbox");
	void *at[] = { address };
	struct user_change c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) < 0) {
		c.req.address = address->sval[0];
		c.req.fields = MA_MBX_ACTIVE;
		c.req.active = active;
		rc = user_change_run(cli, &c);
	}
	ma_mailbox_release(&c.got);
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
cmd_user_enable(struct cli *cli, int argc, char **argv)
{
	return user_toggle(cli, argc, argv, 1);
}

static int
cmd_user_disable(struct cli *cli, int argc, char **argv)
{
	return user_toggle(cli, argc, argv, 0);
}

static int
cmd_user_verify(struct cli *cli, int argc, char **argv)
{
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS", "the mailbox");
	struct arg_lit *from_stdin = arg_lit0(NULL, "password-stdin",
	    "read the password from standard input (one line)");
	void *at[] = { address, from_stdin };
	struct ma_mailbox m;
	char *pw = NULL;
	int rc, found;

	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	found = ma_mailbox_get(cli->db, address->sval[0], &m, &cli->err);
	if (found <= 0) {
		char q[MA_QUOTE_MAX];

		rc = found < 0 ? cli_fail(cli) : cli_error(cli, EX_NOUSER,
		    "no such mailbox '%s'", ma_quote(address->sval[0], q,
		    sizeof(q)));
		goto out;
	}
	if ((rc = cli_read_password(cli, from_stdin->count > 0, 0, &pw)) < 0) {
		rc = ma_passwd_verify(m.password, pw, &cli->err);
		/* 0 the password matches, 1 it does not (SPEC). */
		rc = rc < 0 ? cli_fail(cli) : rc == 1 ? EX_OK : 1;
		if (cli->json && rc <= 1)
			printf("{\"match\": %s}\n", rc == EX_OK ? "true" : "false");
		cli->printed = 1;
	}
	cli_password_free(pw);
	ma_mailbox_release(&m);
out:
	arg_freetable(at, NELEM(at));
	return rc;
}

struct user_del {
	const char		*address;
	struct ma_mailbox	 got;
};

static int
user_del_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct user_del *d = arg;

	ma_mailbox_release(&d->got);
	return ma_mailbox_del(db, d->address, &d->got, err);
}

static int
cmd_user_del(struct cli *cli, int argc, char **argv)
{
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS", "the mailbox");
	struct arg_lit *keep = arg_lit0(NULL, "keep-maildir",
	    "leave the Maildir where it is");
	struct arg_lit *purge = arg_lit0(NULL, "purge-maildir",
	    "delete the Maildir and its mail");
	void *at[] = { address, keep, purge };
	enum ma_on_delete how;
	struct user_del d;
	int rc;

	memset(&d, 0, sizeof(d));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	if ((rc = cli_exclusive(cli, keep, purge)) >= 0)
		goto out;
	how = keep->count ? MA_DELETE_KEEP : purge->count ? MA_DELETE_PURGE :
	    cli->conf.maildir_on_delete;
	d.address = address->sval[0];
	if ((rc = cli_change(cli, user_del_txn, &d)) == EX_OK)
		rc = cli_maildir_dispose(cli, d.got.address, d.got.maildir, how);
out:
	ma_mailbox_release(&d.got);
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
show_mailbox(struct cli *cli, const char *key)
{
	struct ma_mailbox m;
	int found = ma_mailbox_get(cli->db, key, &m, &cli->err);

	if (found == 1) {
		out_begin(cli, 0);
		render_mailbox(&m, &cli->out);
		out_end(&cli->out);
		ma_mailbox_release(&m);
	}
	return found;
}

static int
cmd_user_show(struct cli *cli, int argc, char **argv)
{
	static const struct cli_show show = { "ADDRESS", "the mailbox",
	    "mailbox", EX_NOUSER, show_mailbox };

	return cli_show(cli, argc, argv, &show);
}

static int
list_mailboxes(struct cli *cli, const char *domain)
{
	return ma_mailbox_list(cli->db, domain, render_mailbox, &cli->out,
	    &cli->err);
}

static int
cmd_user_list(struct cli *cli, int argc, char **argv)
{
	static const struct cli_list list = { "only this domain's mailboxes",
	    list_mailboxes };

	return cli_list(cli, argc, argv, &list);
}

#define W (CLI_DB | CLI_WRITES)
static const struct cli_cmd user_cmds[] = {
	{ "add", cmd_user_add, "create a mailbox and its Maildir", W,
	    OPERAND_NONE },
	{ "set", cmd_user_set, "change a mailbox's name, quota or state", W,
	    OPERAND_MAILBOX },
	{ "passwd", cmd_user_passwd, "set a mailbox's password", W,
	    OPERAND_MAILBOX },
	{ "verify", cmd_user_verify, "check a password (exit 0 or 1)", CLI_DB,
	    OPERAND_MAILBOX },
	{ "del", cmd_user_del, "delete a mailbox, archiving its Maildir", W,
	    OPERAND_MAILBOX },
	{ "list", cmd_user_list, "list mailboxes", CLI_DB, OPERAND_DOMAIN },
	{ "show", cmd_user_show, "show a mailbox", CLI_DB, OPERAND_MAILBOX },
	{ "import", cmd_user_import, "create mailboxes from CSV, all or "
	    "nothing", W | CLI_NO_BATCH, OPERAND_FILE },
	{ "enable", cmd_user_enable, "accept mail and logins again", W,
	    OPERAND_MAILBOX },
	{ "disable", cmd_user_disable, "refuse mail and logins", W,
	    OPERAND_MAILBOX },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};
#undef W

const struct cli_group cli_group_user = {
	"user", "manage mailboxes", user_cmds
};
