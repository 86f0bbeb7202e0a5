/*
 * mailadm batch [FILE|-] [--keep-going]: one command a line, all in one
 * transaction.  Each line runs as it would on its own, inside the
 * batch's transaction (lib/txn.c); what the lines print waits in a
 * temporary file until the batch commits, and Maildir changes wait as
 * notes (cli_maildir.c).  A temporary failure (deadlock, lock wait) runs
 * the whole batch again from its first line.
 */
#include <argtable2.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

#define LINE_MAX_BYTES 65536

struct batch {
	struct cli	*cli;
	FILE		*in;
	off_t		 start;
	FILE		*out;		/* the lines' standard output */
	int		 keep_going;
	off_t		 log_mark;	/* the log rows held before a line */
	unsigned long	 lines, failed;
	int		 code;		/* exit code of the first failure */
	/* the last failure: "line N: command: why" */
	char		 why[sizeof(((struct ma_err *)0)->msg) + 128];
};

/* Run one line in a copy of the batch's state; its exit code. */
static int
run_line(struct batch *b, unsigned long lineno, char **v, int n)
{
	struct cli lc = *b->cli;
	char context[40];

	snprintf(context, sizeof(context), "batch: line %lu", lineno);
	lc.context = context;
	lc.name = NULL;
	lc.flags = 0;
	lc.printed = 0;
	memset(&lc.out, 0, sizeof(lc.out));
	ma_err_clear(&lc.err);
	if ((n = cli_run(&lc, n, v)) != EX_OK)
		snprintf(b->why, sizeof(b->why), "line %lu: %s%s%s", lineno,
		    lc.name ? lc.name : "", lc.name ? ": " : "", lc.err.msg);
	return n;
}

/* A failed line: the batch stops (keep_going: goes on); -1 to stop. */
static int
line_failed(struct batch *b, struct ma_db *db, int code, struct ma_err *err)
{
	if (code == EX_TEMPFAIL)
		return ma_fail(err, MA_ETEMP, 0, "%s", b->why);
	if (b->code == EX_OK)
		b->code = code;
	b->failed++;
	if (!b->keep_going)
		return ma_fail(err, MA_EUSAGE, 0, "%s", b->why);
	ma_log_back_to(db, b->log_mark);
	return ma_db_exec(db, "ROLLBACK TO SAVEPOINT batch_line", err);
}

static int
restart(struct batch *b, struct ma_err *err)
{
	fflush(stdout);
	if (fseeko(b->in, b->start, SEEK_SET) != 0 ||
	    ftruncate(fileno(b->out), 0) != 0)
		return ma_fail(err, MA_EIO, errno, "cannot start the batch "
		    "again: %s", strerror(errno));
	rewind(b->out);
	b->lines = b->failed = 0;
	b->code = EX_OK;
	return 0;
}

static int
run_lines(struct ma_db *db, struct batch *b, struct ma_err *err)
{
	unsigned long lineno = 0;
	const char *why;
	char *line = NULL, **v;
	size_t cap = 0;
	ssize_t len;
	int n, code, rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, b->in)) >= 0) {
		lineno++;
		if (len > LINE_MAX_BYTES || (size_t)len != strlen(line)) {
			rc = ma_fail(err, MA_EINVAL, 0, "line %lu: %s", lineno,
			    len > LINE_MAX_BYTES ? "longer than 65536 bytes" :
			    "NUL byte in the line");
			break;
		}
		if (cli_words(line, "mailadm", &v, &n, &why) < 0) {
			rc = ma_fail(err, MA_EINVAL, 0, "line %lu: %s", lineno,
			    why);
			break;
		}
		if (n > 1) {
			b->lines++;
			b->log_mark = ma_log_mark(db);
			if (b->keep_going && ma_db_exec(db,
			    "SAVEPOINT batch_line", err) < 0)
				rc = -1;
			else if ((code = run_line(b, lineno, v, n)) != EX_OK)
				rc = line_failed(b, db, code, err);
			else if (b->keep_going)
				rc = ma_db_exec(db,
				    "RELEASE SAVEPOINT batch_line", err);
		}
		cli_words_free(v);
	}
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	if (rc == 0 && ferror(b->in))
		rc = ma_fail(err, MA_EIO, errno, "read error after line %lu: "
		    "%s", lineno, strerror(errno));
	fflush(stdout);
	return rc;
}

