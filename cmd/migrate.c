/*
 * mailadm migrate plan|run SOURCE (--preset NAME | --map FILE): a legacy
 * account database (a mysqldump file, or a live legacy server) into the
 * store, through the staging database and a map file (SPEC §10).
 */
#include <argtable2.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

enum { VERB_PLAN, VERB_RUN, VERB_VERIFY };

struct migrate_opts {
	struct arg_str	*source, *preset, *charset;
	struct arg_file	*map, *report, *new_passwords, *source_pw, *maildirs;
	struct arg_lit	*update;
};

static size_t
opts_table(struct migrate_opts *o, int run, void **at)
{
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	at[n++] = o->source = arg_str1(NULL, NULL, "SOURCE", "a mysqldump "
	    "file (- for standard input) or mysql://USER@HOST/DB");
	at[n++] = o->preset = arg_str0(NULL, "preset", "NAME",
	    "a shipped map: postfixadmin-2, flurdy");
	at[n++] = o->map = arg_file0(NULL, "map", "FILE", "a map file");
	at[n++] = o->charset = arg_str0(NULL, "charset", "auto|utf8|latin1",
	    "the dump's charset (default auto: its SET NAMES)");
	at[n++] = o->source_pw = arg_file0(NULL, "source-password-file", "FILE",
	    "the legacy server's password (mode 0600 or 0640)");
	at[n++] = o->maildirs = arg_file0(NULL, "maildirs", "DIR",
	    "the legacy Maildirs (OLD_ROOT): counted, and copied by run");
	at[n++] = o->report = arg_file0(NULL, "report", "FILE",
	    "write the whole outcome there as JSON");
	if (run) {
		at[n++] = o->update = arg_lit0(NULL, "update",
		    "overwrite rows that changed at the source");
		at[n++] = o->new_passwords = arg_file0(NULL, "new-passwords",
		    "FILE", "give unusable passwords a random one, listed in FILE "
		    "(CSV, mode 0600)");
	}
	return n;
}

/* Everything a migration holds while it runs. */
struct migration {
	struct cli_migration	 out;
	struct ma_migrate_opts	 o;
	struct ma_map		*map;
	char			*map_path;
	FILE			*passwords;
};

static void
migration_release(struct migration *mg)
{
	ma_migrate_free(&mg->out.m);
	ma_staging_close(&mg->out.staging);
	ma_map_free(&mg->map);
	free(mg->map_path);
	if (mg->passwords != NULL)
		fclose(mg->passwords);
}

static int
load_map(struct cli *cli, const struct migrate_opts *o, struct migration *mg)
{
	if (o->preset->count + o->map->count != 1)
		return cli_error(cli, EX_USAGE, "give one of --preset NAME and "
		    "--map FILE");
	if (o->preset->count > 0 && ma_map_preset(o->preset->sval[0],
	    &mg->map_path, &cli->err) < 0)
		return cli_fail(cli);
	if (o->map->count > 0 && (mg->map_path = strdup(o->map->filename[0])) ==
	    NULL)
		return cli_error(cli, EX_OSERR, "out of memory");
	if (ma_map_load(mg->map_path, &mg->map, &cli->err) < 0)
		return cli_fail(cli);
	mg->out.map = o->preset->count > 0 ? o->preset->sval[0] : mg->map_path;
	return -1;
}

/* A live legacy server: its tables into the staging database. */
static int
load_server(struct cli *cli, const struct migrate_opts *o, struct ma_staging *s)
{
	struct ma_dburi uri;
	struct ma_db *src = NULL;
	char *secret = NULL;
	int rc = -1;

	if (ma_dburi_parse(o->source->sval[0], &uri, &cli->err) < 0)
		return cli_fail(cli);
	if (o->source_pw->count > 0 && (secret = ma_conf_read_secret(
	    o->source_pw->filename[0], "--source-password-file",
	    &cli->err)) == NULL)
		rc = cli_fail(cli);
	else if (ma_db_open(&uri, secret, 0, &src, &cli->err) < 0 ||
	    ma_staging_load_db(s, src, &cli->err) < 0)
		rc = cli_fail(cli);
	ma_db_close(&src);
	ma_dburi_release(&uri);
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	return rc;
}

static int
load_source(struct cli *cli, const struct migrate_opts *o,
    struct migration *mg)
{
	const char *source = o->source->sval[0];
	const char *cs = o->charset->count ? o->charset->sval[0] : "auto";
	enum ma_dump_charset charset;
	FILE *in;
	int rc;

