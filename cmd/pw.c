/*
 * mailadm pw [-s SCHEME] | -t HASH | -l: make a password hash, check a
 * password against one, list the schemes, as doveadm pw does.  The
 * password comes from the terminal or --password-stdin, never from argv.
 */
#include <argtable2.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct pw_opts {
	struct arg_lit	*list, *lng, *from_stdin;
	struct arg_str	*scheme, *test;
};

static void
render_schemes(struct cli *cli)
{
	const struct ma_passwd_scheme *s, *dflt;
	struct out *o = &cli->out;
	size_t i, n;

	dflt = ma_passwd_scheme(cli->conf.password_scheme);
	s = ma_passwd_schemes(&n);
	out_begin(cli, 1);
	for (i = 0; i < n; i++) {
		out_record(o);
		out_str(o, "scheme", s[i].name);
		out_bool(o, "generate", s[i].flags & MA_PW_GENERATE);
		out_bool(o, "default", &s[i] == dflt);
		out_bool(o, "courier", s[i].verifiers & MA_PW_COURIER);
		out_bool(o, "dovecot", s[i].verifiers & MA_PW_DOVECOT);
		out_bool(o, "cyrus", s[i].verifiers & MA_PW_CYRUS);
		out_str(o, "about", s[i].about);
		out_record_end(o);
	}
	out_end(o);
}

/* The warnings of SPEC §8: what the configured servers cannot verify. */
static void
warn_scheme(struct cli *cli, const struct ma_passwd_scheme *s)
{
	int prefix = cli->conf.password_prefix;

	if (s->flags & MA_PW_CLEAR)
		cli_warn(cli, "PLAIN stores the password itself, readable by "
		    "anyone who can read the database; courier-authlib "
		    "cannot verify {PLAIN}");
	else if (!ma_passwd_courier_ok(s->name, prefix))
		cli_warn(cli, "%s%s hashes cannot be verified by "
		    "courier-authlib, nor by Cyrus SASL through authdaemond; "
		    "only Dovecot reads them", s->name, s->kind ==
		    MA_PWK_CRYPT && prefix ? " (with password_prefix = yes)" :
		    "");
	if ((s->flags & MA_PW_WEAK) && !(s->flags & MA_PW_CLEAR))
		cli_warn(cli, "%s is weak: prefer SHA512-CRYPT or YESCRYPT",
		    s->name);
}

static int
pw_make(struct cli *cli, struct pw_opts *o)
{
	const struct ma_passwd_scheme *s;
	const char *name = o->scheme->count > 0 ? o->scheme->sval[0] :
	    cli->conf.password_scheme;
	char *pw = NULL, *hash = NULL;
	int rc;

	if ((s = ma_passwd_generator(name, &cli->err)) == NULL) {
		if (o->scheme->count > 0)
			return cli_fail(cli);
		ma_err_prefix(&cli->err, "password_scheme");
		return cli_error(cli, EX_CONFIG, "%s", cli->err.msg);
	}
	warn_scheme(cli, s);
	if ((rc = cli_read_password(cli, o->from_stdin->count > 0, 1,
	    &pw)) >= 0)
		return rc;
	if (ma_passwd_hash(s->name, pw, cli->conf.password_prefix, &hash,
	    &cli->err) < 0) {
		rc = cli_fail(cli);
	} else {
		cli->printed = 1;
		if (cli->json) {
			fputs("{\"hash\": ", stdout);
			out_json_string(stdout, hash);
			fputs("}\n", stdout);
		} else {
			printf("%s\n", hash);
		}
		rc = EX_OK;
	}
	cli_password_free(pw);
	/* a {PLAIN} "hash" is the password */
	cli_password_free(hash);
	return rc;
}

static int
pw_test(struct cli *cli, struct pw_opts *o)
{
	const char *hash = o->test->sval[0];
	char *pw = NULL;
	int rc;

	/* A hash we cannot read is reported before asking for a password. */
	if (ma_passwd_identify(hash, NULL, NULL, &cli->err) < 0)
		return cli_fail(cli);
	if ((rc = cli_read_password(cli, o->from_stdin->count > 0, 0,
	    &pw)) >= 0)
		return rc;
	rc = ma_passwd_verify(hash, pw, &cli->err);
	cli_password_free(pw);
	if (rc < 0)
		return cli_fail(cli);
	cli->printed = 1;
	if (cli->json)
		printf("{\"match\": %s}\n", rc ? "true" : "false");
	else if (cli->verbose)
		fprintf(stderr, "mailadm: pw: %s\n", rc ? "the password "
		    "matches" : "the password does not match");
	/* A mismatch is a negative answer (1), as for user verify. */
	return rc ? EX_OK : 1;
}

/*
 * doveadm pw takes -p PASSWORD: say why there is no such option here,
 * rather than just "invalid option".
 */
static int
password_in_argv(int argc, char **argv)
{
	static const char *const with_value[] = { "-t", "--test", "-s",
	    "--scheme", "-c", "--config", "--db", NULL };
	const char *const *v;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		for (v = with_value; *v != NULL; v++)
			if (strcmp(argv[i], *v) == 0)
				break;
		if (*v != NULL)
			i++;
		else if (strcmp(argv[i], "--password-stdin") == 0)
			continue;
		else if (strncmp(argv[i], "-p", 2) == 0 ||
		    strcmp(argv[i], "--password") == 0 ||
		    strncmp(argv[i], "--password=", 11) == 0)
			return 1;
	}
	return 0;
}

static int
cmd_pw(struct cli *cli, int argc, char **argv)
{
	struct pw_opts o;
	void *at[5];
	int rc;

	o.list = arg_lit0("l", "list", "list the schemes");
	o.lng = arg_lit0(NULL, "long", "with -l: who verifies each scheme");
	o.scheme = arg_str0("s", "scheme", "SCHEME",
	    "scheme of the new hash (default: password_scheme)");
	o.test = arg_str0("t", "test", "HASH",
	    "check a password against HASH: exit 0 if it matches, 1 if not");
	o.from_stdin = arg_lit0(NULL, "password-stdin",
	    "read the password from standard input (one line)");
	at[0] = o.list;
	at[1] = o.lng;
	at[2] = o.scheme;
	at[3] = o.test;
	at[4] = o.from_stdin;
	if (!cli->complete && password_in_argv(argc, argv))
		rc = cli_error(cli, EX_USAGE, "passwords are never taken from "
		    "the command line, where ps(1) shows them: use a "
		    "terminal or --password-stdin");
	else if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		;
	else if (o.list->count > 0 && (o.scheme->count > 0 ||
	    o.test->count > 0 || o.from_stdin->count > 0))
		rc = cli_error(cli, EX_USAGE, "-l takes no other option");
	else if (o.lng->count > 0 && o.list->count == 0)
		rc = cli_error(cli, EX_USAGE, "--long goes with -l");
	else if (o.scheme->count > 0 && o.test->count > 0)
		rc = cli_error(cli, EX_USAGE, "-s and -t exclude each other: "
		    "the hash names its scheme");
	else if (o.list->count > 0) {
		cli->long_list = o.lng->count > 0;
		render_schemes(cli);
		rc = EX_OK;
	} else if (o.test->count > 0)
		rc = pw_test(cli, &o);
	else
		rc = pw_make(cli, &o);
	arg_freetable(at, NELEM(at));
	return rc;
}

static const struct cli_cmd pw_cmds[] = {
	{ "", cmd_pw, "make or check a password hash; -l lists the schemes",
	    0, OPERAND_NONE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};

const struct cli_group cli_group_pw = {
	"pw", "password hashes (like doveadm pw)", pw_cmds
};
