/* mailadm schema init|upgrade|status */
#include <argtable2.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static int
schema_init_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	(void)arg;
	return ma_schema_init(db, err);
}

static int
cmd_schema_init(struct cli *cli, int argc, char **argv)
{
	void *at[1];
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, 0)) < 0)
		rc = cli_change(cli, schema_init_txn, NULL);
	return rc;
}

/* Changes made by upgrade: stderr for people, an array under --json. */
struct upgrade_report {
	struct cli	*cli;
	int		 n;
};

static void
upgrade_step(const char *what, void *arg)
{
	struct upgrade_report *r = arg;

	if (r->cli->json) {
		fputs(r->n ? ", " : "", stdout);
		out_json_string(stdout, what);
	} else if (!r->cli->quiet) {
		fprintf(stderr, "mailadm: schema upgrade: %s%s\n",
		    r->cli->dry_run ? "would do: " : "", what);
	}
	r->n++;
}

static int
schema_upgrade_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct upgrade_report *r = arg;

	if (r->cli->json && r->n > 0)
		return ma_fail(err, MA_ETEMP, 0, "upgrade interrupted after a "
		    "partial report");
	return ma_schema_upgrade(db, upgrade_step, r, err);
}

static int
cmd_schema_upgrade(struct cli *cli, int argc, char **argv)
{
	struct upgrade_report r = { cli, 0 };
	void *at[1];
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, 0)) >= 0)
		return rc;
	if (cli->json) {
		fputs("{\"changes\": [", stdout);
		cli->printed = 1;
	}
	rc = cli_change(cli, schema_upgrade_txn, &r);
	if (cli->json && rc == EX_OK)
		printf("], \"version\": %d}\n", MA_SCHEMA_VERSION);
	if (!cli->json && rc == EX_OK && r.n == 0 && cli->verbose)
		fprintf(stderr, "mailadm: schema upgrade: already at version "
		    "%d\n", MA_SCHEMA_VERSION);
	return rc;
}

static void
render_status(struct cli *cli, const struct ma_schema_status *st)
{
	struct out *o = &cli->out;
	struct ma_buf missing = MA_BUF_INIT;
	size_t i, j;

	for (i = 0; i < st->ntables; i++) {
		const struct ma_schema_table *t = &st->tables[i];

		if (!t->present)
			ma_buf_addf(&missing, "%s%s", missing.len ? " " : "",
			    t->name);
		for (j = 0; j < t->nmissing; j++)
			ma_buf_addf(&missing, "%s%s.%s", missing.len ? " " : "",
			    t->name, t->missing[j]);
	}
	out_begin(cli, 0);
	out_record(o);
	out_int(o, "version", st->version);
	out_int(o, "current_version", MA_SCHEMA_VERSION);
	out_bool(o, "up_to_date", st->up_to_date);
	out_str(o, "backend", ma_db_dialect(cli->db) == MA_MYSQL ? "mysql" :
	    "sqlite");
	out_str(o, "missing", ma_buf_str(&missing));
	out_record_end(o);
	out_end(o);
	ma_buf_release(&missing);
}

static int
cmd_schema_status(struct cli *cli, int argc, char **argv)
{
	struct ma_schema_status st;
	void *at[1];
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, 0)) >= 0)
		return rc;
	if (ma_schema_status(cli->db, &st, &cli->err) < 0) {
		rc = cli_fail(cli);
	} else {
		render_status(cli, &st);
		/* A negative answer: the schema needs "mailadm schema upgrade". */
		rc = st.up_to_date ? EX_OK : 1;
	}
	ma_schema_status_release(&st);
	return rc;
}

static const struct cli_cmd schema_cmds[] = {
	{ "init", cmd_schema_init, "create the tables in an empty database",
	    CLI_DB | CLI_CREATE | CLI_WRITES | CLI_NO_BATCH, OPERAND_NONE },
	{ "upgrade", cmd_schema_upgrade, "add what mailadm needs to an "
	    "existing database", CLI_DB | CLI_WRITES | CLI_NO_BATCH,
	    OPERAND_NONE },
	{ "status", cmd_schema_status, "show the schema version and what is "
	    "missing", CLI_DB, OPERAND_NONE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};

const struct cli_group cli_group_schema = {
	"schema", "create and upgrade the database tables", schema_cmds
};