	if (strcmp(cs, "auto") == 0)
		charset = MA_DUMP_AUTO;
	else if (strcmp(cs, "utf8") == 0)
		charset = MA_DUMP_UTF8;
	else if (strcmp(cs, "latin1") == 0)
		charset = MA_DUMP_LATIN1;
	else
		return cli_error(cli, EX_USAGE, "--charset %s: expected auto, "
		    "utf8 or latin1", cs);
	mg->out.source = source;
	if (ma_staging_open(&mg->out.staging, &cli->err) < 0)
		return cli_fail(cli);
	if (strncmp(source, "mysql://", 8) == 0 ||
	    strncmp(source, "mariadb://", 10) == 0)
		return load_server(cli, o, mg->out.staging);
	if (strcmp(source, "-") == 0)
		in = stdin;
	else if ((in = fopen(source, "re")) == NULL)
		return cli_error(cli, EX_NOINPUT, "cannot read '%s': %s", source,
		    strerror(errno));
	rc = ma_staging_load_dump(mg->out.staging, in, charset, &cli->err);
	if (in != stdin)
		fclose(in);
	if (rc < 0) {
		ma_err_prefix(&cli->err, "%s", source);
		return cli_fail(cli);
	}
	return -1;
}

/* Say what is being done when a person waits at a terminal. */
static void
progress(struct cli *cli, const char *what)
{
	if (!cli->quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "mailadm: %s: %s…\n", cli->name, what);
}

/* Map, source, staging and the plan: -1 to go on, or an exit code. */
static int
prepare(struct cli *cli, const struct migrate_opts *o, struct migration *mg)
{
	int rc;

	memset(mg, 0, sizeof(*mg));
	mg->o.scheme = cli->conf.password_scheme;
	mg->o.prefix = cli->conf.password_prefix;
	mg->o.maildir_format = cli->conf.maildir_format;
	mg->o.multiplier = cli->conf.quota_multiplier;
	if (o->maildirs->count > 0) {
		mg->o.old_root = mg->out.maildirs = o->maildirs->filename[0];
		cli_maildir_opts(cli, &mg->o.maildirs);
	}
	mg->out.dry_run = cli->dry_run;
	if ((rc = load_map(cli, o, mg)) >= 0)
		return rc;
	progress(cli, "loading the source");
	if ((rc = load_source(cli, o, mg)) >= 0)
		return rc;
	if (ma_migrate_new(&mg->o, mg->out.staging, mg->map, &mg->out.m,
	    &cli->err) < 0)
		return cli_fail(cli);
	return -1;
}

static int
plan(struct cli *cli, struct migration *mg)
{
	progress(cli, "checking every row");
	if (ma_migrate_plan(mg->out.m, cli->db, &cli->err) < 0)
		return cli_fail(cli);
	return -1;
}

/* The JSON outcome to FILE (--report), after the run or the plan. */
static int
write_report(struct cli *cli, const struct migrate_opts *o,
    const struct migration *mg)
{
	const char *path;
	FILE *fp = NULL;
	int rc, fd;

	if (o->report->count == 0)
		return -1;
	path = o->report->filename[0];
	/* Rejected rows are shown whole: hashes, clear copies.  0600. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    fchmod(fd, 0600) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		rc = errno;
		if (fd >= 0)
			close(fd);
		return cli_error(cli, EX_CANTCREAT, "cannot write the report "
		    "'%s': %s", path, strerror(rc));
	}
	rc = cli_migration_json(&mg->out, fp, &cli->err);
	if (fclose(fp) != 0 || rc < 0)
		return cli_error(cli, EX_IOERR, "cannot write the report '%s'",
		    path);
	return -1;
}

/* The outcome on stdout (plan, --json) or stderr (run). */
static int
show(struct cli *cli, const struct migrate_opts *o, const struct migration *mg,
    FILE *fp)
{
	int rc;

	if (cli->json) {
		rc = cli_migration_json(&mg->out, stdout, &cli->err);
		cli->printed = 1;
	} else if (!cli->quiet || fp == stdout) {
		rc = cli_migration_text(&mg->out, fp, &cli->err);
	} else {
		rc = 0;
	}
	if (rc < 0)
		return cli_fail(cli);
	return write_report(cli, o, mg);
}

/* --new-passwords FILE: made now (never over another), 0600. */
static int
open_passwords(struct cli *cli, const struct migrate_opts *o,
    struct migration *mg)
{
	const char *path;
	int fd;

	if (o->new_passwords->count == 0)
		return -1;
	path = o->new_passwords->filename[0];
	/* A dry run gives the same plan, and keeps the passwords nowhere. */
	if (cli->dry_run)
		mg->passwords = tmpfile();
	else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0 || (mg->passwords = fdopen(fd, "w")) == NULL)
		return cli_error(cli, errno == EEXIST ? EX_CANTCREAT :
		    EX_IOERR, "cannot create the passwords file '%s': %s", path,
		    errno == EEXIST ? "it exists (it is never overwritten)" :
		    strerror(errno));
	if (mg->passwords == NULL)
		return cli_error(cli, EX_IOERR, "cannot make a temporary file: "
		    "%s", strerror(errno));
	mg->o.new_passwords = mg->passwords;
	mg->out.new_passwords = cli->dry_run ? NULL : path;
	return -1;
}

