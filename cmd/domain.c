/* mailadm domain add|set|del|list|show|enable|disable, domain alias … */
#include <argtable2.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The options add and set share; set adds the ones that undo a flag. */
struct domain_opts {
	struct arg_str *description, *quota, *max_quota, *domain_quota,
	    *max_mailboxes, *max_aliases, *transport;
	struct arg_lit *backup_mx, *require_auth, *inactive;
	struct arg_lit *no_backup_mx, *no_require_auth, *active;
	struct arg_str *name;
};

static size_t
domain_opts_table(struct domain_opts *o, int set, void **at)
{
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	at[n++] = o->name = arg_str1(NULL, NULL, "DOMAIN", "the domain");
	at[n++] = o->description = arg_str0(NULL, "description", "TEXT",
	    "free text");
	at[n++] = o->quota = arg_str0(NULL, "quota", "SIZE",
	    "quota of each new mailbox");
	at[n++] = o->max_quota = arg_str0(NULL, "max-quota", "SIZE",
	    "largest quota one mailbox may have");
	at[n++] = o->domain_quota = arg_str0(NULL, "domain-quota", "SIZE",
	    "total of the domain's mailbox quotas");
	at[n++] = o->max_mailboxes = arg_str0(NULL, "max-mailboxes", "N",
	    "mailbox limit (0 unlimited, -1 disabled)");
	at[n++] = o->max_aliases = arg_str0(NULL, "max-aliases", "N",
	    "alias limit (0 unlimited, -1 disabled)");
	at[n++] = o->transport = arg_str0(NULL, "transport", "T",
	    "Postfix transport (default virtual)");
	at[n++] = o->backup_mx = arg_lit0(NULL, "backup-mx",
	    "relay only: this server is a backup MX");
	at[n++] = o->require_auth = arg_lit0(NULL, "require-auth",
	    "senders must log in with SMTP AUTH");
	at[n++] = o->inactive = arg_lit0(NULL, "inactive", "disabled");
	if (set) {
		at[n++] = o->no_backup_mx = arg_lit0(NULL, "no-backup-mx",
		    "deliver locally again");
		at[n++] = o->no_require_auth = arg_lit0(NULL, "no-require-auth",
		    "stop requiring SMTP AUTH");
		at[n++] = o->active = arg_lit0(NULL, "active", "enabled");
	}
	return n;
}

/* An option's limit value into *v, marking field f as set. */
static int
take_limit(struct cli *cli, struct arg_str *opt, int sizes, int64_t *v,
    unsigned int f, struct ma_domain_req *req)
{
	if (opt->count == 0)
		return 0;
	if (ma_limit_parse(opt->sval[0], sizes, v, &cli->err) < 0) {
		ma_err_prefix(&cli->err, "--%s", opt->hdr.longopts);
		return -1;
	}
	req->fields |= f;
	return 0;
}

static int
take_flag(struct cli *cli, struct arg_lit *on, struct arg_lit *off, int *v,
    unsigned int f, struct ma_domain_req *req)
{
	if (on->count > 0 && off != NULL && off->count > 0)
		return ma_fail(&cli->err, MA_EUSAGE, 0, "--%s and --%s exclude "
		    "each other", on->hdr.longopts, off->hdr.longopts);
	if (on->count > 0 || (off != NULL && off->count > 0)) {
		*v = on->count > 0;
		req->fields |= f;
	}
	return 0;
}

static int
domain_req_fill(struct cli *cli, struct domain_opts *o,
    struct ma_domain_req *req)
{
	struct ma_domain *v = &req->values;
	int inactive = 0;

