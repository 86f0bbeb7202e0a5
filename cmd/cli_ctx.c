/* Option parsing, config and database set-up, errors and exit codes. */
#include <argtable2.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_CONFIG "/etc/mailadm/mailadm.conf"
#define NGLOBALS 8

int
cli_exit_code(enum ma_status st)
{
	switch (st) {
	case MA_OK:		return EX_OK;
	case MA_EUSAGE:		return EX_USAGE;
	case MA_EINVAL:		return EX_DATAERR;
	case MA_ENOINPUT:	return EX_NOINPUT;
	case MA_ENOTFOUND:	return EX_NOUSER;
	case MA_ENODOMAIN:	return EX_NOHOST;
	case MA_EUNAVAIL:	return EX_UNAVAILABLE;
	case MA_EDB:		return EX_SOFTWARE;
	case MA_EEXIST:		return EX_CANTCREAT;
	case MA_EIO:		return EX_IOERR;
	case MA_ETEMP:		return EX_TEMPFAIL;
	case MA_EPERM:		return EX_NOPERM;
	case MA_ECONFIG:	return EX_CONFIG;
	case MA_ENOMEM:		return EX_OSERR;
	}
	return EX_SOFTWARE;
}

/* "batch: line 3: user add: " or "user add: " or "". */
static void
where(const struct cli *cli, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", cli->context ? cli->context : "",
	    cli->context ? ": " : "", cli->name ? cli->name : "",
	    cli->name ? ": " : "");
}

static void
report(struct cli *cli, int code, const char *msg)
{
	char at[128];

	/* A batch reports its line's failure again, at its end. */
	if (msg != cli->err.msg)
		snprintf(cli->err.msg, sizeof(cli->err.msg), "%s", msg);
	/* Inside a batch a temporary failure retries the whole batch. */
	if (cli->context != NULL && code == EX_TEMPFAIL)
		return;
	where(cli, at, sizeof(at));
	fflush(stdout);
	fprintf(stderr, "mailadm: %s%s\n", at, msg);
	if (cli->json)
		cli_error_json(code, msg);
}

void
cli_error_json(int code, const char *msg)
{
	printf("{\"error\": {\"code\": %d, \"message\": ", code);
	out_json_string(stdout, msg);
	printf("}}\n");
}

int
cli_fail(struct cli *cli)
{
	int code = cli_exit_code(cli->err.status);

	report(cli, code, cli->err.msg);
	return code;
}

void
cli_complain(struct cli *cli)
{
	fprintf(stderr, "mailadm: %s%s%s\n", cli->name ? cli->name : "",
	    cli->name ? ": " : "", cli->err.msg);
}

