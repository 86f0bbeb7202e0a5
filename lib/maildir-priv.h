/* What lib/maildir*.c share; nothing else includes this. */
#ifndef MA_MAILDIR_PRIV_H
#define MA_MAILDIR_PRIV_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "maildir.h"

/* Components that fit in MA_MAILDIR_MAX bytes ("a/" each). */
#define MA_MD_DEPTH ((MA_MAILDIR_MAX + 1) / 2)

/*
 * A rel opened below vmail_base one component at a time (O_NOFOLLOW):
 * fd[w->n] is the directory that holds the last component, w->leaf.
 */
struct ma_md_walk {
	const struct ma_maildir_opts *o;
	int		 fd[MA_MD_DEPTH + 1];	/* fd[0] is vmail_base */
	int		 n;			/* directories open below it */
	int		 made;	/* first of them this walk created, 0: none */
	char		 buf[MA_MAILDIR_MAX + 2];	/* rel, '/' → NUL */
	const char	*comp[MA_MD_DEPTH + 1];	/* comp[i] names fd[i] */
	const char	*leaf;
	char		 base[PATH_MAX];	/* for messages: vmail_base, */
	char		 path[PATH_MAX];	/* and it with comp[1..n] */
};

#define MA_MD_PARENT(w)	((w)->fd[(w)->n])

/* "." or "..", the entries readdir() gives that are no content. */
static inline int
ma_md_isdot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

/*
 * Why rel breaks the rules in maildir.h, or NULL if it does not.  (At
 * most MA_MAILDIR_MAX bytes in all, no component can pass NAME_MAX.)
 */
const char *ma_md_rel_problem(const char *rel, int need_slash);

/*
 * Check o (with chowns: uid and gid not 0), check rel, open base and the
 * directories above rel's last component; with create, make the missing
 * ones (0700, uid:gid).  Returns 0, or -1 with err set and w closed.
 */
int	ma_md_walk_open(struct ma_md_walk *w, const struct ma_maildir_opts *o,
	    const char *rel, int create, int chowns, struct ma_err *err);

/*
 * ma_md_walk_open() with create and chowns, for a Maildir to be made at
 * rel: MA_EEXIST if something is there already.
 */
int	ma_md_walk_new(struct ma_md_walk *w, const struct ma_maildir_opts *o,
	    const char *rel, struct ma_err *err);

/*
 * Rename tmp (built beside w's leaf) to the leaf, never over anything
 * (MA_EEXIST), then sync the parent; if that fails, the leaf is removed.
 * On failure tmp is left to the caller.
 */
int	ma_md_place(struct ma_md_walk *w, const char *tmp, struct ma_err *err);

/* Close w; with undo, first remove the directories it made (if empty). */
void	ma_md_walk_close(struct ma_md_walk *w, int undo);

/*
 * Fill err for a failed system call on <dir>/<name> (name may be ""):
 * the status follows errno e (ELOOP: a symbolic link, MA_EPERM).
 * Returns -1.
 */
int	ma_md_fail(struct ma_err *err, int e, const char *dir, const char *op,
	    const char *name);

/*
 * Open path (relative, "a/b/c", already checked) below directory dfd
 * without following a symbolic link anywhere (errno ELOOP) nor leaving
 * dfd; flags as for openat() (O_CLOEXEC and O_NOFOLLOW are added).
 */
int	ma_md_open_beneath(int dfd, const char *path, int flags);

/* "<vmail_base>/<rel>" without its trailing '/', for messages. */
void	ma_vmail_where(const struct ma_vmail *v, const char *rel, char *buf,
	    size_t size);

/* Open directory name in dfd without following a link (errno ELOOP). */
int	ma_md_opendir(int dfd, const char *name);

/*
 * Make directory name in dfd, 0700 and owned o->uid:o->gid whatever the
 * umask.  Returns its descriptor, or -1 with errno set and *op naming
 * the step that failed (the directory is removed again).
 */
int	ma_md_mkdir(int dfd, const char *name, const struct ma_maildir_opts *o,
	    const char **op);

/* A fresh hidden sibling name: ".mailadm-<tag>.<leaf>.<random>". */
void	ma_md_tmpname(char *buf, size_t size, const char *tag,
	    const char *leaf);

/* renameat() that fails with EEXIST instead of replacing the target. */
int	ma_md_rename(int fromfd, const char *from, int tofd, const char *to);

/*
 * Remove name in dfd and, if it is a directory, all below it, without
 * following links.  Returns 0, or -1 with errno set.
 */
int	ma_md_rmtree(int dfd, const char *name);

/*
 * Write a new maildirsize in directory dfd as "maildirmake -q <N>S" does,
 * mode 0600, owned o->uid:o->gid, fsync'ed.  Returns 0, or -1 with errno
 * set and *op naming the step.
 */
int	ma_md_maildirsize_new(int dfd, const struct ma_maildir_opts *o,
	    uint64_t quota_bytes, const char **op);

#endif