	memset(req, 0, sizeof(*req));
	req->name = o->name->sval[0];
	req->multiplier = cli->conf.quota_multiplier;
	if (o->description->count > 0) {
		v->description = o->description->sval[0];
		req->fields |= MA_DOM_DESCRIPTION;
	}
	if (o->transport->count > 0) {
		v->transport = o->transport->sval[0];
		req->fields |= MA_DOM_TRANSPORT;
	}
	if (take_limit(cli, o->quota, 1, &v->quota, MA_DOM_QUOTA, req) < 0 ||
	    take_limit(cli, o->max_quota, 1, &v->max_quota, MA_DOM_MAX_QUOTA,
	    req) < 0 ||
	    take_limit(cli, o->domain_quota, 1, &v->domain_quota,
	    MA_DOM_DOMAIN_QUOTA, req) < 0 ||
	    take_limit(cli, o->max_mailboxes, 0, &v->max_mailboxes,
	    MA_DOM_MAX_MAILBOXES, req) < 0 ||
	    take_limit(cli, o->max_aliases, 0, &v->max_aliases,
	    MA_DOM_MAX_ALIASES, req) < 0 ||
	    take_flag(cli, o->backup_mx, o->no_backup_mx, &v->backup_mx,
	    MA_DOM_BACKUP_MX, req) < 0 ||
	    take_flag(cli, o->require_auth, o->no_require_auth,
	    &v->require_auth, MA_DOM_REQUIRE_AUTH, req) < 0 ||
	    take_flag(cli, o->inactive, o->active, &inactive, MA_DOM_ACTIVE,
	    req) < 0)
		return -1;
	v->active = !inactive;
	return 0;
}

static void
render_domain(struct out *o, const struct ma_domain *d, int brief)
{
	char *u = ma_domain_unicode(d->domain);

	out_record(o);
	out_str(o, "domain", d->domain);
	if (!brief)
		out_str(o, "domain_unicode", u != NULL ? u : d->domain);
	out_bool(o, "active", d->active);
	out_int(o, "mailboxes", d->mailbox_count);
	out_limit(o, "max_mailboxes", d->max_mailboxes);
	out_int(o, "aliases", d->alias_count);
	out_limit(o, "max_aliases", d->max_aliases);
	out_size(o, "quota", d->quota);
	out_size(o, "max_quota", d->max_quota);
	out_size(o, "domain_quota", d->domain_quota);
	out_bool(o, "require_auth", d->require_auth);
	if (!brief) {
		out_bool(o, "backup_mx", d->backup_mx);
		out_str(o, "transport", d->transport);
		out_str(o, "alias_of", d->alias_of);
		out_time(o, "created", d->created);
		out_time(o, "modified", d->modified);
	}
	out_str(o, "description", d->description);
	out_record_end(o);
	free(u);
}

/* add and set: the change, then the stored row for output. */
struct domain_change {
	struct ma_domain_req	 req;
	int			 set;
	struct ma_domain	 got;
};

static int
domain_change_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct domain_change *c = arg;
	int rc;

	ma_domain_release(&c->got);
	rc = c->set ? ma_domain_set(db, &c->req, err) :
	    ma_domain_add(db, &c->req, err);
	if (rc == 0 && ma_domain_get(db, c->req.name, &c->got,
	    c->req.multiplier, err) < 0)
		rc = -1;
	return rc;
}

static void
warn_rounding(struct cli *cli, const struct domain_change *c)
{
	const struct ma_domain *want = &c->req.values, *got = &c->got;
	char a[32], b[32];

	if ((c->req.fields & MA_DOM_MAX_QUOTA) && want->max_quota != got->max_quota)
		cli_warn(cli, "max quota %s stored as %s (whole units of "
		    "quota_multiplier)", ma_size_format(want->max_quota, a,
		    sizeof(a)), ma_size_format(got->max_quota, b, sizeof(b)));
	if ((c->req.fields & MA_DOM_DOMAIN_QUOTA) &&
	    want->domain_quota != got->domain_quota)
		cli_warn(cli, "domain quota %s stored as %s (whole units of "
		    "quota_multiplier)", ma_size_format(want->domain_quota, a,
		    sizeof(a)), ma_size_format(got->domain_quota, b, sizeof(b)));
}

static int
domain_add_or_set(struct cli *cli, int argc, char **argv, int set)
{
	struct domain_opts o;
	struct domain_change c;
	void *at[16];
	size_t n = domain_opts_table(&o, set, at);
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cli, argc, argv, at, n)) >= 0)
		goto out;
	if (domain_req_fill(cli, &o, &c.req) < 0) {
		rc = cli_fail(cli);
		goto out;
	}
	if (set && c.req.fields == 0) {
		rc = cli_error(cli, EX_USAGE, "nothing to change (see 'mailadm "
		    "domain set --help')");
		goto out;
	}
	c.set = set;
	if ((rc = cli_change(cli, domain_change_txn, &c)) == EX_OK) {
		warn_rounding(cli, &c);
		if (cli->json) {
			out_begin(cli, 0);
			render_domain(&cli->out, &c.got, 0);
			out_end(&cli->out);
		}
	}