int
cli_error(struct cli *cli, int code, const char *fmt, ...)
{
	char msg[sizeof(cli->err.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(cli, code, msg);
	return code;
}

int
cli_exclusive(struct cli *cli, const struct arg_lit *a, const struct arg_lit *b)
{
	if (a->count == 0 || b->count == 0)
		return -1;
	return cli_error(cli, EX_USAGE, "--%s and --%s exclude each other",
	    a->hdr.longopts, b->hdr.longopts);
}

void
cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	char at[128];

	if (cli->quiet)
		return;
	where(cli, at, sizeof(at));
	fprintf(stderr, "mailadm: %swarning: ", at);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print the long option names of table, one per line, for completion. */
static void
list_options(void **table)
{
	struct arg_hdr *h;
	size_t i;

	for (i = 0; !((h = table[i])->flag & ARG_TERMINATOR); i++) {
		if (h->longopts != NULL && *h->longopts != '\0')
			printf("--%.*s\n", (int)strcspn(h->longopts, ","),
			    h->longopts);
	}
}

static void
print_help(struct cli *cli, void **opts, size_t nopts, void **globals,
    struct arg_end *end)
{
	void **syntax = calloc(nopts + 1, sizeof(void *));

	if (syntax == NULL)
		return;
	if (nopts > 0)		/* a verb without options passes opts NULL */
		memcpy(syntax, opts, nopts * sizeof(void *));
	syntax[nopts] = end;
	printf("usage: mailadm %s", cli->name);
	arg_print_syntax(stdout, syntax, "\n");
	arg_print_glossary(stdout, syntax, "  %-28s %s\n");
	printf("global options:\n");
	arg_print_glossary(stdout, globals, "  %-28s %s\n");
	free(syntax);
}

/* The first argtable error, without its "progname: " prefix. */
static void
first_error(struct arg_end *end, char *msg, size_t size)
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	snprintf(msg, size, "invalid arguments");
	if (mem == NULL)
		return;
	arg_print_errors(mem, end, "");
	fclose(mem);
	p = text;
	while (*p == ':' || *p == ' ')
		p++;
	p[strcspn(p, "\n")] = '\0';
	if (*p != '\0')
		snprintf(msg, size, "%s", p);
	free(text);
}

static void
apply_globals(struct cli *cli, struct arg_file *config, struct arg_str *db,
    struct arg_lit *json, struct arg_lit *dry, struct arg_lit *quiet,
    struct arg_lit *verbose)
{
	if (config->count > 0)
		cli->config_path = config->filename[config->count - 1];
	if (db->count > 0)
		cli->db_uri = db->sval[db->count - 1];
	cli->json |= json->count > 0;
	cli->dry_run |= dry->count > 0;
	cli->quiet |= quiet->count > 0;
	cli->verbose += verbose->count;
}

int
cli_parse(struct cli *cli, int argc, char **argv, void **opts, size_t nopts)
{
	/* Given twice (an alias plus the command line), the last one wins. */
	struct arg_file *config = arg_filen("c", "config", "FILE", 0, 8,
	    "config file (default: $MAILADM_CONFIG or " DEFAULT_CONFIG ")");
	struct arg_str *db = arg_strn(NULL, "db", "URI", 0, 8,
	    "database (sqlite:PATH or mysql://USER@HOST/DB)");
	struct arg_lit *json = arg_lit0(NULL, "json", "print one JSON document");
	struct arg_lit *dry = arg_lit0("n", "dry-run",
	    "show what would change, change nothing");
	struct arg_lit *quiet = arg_lit0("q", "quiet", "no warnings");
	struct arg_lit *verbose = arg_litn("v", "verbose", 0, 3,
	    "say what is done");
	struct arg_lit *help = arg_lit0("h", "help", "show this help");
	struct arg_lit *version = arg_lit0("V", "version", "show the version");
	struct arg_end *end = arg_end(5);
	void *globals[NGLOBALS + 1] = { config, db, json, dry, quiet, verbose,
	    help, version, end };
	void **table = calloc(nopts + NGLOBALS + 1, sizeof(void *));
	char msg[256];
	int rc = -1;

	if (table == NULL || arg_nullcheck(globals) != 0) {
		rc = cli_error(cli, EX_OSERR, "out of memory");
		goto out;
	}
	if (nopts > 0)
		memcpy(table, opts, nopts * sizeof(void *));
	memcpy(table + nopts, globals, NGLOBALS * sizeof(void *));
	table[nopts + NGLOBALS] = end;
	if (cli->complete) {
		list_options(table);
		rc = 0;
	} else if (arg_parse(argc, argv, table) > 0 && help->count == 0) {
		first_error(end, msg, sizeof(msg));
		rc = cli_error(cli, EX_USAGE, "%s (see 'mailadm%s%s --help')",
		    msg, cli->name ? " " : "", cli->name ? cli->name : "");
	} else if (version->count > 0) {
		printf("mailadm %s\n", MAILADM_VERSION);
		rc = 0;
	} else if (help->count > 0) {
		if (cli->name == NULL)
			cli_usage(stdout);
		else
			print_help(cli, opts, nopts, globals, end);
		rc = 0;
	} else if (cli->deferred != NULL && (config->count || db->count ||
	    dry->count)) {
		rc = cli_error(cli, EX_USAGE, "--config, --db and --dry-run "
		    "apply to the whole batch: give them to 'mailadm batch'");
	} else {
		apply_globals(cli, config, db, json, dry, quiet, verbose);
		/* A batch's lines use its database. */
		if (cli->name != NULL && cli->db == NULL &&
		    (rc = cli_open(cli)) == 0)
			rc = -1;
	}
out:
	arg_freetable(globals, NGLOBALS + 1);
	free(table);
	return rc;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Who the log table says made the change. */
static void
set_actor(struct cli *cli)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *sudo = env("SUDO_USER");
	char actor[128];

	snprintf(actor, sizeof(actor), "%s%s%s (mailadm)",
	    pw != NULL ? pw->pw_name : "uid?", sudo ? " via sudo by " : "",
	    sudo ? sudo : "");
	ma_log_set_actor(cli->db, actor);
}

const char *
cli_db_uri(const struct cli *cli)
{
	const char *uri = cli->db_uri ? cli->db_uri : env("MAILADM_DB");

	return uri != NULL ? uri : cli->conf.db;
}

int
cli_db_secret(struct cli *cli, const struct ma_dburi *uri, const char *file,
    char **secret_r)
{
	*secret_r = NULL;
	if (file == NULL && (uri->dialect != MA_MYSQL ||
	    uri->password != NULL || *cli->conf.db_password_file == '\0'))
		return 0;
	*secret_r = ma_conf_read_secret(file ? file :
	    cli->conf.db_password_file, file ? "--db-password-file" :
	    "db_password_file", &cli->err);
	return *secret_r != NULL ? 0 : -1;
}

int
cli_db_connect(struct cli *cli)
{
	struct ma_dburi parsed;
	char *secret = NULL;
	int rc = 0;

	if (ma_dburi_parse(cli_db_uri(cli), &parsed, &cli->err) < 0)
		return -1;
	rc = cli_db_secret(cli, &parsed, NULL, &secret);
	/* A dry run that would create an SQLite file works on memory instead. */
	if (rc == 0 && (cli->flags & CLI_CREATE) && cli->dry_run &&
	    parsed.dialect == MA_SQLITE && access(parsed.path, F_OK) != 0) {
		free(parsed.path);
		if ((parsed.path = strdup(":memory:")) == NULL)
			rc = ma_fail(&cli->err, MA_ENOMEM, ENOMEM,
			    "out of memory");
	}
	if (rc == 0 && ma_db_open(&parsed, secret, (cli->flags & CLI_CREATE) ?
	    MA_DB_CREATE : 0, &cli->db, &cli->err) < 0)
		rc = -1;
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	ma_dburi_release(&parsed);
	if (rc == 0 && ma_db_lock_timeout(cli->db, cli->conf.lock_timeout,
	    &cli->err) < 0) {
		ma_db_close(&cli->db);
		rc = -1;
	}
	/* Only changes are logged: reads skip the passwd lookup. */
	if (rc == 0 && (cli->flags & CLI_WRITES))
		set_actor(cli);
	return rc;
}

int
cli_open(struct cli *cli)
{
	const char *path = cli->config_path ? cli->config_path :
	    env("MAILADM_CONFIG");

	if (ma_conf_init(&cli->conf, &cli->err) < 0)
		return cli_fail(cli);
	if (path == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		path = DEFAULT_CONFIG;
	if (path != NULL && ma_conf_load(&cli->conf, path, &cli->err) < 0)
		return cli_fail(cli);
	if ((cli->flags & CLI_DB) && cli_db_connect(cli) < 0)
		return cli_fail(cli);
	return 0;
}

void
cli_close(struct cli *cli)
{
	ma_db_close(&cli->db);
	ma_conf_release(&cli->conf);
}

int
cli_change(struct cli *cli, ma_txn_fn *fn, void *arg)
{
	if (ma_txn_run(cli->db, fn, arg, cli->dry_run ? MA_TXN_DRY_RUN : 0,
	    &cli->err) < 0)
		return cli_fail(cli);
	return cli_change_report(cli);
}

int
cli_change_report(struct cli *cli)
{
	const char *const *lines;
	size_t i, n;

	if (!cli->dry_run && cli->verbose == 0)
		return EX_OK;
	lines = ma_log_journal(cli->db, &n);
	for (i = 0; i < n; i++)
		fprintf(stderr, "mailadm: %s%s\n", cli->dry_run ?
		    "dry run, would do: " : "", lines[i]);
	return EX_OK;
}

void
cli_json_changes(struct cli *cli)
{
	const char *const *lines = NULL;
	size_t i, n = 0;

	if (cli->db != NULL)
		lines = ma_log_journal(cli->db, &n);
	printf("{\"changes\": [");
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", stdout);
		out_json_string(stdout, lines[i]);
	}
	printf("], \"dry_run\": %s}\n", cli->dry_run ? "true" : "false");
}
