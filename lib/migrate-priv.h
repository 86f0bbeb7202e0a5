/*
 * Shared by lib/migrate*.c.  The plan lives in the staging database's
 * attached "work" schema:
 *
 *   work.domain    name, the row's values, status import|reject, and
 *                  store add|same|change once compared with the store
 *   work.mailbox   address, local, domain, password and its class, …
 *   work.alias     address, goto (normalized), kind alias|mailbox|
 *                  domain_alias, …
 *   work.target    one row per target of an imported alias
 *   work.vacation  the addresses with an auto-reply
 *   work.maildir   each imported mailbox's Maildir: source, target,
 *                  what becomes of it, its messages and bytes (and, for
 *                  verify, those of the Maildir in place)
 *   work.report    the report entries
 *   work.store_*   what the store has, read once
 *
 * Every row keeps its source table and key (JSON), for later entries.
 */
#ifndef MA_MIGRATE_PRIV_H
#define MA_MIGRATE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "migrate.h"

/* How a mailbox's password is imported (work.mailbox.pwclass). */
#define MG_PW_KEEP	"keep"		/* the hash as it is */
#define MG_PW_HASH	"hash"		/* a cleartext password, hashed */
#define MG_PW_LOCK	"lock"		/* unusable: disabled, or random */

/* Statements run once a row: prepared once (see mg_stmt). */
#define MG_STMTS 64

struct ma_migrate {
	const struct ma_migrate_opts *o;
	struct ma_staging	*s;
	struct ma_db		*w;	/* the staging connection */
	const struct ma_map	*map;
	struct ma_migrate_count	 count[MA_MIG_WHATS];
	long			 written[MA_MIG_WHATS];
	long			 notes[3];	/* reject, warning, info */
	int			 old_fd;	/* o->old_root, or -1 */
	struct ma_vmail		 vmail;	/* for o->count_targets, fd -1 until */
	struct mg_domain_cache	*domain_cache;	/* see mg_domain_state */
	struct mg_prehash	*prehash;	/* see mg_prehash_open */
	int			 checked;	/* the late checks made */
	int			 store_read;	/* ma_migrate_read_store done */
	int			 planned;	/* ma_migrate_plan done */
	struct mg_early		*early;		/* see mg_early_open */
	int			 early_done;	/* new mailboxes' rows in */
	struct ma_err		 early_err;	/* status set: they failed */
	struct {
		const char	*sql;
		struct ma_stmt	*st;
	}			 stmts[MG_STMTS];
};

/* The columns a query may return; MG_COLS_MAX bounds every kind's list. */
#define MG_COLS_MAX 16

/* A map query being read, row by row. */
struct mg_query {
	struct ma_migrate	*m;
	enum ma_map_kind	 kind;
	struct ma_stmt		*st;
	const char *const	*names;		/* the known columns */
	int			 col[MG_COLS_MAX];	/* result index, or -1 */
	int			 source_col;	/* of source_row, or -1 */
	size_t			 n;
	long			 rows;
	struct ma_stmt		*key_st, *row_st;	/* of the source table */
};

/* Where a row comes from, for report entries. */
struct mg_src {
	char		*table;
	char		*key;		/* JSON object */
	char		*text;		/* the key for people: "pkid 6" */
};

/* migrate-query.c */
int	mg_query_open(struct ma_migrate *m, enum ma_map_kind kind,
	    const char *const *names, struct mg_query *q, struct ma_err *err);
/* 1 with a row, 0 at the end, -1 on error. */
int	mg_query_next(struct mg_query *q, struct ma_err *err);
void	mg_query_close(struct mg_query *q);
/* fn for every row of kind's query (none when the map has no query). */
typedef int mg_row_fn(struct mg_query *q, void *arg, struct ma_err *err);
int	mg_query_each(struct ma_migrate *m, enum ma_map_kind kind,
	    const char *const *names, mg_row_fn *fn, void *arg, long *rows,
	    struct ma_err *err);
/* Column c (an index into names): NULL when NULL or not returned. */
const char *mg_val(const struct mg_query *q, int c);
/* Whether the query returns column c at all. */
int	mg_has(const struct mg_query *q, int c);
/* Where the current row comes from. */
int	mg_source(struct mg_query *q, struct mg_src *src, struct ma_err *err);
/* The whole source row as a JSON object (for a reject). */
char	*mg_source_row(struct mg_query *q, struct ma_err *err);
void	mg_src_release(struct mg_src *src);

