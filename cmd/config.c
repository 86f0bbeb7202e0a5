/*
 * mailadm config postfix|courier|sasl|dovecot [--dir DIR]: the files that
 * make those servers read this database, from the config alone (no
 * connection is made).  Printed, or written into DIR.
 */
#include <argtable2.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct config_opts {
	struct arg_file	*dir, *password_file;
	struct arg_lit	*force;
};

/* What the files are made from; released by inputs_release. */
struct inputs {
	struct ma_dburi	 db;
	char		*secret;
	char		*sqlite_abs;	/* the SQLite path made absolute */
	char		 dir[PATH_MAX];
	struct ma_srvconf_in in;
};

static void
inputs_release(struct inputs *x)
{
	ma_dburi_release(&x->db);
	cli_password_free(x->secret);
	free(x->sqlite_abs);
}

/* The servers run elsewhere: a relative path would mean nothing there. */
static int
absolute(struct cli *cli, const char *what, const char *path, char **out)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return cli_error(cli, EX_OSERR, "cannot make %s '%s' absolute: "
		    "%s", what, path, strerror(errno));
	if (asprintf(out, "%s/%s", cwd, path) < 0) {
		*out = NULL;
		return cli_error(cli, EX_OSERR, "out of memory");
	}
	return 0;
}

static int
gather(struct cli *cli, struct config_opts *o, struct inputs *x)
{
	const char *pwfile = o->password_file->count > 0 ?
	    o->password_file->filename[0] : NULL;
	int rc;

	if (ma_dburi_parse(cli_db_uri(cli), &x->db, &cli->err) < 0)
		return cli_fail(cli);
	if (pwfile != NULL && x->db.dialect != MA_MYSQL)
		return cli_error(cli, EX_USAGE, "--db-password-file goes with "
		    "a mysql:// database");
	if (cli_db_secret(cli, &x->db, pwfile, &x->secret) < 0)
		return cli_fail(cli);
	if (x->db.dialect == MA_SQLITE && (rc = absolute(cli, "the SQLite "
	    "path", x->db.path, &x->sqlite_abs)) != 0)
		return rc;
	if (x->sqlite_abs != NULL) {
		free(x->db.path);
		x->db.path = x->sqlite_abs;
		x->sqlite_abs = NULL;
	}
	if (cli->conf.vmail_base[0] != '/')
		return cli_error(cli, EX_CONFIG, "vmail_base '%s' is not an "
		    "absolute path", cli->conf.vmail_base);
	if (o->dir->count > 0) {
		if (realpath(o->dir->filename[0], x->dir) == NULL)
			return cli_error(cli, errno == ENOENT || errno ==
			    ENOTDIR ? EX_NOINPUT : EX_IOERR, "--dir '%s': %s",
			    o->dir->filename[0], strerror(errno));
	}
	x->in.db = &x->db;
	x->in.password = x->secret != NULL ? x->secret : x->db.password;
	x->in.vmail_base = cli->conf.vmail_base;
	x->in.vmail_uid = cli->conf.vmail_uid;
	x->in.vmail_gid = cli->conf.vmail_gid;
	x->in.dir = x->dir;
	return 0;
}

static void
print_files(struct cli *cli, const struct ma_srvconf *c)
{
	size_t i;

	cli->printed = 1;
	if (cli->json)
		fputs("{\"files\": [", stdout);
	for (i = 0; i < c->nfiles; i++) {
		if (!cli->json) {
			printf("%s# file: %s\n%s", i ? "\n" : "",
			    c->files[i].name, c->files[i].text.s);
			continue;
		}
		fputs(i ? ", {\"name\": " : "{\"name\": ", stdout);
		out_json_string(stdout, c->files[i].name);
		fputs(", \"text\": ", stdout);
		out_json_string(stdout, c->files[i].text.s);
		fputs("}", stdout);
	}
	if (cli->json)
		fputs("]}\n", stdout);
}

