/*
 * "mailadm help" and the hidden "mailadm __complete" that the bash
 * completion calls: both read the command table, so neither can drift.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

void
cli_usage(FILE *fp)
{
	const struct cli_group *const *g;
	const struct cli_cmd *c;
	char name[64];

	fprintf(fp, "usage: mailadm [GLOBAL OPTIONS] GROUP VERB [ARGS] "
	    "[OPTIONS]\n       mailadm help [GROUP [VERB]]\n\ncommands:\n");
	for (g = cli_groups; *g != NULL; g++)
		for (c = (*g)->cmds; c->name != NULL; c++) {
			cli_cmd_name(*g, c, name, sizeof(name));
			fprintf(fp, "  %-22s %s\n", name, c->summary);
		}
	fprintf(fp, "\nglobal options: -c/--config FILE, --db URI, --json, "
	    "-n/--dry-run, -q/--quiet, -v/--verbose, -h/--help, -V/--version\n"
	    "See 'mailadm help GROUP', 'mailadm GROUP VERB --help' and "
	    "mailadm(8).\n");
}

static void
group_usage(const struct cli_group *g, FILE *fp)
{
	const struct cli_cmd *c;

	fprintf(fp, "usage: mailadm %s VERB [ARGS] [OPTIONS]\n%s\n\nverbs:\n",
	    g->name, g->summary);
	for (c = g->cmds; c->name != NULL; c++)
		fprintf(fp, "  %-14s %s\n", c->name, c->summary);
	fprintf(fp, "\nSee 'mailadm %s VERB --help' and mailadm-%s(8).\n",
	    g->name, g->name);
}

/* The command named by argv (GROUP VERB [WORD]), with cli->name set. */
static const struct cli_cmd *
find(struct cli *cli, int argc, char **argv, int *used, char *name,
    size_t size)
{
	const struct cli_group *g;
	const struct cli_cmd *c;

	if (argc < 1 || (g = cli_group_find(argv[0])) == NULL ||
	    (c = cli_cmd_find(g, argc - 1, argv + 1, used)) == NULL)
		return NULL;
	cli_cmd_name(g, c, name, size);
	cli->name = name;
	cli->flags = c->flags;
	return c;
}

int
cli_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_group *g;
	const struct cli_cmd *c;
	char name[64], *help_argv[3];
	int used;

	if (argc == 0) {
		cli_usage(stdout);
		return EX_OK;
	}
	if ((g = cli_group_find(argv[0])) == NULL)
		return cli_error(cli, EX_USAGE, "unknown command '%s' (see "
		    "'mailadm help')", argv[0]);
	if (argc == 1 && *g->cmds[0].name != '\0') {
		group_usage(g, stdout);
		return EX_OK;
	}
	if ((c = find(cli, argc, argv, &used, name, sizeof(name))) == NULL &&
	    argc == 2 && cli_cmd_is_prefix(g, argv[1])) {
		group_usage(g, stdout);
		return EX_OK;
	}
	if (c == NULL)
		return cli_error(cli, EX_USAGE, "unknown command '%s %s'",
		    g->name, argv[1]);
	help_argv[0] = argv[used];
	help_argv[1] = (char *)"--help";
	help_argv[2] = NULL;
	cli->flags = 0;
	return c->fn(cli, 2, help_argv);
}

/* Verb words of g that follow prefix ("" for the first word). */
static void
print_verbs(const struct cli_group *g, const char *prefix)
{
	const struct cli_cmd *c;
	size_t n = strlen(prefix), len;
	const char *w, *last = "";
	size_t lastlen = 0;

	for (c = g->cmds; c->name != NULL; c++) {
		if (n > 0 && (strncmp(c->name, prefix, n) != 0 ||
		    c->name[n] != ' '))
			continue;
		w = c->name + (n > 0 ? n + 1 : 0);
		len = strcspn(w, " ");
		if (len == 0)
			continue;
		/* Two-word verbs share a first word: print it once. */
		if (len == lastlen && strncmp(w, last, len) == 0)
			continue;
		printf("%.*s\n", (int)len, w);
		last = w;
		lastlen = len;
	}
}

static int
print_domain(const struct ma_domain *d, void *arg)
{
	(void)arg;
	return printf("%s\n", d->domain) < 0 ? -1 : 0;
}

static int
print_at_domain(const struct ma_domain *d, void *arg)
{
	(void)arg;
	return printf("@%s\n", d->domain) < 0 ? -1 : 0;
}

