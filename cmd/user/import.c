/* mailadm user import [FILE|-]: mailboxes from CSV, all or nothing. */
#include <argtable2.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

/* Rows between two progress lines on a terminal. */
#define PROGRESS_EVERY 1000

struct import_ui {
	struct cli	*cli;
	unsigned long	 n;
	int		 progress;	/* stderr is a terminal */
};

static void
mailbox_added(const struct ma_mailbox *m, void *arg)
{
	struct import_ui *ui = arg;
	char data[MA_MAILBOX_DESCRIBE_MAX];

	ui->n++;
	if (ui->cli->dry_run || ui->cli->verbose) {
		ma_mailbox_describe(m, data, sizeof(data));
		fprintf(stderr, "mailadm: %screate_mailbox %s\n",
		    ui->cli->dry_run ? "dry run, would do: " : "", data);
	} else if (ui->progress && ui->n % PROGRESS_EVERY == 0) {
		fprintf(stderr, "\rmailadm: user import: %lu mailboxes", ui->n);
	}
}

static int
open_input(struct cli *cli, struct arg_file *file, FILE **in)
{
	const char *path = file->count ? file->filename[0] : "-";

	if (strcmp(path, "-") == 0) {
		*in = stdin;
		return -1;
	}
	if ((*in = fopen(path, "re")) == NULL)
		return cli_error(cli, EX_NOINPUT, "cannot read '%s': %s", path,
		    strerror(errno));
	return -1;
}

static int
run_import(struct cli *cli, FILE *in, int no_maildir, const char *scheme)
{
	struct ma_maildir_opts dirs;
	struct ma_import_opts o;
	struct import_ui ui = { cli, 0, 0 };
	struct ma_import *imp = NULL;
	FILE *spooled = NULL;
	int rc = EX_OK;

	cli_maildir_opts(cli, &dirs);
	memset(&o, 0, sizeof(o));
	o.scheme = scheme;
	o.prefix = cli->conf.password_prefix;
	o.maildir_format = cli->conf.maildir_format;
	o.multiplier = cli->conf.quota_multiplier;
	o.dirs = no_maildir ? NULL : &dirs;
	o.added = mailbox_added;
	o.arg = &ui;
	ui.progress = !cli->quiet && isatty(STDERR_FILENO);
	if (ma_spool(in, &spooled, &cli->err) < 0 ||
	    ma_import_new(&o, spooled, &imp, &cli->err) < 0 ||
	    ma_txn_run_undo(cli->db, ma_import_txn, ma_import_undo, imp,
	    MA_TXN_HOLD_LOG | (cli->dry_run ? MA_TXN_DRY_RUN : 0), &cli->err) < 0)
		rc = -1;
	if (ui.progress && ui.n >= PROGRESS_EVERY)
		fputc('\n', stderr);
	if (rc < 0) {
		rc = cli_fail(cli);
	} else if (cli->json) {
		printf("{\"imported\": %lu, \"dry_run\": %s}\n",
		    ma_import_count(imp), cli->dry_run ? "true" : "false");
		cli->printed = 1;
	} else if (!cli->quiet) {
		fprintf(stderr, "mailadm: user import: %lu mailboxes %s\n",
		    ma_import_count(imp), cli->dry_run ? "would be imported" :
		    "imported");
	}
	ma_import_free(&imp);
	if (spooled != NULL && spooled != in)
		fclose(spooled);
	return rc;
}

int
cmd_user_import(struct cli *cli, int argc, char **argv)
{
	struct arg_file *file = arg_file0(NULL, NULL, "FILE",
	    "CSV with a header line address,password,name,quota (- or "
	    "none: standard input)");
	struct arg_lit *no_maildir = arg_lit0(NULL, "no-maildir",
	    "do not create the Maildirs");
	struct arg_str *scheme = arg_str0(NULL, "scheme", "SCHEME",
	    "hash scheme for clear passwords (default: password_scheme)");
	void *at[] = { file, no_maildir, scheme };
	FILE *in = NULL;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, at, 3)) >= 0)
		goto out;
	if (scheme->count > 0 && ma_passwd_generator(scheme->sval[0],
	    &cli->err) == NULL) {
		rc = cli_fail(cli);
		goto out;
	}
	if ((rc = open_input(cli, file, &in)) < 0)
		rc = run_import(cli, in, no_maildir->count > 0,
		    scheme->count ? scheme->sval[0] : cli->conf.password_scheme);
out:
	if (in != NULL && in != stdin)
		fclose(in);
	arg_freetable(at, 3);
	return rc;
}