out:
	ma_domain_release(&c.got);
	arg_freetable(at, n);
	return rc;
}

static int
cmd_domain_add(struct cli *cli, int argc, char **argv)
{
	return domain_add_or_set(cli, argc, argv, 0);
}

static int
cmd_domain_set(struct cli *cli, int argc, char **argv)
{
	return domain_add_or_set(cli, argc, argv, 1);
}

/* enable and disable: a set of the active flag alone. */
static int
domain_toggle(struct cli *cli, int argc, char **argv, int active)
{
	struct arg_str *name = arg_str1(NULL, NULL, "DOMAIN", "the domain");
	void *at[] = { name };
	struct domain_change c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) < 0) {
		c.set = 1;
		c.req.name = name->sval[0];
		c.req.fields = MA_DOM_ACTIVE;
		c.req.values.active = active;
		c.req.multiplier = cli->conf.quota_multiplier;
		rc = cli_change(cli, domain_change_txn, &c);
	}
	ma_domain_release(&c.got);
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
cmd_domain_enable(struct cli *cli, int argc, char **argv)
{
	return domain_toggle(cli, argc, argv, 1);
}

static int
cmd_domain_disable(struct cli *cli, int argc, char **argv)
{
	return domain_toggle(cli, argc, argv, 0);
}

/* A deleted mailbox's address and Maildir, to archive after the commit. */
struct gone {
	char	address[MA_ADDRESS_MAX + 1];
	char	maildir[MA_MAILDIR_MAX + 1];
};

struct domain_del {
	const char	*name;
	int		 force;
	struct gone	*gone;
	size_t		 ngone;
};

static int
note_mailbox(const struct ma_mailbox *m, void *arg)
{
	struct domain_del *d = arg;
	struct gone *v = realloc(d->gone, (d->ngone + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	d->gone = v;
	snprintf(v[d->ngone].address, sizeof(v->address), "%s", m->address);
	snprintf(v[d->ngone].maildir, sizeof(v->maildir), "%s", m->maildir);
	d->ngone++;
	return 0;
}

static int
domain_del_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct domain_del *d = arg;
	char name[MA_DOMAIN_MAX + 1];

	d->ngone = 0;
	if (d->force && ma_domain_normalize(d->name, name, err) == 0 &&
	    ma_mailbox_list(db, name, note_mailbox, d, err) < 0)
		return -1;
	return ma_domain_del(db, d->name, d->force, err);
}

static int
cmd_domain_del(struct cli *cli, int argc, char **argv)
{
	struct arg_str *name = arg_str1(NULL, NULL, "DOMAIN", "the domain");
	struct arg_lit *force = arg_lit0(NULL, "force",
	    "also delete its mailboxes, aliases and alias domains");
	void *at[] = { name, force };
	struct domain_del d;
	size_t i;
	int rc, r, changed;

	memset(&d, 0, sizeof(d));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) < 0) {
		d.name = name->sval[0];
		d.force = force->count > 0;
		rc = cli_change(cli, domain_del_txn, &d);
	}
	/* The rows are gone: their Maildirs follow maildir_on_delete. */
	for (i = 0, changed = rc == EX_OK; changed && i < d.ngone; i++) {
		r = cli_maildir_dispose(cli, d.gone[i].address,
		    d.gone[i].maildir, cli->conf.maildir_on_delete);
		if (rc == EX_OK)
			rc = r;
	}
	free(d.gone);
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
show_domain(struct cli *cli, const char *key)
{
	struct ma_domain d;
	int found = ma_domain_get(cli->db, key, &d, cli->conf.quota_multiplier,
	    &cli->err);

	if (found == 1) {
		out_begin(cli, 0);
		render_domain(&cli->out, &d, 0);
		out_end(&cli->out);
		ma_domain_release(&d);
	}
	return found;
}

