/* mailadm alias add|del|list|show */
#include <argtable2.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct alias_change {
	const char		*address;
	const char *const	*targets;
	size_t			 ntargets;
	unsigned int		 flags;
	int			 add;
};

static int
alias_change_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct alias_change *c = arg;

	return c->add ? ma_alias_add(db, c->address, c->targets, c->ntargets,
	    c->flags, err) : ma_alias_del(db, c->address, c->targets,
	    c->ntargets, err);
}

/* add and del: ADDRESS then targets (at least one for add). */
static int
alias_change(struct cli *cli, int argc, char **argv, int add)
{
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS",
	    "local@domain, or @domain for a catch-all");
	struct arg_str *targets = arg_strn(NULL, NULL, "TARGET", add ? 1 : 0,
	    1000, add ? "addresses to forward to" : "targets to remove "
	    "(none: the whole alias)");
	struct arg_lit *force = arg_lit0(NULL, "force",
	    "accept targets in our domains that do not exist");
	void *at[] = { address, targets, force };
	struct alias_change c;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, add ? 3 : 2)) < 0) {
		c.address = address->sval[0];
		c.targets = targets->sval;
		c.ntargets = (size_t)targets->count;
		c.flags = force->count > 0 ? MA_ALIAS_FORCE : 0;
		c.add = add;
		rc = cli_change(cli, alias_change_txn, &c);
	}
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
cmd_alias_add(struct cli *cli, int argc, char **argv)
{
	return alias_change(cli, argc, argv, 1);
}

static int
cmd_alias_del(struct cli *cli, int argc, char **argv)
{
	return alias_change(cli, argc, argv, 0);
}

static int
render_alias(const struct ma_alias *a, void *arg)
{
	struct out *o = arg;

	out_record(o);
	out_str(o, "address", a->address);
	out_strv(o, "targets", a->targets.v, a->targets.n);
	out_bool(o, "active", a->active);
	out_bool(o, "mailbox", a->is_mailbox);
	if (o->mode != OUT_LONG) {
		out_str(o, "domain", a->domain);
		out_time(o, "created", a->created);
		out_time(o, "modified", a->modified);
	}
	out_record_end(o);
	return 0;
}

static int
show_alias(struct cli *cli, const char *key)
{
	struct ma_alias a;
	int found = ma_alias_get(cli->db, key, &a, &cli->err);

	if (found == 1) {
		out_begin(cli, 0);
		render_alias(&a, &cli->out);
		out_end(&cli->out);
		ma_alias_release(&a);
	}
	return found;
}

static int
cmd_alias_show(struct cli *cli, int argc, char **argv)
{
	static const struct cli_show show = { "ADDRESS", "the alias", "alias",
	    EX_NOUSER, show_alias };

	return cli_show(cli, argc, argv, &show);
}

static int
list_aliases(struct cli *cli, const char *domain)
{
	return ma_alias_list(cli->db, domain, render_alias, &cli->out,
	    &cli->err);
}

static int
cmd_alias_list(struct cli *cli, int argc, char **argv)
{
	static const struct cli_list list = { "only this domain's aliases",
	    list_aliases };

	return cli_list(cli, argc, argv, &list);
}

#define W (CLI_DB | CLI_WRITES)
static const struct cli_cmd alias_cmds[] = {
	{ "add", cmd_alias_add, "forward an address (or @domain) to targets", W,
	    OPERAND_NONE },
	{ "del", cmd_alias_del, "remove targets, or the whole alias", W,
	    OPERAND_ALIAS },
	{ "list", cmd_alias_list, "list aliases", CLI_DB, OPERAND_DOMAIN },
	{ "show", cmd_alias_show, "show an alias", CLI_DB, OPERAND_ALIAS },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};
#undef W

const struct cli_group cli_group_alias = {
	"alias", "manage aliases, forwards and catch-alls", alias_cmds
};
