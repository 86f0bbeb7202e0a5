/* mailadm quota set|show|report|recalc (warn and policy: quota_*.c) */
#include <argtable2.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_quota.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
quota_state_name(enum ma_quota_state s)
{
	switch (s) {
	case MA_QS_OK:			return "ok";
	case MA_QS_RECALCULATED:	return "recalculated";
	case MA_QS_COUNTED:		return "counted";
	case MA_QS_NO_MAILDIR:		return "no Maildir";
	}
	return "?";
}

void
quota_record(struct out *o, const char *address, const struct ma_quota_usage *u)
{
	out_record(o);
	out_str(o, "address", address);
	out_size(o, "quota", u->limit_bytes);
	out_usage(o, "used", u->bytes);
	out_int(o, "messages", u->count);
	out_int(o, "percent", u->percent);
	out_str(o, "state", quota_state_name(u->state));
}

/* ------------------------------------------------------------ targets */

#define BLOCK 65536

/* A copy of s in t's blocks (a malloc per block, not per string). */
static char *
keep(struct quota_targets *t, const char *s)
{
	size_t len = strlen(s) + 1;
	char **v, *b;

	if (t->nblocks == 0 || t->used + len > BLOCK) {
		if ((v = realloc(t->blocks, (t->nblocks + 1) *
		    sizeof(*v))) == NULL)
			return NULL;
		t->blocks = v;
		if ((b = malloc(len > BLOCK ? len : BLOCK)) == NULL)
			return NULL;
		t->blocks[t->nblocks++] = b;
		t->used = 0;
	}
	b = t->blocks[t->nblocks - 1] + t->used;
	memcpy(b, s, len);
	t->used += len;
	return b;
}

static int
add_target(const struct ma_mailbox_brief *m, void *arg)
{
	struct quota_targets *t = arg;
	struct quota_target *v;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		if ((v = realloc(t->v, t->cap * sizeof(*v))) == NULL)
			return -1;
		t->v = v;
	}
	v = &t->v[t->n];
	if ((v->address = keep(t, m->address)) == NULL ||
	    (v->maildir = keep(t, m->maildir)) == NULL)
		return -1;
	v->domain = strchr(v->address, '@') != NULL ?
	    strchr(v->address, '@') + 1 : "";
	v->quota = m->quota;
	v->active = m->active;
	t->n++;
	return 0;
}

static int
by_address(const void *a, const void *b)
{
	return strcmp(((const struct quota_target *)a)->address,
	    ((const struct quota_target *)b)->address);
}

int
quota_targets_get(struct cli *cli, const char *which, struct quota_targets *t)
{
	struct ma_mailbox_brief b;
	struct ma_mailbox m;
	struct ma_domain d;
	char q[MA_QUOTE_MAX];
	int rc;

	memset(t, 0, sizeof(*t));
	/* Listed first, worked on after: no read lock held meanwhile. */
	if (which == NULL || *which == '@') {
		if (which != NULL) {
			rc = ma_domain_get(cli->db, which + 1, &d,
			    cli->conf.quota_multiplier, &cli->err);
			if (rc == 0)
				return cli_error(cli, EX_NOHOST, "no such domain "
				    "'%s'", ma_quote(which + 1, q, sizeof(q)));
			if (rc < 0)
				return cli_fail(cli);
			ma_domain_release(&d);
		}
		if (ma_mailbox_list_brief(cli->db, which ? which + 1 : NULL,
		    add_target, t, &cli->err) < 0)
			return cli_fail(cli);
		/* In address order, as the database would give them. */
		qsort(t->v, t->n, sizeof(*t->v), by_address);
		return -1;
	}
	if ((rc = ma_mailbox_get(cli->db, which, &m, &cli->err)) < 0)
		return cli_fail(cli);
	if (rc == 0)
		return cli_error(cli, EX_NOUSER, "no such mailbox '%s'",
		    ma_quote(which, q, sizeof(q)));
	b.address = m.address;
	b.maildir = m.maildir;
	b.quota = m.quota;
	b.active = m.active;
	rc = add_target(&b, t);
	ma_mailbox_release(&m);
	return rc < 0 ? cli_error(cli, EX_OSERR, "out of memory") : -1;
}