static int
cmd_domain_show(struct cli *cli, int argc, char **argv)
{
	static const struct cli_show show = { "DOMAIN", "the domain", "domain",
	    EX_NOHOST, show_domain };

	return cli_show(cli, argc, argv, &show);
}

static int
list_one(const struct ma_domain *d, void *arg)
{
	struct cli *cli = arg;

	render_domain(&cli->out, d, cli->out.mode == OUT_LONG);
	return 0;
}

static int
list_domains(struct cli *cli, const char *filter)
{
	(void)filter;
	return ma_domain_list(cli->db, cli->conf.quota_multiplier, list_one,
	    cli, &cli->err);
}

static int
cmd_domain_list(struct cli *cli, int argc, char **argv)
{
	static const struct cli_list list = { NULL, list_domains };

	return cli_list(cli, argc, argv, &list);
}

struct alias_domain_change {
	const char	*alias, *target;
};

static int
alias_domain_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct alias_domain_change *c = arg;

	return c->target != NULL ? ma_alias_domain_add(db, c->alias, c->target,
	    err) : ma_alias_domain_del(db, c->alias, err);
}

static int
cmd_domain_alias_add(struct cli *cli, int argc, char **argv)
{
	struct arg_str *alias = arg_str1(NULL, NULL, "ALIAS_DOMAIN",
	    "a domain whose mail goes to TARGET_DOMAIN");
	struct arg_str *target = arg_str1(NULL, NULL, "TARGET_DOMAIN",
	    "the domain that has the mailboxes");
	void *at[] = { alias, target };
	struct alias_domain_change c;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) < 0) {
		c.alias = alias->sval[0];
		c.target = target->sval[0];
		rc = cli_change(cli, alias_domain_txn, &c);
	}
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
cmd_domain_alias_del(struct cli *cli, int argc, char **argv)
{
	struct arg_str *alias = arg_str1(NULL, NULL, "ALIAS_DOMAIN",
	    "the alias domain");
	void *at[] = { alias };
	struct alias_domain_change c;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) < 0) {
		c.alias = alias->sval[0];
		c.target = NULL;
		rc = cli_change(cli, alias_domain_txn, &c);
	}
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
alias_domain_one(const char *alias, const char *target, int active,
    void *arg)
{
	struct out *o = arg;

	out_record(o);
	out_str(o, "alias_domain", alias);
	out_str(o, "target_domain", target);
	out_bool(o, "active", active);
	out_record_end(o);
	return 0;
}

static int
list_alias_domains(struct cli *cli, const char *filter)
{
	(void)filter;
	return ma_alias_domain_list(cli->db, alias_domain_one, &cli->out,
	    &cli->err);
}

static int
cmd_domain_alias_list(struct cli *cli, int argc, char **argv)
{
	static const struct cli_list list = { NULL, list_alias_domains };

	return cli_list(cli, argc, argv, &list);
}

#define W (CLI_DB | CLI_WRITES)
static const struct cli_cmd domain_cmds[] = {
	{ "add", cmd_domain_add, "create a domain", W, OPERAND_NONE },
	{ "set", cmd_domain_set, "change a domain's settings", W,
	    OPERAND_DOMAIN },
	{ "del", cmd_domain_del, "delete a domain", W, OPERAND_DOMAIN },
	{ "list", cmd_domain_list, "list domains", CLI_DB, OPERAND_NONE },
	{ "show", cmd_domain_show, "show a domain", CLI_DB, OPERAND_DOMAIN },
	{ "enable", cmd_domain_enable, "accept mail and logins again", W,
	    OPERAND_DOMAIN },
	{ "disable", cmd_domain_disable, "refuse mail and logins", W,
	    OPERAND_DOMAIN },
	{ "alias add", cmd_domain_alias_add, "make a domain an alias of "
	    "another", W, OPERAND_DOMAIN },
	{ "alias del", cmd_domain_alias_del, "remove an alias domain", W,
	    OPERAND_ALIAS_DOMAIN },
	{ "alias list", cmd_domain_alias_list, "list alias domains", CLI_DB,
	    OPERAND_NONE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};
#undef W

const struct cli_group cli_group_domain = {
	"domain", "manage virtual domains and alias domains", domain_cmds
};