/* migrate-report.c */
int	mg_note(struct ma_migrate *m, const char *severity, const char *code,
	    const char *table, const char *key, const char *row,
	    struct ma_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 8, 9)));
/* A note about the current row of q (with the source row if a reject). */
int	mg_row_note(struct mg_query *q, const struct mg_src *src,
	    const char *severity, const char *code, struct ma_err *err,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* migrate-norm.c: the rules for single values. */
/* Blanks (space, TAB, CR, LF) around s cut off: 1 if there were some. */
int	mg_trim(const char *s, char **out);
/* 1 when s has an ASCII capital letter. */
int	mg_has_upper(const char *s);
/* An integer, as MySQL writes one ("12", "-1", "12.0"): 0 or -1. */
int	mg_int(const char *s, int64_t *out);
/* A flag: 1/0, y/n, yes/no, true/false, t/f (any case): 0 or -1. */
int	mg_bool(const char *s, int *out);
/* A date "YYYY-MM-DD[ HH:MM:SS]": 0 (out set), 1 the zero date, -1 bad. */
int	mg_date(const char *s, char out[20]);
/* A Maildir++ quota "NS", "MC", "NS,MC", "", "0", a bare "N" (*nounit). */
int	mg_maildirpp_quota(const char *s, int64_t *bytes, int64_t *msgs,
	    int *nounit);
/*
 * UTF-8 text that was UTF-8 bytes stored in a latin1 column and
 * converted again ("GÃ©rard"): 1 with *fixed the repaired text, else 0.
 */
int	mg_double_encoded(const char *s, char **fixed);
/* Text mailadm can store as a name: UTF-8, no NUL, at most max chars. */
const char *mg_text_problem(const char *s, size_t len, size_t max);
/* s in latin1 (cp1252) bytes, or NULL when it has other characters. */
char	*mg_latin1(const char *s);
/* Nonzero when s is ASCII only. */
int	mg_ascii(const char *s);

/* A goto list taken apart. */
struct mg_goto {
	char	**v;		/* the targets, as written (trimmed) */
	size_t	  n;
	int	  outer_blanks;	/* blanks or line breaks around the whole */
	int	  separators;	/* line breaks, blank-only separators, ",," */
};
int	mg_goto_split(const char *s, struct mg_goto *g);
void	mg_goto_release(struct mg_goto *g);

/* The columns of the mailboxes query, in migrate-mailbox.c's order. */
enum { MB_ADDRESS, MB_PASSWORD, MB_FORMAT, MB_CLEAR, MB_NAME, MB_QUOTA,
       MB_MDPP_QUOTA, MB_ACTIVE, MB_CREATED, MB_MAILDIR };

/* migrate-pass.c: a mailbox's password. */
struct mg_password {
	const char	*class;		/* MG_PW_* */
	char		*value;		/* hash, cleartext or "!…" */
};
int	mg_password(struct mg_query *q, const struct mg_src *src,
	    struct mg_password *pw, struct ma_err *err);
void	mg_password_release(struct mg_password *pw);

/* migrate-domain.c, migrate-mailbox.c, migrate-alias.c, migrate-admin.c */
int	mg_domains(struct ma_migrate *m, struct ma_err *err);
int	mg_vacations(struct ma_migrate *m, struct ma_err *err);
int	mg_mailboxes(struct ma_migrate *m, struct ma_err *err);
int	mg_aliases(struct ma_migrate *m, struct ma_err *err);
int	mg_admins(struct ma_migrate *m, struct ma_err *err);

/*
 * Whether mailboxes and aliases of domain name (stored form) can be
 * imported: ds->ok for a domain the plan imports or the store has, with
 * its limits; else ds->code and ds->reason say why not.  0, or -1.
 */
struct mg_domain_state {
	int		 ok;
	int		 backup_mx;
	int64_t		 quota, max_quota;	/* bytes; -1 disabled */
	const char	*code;		/* when not ok */
	char		 reason[300];
};
int	mg_domain_state(struct ma_migrate *m, const char *name,
	    struct mg_domain_state *ds, struct ma_err *err);
/* What mg_domain_state remembers; its answers hold once mg_domains ran. */
void	mg_domain_cache_free(struct ma_migrate *m);

/*
 * migrate-prehash.c: the new mailboxes' cleartext passwords (the first
 * few thousand) hashed by other threads: open before the mailboxes are
 * planned, add each one's as it is; take gives the writer the hash of
 * the mailbox at address (1), or 0 when it was not hashed ahead.
 */
int	mg_prehash_open(struct ma_migrate *m, struct ma_err *err);
int	mg_prehash_add(struct ma_migrate *m, const char *address,
	    const char *clear, struct ma_err *err);
int	mg_prehash_take(struct ma_migrate *m, const char *address,
	    char **hash, struct ma_err *err);
void	mg_prehash_free(struct ma_migrate *m);

/* migrate-maildirs.c: the plan of the Maildirs (with o->old_root). */
int	mg_maildirs(struct ma_migrate *m, struct ma_err *err);

/*
 * Each row of sql on the work database to row, which hands it to the
 * caller's callback in out as its struct; that fails (-1, errno set) only
 * when it cannot write: "cannot write the <what>".  *n (if not NULL): the
 * rows read.
 */
struct mg_out {
	union {
		ma_migrate_note_cb	*note;
		ma_migrate_diff_cb	*diff;	/* NULL: only counted */
		ma_migrate_maildir_cb	*maildir;
	}			 fn;
	void			*arg;
};
typedef int mg_out_fn(struct ma_stmt *st, const struct mg_out *out);
int	mg_rows(struct ma_migrate *m, const char *sql, mg_out_fn *row,
	    const struct mg_out *out, const char *what, long *n,
	    struct ma_err *err);

/* migrate-run.c, migrate-boxes.c: the transaction that writes the plan. */
/* Rows per INSERT, as user import writes them. */
#define MG_CHUNK	256
/* Postfixadmin's "never set" time, for dates the source did not know. */
#define MG_SENTINEL	"2000-01-01 00:00:00"
/*
 * The work rows to write: fmt's "%s" is the condition on their store
 * column (new ones, and changed ones with update).
 */
int	mg_write_prepare(struct ma_migrate *m, const char *fmt,
	    struct ma_stmt **st, struct ma_err *err);
int	mg_write_mailboxes(struct ma_migrate *m, struct ma_db *db,
	    struct ma_err *err);
/*
 * The rows of the new mailboxes written to db while the aliases are
 * planned (migrate-boxes.c says how): open once the mailboxes are, step
 * at each alias row, close after the last (early_done, or early_err).
 */
int	mg_early_open(struct ma_migrate *m, struct ma_db *db,
	    struct ma_err *err);
void	mg_early_step(struct ma_migrate *m);
/* finish: the rows not read yet are written too (else given up). */
void	mg_early_close(struct ma_migrate *m, int finish);
/*
 * migrate.c: the plan, once the store is read; for the transaction
 * writing to early when early is not NULL.
 */
int	mg_plan(struct ma_migrate *m, struct ma_db *early, struct ma_err *err);

/* migrate-check.c: what needs every row: dangling targets, loops, limits. */
int	mg_cross_checks(struct ma_migrate *m, struct ma_err *err);

/* migrate-store.c: the store, read into work.store_*; the comparison. */
int	mg_read_store(struct ma_migrate *m, struct ma_db *store,
	    struct ma_err *err);
int	mg_compare(struct ma_migrate *m, struct ma_err *err);
/* Whether two goto lists hold the same targets, in any order. */
int	mg_goto_same(const char *a, const char *b);

/*
 * Statements on the work database, prepared once: sql must be a string
 * constant (it is known by its address).  mg_stmt gives it reset, with
 * the text params p (NULL-terminated, or NULL) bound; it stays the
 * migration's.  mg_query1 steps it once: 1 with the row in *st (valid
 * until sql runs again), 0 without, -1 on error.
 */
struct ma_stmt *mg_stmt(struct ma_migrate *m, const char *sql,
	    const char *const *p, struct ma_err *err);
int	mg_query1(struct ma_migrate *m, const char *sql, const char *const *p,
	    struct ma_stmt **st, struct ma_err *err);
/* The integer of the first column of the first row (0 without one). */
int	mg_count(struct ma_migrate *m, const char *sql, const char *const *p,
	    int64_t *out, struct ma_err *err);
/* Run sql with params on the work database. */
int	mg_run(struct ma_migrate *m, const char *sql, const char *const *p,
	    struct ma_err *err);

#endif