static int
batch_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct batch *b = arg;

	if (restart(b, err) == 0 && run_lines(db, b, err) == 0)
		return 0;
	/* Not committed: the Maildirs the lines made go (ma_txn_run's rule). */
	cli_maildir_settle(b->cli, 0);
	return -1;
}

static int
batch_undo(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct batch *b = arg;

	(void)db;
	(void)err;
	cli_maildir_settle(b->cli, 0);
	return 0;
}

/* What the lines printed, now that it stands. */
static void
copy_output(FILE *from)
{
	char buf[8192];
	size_t n;

	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, stdout);
}

/* The transaction, with stdout sent to b->out meanwhile; -1 or 0. */
static int
run_batch(struct cli *cli, struct batch *b)
{
	int saved, rc;

	fflush(stdout);
	if ((saved = dup(STDOUT_FILENO)) < 0 ||
	    dup2(fileno(b->out), STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		return ma_fail(&cli->err, MA_EIO, errno, "cannot hold the "
		    "output back: %s", strerror(errno));
	}
	rc = ma_txn_run_undo(cli->db, batch_txn, batch_undo, b,
	    MA_TXN_HOLD_LOG | (cli->dry_run ? MA_TXN_DRY_RUN : 0), &cli->err);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return rc;
}

static int
batch_result(struct cli *cli, struct batch *b, int rc)
{
	if (rc < 0 && cli->err.status == MA_EUSAGE) {
		/* The line said why; --json gets it as the one document. */
		if (cli->json)
			cli_error_json(b->code, cli->err.msg);
		return b->code;
	}
	if (rc < 0)
		return cli_fail(cli);
	copy_output(b->out);
	cli->printed = 1;
	rc = cli_maildir_settle(cli, !cli->dry_run);
	if (b->failed > 0) {
		fprintf(stderr, "mailadm: batch: %lu of %lu commands failed; "
		    "the others were %s\n", b->failed, b->lines,
		    cli->dry_run ? "checked" : "done");
		return b->code;
	}
	return rc;
}

static int
cmd_batch(struct cli *cli, int argc, char **argv)
{
	struct arg_file *file = arg_file0(NULL, NULL, "FILE",
	    "the commands, one a line (- or none: standard input)");
	struct arg_lit *keep_going = arg_lit0(NULL, "keep-going",
	    "on an error, undo that command only, and go on");
	void *at[] = { file, keep_going };
	const char *path;
	struct batch b;
	FILE *in = NULL, *spooled = NULL;
	int rc;

	memset(&b, 0, sizeof(b));
	b.cli = cli;
	if ((rc = cli_parse(cli, argc, argv, at, 2)) >= 0)
		goto out;
	path = file->count ? file->filename[0] : "-";
	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (in == NULL) {
		rc = cli_error(cli, EX_NOINPUT, "cannot read '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	b.keep_going = keep_going->count > 0;
	if (ma_spool(in, &spooled, &cli->err) < 0 ||
	    (b.start = ftello(b.in = spooled)) < 0 ||
	    (b.out = tmpfile()) == NULL ||
	    (cli->deferred = tmpfile()) == NULL) {
		if (cli->err.status == MA_OK)
			ma_fail(&cli->err, MA_EIO, errno, "cannot make a "
			    "temporary file: %s", strerror(errno));
		rc = cli_fail(cli);
		goto out;
	}
	rc = batch_result(cli, &b, run_batch(cli, &b));
out:
	if (cli->deferred != NULL)
		fclose(cli->deferred);
	cli->deferred = NULL;
	if (b.out != NULL)
		fclose(b.out);
	if (spooled != NULL && spooled != in)
		fclose(spooled);
	if (in != NULL && in != stdin)
		fclose(in);
	arg_freetable(at, 2);
	return rc;
}

static const struct cli_cmd batch_cmds[] = {
	{ "", cmd_batch, "run a file of commands in one transaction",
	    CLI_DB | CLI_WRITES | CLI_NO_BATCH, OPERAND_FILE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};

const struct cli_group cli_group_batch = {
	"batch", "run a file of commands in one transaction", batch_cmds
};
