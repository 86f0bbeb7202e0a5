/* The one table of command groups; each group lists its own verbs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cli_group *const cli_groups[] = {
	&cli_group_domain,
	&cli_group_user,
	&cli_group_alias,
	&cli_group_migrate,
	&cli_group_quota,
	&cli_group_schema,
	&cli_group_pw,
	&cli_group_batch,
	&cli_group_config,
	NULL
};

const struct cli_group *
cli_group_find(const char *name)
{
	size_t i;

	for (i = 0; cli_groups[i] != NULL; i++)
		if (strcmp(cli_groups[i]->name, name) == 0)
			return cli_groups[i];
	return NULL;
}

void
cli_cmd_name(const struct cli_group *g, const struct cli_cmd *c, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s%s%s", g->name, *c->name ? " " : "", c->name);
}

int
cli_cmd_is_prefix(const struct cli_group *g, const char *word)
{
	const struct cli_cmd *c;
	size_t n = strlen(word);

	for (c = g->cmds; c->name != NULL; c++)
		if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ')
			return 1;
	return 0;
}

const struct cli_cmd *
cli_cmd_find(const struct cli_group *g, int argc, char **argv, int *used)
{
	const struct cli_cmd *c;
	size_t n;

	/* A group without verbs ("mailadm pw -l") is its own command. */
	if (*g->cmds[0].name == '\0') {
		*used = 0;
		return &g->cmds[0];
	}
	for (c = g->cmds; argc > 0 && c->name != NULL; c++) {
		n = strlen(argv[0]);
		if (strcmp(c->name, argv[0]) == 0) {
			*used = 1;
			return c;
		}
		/* Two-word verbs: "domain alias add". */
		if (argc > 1 && strncmp(c->name, argv[0], n) == 0 &&
		    c->name[n] == ' ' && strcmp(c->name + n + 1, argv[1]) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}