static int
print_alias_domain(const char *alias, const char *target, int active,
    void *arg)
{
	(void)target;
	(void)active;
	(void)arg;
	return printf("%s\n", alias) < 0 ? -1 : 0;
}

static int
print_mailbox(const struct ma_mailbox *m, void *arg)
{
	(void)arg;
	return printf("%s\n", m->address) < 0 ? -1 : 0;
}

static int
print_alias(const struct ma_alias *a, void *arg)
{
	(void)arg;
	return printf("%s\n", a->address) < 0 ? -1 : 0;
}

static int
print_name(const char *name, void *arg)
{
	(void)arg;
	return printf("%s\n", name) < 0 ? -1 : 0;
}

/*
 * Names from the database, for operands; the migration presets and
 * charsets, for option values.  Quiet on any error.
 */
static int
complete_names(struct cli *cli, const char *what)
{
	int rc;

	if (strcmp(what, "preset") == 0)
		return ma_map_presets(print_name, NULL, &cli->err) < 0 ?
		    EX_IOERR : EX_OK;
	if (strcmp(what, "charset") == 0)
		return printf("auto\nutf8\nlatin1\n") < 0 ? EX_IOERR : EX_OK;
	if (strcmp(what, "domain") != 0 && strcmp(what, "alias-domain") != 0 &&
	    strcmp(what, "alias") != 0 && strcmp(what, "mailbox") != 0 &&
	    strcmp(what, "quota-target") != 0)
		return EX_USAGE;
	cli->flags = CLI_DB;
	cli->quiet = 1;
	if ((rc = cli_open(cli)) != 0)
		return rc;
	if (strcmp(what, "domain") == 0)
		rc = ma_domain_list(cli->db, cli->conf.quota_multiplier,
		    print_domain, NULL, &cli->err);
	else if (strcmp(what, "mailbox") == 0)
		rc = ma_mailbox_list(cli->db, NULL, print_mailbox, NULL,
		    &cli->err);
	else if (strcmp(what, "quota-target") == 0)
		rc = ma_mailbox_list(cli->db, NULL, print_mailbox, NULL,
		    &cli->err) < 0 ? -1 : ma_domain_list(cli->db,
		    cli->conf.quota_multiplier, print_at_domain, NULL,
		    &cli->err);
	else if (strcmp(what, "alias") == 0)
		rc = ma_alias_list(cli->db, NULL, print_alias, NULL, &cli->err);
	else
		rc = ma_alias_domain_list(cli->db, print_alias_domain, NULL,
		    &cli->err);
	return rc < 0 ? cli_exit_code(cli->err.status) : EX_OK;
}

/*
 * __complete groups | verbs GROUP [WORD] | options GROUP VERB… |
 * operand GROUP VERB… | names domain|alias-domain|alias|mailbox|
 * quota-target|preset|charset
 */
int
cli_complete(struct cli *cli, int argc, char **argv)
{
	static const char *const operands[] = { "", "domain", "alias-domain",
	    "alias", "mailbox", "file", "quota-target" };
	const struct cli_group *const *g;
	const struct cli_cmd *c;
	char name[64], *verb_argv[2];
	int used;

	if (argc >= 1 && strcmp(argv[0], "groups") == 0) {
		for (g = cli_groups; *g != NULL; g++)
			printf("%s\n", (*g)->name);
		printf("help\n");
		return EX_OK;
	}
	if (argc >= 2 && strcmp(argv[0], "verbs") == 0 &&
	    cli_group_find(argv[1]) != NULL) {
		print_verbs(cli_group_find(argv[1]), argc > 2 ? argv[2] : "");
		return EX_OK;
	}
	if (argc >= 2 && strcmp(argv[0], "names") == 0)
		return complete_names(cli, argv[1]);
	if (argc < 2 || (c = find(cli, argc - 1, argv + 1, &used, name,
	    sizeof(name))) == NULL)
		return EX_USAGE;
	if (strcmp(argv[0], "operand") == 0) {
		if (c->operand != OPERAND_NONE)
			printf("%s\n", operands[c->operand]);
		return EX_OK;
	}
	if (strcmp(argv[0], "options") != 0)
		return EX_USAGE;
	cli->complete = 1;
	cli->flags = 0;
	verb_argv[0] = argv[used + 1];
	verb_argv[1] = NULL;
	return c->fn(cli, 1, verb_argv);
}
