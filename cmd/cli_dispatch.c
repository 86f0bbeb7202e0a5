/* Global options, then GROUP VERB dispatched through the command table. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

/* Index of the first word that is not a global option (or its value). */
static int
skip_globals(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--db") == 0)
			i++;
	}
	return i < argc ? i : argc;
}

static int
dispatch(struct cli *cli, int argc, char **argv)
{
	const struct cli_group *g;
	const struct cli_cmd *c;
	int used = 0;

	if (argc == 0) {
		cli_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[0], "help") == 0)
		return cli_help(cli, argc - 1, argv + 1);
	if (strcmp(argv[0], "__complete") == 0)
		return cli_complete(cli, argc - 1, argv + 1);
	if ((g = cli_group_find(argv[0])) == NULL)
		return cli_error(cli, EX_USAGE, "unknown command '%s' (see "
		    "'mailadm help')", argv[0]);
	if (*g->cmds[0].name == '\0')
		c = &g->cmds[0];
	else if (argc == 1 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_help(cli, 1, argv);
	else if ((c = cli_cmd_find(g, argc - 1, argv + 1, &used)) == NULL &&
	    argc == 2 && cli_cmd_is_prefix(g, argv[1]))
		return cli_help(cli, 1, argv);
	if (c == NULL)
		return cli_error(cli, EX_USAGE, "unknown command '%s %s' (see "
		    "'mailadm help %s')", g->name, argv[1], g->name);
	cli_cmd_name(g, c, cli->name_buf, sizeof(cli->name_buf));
	cli->name = cli->name_buf;
	cli->flags = c->flags;
	if (cli->deferred != NULL && (c->flags & CLI_NO_BATCH))
		return cli_error(cli, EX_USAGE, "not inside a batch: run it "
		    "on its own");
	/* The verb's last word becomes argv[0], which argtable skips. */
	return c->fn(cli, argc - used, argv + used);
}

int
cli_run(struct cli *cli, int argc, char **argv)
{
	int first = skip_globals(argc, argv), rc;

	rc = cli_parse(cli, first, argv, NULL, 0);
	if (rc < 0)
		rc = dispatch(cli, argc - first, argv + first);
	/* --json promises one document, even for changes that show nothing. */
	if (rc == EX_OK && cli->json && !cli->printed &&
	    (cli->flags & CLI_WRITES))
		cli_json_changes(cli);
	return rc;
}
