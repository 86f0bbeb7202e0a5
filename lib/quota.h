/*
 * Maildir++ quota, kept the way Courier's maildrop, deliverquota and
 * Courier-IMAP keep it (and Dovecot's quota=maildir reads it), so that
 * mailadm and the delivery agent never disagree.
 *
 * <Maildir>/maildirsize: a first line with the limits ("10000000S" bytes,
 * "1000C" messages, comma-separated; "0S" or nothing: no limit), then
 * lines "<bytes> <messages>", two integers that may be negative, whose
 * sum is the usage.  A delivery appends "%12s %12s\n"; a recalculation
 * counts the messages and writes the limits and one such line.
 *
 * Courier recalculates when (its rules, maildirquota.c):
 *   - the file is 5120 bytes or more (it reads that much: MA_MDS_READ);
 *   - a total is negative;
 *   - a message would go over quota and the file has more than one usage
 *     line or was last written 15 minutes ago or more (MA_MDS_FRESH);
 *   - maildrop is given a quota (from courier-authlib: the mailbox.quota
 *     column) that differs from the file's first line, or the file is
 *     missing (it is then made).
 * mailadm also recalculates a file with a line Courier would skip (not
 * two integers) or a number too large for 64 bits.
 *
 * Counting is Courier's: new/ and cur/ of the Maildir and of each folder
 * (a directory whose name starts with '.', except "." and ".."), but not
 * .Trash; names starting with '.' are skipped, and so are messages whose
 * ":2," flags hold 'T' (deleted); a message's size is the number after
 * ",S=" in its name, else its size on disk.  mailadm follows no symbolic
 * link in a Maildir (a linked folder, cur/, new/ or message without
 * ",S=" counts nothing), where Courier follows all but linked folders.
 */
#ifndef MA_QUOTA_H
#define MA_QUOTA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "maildir.h"

#define MA_MDS_READ	5120	/* bytes of maildirsize Courier reads */
#define MA_MDS_FRESH	(15 * 60)	/* an over-quota total is trusted */

/* What a maildirsize says. */
enum {
	MA_MDS_OVERFLOW	 = 1 << 0,	/* MA_MDS_READ bytes or more */
	MA_MDS_NEGATIVE	 = 1 << 1,	/* a total below 0 */
	MA_MDS_MALFORMED = 1 << 2	/* a line that is not two integers,
					   or a number out of range */
};

struct ma_mdsize {
	int64_t		 limit_bytes, limit_count;	/* 0: no limit */
	int64_t		 bytes, count;			/* the sums */
	int		 lines;		/* usage lines (Courier's nlines) */
	unsigned int	 flags;		/* MA_MDS_* */
};

/*
 * Parse the first len bytes of a maildirsize (read at most MA_MDS_READ
 * bytes: with len == MA_MDS_READ only the first line is used, as Courier
 * does).  Any bytes are accepted; what Courier would not sum is flagged.
 */
void	ma_mdsize_parse(const char *buf, size_t len, struct ma_mdsize *m);

/*
 * Parse a Courier quota string ("10000S,50C") into *bytes and *count.
 * Returns 0, or -1 when a part has no 'S' or 'C' or a number is out of
 * range (Courier warns and ignores that part; so does this).
 */
int	ma_mdsize_parse_limits(const char *s, size_t len, int64_t *bytes,
	    int64_t *count);

/*
 * The size Courier reads from a message file name: the digits after the
 * last ",S=" before the ":2," info.  1 with *size set, 0 when there is
 * none (or the number is out of range: the file's size counts).
 */
int	ma_msgname_size(const char *name, uint64_t *size);

/* Nonzero when Courier counts a message of this name (no 'T' flag). */
int	ma_msgname_counted(const char *name);

/* Nonzero when Courier counts the folder of this name (not .Trash). */
int	ma_folder_counted(const char *name);

/*
 * The usage a mailbox has, and where the figure comes from.
 */
enum ma_quota_state {
	MA_QS_OK,		/* maildirsize as it was */
	MA_QS_RECALCULATED,	/* counted, and maildirsize rewritten */
	MA_QS_COUNTED,		/* counted, maildirsize left (read only) */
	MA_QS_NO_MAILDIR	/* the Maildir does not exist */
};

struct ma_quota_usage {
	int64_t		 limit_bytes, limit_count;	/* in force; 0 none */
	int64_t		 bytes, count;
	int		 percent;	/* of the larger share; may pass 100 */
	enum ma_quota_state state;
	char		 why[200];	/* why it was counted; "" if it was not */
};

enum {
	MA_QUOTA_RECALC	  = 1 << 0,	/* count the files whatever the file says */
	MA_QUOTA_READONLY = 1 << 1,	/* write nothing (a dry run) */
	MA_QUOTA_NO_WRITE_ERR = 1 << 2	/* a failed rewrite is no error */
};

