/*
 * Migration of a legacy account database (SPEC §3 "migrate", §10): the
 * rows a map file reads from the staging database are checked and
 * normalized into a plan, compared with the store, then written in one
 * transaction.  Nothing is dropped or changed silently: every row that
 * cannot be imported as it is gets a report entry (severity, code,
 * source table and key, reason; rejected rows with the whole source row).
 *
 * Result columns of the map's queries (NULL: the default):
 *   domains    domain (required), description, quota (bytes given to new
 *              mailboxes), max_quota (bytes, per mailbox), domain_quota
 *              (bytes, all mailboxes), max_mailboxes, max_aliases (-1
 *              disabled, 0 unlimited), transport, backup_mx, active,
 *              created, source_row
 *   mailboxes  address (required), password, password_format (auto,
 *              cleartext, crypt or a scheme name), password_clear (a
 *              clear copy kept beside the hash: checked, never imported),
 *              name, quota (bytes; NULL: the domain's) or maildirpp_quota
 *              (a Maildir++ quota string, "NS,MC"), active, created,
 *              maildir, source_row
 *   aliases    address (required), goto (targets separated by commas,
 *              blanks or line breaks), goto_size (the source column's size:
 *              a goto that fills it was cut short), active, created,
 *              source_row
 *   vacations  address (required), active
 *   admins     admin (required), domain, source_row
 */
#ifndef MA_MIGRATE_H
#define MA_MIGRATE_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "maildir.h"
#include "mapfile.h"
#include "staging.h"

struct ma_migrate_opts {
	const char	*scheme;	/* hashes cleartext passwords */
	int		 prefix;	/* password_prefix */
	const char	*maildir_format;
	uint64_t	 multiplier;	/* quota_multiplier */
	int		 update;	/* overwrite rows changed at the source */
	/* the plan is for verify: the Maildirs in place are counted too */
	int		 count_targets;
	/*
	 * Where the fresh random passwords of accounts whose own cannot be
	 * kept go, as "address,password" CSV lines; NULL: those accounts are
	 * imported with a disabled password instead.
	 */
	FILE		*new_passwords;
	/*
	 * The legacy Maildirs (--maildirs), where the map's maildir column
	 * points below; NULL: Maildirs are not planned nor made.  They go
	 * under maildirs.base, owned maildirs.uid:gid.
	 */
	const char	*old_root;
	struct ma_maildir_opts maildirs;
};

/* What the plan does with the rows of one kind. */
struct ma_migrate_count {
	long	source;		/* rows the map's query gave */
	long	add;		/* not in the store: to be added */
	long	same;		/* in the store as they are */
	long	change;		/* in the store, different: updated with update */
	long	reject;
};

enum ma_migrate_what { MA_MIG_DOMAINS, MA_MIG_MAILBOXES, MA_MIG_ALIASES,
		       MA_MIG_ALIAS_DOMAINS, MA_MIG_WHATS };

/* A report entry; key and row are JSON objects (row NULL but for rejects). */
struct ma_migrate_note {
	const char	*severity;	/* "reject", "warning", "info" */
	const char	*code;		/* DOMAIN_ROW_MISSING… */
	const char	*table;		/* the source table */
	const char	*key;
	const char	*reason;
	const char	*row;
};

struct ma_migrate;

/* o, s and map are borrowed for the life of the migration. */
int	ma_migrate_new(const struct ma_migrate_opts *o, struct ma_staging *s,
	    const struct ma_map *map, struct ma_migrate **mp,
	    struct ma_err *err);
void	ma_migrate_free(struct ma_migrate **mp);

/*
 * Run the map's queries, check every row and compare the result with the
 * store (read only).  MA_EINVAL for a query that fails or returns unknown
 * columns ("mailboxes: …"); problem rows are report entries, not errors.
 */
int	ma_migrate_plan(struct ma_migrate *m, struct ma_db *store,
	    struct ma_err *err);

/*
 * Only what the store has, read (once: ma_migrate_plan and
 * ma_migrate_txn read it if it was not), before a plan that
 * ma_migrate_txn makes: its errors are then final, as a plan's are,
 * while the transaction's are retried.
 */
