/*
 * The command-line front end: global state, the command table, output,
 * and the mapping of library errors to sysexits codes.
 */
#ifndef MA_CLI_H
#define MA_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <argtable2.h>

#include "mailadm.h"

/* What a command needs main() to prepare, and what its operand is. */
enum {
	CLI_DB		= 1 << 0,	/* opens the database */
	CLI_CREATE	= 1 << 1,	/* may create an SQLite file */
	CLI_WRITES	= 1 << 2,	/* changes something (--dry-run applies) */
	CLI_NO_BATCH	= 1 << 3,	/* has its own transaction, or DDL */
};

enum cli_operand { OPERAND_NONE, OPERAND_DOMAIN, OPERAND_ALIAS_DOMAIN,
		   OPERAND_ALIAS, OPERAND_MAILBOX, OPERAND_FILE,
		   OPERAND_QUOTA_TARGET };	/* a mailbox or @domain */

enum out_mode { OUT_TEXT, OUT_LONG, OUT_JSON };

struct out {
	FILE		*fp;
	enum out_mode	 mode;
	int		 list;		/* an array of records, not one object */
	int		 records, fields;
	/* --long tables are laid out when complete: the cells' text, one
	 * NUL-terminated string after the other, and where each starts. */
	char		**head, *text;
	size_t		*cells;
	size_t		 ncells, ncols, textlen, textcap, cellcap;
};

struct cli {
	/* global options */
	const char	*config_path;
	const char	*db_uri;
	int		 json, dry_run, verbose, quiet, long_list;
	/* state */
	const char	*name;		/* "domain add", for messages */
	char		 name_buf[64];
	unsigned int	 flags;
	struct ma_conf	 conf;
	struct ma_db	*db;
	struct ma_err	 err;
	struct out	 out;
	int		 complete;	/* list options instead of running */
	int		 printed;	/* a result document is on stdout */
	/*
	 * Inside a batch: where we are ("batch: line 3"), for messages, and
	 * the notes of what to do with files once its transaction ends.
	 */
	const char	*context;
	FILE		*deferred;
};

typedef int cli_fn(struct cli *cli, int argc, char **argv);

struct cli_cmd {
	const char	*name;		/* "add", or "alias add" */
	cli_fn		*fn;
	const char	*summary;
	unsigned int	 flags;
	enum cli_operand operand;
};

struct cli_group {
	const char		*name;
	const char		*summary;
	/* ends with { NULL }; a group without verbs has one named "" */
	const struct cli_cmd	*cmds;
};

/* "group verb", or "group" for a group without verbs. */
void	cli_cmd_name(const struct cli_group *g, const struct cli_cmd *c,
	    char *buf, size_t size);

extern const struct cli_group *const cli_groups[];	/* ends with NULL */

/*
 * Run one command line (argv[0] is the program): global options, then
 * the command the table names.  Its exit code.
 */
int	cli_run(struct cli *cli, int argc, char **argv);

/*
 * Split a batch line into words (see cli_words.c) after argv0; *v_r ends
 * with NULL, for cli_words_free().  -1 with *why on a quoting error.
 */
int	cli_words(const char *line, const char *argv0, char ***v_r, int *n_r,
	    const char **why);
void	cli_words_free(char **v);

const struct cli_group *cli_group_find(const char *name);
/* The command named by argv[0] (or argv[0] argv[1]); *used words taken. */
/* Nonzero when word is the first word of g's two-word verbs ("alias"). */
int	cli_cmd_is_prefix(const struct cli_group *g, const char *word);
const struct cli_cmd *cli_cmd_find(const struct cli_group *g, int argc,
	    char **argv, int *used);

/*
 * Parse argv (argv[0] is the verb) against opts plus the global options,
 * then load the config and open the database as cli->flags ask.
 * Returns -1 to go on, or an exit code (0 after --help, 64 on errors).
 */
int	cli_parse(struct cli *cli, int argc, char **argv, void **opts,
	    size_t nopts);

int	cli_open(struct cli *cli);
/* The database URI: --db, else $MAILADM_DB, else the config's db. */
const char *cli_db_uri(const struct cli *cli);
/*
 * The password of uri's account into *secret_r (to be wiped and freed):
 * from file if not NULL, else from db_password_file when uri is MariaDB's
 * and holds none; *secret_r stays NULL when there is none to read.
 * Returns 0, or -1 with cli->err set.
 */
int	cli_db_secret(struct cli *cli, const struct ma_dburi *uri,
	    const char *file, char **secret_r);
/* Open cli->db as the options and config say: 0, or -1 with cli->err
 * set and nothing printed (a service reports its own way). */
int	cli_db_connect(struct cli *cli);
void	cli_close(struct cli *cli);

/* Report cli->err as "mailadm: <command>: <message>"; its exit code. */
int	cli_fail(struct cli *cli);
/* Say what cli->err holds on stderr alone, for a command that goes on
 * with the next item (its JSON document stays whole). */