static int
run(struct cli *cli, const struct migrate_opts *o, struct migration *mg)
{
	int rc;

	mg->out.run = 1;
	mg->out.update = mg->o.update = o->update->count > 0;
	if ((rc = open_passwords(cli, o, mg)) >= 0)
		return rc;
	if (ma_migrate_read_store(mg->out.m, cli->db, &cli->err) < 0)
		return cli_fail(cli);
	/* The transaction plans: mailboxes go in while aliases are checked. */
	progress(cli, "checking every row and writing the store");
	if (ma_txn_run(cli->db, ma_migrate_txn, mg->out.m, MA_TXN_HOLD_LOG |
	    (cli->dry_run ? MA_TXN_DRY_RUN : 0), &cli->err) < 0) {
		if (mg->out.new_passwords != NULL)
			unlink(mg->out.new_passwords);
		return cli_fail(cli);
	}
	mg->out.committed = !cli->dry_run;
	if (!cli->dry_run) {
		progress(cli, "copying the Maildirs");
		if (ma_migrate_copy_maildirs(mg->out.m, NULL, NULL, &cli->err) < 0) {
			/* The rows are in: what is copied stays, the rest waits. */
			ma_err_prefix(&cli->err, "the accounts are imported, "
			    "not all Maildirs (run it again to copy the rest)");
			return cli_fail(cli);
		}
	}
	return show(cli, o, mg, stderr);
}

/*
 * verify: the differences on stdout (the report with --json); exit 1
 * when there is any.
 */
static int
verify(struct cli *cli, const struct migrate_opts *o, struct migration *mg)
{
	long n = 0;
	int rc;

	mg->out.verify = 1;
	mg->o.count_targets = 1;
	if ((rc = plan(cli, mg)) >= 0)
		return rc;
	if (cli->json) {
		if (ma_migrate_differences(mg->out.m, NULL, NULL, &n,
		    &cli->err) < 0 || cli_migration_json(&mg->out, stdout,
		    &cli->err) < 0)
			return cli_fail(cli);
		cli->printed = 1;
	} else if (cli_migration_diffs(&mg->out, stdout, &n, &cli->err) < 0) {
		return cli_fail(cli);
	}
	if ((rc = write_report(cli, o, mg)) >= 0)
		return rc;
	if (!cli->quiet && !cli->json)
		fprintf(stderr, "mailadm: %s: %ld difference%s between the store "
		    "and the source\n", cli->name, n, n == 1 ? "" : "s");
	return n > 0 ? 1 : EX_OK;
}

/* plan, run and verify: the same options (run has two more), one path. */
static int
migrate(struct cli *cli, int argc, char **argv, int verb)
{
	struct migrate_opts o;
	struct migration mg;
	void *at[12];
	size_t n = opts_table(&o, verb == VERB_RUN, at);
	int rc;

	memset(&mg, 0, sizeof(mg));
	if ((rc = cli_parse(cli, argc, argv, at, n)) < 0 &&
	    (rc = prepare(cli, &o, &mg)) < 0) {
		if (verb == VERB_RUN)
			rc = run(cli, &o, &mg);
		else if (verb == VERB_VERIFY)
			rc = verify(cli, &o, &mg);
		else if ((rc = plan(cli, &mg)) < 0)
			rc = show(cli, &o, &mg, stdout);
	}
	if (rc < 0)
		rc = EX_OK;
	migration_release(&mg);
	arg_freetable(at, n);
	return rc;
}

static int
cmd_migrate_plan(struct cli *cli, int argc, char **argv)
{
	return migrate(cli, argc, argv, VERB_PLAN);
}

static int
cmd_migrate_run(struct cli *cli, int argc, char **argv)
{
	return migrate(cli, argc, argv, VERB_RUN);
}

static int
cmd_migrate_verify(struct cli *cli, int argc, char **argv)
{
	return migrate(cli, argc, argv, VERB_VERIFY);
}

static const struct cli_cmd migrate_cmds[] = {
	{ "plan", cmd_migrate_plan, "check a legacy database and say what run "
	    "would do", CLI_DB, OPERAND_FILE },
	{ "run", cmd_migrate_run, "import a legacy database in one "
	    "transaction", CLI_DB | CLI_WRITES | CLI_NO_BATCH, OPERAND_FILE },
	{ "verify", cmd_migrate_verify, "compare the store with a legacy "
	    "database: exit 1 on a difference", CLI_DB, OPERAND_FILE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};

const struct cli_group cli_group_migrate = {
	"migrate", "import a legacy account database", migrate_cmds
};
