/*
 * Maildirs under vmail_base: the path a mailbox gets, creating one the way
 * Courier's maildirmake does (cur/, new/, tmp/ and a Maildir++
 * maildirsize), and archiving or purging it when the mailbox goes.
 *
 * Every function here works relative to a descriptor of vmail_base and
 * refuses to follow a symbolic link below it, so a link planted in the
 * mail store (the vmail user owns it) cannot make root write, chown or
 * delete elsewhere.  vmail_base itself may be a link.
 *
 * "rel" is the mailbox.maildir column: relative to vmail_base, no "." or
 * ".." component, no "//", no control character, not starting with '.'
 * (that name space holds .archive and mailadm's temporary names), at most
 * MA_MAILDIR_MAX bytes.  ma_maildir_path() always ends it in '/'; the
 * functions that take one also accept it without (older rows).
 */
#ifndef MA_MAILDIR_H
#define MA_MAILDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* mailbox.maildir is varchar(255) in Postfixadmin's schema. */
#define MA_MAILDIR_MAX 255

/* Where the Maildirs live and who owns them (SPEC §6); borrowed strings. */
struct ma_maildir_opts {
	const char	*base;	/* vmail_base: absolute, an existing dir */
	uid_t		 uid;	/* vmail_uid: never 0 where files are created */
	gid_t		 gid;	/* vmail_gid: never 0 either */
};

/*
 * Expand maildir_format into out (size bytes): %d the domain, %l the local
 * part, %a local@domain, %% a '%'.  The result is checked as "rel" above
 * and ends in '/'.  Returns 0, or -1 with err set:
 *   MA_EINVAL   domain or local is empty, holds '/' or a control
 *               character, or starts with '.' (the message names it), or
 *               the result is longer than MA_MAILDIR_MAX or size allows;
 *   MA_ECONFIG  the format has an unknown or dangling '%', names neither
 *               %a nor both %d and %l (mailboxes would share a Maildir),
 *               or yields an absolute path, "//", "." or "..", a leading
 *               '.', or no trailing '/'.
 * out is left untouched on error.
 */
int	ma_maildir_path(const char *format, const char *domain,
	    const char *local, char *out, size_t size, struct ma_err *err);

/*
 * Check a stored maildir value (as read from mailbox.maildir) against the
 * rules for "rel" above, trailing '/' included.  Returns 0, or -1 with
 * MA_EINVAL naming the value and the rule.
 */
int	ma_maildir_rel_check(const char *rel, struct ma_err *err);

/*
 * Create the Maildir <base>/<rel>: missing parent directories first (mode
 * 0700, owned uid:gid), then cur/, new/, tmp/ (0700) and, when
 * quota_bytes > 0, a maildirsize byte for byte as "maildirmake -q <N>S"
 * writes it ("<N>S\n" and a zero usage line; mode 0600), all owned
 * uid:gid and fsync'ed.  The Maildir is built under a temporary sibling
 * name and renamed into place, so a delivery never sees half of it.
 * Returns 0, or -1 with err set, leaving nothing behind (parent
 * directories this call made are removed again):
 *   MA_ECONFIG  base not absolute or missing, uid or gid 0;
 *   MA_EINVAL   rel breaks the rules above;
 *   MA_EEXIST   <base>/<rel> exists (it is not touched);
 *   MA_EPERM    a component under base is a symbolic link, or the
 *               system refused (chown without privilege, EACCES);
 *   MA_EIO      a component is not a directory, or another system error.
 */
int	ma_maildir_create(const struct ma_maildir_opts *o, const char *rel,
	    uint64_t quota_bytes, struct ma_err *err);

/*
 * Take back a Maildir that ma_maildir_create() just made, when the
 * transaction that needed it failed.  Removes <base>/<rel> only if it is
 * still the bare skeleton: owned uid:gid, holding nothing but empty cur/,
 * new/ and tmp/ and a maildirsize.  It is first renamed aside so that no
 * delivery can start in it while it is checked.  Parent directories stay
 * (removing them would race with a create in the same domain).  Returns
 * 0, or -1 with err set:
 *   MA_ENOTFOUND  no such Maildir;
 *   MA_EPERM      it holds anything else (mail!) or has another owner:
 *                 it is left in place; or a component is a symbolic link;
 *   MA_EINVAL, MA_ECONFIG, MA_EIO as for ma_maildir_create().
 */
int	ma_maildir_undo_create(const struct ma_maildir_opts *o,
	    const char *rel, struct ma_err *err);

/*
 * Move the Maildir <base>/<rel> to <base>/.archive/<name>-<stamp>, where
 * name is rel without its trailing '/' and with each '/' turned into '_'
 * ("example.org/bob/" → "example.org_bob-<stamp>").  .archive is created
 * (0700, uid:gid) when missing.  A rename, never a copy: mail is never
 * deleted.  stamp is the caller's (e.g. "20261128T171200Z"): not empty,
 * no '/', no control character.  On success the archived path relative
 * to base (".archive/<name>-<stamp>/") is written to out (size bytes).
 * Returns 0, or -1 with err set:
 *   MA_ENOTFOUND  no such Maildir;
 *   MA_EEXIST     that archive name is taken;
 *   MA_EINVAL     bad rel or stamp, or out too small (nothing moved);
 *   MA_EPERM      a symbolic link under base, or the system refused;
 *   MA_ECONFIG, MA_EIO as for ma_maildir_create() (EXDEV is MA_EIO).
 */