void	cli_complain(struct cli *cli);
/* Report a message of our own with the given exit code. */
int	cli_error(struct cli *cli, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	cli_warn(struct cli *cli, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	cli_exit_code(enum ma_status st);
/* Under --json, the error document alone (the message is on stderr). */
void	cli_error_json(int code, const char *msg);
/* 64 with a message when both flags were given, else -1. */
int	cli_exclusive(struct cli *cli, const struct arg_lit *a,
	    const struct arg_lit *b);

/*
 * Run fn in one transaction (rolled back under --dry-run, which then
 * lists what would have changed on stderr); exit code.
 */
int	cli_change(struct cli *cli, ma_txn_fn *fn, void *arg);
/* After a change: under --dry-run or -v, list what it did; EX_OK. */
int	cli_change_report(struct cli *cli);

/*
 * Under --json, the document of a change that shows nothing else: the
 * log lines it wrote (or would write, in a dry run).
 */
void	cli_json_changes(struct cli *cli);

/* Maildirs (cli_maildir.c): the options from the config, and what a
 * delete does with one after the rows are gone (maildir_on_delete);
 * a failure there loses no mail but is an error (74). */
void	cli_maildir_opts(const struct cli *cli, struct ma_maildir_opts *o);
int	cli_maildir_dispose(struct cli *cli, const char *address,
	    const char *maildir, enum ma_on_delete how);
/* After a quota change is committed: the new limit into the Maildir's
 * maildirsize, so the delivery agent enforces it at once (a warning when
 * that fails: the database has it, a recalculation puts it there). */
void	cli_maildir_quota(struct cli *cli, const char *address,
	    const char *maildir, int64_t quota);
/*
 * Inside a batch the three wait for its transaction: a Maildir made is
 * noted (cli_maildir_made) to be taken back if it does not commit;
 * dispose and quota are noted to be done once it has.  settle does what
 * the notes say; its exit code.
 */
void	cli_maildir_made(struct cli *cli, const char *maildir);
int	cli_maildir_settle(struct cli *cli, int committed);

/*
 * show: lookup(cli, key) renders the object named by the operand on
 * cli->out and returns 1, or returns 0 when there is none (exit
 * notfound, "no such NOUN"), or -1 with cli->err set.
 */
struct cli_show {
	const char	*operand, *glossary, *noun;
	int		 notfound;
	int		(*lookup)(struct cli *cli, const char *key);
};
int	cli_show(struct cli *cli, int argc, char **argv,
	    const struct cli_show *s);

/*
 * list [--long]: each(cli, filter) renders every object as a record on
 * cli->out; with a filter glossary the verb takes an optional DOMAIN.
 */
struct cli_list {
	const char	*filter;
	int		(*each)(struct cli *cli, const char *domain);
};
int	cli_list(struct cli *cli, int argc, char **argv,
	    const struct cli_list *l);

/* Output: one code path for text, --long tables and --json. */
void	out_begin(struct cli *cli, int list);
void	out_record(struct out *o);
void	out_str(struct out *o, const char *key, const char *value);
void	out_int(struct out *o, const char *key, int64_t value);
void	out_bool(struct out *o, const char *key, int value);
void	out_size(struct out *o, const char *key, int64_t bytes);
void	out_limit(struct out *o, const char *key, int64_t n);
/* An amount of bytes (usage): "812.3M" to people, the integer in JSON. */
void	out_usage(struct out *o, const char *key, int64_t bytes);
void	out_time(struct out *o, const char *key, const char *stamp);
/* A list of strings: a JSON array, or comma-separated text. */
void	out_strv(struct out *o, const char *key, char *const *v, size_t n);
void	out_record_end(struct out *o);
void	out_end(struct out *o);
void	out_json_string(FILE *fp, const char *s);

/*
 * A password for a command (cli_passwd.c): from standard input (one line)
 * when from_stdin, else from the terminal without echo, asked twice when
 * confirm; 64 when there is no terminal.  Returns -1 with *pw_r set, to be
 * freed with cli_password_free(), or an exit code (message printed).
 */
int	cli_read_password(struct cli *cli, int from_stdin, int confirm,
	    char **pw_r);
/* Wipe and free a password. */
void	cli_password_free(char *pw);

/* Help and completion (cli_help.c). */
int	cli_help(struct cli *cli, int argc, char **argv);
int	cli_complete(struct cli *cli, int argc, char **argv);
void	cli_usage(FILE *fp);

/*
 * The outcome of a migration (cli_report.c): a table of counts and one
 * line per problem row for people, or one JSON document.
 */
struct cli_migration {
	const char		*source, *map;
	struct ma_staging	*staging;
	struct ma_migrate	*m;
	int			 run, committed, dry_run, update, verify;
	const char		*new_passwords;	/* the file, or NULL */
	const char		*maildirs;	/* --maildirs, or NULL */
};
int	cli_migration_text(const struct cli_migration *mg, FILE *fp,
	    struct ma_err *err);
/* verify: one line a difference ("missing mailbox a@b"); their number. */
int	cli_migration_diffs(const struct cli_migration *mg, FILE *fp, long *n,
	    struct ma_err *err);
int	cli_migration_json(const struct cli_migration *mg, FILE *fp,
	    struct ma_err *err);
/* cli_report_maildirs.c: the Maildirs part of those two (--maildirs). */
int	cli_migration_maildirs_text(const struct cli_migration *mg, FILE *fp,
	    struct ma_err *err);
int	cli_migration_maildirs_json(const struct cli_migration *mg, FILE *fp,
	    struct ma_err *err);

/* Verbs that live in files of their own. */
int	cmd_user_import(struct cli *cli, int argc, char **argv);

/* Command groups. */
extern const struct cli_group cli_group_domain;
extern const struct cli_group cli_group_schema;
extern const struct cli_group cli_group_alias;
extern const struct cli_group cli_group_user;
extern const struct cli_group cli_group_pw;
extern const struct cli_group cli_group_config;
extern const struct cli_group cli_group_batch;
extern const struct cli_group cli_group_migrate;
extern const struct cli_group cli_group_quota;

#endif