struct ma_quota_req {
	const char	*maildir;	/* mailbox.maildir */
	int64_t		 quota;		/* mailbox.quota: bytes, 0 none */
	int64_t		 extra_bytes;	/* a message on its way (policy): */
	int		 extra_count;	/* its size, and 1 */
	unsigned int	 flags;		/* MA_QUOTA_* */
	time_t		 now;
};

/*
 * The usage of one Maildir.  The limit in force is the mailbox's quota
 * when it has one, else the file's (maildrop's rule).  The files are
 * counted when Courier would count them (the rules above, with the
 * message r->extra_* about to be added), the file is missing
 * (a mailbox with a quota gets one, as maildrop makes it), or asked; the
 * result is then written to maildirsize (unless MA_QUOTA_READONLY, or a
 * mailbox without quota and without maildirsize: that one stays as it
 * is).  With MA_QUOTA_NO_WRITE_ERR a failed rewrite leaves the counted
 * figures in *u (state MA_QS_COUNTED, why naming the failure).
 * A missing Maildir is state MA_QS_NO_MAILDIR and usage 0 (return 0).
 * Returns 0, or -1 with err set: MA_EINVAL (maildir), MA_EPERM (a
 * symbolic link where maildirsize, the Maildir or its tmp/ should be;
 * refused), MA_EIO.
 */
int	ma_quota_usage(const struct ma_vmail *v, const struct ma_quota_req *r,
	    struct ma_quota_usage *u, struct ma_err *err);

/*
 * Whether a message of extra_bytes is refused (the policy service's
 * rule): usage at or over a limit, or usage plus the message over it.
 */
int	ma_quota_full(const struct ma_quota_usage *u, int64_t extra_bytes);

/* Percent of limit that used is, floored; 0 without a limit. */
int	ma_quota_percent(int64_t used, int64_t limit);

/*
 * A mailbox's new quota into its maildirsize, so the delivery agent
 * enforces it at once: the first line is rewritten and the usage lines
 * kept (lines a delivery appends meanwhile are carried over), or, when
 * the file is missing (with a quota) or not to be trusted, the files are
 * counted and the file made anew.  A quota of 0 and no file: nothing.
 * Errors as ma_quota_usage(); MA_ENOTFOUND when the Maildir is missing.
 */
int	ma_quota_apply(const struct ma_vmail *v, const char *maildir,
	    int64_t quota, struct ma_err *err);

/*
 * The warning: "quota warn" delivers it into the Maildir's new/ once per
 * crossing of the threshold.  The file mailadm-quotawarn in the Maildir
 * says a warning was delivered; it goes when the usage is below the
 * threshold again, and making it (O_EXCL) is what lets only one of two
 * concurrent runs deliver.
 */
#define MA_QUOTA_WARN_FILE "mailadm-quotawarn"

struct ma_warn_text;

/*
 * Load the template at path (see warn-text.c for its form); the built-in
 * French and English text when path is NULL, empty or does not exist.
 * Errors: MA_ENOINPUT (unreadable), MA_ECONFIG (the file and line, and
 * what is wrong), MA_ENOMEM.
 */
int	ma_warn_text_load(const char *path, struct ma_warn_text **t,
	    struct ma_err *err);
void	ma_warn_text_free(struct ma_warn_text *t);

struct ma_warn_vars {
	const char	*address, *domain;
	int64_t		 used, limit;
	int		 percent;
	time_t		 now;
};

/* The complete message for vars, in *out (malloc'ed, len bytes). */
int	ma_warn_text_render(const struct ma_warn_text *t,
	    const struct ma_warn_vars *vars, char **out, size_t *len,
	    struct ma_err *err);

/* Nonzero when the Maildir rel has a warning out (its warn file). */
int	ma_quota_warned(const struct ma_vmail *v, const char *rel);

enum ma_warn_result {
	MA_WARN_BELOW,		/* under the threshold, nothing to do */
	MA_WARN_SENT,		/* delivered now (or would be, dry run) */
	MA_WARN_ALREADY,	/* over, and warned already */
	MA_WARN_REARMED		/* under again: the next crossing warns */
};

struct ma_warn_job {
	const char		*address, *domain, *maildir;
	const struct ma_quota_usage *usage;
	int			 threshold;	/* percent */
	const struct ma_warn_text *text;
	int			 dry_run;	/* decide, change nothing */
	time_t			 now;
};

/*
 * Warn one mailbox if its usage is at or over the threshold and it was
 * not warned since it last was under it; take the warn file away when it
 * is under.  Returns 0 with *res set, or -1 with err set (nothing is
 * left claimed: a failed delivery removes the warn file it made).
 */
int	ma_quota_warn(const struct ma_vmail *v, const struct ma_warn_job *j,
	    enum ma_warn_result *res, struct ma_err *err);

#endif
