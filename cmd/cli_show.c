/* The show and list verbs that every group has, around a lookup of its own. */
#include <argtable2.h>
#include <sysexits.h>

#include "cli.h"

int
cli_show(struct cli *cli, int argc, char **argv, const struct cli_show *s)
{
	struct arg_str *key = arg_str1(NULL, NULL, s->operand, s->glossary);
	void *at[] = { key };
	char q[MA_QUOTE_MAX];
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, 1)) < 0) {
		rc = s->lookup(cli, key->sval[0]);
		if (rc < 0)
			rc = cli_fail(cli);
		else if (rc == 0)
			rc = cli_error(cli, s->notfound, "no such %s '%s'", s->noun,
			    ma_quote(key->sval[0], q, sizeof(q)));
		else
			rc = EX_OK;
	}
	arg_freetable(at, 1);
	return rc;
}

int
cli_list(struct cli *cli, int argc, char **argv, const struct cli_list *l)
{
	struct arg_lit *lng = arg_lit0("l", "long", "aligned table");
	struct arg_str *filter = arg_str0(NULL, NULL, "DOMAIN", l->filter);
	void *at[] = { lng, filter };
	size_t n = l->filter != NULL ? 2 : 1;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, n)) < 0) {
		cli->long_list = lng->count > 0;
		out_begin(cli, 1);
		rc = l->each(cli, filter->count ? filter->sval[0] : NULL);
		out_end(&cli->out);
		rc = rc < 0 ? cli_fail(cli) : EX_OK;
	}
	arg_freetable(at, 2);
	return rc;
}