static int
write_files(struct cli *cli, const struct ma_srvconf *c, const char *dir,
    int force)
{
	size_t i;

	if (ma_srvconf_write(c, dir, (force ? MA_SRVCONF_FORCE : 0) |
	    (cli->dry_run ? MA_SRVCONF_DRY_RUN : 0), &cli->err) < 0)
		return cli_fail(cli);
	cli->printed = cli->json;
	if (cli->json) {
		fputs("{\"dir\": ", stdout);
		out_json_string(stdout, dir);
		fputs(", \"files\": [", stdout);
	}
	for (i = 0; i < c->nfiles; i++) {
		if (cli->json) {
			fputs(i ? ", " : "", stdout);
			out_json_string(stdout, c->files[i].name);
		} else if (cli->dry_run || cli->verbose) {
			fprintf(stderr, "mailadm: %s: %s %s/%s\n", cli->name,
			    cli->dry_run ? "dry run, would write" : "wrote",
			    dir, c->files[i].name);
		}
	}
	if (cli->json)
		printf("], \"dry_run\": %s}\n", cli->dry_run ? "true" :
		    "false");
	return EX_OK;
}

static int
run(struct cli *cli, int argc, char **argv, enum ma_srv srv)
{
	struct config_opts o;
	struct inputs x;
	struct ma_srvconf c = { .nfiles = 0 };
	void *at[3];
	int rc;

	memset(&x, 0, sizeof(x));
	at[0] = o.dir = arg_file0(NULL, "dir", "DIR",
	    "write the files into DIR (default: print them)");
	at[1] = o.force = arg_lit0(NULL, "force",
	    "replace files in DIR that mailadm did not write");
	at[2] = o.password_file = arg_file0(NULL, "db-password-file", "FILE",
	    "password of the servers' database account (default: "
	    "db_password_file)");
	if ((rc = cli_parse(cli, argc, argv, at, NELEM(at))) >= 0)
		goto out;
	if (o.force->count > 0 && o.dir->count == 0) {
		rc = cli_error(cli, EX_USAGE, "--force goes with --dir");
		goto out;
	}
	snprintf(x.dir, sizeof(x.dir), "%s", ma_srv_default_dir(srv));
	if ((rc = gather(cli, &o, &x)) != 0)
		goto out;
	if (ma_srvconf_make(srv, &x.in, &c, &cli->err) < 0)
		rc = cli_fail(cli);
	else if (o.dir->count > 0)
		rc = write_files(cli, &c, x.dir, o.force->count > 0);
	else {
		print_files(cli, &c);
		rc = EX_OK;
	}
	ma_srvconf_release(&c);
out:
	inputs_release(&x);
	arg_freetable(at, NELEM(at));
	return rc;
}

static int
cmd_postfix(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, MA_SRV_POSTFIX);
}

static int
cmd_courier(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, MA_SRV_COURIER);
}

static int
cmd_sasl(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, MA_SRV_SASL);
}

static int
cmd_dovecot(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, MA_SRV_DOVECOT);
}

/* Files are not undone with a batch's transaction: not in a batch. */
#define W (CLI_WRITES | CLI_NO_BATCH)

static const struct cli_cmd config_cmds[] = {
	{ "postfix", cmd_postfix, "Postfix lookup tables and main.cf lines",
	    W, OPERAND_NONE },
	{ "courier", cmd_courier, "courier-authlib authmysqlrc and "
	    "authdaemonrc", W, OPERAND_NONE },
	{ "sasl", cmd_sasl, "Cyrus SASL smtpd.conf (through authdaemond)",
	    W, OPERAND_NONE },
	{ "dovecot", cmd_dovecot, "Dovecot dovecot-sql.conf.ext",
	    W, OPERAND_NONE },
	{ NULL, NULL, NULL, 0, OPERAND_NONE }
};

const struct cli_group cli_group_config = {
	"config", "server files that read this database", config_cmds
};