int	ma_maildir_archive(const struct ma_maildir_opts *o, const char *rel,
	    const char *stamp, char *out, size_t size, struct ma_err *err);

/*
 * Delete the Maildir <base>/<rel> and everything in it.  It is renamed
 * aside first, then removed with unlinkat() below descriptors opened
 * O_NOFOLLOW: a symbolic link inside is removed, never followed.  Returns
 * 0, or -1 with err set:
 *   MA_ENOTFOUND  no such Maildir;
 *   MA_EPERM      <base>/<rel> or a component is a symbolic link, or the
 *                 system refused;
 *   MA_EIO        removal failed part way (the message names the
 *                 renamed-aside directory that is left);
 *   MA_EINVAL, MA_ECONFIG as for ma_maildir_create().
 */
int	ma_maildir_purge(const struct ma_maildir_opts *o, const char *rel,
	    struct ma_err *err);

/*
 * What a Maildir holds: every regular file (files), and the messages
 * among them (the files in cur/ and new/ of the Maildir and of its
 * folders) with their bytes on disk; skipped: symbolic links and special
 * files, never followed nor copied.
 */
struct ma_maildir_tally {
	int64_t		 files, messages, bytes, skipped;
};
/* Told of each file skipped (its path, and why); -1 stops. */
typedef int ma_maildir_skip_fn(const char *path, const char *why,
	    void *arg);
/*
 * Count the Maildir src_rel below the directory srcfd (where: its path,
 * for messages), reading nothing but directories and inodes.  src_rel is
 * relative, without "." or ".." components; no symbolic link is followed
 * on the way.  Returns 0, or -1 with err set: MA_ENOTFOUND (no such
 * Maildir), MA_EINVAL (src_rel), MA_EPERM (a link on the way), MA_EIO.
 */
int	ma_maildir_tally(int srcfd, const char *where, const char *src_rel,
	    struct ma_maildir_tally *t, ma_maildir_skip_fn *skip, void *arg,
	    struct ma_err *err);
/*
 * Copy that Maildir to <base>/<rel> (which must not exist): every file
 * and directory with its name byte for byte and its times, mode 0600 or
 * 0700, owned uid:gid (missing parents made as ma_maildir_create does),
 * cur/, new/ and tmp/ added when the source lacks them, and maildirsize
 * made anew for quota (bytes, 0 none) from the files, as "quota recalc"
 * makes it (none when there is no quota and the source had none).  The
 * copy is built under a hidden sibling name, synced, then renamed into
 * place: an interrupted copy never shows at rel, and what it left is
 * removed by the next copy to rel.  The source is never written.
 * Returns 0 with *t filled, or -1 with err set (nothing left at rel):
 * MA_EEXIST (rel exists), the errors of ma_maildir_tally and of
 * ma_maildir_create.
 */
int	ma_maildir_copy(const struct ma_maildir_opts *o, int srcfd,
	    const char *where, const char *src_rel, const char *rel,
	    int64_t quota, struct ma_maildir_tally *t,
	    ma_maildir_skip_fn *skip, void *arg, struct ma_err *err);
/*
 * vmail_base held open, for commands that visit many Maildirs (quota
 * report, recalc, warn, the policy service): every path below it is
 * opened relative to fd without following a symbolic link.
 */
struct ma_vmail {
	int			 fd;
	struct ma_maildir_opts	 o;	/* o.base: borrowed */
};

/*
 * Open vmail_base.  Files made through v are owned like the Maildir they
 * are in, so uid and gid are not checked here.  Returns 0, or -1 with err set: MA_ECONFIG (not an
 * absolute path, missing, not a directory), MA_EPERM, MA_EIO.
 */
int	ma_vmail_open(struct ma_vmail *v, const struct ma_maildir_opts *o,
	    struct ma_err *err);
void	ma_vmail_close(struct ma_vmail *v);

/*
 * Open the Maildir <base>/<rel> (rel as in mailbox.maildir, checked as
 * above) for reading its directory: a descriptor, or -1 with err set:
 * MA_EINVAL (rel), MA_ENOTFOUND, MA_EPERM (a symbolic link on the way,
 * or refused), MA_EIO.
 */
int	ma_vmail_maildir(const struct ma_vmail *v, const char *rel,
	    struct ma_err *err);

/*
 * Deliver msg (len bytes) into the Maildir <base>/<rel> the Maildir way:
 * written in tmp/ under a fresh name, mode 0600 and owned like the
 * Maildir, synced, then renamed into new/ as Courier names it
 * ("<sec>.M<usec>P<pid>V<dev>I<ino>.<host>,S=<len>").  When the Maildir
 * has a maildirsize, a usage line for the message is appended to it, as
 * deliverquota does.  The name given (in new/) is written to name.
 * Returns 0, or -1 with err set (nothing is left in tmp/).
 */
int	ma_maildir_deliver(const struct ma_vmail *v, const char *rel,
	    const char *msg, size_t len, char *name, size_t size,
	    struct ma_err *err);

#endif