void
quota_targets_release(struct quota_targets *t)
{
	size_t i;

	for (i = 0; i < t->nblocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int
quota_vmail_open(struct cli *cli, struct ma_vmail *v)
{
	struct ma_maildir_opts dirs;

	cli_maildir_opts(cli, &dirs);
	return ma_vmail_open(v, &dirs, &cli->err) < 0 ? cli_fail(cli) : -1;
}

int
quota_usage_of(struct cli *cli, const struct ma_vmail *v,
    const struct quota_target *t, unsigned int flags,
    struct ma_quota_usage *u)
{
	struct ma_quota_req r = { t->maildir, t->quota, 0, 0, flags,
	    time(NULL) };

	if (cli->dry_run)
		r.flags |= MA_QUOTA_READONLY;
	if (ma_quota_usage(v, &r, u, &cli->err) == 0)
		return 0;
	ma_err_prefix(&cli->err, "mailbox '%s'", t->address);
	return -1;
}

/* -------------------------------------------------------------- set */

struct quota_set {
	const char		*target;	/* address, or @domain */
	int64_t			 quota;
	uint64_t		 multiplier;
	int64_t			 changed;
	struct ma_mailbox	 got;
};

static int
quota_set_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct quota_set *s = arg;
	struct ma_mailbox_req req;

	if (*s->target == '@')
		return ma_domain_quota_set(db, s->target + 1, s->quota,
		    s->multiplier, &s->changed, err);
	memset(&req, 0, sizeof(req));
	req.address = s->target;
	req.fields = MA_MBX_QUOTA;
	req.quota = s->quota;
	req.multiplier = s->multiplier;
	ma_mailbox_release(&s->got);
	return ma_mailbox_set(db, &req, &s->got, err);
}

/* "-1" is no option here but a size: say why it is refused. */
static int
negative_size(struct cli *cli, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1]))
			return cli_error(cli, EX_DATAERR, "invalid size '%s': "
			    "sizes are not negative (0 or 'unlimited' for no "
			    "limit)", argv[i]);
	return -1;
}