int	ma_migrate_read_store(struct ma_migrate *m, struct ma_db *store,
	    struct ma_err *err);

/* Counts of the plan, and what the last transaction wrote. */
void	ma_migrate_counts(const struct ma_migrate *m, enum ma_migrate_what w,
	    struct ma_migrate_count *c);
long	ma_migrate_written(const struct ma_migrate *m, enum ma_migrate_what w);
/* Report entries by severity: "reject", "warning", "info". */
long	ma_migrate_notes(const struct ma_migrate *m, const char *severity);

typedef int ma_migrate_note_cb(const struct ma_migrate_note *n, void *arg);

/* Every report entry, in the order found; fn returning -1 stops. */
int	ma_migrate_report(struct ma_migrate *m, ma_migrate_note_cb *fn,
	    void *arg, struct ma_err *err);

/*
 * Where the store and the source part (once planned): what the store
 * lacks ("missing"), has otherwise ("differs"), and the mailboxes and
 * aliases it has in the source's domains that the source has not
 * ("extra").  Rejected rows are not differences: the report has them.
 */
struct ma_migrate_diff {
	const char	*what;		/* domain, alias_domain, mailbox, alias */
	const char	*name;
	const char	*state;		/* missing, differs, extra */
};
typedef int ma_migrate_diff_cb(const struct ma_migrate_diff *d, void *arg);
/* fn (if not NULL) for each difference; *n (if not NULL) their number. */
int	ma_migrate_differences(struct ma_migrate *m, ma_migrate_diff_cb *fn,
	    void *arg, long *n, struct ma_err *err);

/* What becomes of an imported mailbox's legacy Maildir (with old_root). */
struct ma_migrate_maildir {
	const char	*address;
	const char	*source;	/* below old_root; NULL: none given */
	const char	*target;	/* below vmail_base */
	/*
	 * The plan: copy, create (no Maildir at the source: an empty one),
	 * present (the mailbox is in the store, its Maildir in place: kept),
	 * conflict (a new mailbox whose place is taken: kept, reported);
	 * after ma_migrate_copy_maildirs: copied, created.
	 */
	const char	*state;
	int64_t		 messages, bytes;	/* cur/ and new/, all folders */
	int64_t		 files, skipped;	/* all files; links, specials */
};
typedef int ma_migrate_maildir_cb(const struct ma_migrate_maildir *d,
	    void *arg);
/* Every mailbox's Maildir, in the source's order (none without old_root). */
int	ma_migrate_maildirs(struct ma_migrate *m, ma_migrate_maildir_cb *fn,
	    void *arg, struct ma_err *err);

/*
 * Copy (or create) the Maildirs the plan says, once the transaction has
 * committed: each with ma_maildir_copy(), its maildirsize made for the
 * mailbox's quota.  fn (if not NULL) is told of each one done.  A run
 * that stops part way (an error, a kill) leaves every Maildir complete
 * or absent; the same migration run again finds those in the store and
 * copies the rest.  Returns 0, or -1 with err set (naming the mailbox).
 */
typedef void ma_migrate_progress_fn(const char *address, long done,
	    void *arg);
int	ma_migrate_copy_maildirs(struct ma_migrate *m,
	    ma_migrate_progress_fn *fn, void *arg, struct ma_err *err);

/*
 * The transaction (a ma_txn_fn) that writes the plan: new domains, alias
 * domains, mailboxes (with their self aliases) and aliases, and, with
 * update, the rows changed at the source.  Run it again and it writes
 * nothing new.  Without ma_migrate_plan before (after
 * ma_migrate_read_store), it plans first: cleartext passwords hashed
 * ahead, new mailboxes' rows written while the aliases are checked, and
 * the checks over the whole plan (report entries only) made while the
 * held log rows (MA_TXN_HOLD_LOG) go in; a retried attempt keeps that
 * plan and those checks.
 */
int	ma_migrate_txn(struct ma_db *db, void *m, struct ma_err *err);

#endif