static int
cmd_quota_set(struct cli *cli, int argc, char **argv)
{
	struct arg_str *target = arg_str1(NULL, NULL, "ADDRESS|@DOMAIN",
	    "a mailbox, or @domain for all of its mailboxes and new ones");
	struct arg_str *size = arg_str1(NULL, NULL, "SIZE",
	    "bytes, or with K, M, G, T; 0 or unlimited");
	void *at[] = { target, size };
	struct quota_set s;
	struct quota_targets t;
	uint64_t bytes;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	if ((rc = negative_size(cli, argc, argv)) >= 0 ||
	    (rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	if (ma_size_parse(size->sval[0], &bytes, &cli->err) < 0) {
		rc = cli_fail(cli);
		goto out;
	}
	s.target = target->sval[0];
	s.quota = (int64_t)bytes;
	s.multiplier = cli->conf.quota_multiplier;
	if ((rc = cli_change(cli, quota_set_txn, &s)) != EX_OK || cli->dry_run)
		goto out;
	/* Committed: the delivery agent must enforce it at once. */
	if (*s.target != '@')
		cli_maildir_quota(cli, s.got.address, s.got.maildir, s.quota);
	else if ((rc = quota_targets_get(cli, s.target, &t)) < 0) {
		for (i = 0; i < t.n; i++)
			cli_maildir_quota(cli, t.v[i].address, t.v[i].maildir,
			    s.quota);
		rc = EX_OK;
	}
out:
	quota_targets_release(&t);
	ma_mailbox_release(&s.got);
	arg_freetable(at, NELEM(at));
	return rc;
}

/* ------------------------------------------------------------- show */

static int
cmd_quota_show(struct cli *cli, int argc, char **argv)
{
	struct arg_str *address = arg_str1(NULL, NULL, "ADDRESS",
	    "the mailbox");
	void *at[] = { address };
	struct quota_targets t;
	struct ma_quota_usage u;
	struct ma_vmail v;
	int rc;

	memset(&t, 0, sizeof(t));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	if (*address->sval[0] == '@') {
		rc = cli_error(cli, EX_USAGE, "show takes one mailbox; for a "
		    "domain see 'mailadm quota report DOMAIN'");
		goto out;
	}
	if ((rc = quota_targets_get(cli, address->sval[0], &t)) >= 0 ||
	    (rc = quota_vmail_open(cli, &v)) >= 0)
		goto out;
	if (quota_usage_of(cli, &v, &t.v[0], MA_QUOTA_NO_WRITE_ERR, &u) < 0) {
		rc = cli_fail(cli);
	} else {
		out_begin(cli, 0);
		quota_record(&cli->out, t.v[0].address, &u);
		out_limit(&cli->out, "message_quota", u.limit_count);
		out_bool(&cli->out, "warned", ma_quota_warned(&v,
		    t.v[0].maildir));
		out_str(&cli->out, "note", u.why[0] ? u.why : NULL);
		out_record_end(&cli->out);
		out_end(&cli->out);
		rc = EX_OK;
	}
	ma_vmail_close(&v);
out:
	quota_targets_release(&t);
	arg_freetable(at, NELEM(at));
	return rc;
}

/* ----------------------------------------------------------- report */

int
quota_parse_percent(struct cli *cli, const struct arg_str *opt, int *out)
{
	char q[MA_QUOTE_MAX], *end;
	long n;

	n = strtol(opt->sval[0], &end, 10);
	if (!isdigit((unsigned char)opt->sval[0][0]) || *end != '\0' ||
	    n > 1000000)
		return cli_error(cli, EX_DATAERR, "--%s: invalid percentage "
		    "'%s': expected a whole number (80, or 100 for full ones)",
		    opt->hdr.longopts, ma_quote(opt->sval[0], q, sizeof(q)));
	*out = (int)n;
	return -1;
}

static int
cmd_quota_report(struct cli *cli, int argc, char **argv)
{
	struct arg_str *domain = arg_str0(NULL, NULL, "DOMAIN",
	    "only this domain's mailboxes");
	struct arg_str *over = arg_str0(NULL, "over", "PERCENT",
	    "only mailboxes at or over PERCENT of their quota (exit 1 if any)");
	void *at[] = { domain, over };
	struct quota_targets t;
	struct ma_quota_usage u;
	struct ma_vmail v;
	char which[MA_DOMAIN_MAX + 2];
	int rc, min = -1, shown = 0, failed = 0;
	size_t i;

	memset(&t, 0, sizeof(t));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0 ||
	    (over->count && (rc = quota_parse_percent(cli, over, &min)) >= 0))
		goto out;
	snprintf(which, sizeof(which), "@%s", domain->count ?
	    domain->sval[0] : "");
	if ((rc = quota_targets_get(cli, domain->count ? which : NULL,
	    &t)) >= 0 || (rc = quota_vmail_open(cli, &v)) >= 0)
		goto out;
	/* A report is for people: a table, or --json. */
	cli->long_list = 1;
	out_begin(cli, 1);
	for (i = 0; i < t.n; i++) {
		if (quota_usage_of(cli, &v, &t.v[i], MA_QUOTA_NO_WRITE_ERR,
		    &u) < 0) {
			if (failed++ == 0)
				rc = cli_exit_code(cli->err.status);
			cli_complain(cli);
			continue;
		}
		if (u.percent < min)
			continue;
		quota_record(&cli->out, t.v[i].address, &u);
		out_record_end(&cli->out);
		shown++;
	}
	out_end(&cli->out);
	ma_vmail_close(&v);
	if (failed == 0)
		rc = over->count && shown > 0 ? 1 : EX_OK;
out:
	quota_targets_release(&t);
	arg_freetable(at, NELEM(at));
	return rc;
}

/* ----------------------------------------------------------- recalc */

/* "\r1234/10000" on a terminal, so a long run shows it is alive. */
static void
progress(struct cli *cli, size_t done, size_t all)
{
	if (cli->quiet || !isatty(STDERR_FILENO))
		return;
	if (done < all && done % 100 != 0)
		return;
	fprintf(stderr, "\rmailadm: %s: %zu/%zu mailboxes%s", cli->name, done,
	    all, done == all ? "\n" : "");
}

/* Recount one mailbox: -1 done, else an exit code (cli->err set). */
static int
recalc_one(struct cli *cli, const struct ma_vmail *v,
    const struct quota_target *t, int named, struct ma_quota_usage *u)
{
	if (quota_usage_of(cli, v, t, MA_QUOTA_RECALC, u) < 0)
		return cli_exit_code(cli->err.status);
	if (u->state != MA_QS_NO_MAILDIR) {
		if (cli->verbose)
			fprintf(stderr, "mailadm: %s%s: %lld bytes in %lld "
			    "messages\n", cli->dry_run ? "dry run, would "
			    "write: " : "", t->address, (long long)u->bytes,
			    (long long)u->count);
		return -1;
	}
	/* One mailbox asked for by name must have its Maildir. */
	if (named) {
		ma_fail(&cli->err, MA_ENOINPUT, 0, "mailbox '%s' has no "
		    "Maildir '%s/%s'", t->address, cli->conf.vmail_base,
		    t->maildir);
		return EX_NOINPUT;
	}
	cli_warn(cli, "mailbox '%s' has no Maildir", t->address);
	return -1;
}

static int
cmd_quota_recalc(struct cli *cli, int argc, char **argv)
{
	struct arg_str *target = arg_str0(NULL, NULL, "ADDRESS|@DOMAIN",
	    "a mailbox, or @domain for all of its mailboxes");
	struct arg_lit *all = arg_lit0(NULL, "all", "every mailbox");
	void *at[] = { target, all };
	struct quota_targets t;
	struct ma_quota_usage u;
	struct ma_vmail v;
	int rc, r, named;
	size_t i;

	memset(&t, 0, sizeof(t));
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	if (target->count + all->count != 1) {
		rc = cli_error(cli, EX_USAGE, "give one of ADDRESS, @DOMAIN "
		    "and --all");
		goto out;
	}
	named = target->count && *target->sval[0] != '@';
	if ((rc = quota_targets_get(cli, all->count ? NULL : target->sval[0],
	    &t)) >= 0 || (rc = quota_vmail_open(cli, &v)) >= 0)
		goto out;
	/* One mailbox: its error is the command's, as a JSON error too. */
	if (named && (rc = recalc_one(cli, &v, &t.v[0], 1, &u)) >= 0) {
		rc = cli_fail(cli);
		goto close;
	}
	if (cli->json)
		out_begin(cli, 1);
	rc = EX_OK;
	for (i = 0; i < t.n; i++) {
		progress(cli, i, t.n);
		if (!named && (r = recalc_one(cli, &v, &t.v[i], 0, &u)) >= 0) {
			if (rc == EX_OK)
				rc = r;
			cli_complain(cli);
			continue;
		}
		if (cli->json) {
			quota_record(&cli->out, t.v[i].address, &u);
			out_record_end(&cli->out);
		}
	}
	progress(cli, t.n, t.n);
	if (cli->json)
		out_end(&cli->out);
close:
	ma_vmail_close(&v);
out:
	quota_targets_release(&t);
	arg_freetable(at, NELEM(at));
	return rc;
}

#define W (CLI_DB | CLI_WRITES)
static const struct cli_cmd quota_cmds[] = {
	{ "set", cmd_quota_set, "set the quota of a mailbox or a domain", W,
	    OPERAND_QUOTA_TARGET },
	{ "show", cmd_quota_show, "show a mailbox's quota and usage", CLI_DB,
	    OPERAND_MAILBOX },
	{ "report", cmd_quota_report, "usage of every mailbox", CLI_DB,
	    OPERAND_DOMAIN },
	{ "recalc", cmd_quota_recalc, "rebuild maildirsize from the files", W,
	    OPERAND_QUOTA_TARGET },
	{ "warn", cmd_quota_warn, "warn the mailboxes over the threshold", W,
	    OPERAND_NONE },
	{ "policy", cmd_quota_policy, "Postfix policy service on stdin/stdout",
	    0, OPERAND_NONE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};
#undef W

const struct cli_group cli_group_quota = {
	"quota", "mailbox quotas: usage, warnings, Postfix policy", quota_cmds
};
