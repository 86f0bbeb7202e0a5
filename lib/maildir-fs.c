/*
 * File system steps under vmail_base that never follow a symbolic link:
 * every path is opened one component at a time with O_NOFOLLOW relative
 * to a descriptor, because the vmail user owns the tree and root must not
 * be tricked into writing, chowning or deleting outside it.
 */
#include "maildir-priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static enum ma_status
errno_status(int e)
{
	switch (e) {
	case ELOOP: case EACCES: case EPERM:
		return MA_EPERM;
	case ENOENT:
		return MA_ENOTFOUND;
	case EEXIST: case ENOTEMPTY:
		return MA_EEXIST;
	case ENOMEM:
		return MA_ENOMEM;
	default:
		return MA_EIO;
	}
}

int
ma_md_fail(struct ma_err *err, int e, const char *dir, const char *op,
    const char *name)
{
	return ma_fail(err, errno_status(e), e, "%s '%s%s%s': %s", op, dir,
	    *name != '\0' ? "/" : "", name, e == ELOOP ?
	    "it is a symbolic link (not followed)" : strerror(e));
}

int
ma_md_opendir(int dfd, const char *name)
{
	struct stat st;
	int fd, e;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR))
		return fd;
	/* Tell a link (ELOOP) from a file in the way (ENOTDIR). */
	e = errno;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		e = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
	errno = e;
	return -1;
}

int
ma_md_mkdir(int dfd, const char *name, const struct ma_maildir_opts *o,
    const char **op)
{
	int fd, e;

	*op = "mkdir";
	if (mkdirat(dfd, name, 0700) < 0)
		return -1;
	*op = "open";
	if ((fd = ma_md_opendir(dfd, name)) < 0)
		goto fail;
	/* fchmod too: the umask may have taken bits from 0700. */
	*op = "chown";
	if (fchown(fd, o->uid, o->gid) == 0) {
		*op = "chmod";
		if (fchmod(fd, 0700) == 0)
			return fd;
	}
	e = errno;
	close(fd);
	errno = e;
fail:
	e = errno;
	unlinkat(dfd, name, AT_REMOVEDIR);
	errno = e;
	return -1;
}

static void
walk_init(struct ma_md_walk *w, const struct ma_maildir_opts *o)
{
	int i;

	w->o = o;
	for (i = 0; i <= MA_MD_DEPTH; i++)
		w->fd[i] = -1;
	w->n = 0;
	w->made = 0;
	w->leaf = NULL;
	/* Messages name base without its trailing slashes. */
	snprintf(w->base, sizeof(w->base), "%s",
	    o->base != NULL ? o->base : "");
	for (i = (int)strlen(w->base); i > 1 && w->base[i - 1] == '/'; i--)
		w->base[i - 1] = '\0';
	memcpy(w->path, w->base, sizeof(w->path));
}

static int
opts_check(const struct ma_maildir_opts *o, int chowns, struct ma_err *err)
{
	if (o->base == NULL || o->base[0] != '/')
		return ma_fail(err, MA_ECONFIG, 0, "vmail_base '%s' must be an "
		    "absolute path", o->base != NULL ? o->base : "");
	if (chowns && (o->uid == 0 || o->gid == 0))
		return ma_fail(err, MA_ECONFIG, 0, "vmail_uid and vmail_gid "
		    "must not be 0 (courier-authlib refuses root), not %lu:%lu",
		    (unsigned long)o->uid, (unsigned long)o->gid);
	return 0;
}

/* Open (or make) w->comp[w->n + 1] and step into it. */
static int
walk_step(struct ma_md_walk *w, int create, struct ma_err *err)
{
	const char *name = w->comp[w->n + 1], *op = "open";
	int fd, dfd = MA_MD_PARENT(w), made = 0;

	while ((fd = ma_md_opendir(dfd, name)) < 0 && errno == ENOENT &&
	    create) {
		if ((fd = ma_md_mkdir(dfd, name, w->o, &op)) >= 0) {
			made = 1;
			break;
		}
		if (errno != EEXIST)	/* EEXIST: lost a race; open it */
			break;
	}
	if (fd < 0)
		return ma_md_fail(err, errno, w->path, op, name);
	if (made && fsync(dfd) < 0) {
		ma_md_fail(err, errno, w->path, "fsync", "");
		close(fd);
		unlinkat(dfd, name, AT_REMOVEDIR);
		return -1;
	}
	w->fd[++w->n] = fd;
	if (made && w->made == 0)
		w->made = w->n;
	snprintf(w->path + strlen(w->path), sizeof(w->path) - strlen(w->path),
	    "/%s", name);
	return 0;
}

int
ma_md_walk_open(struct ma_md_walk *w, const struct ma_maildir_opts *o,
    const char *rel, int create, int chowns, struct ma_err *err)
{
	const char *why;
	char q[MA_QUOTE_MAX], *c, *e;
	int k = 0, e0;

	walk_init(w, o);
	if (opts_check(o, chowns, err) < 0)
		return -1;
	if ((why = ma_md_rel_problem(rel, 0)) != NULL)
		return ma_fail(err, MA_EINVAL, 0, "invalid maildir '%s': %s",
		    ma_quote(rel, q, sizeof(q)), why);
	snprintf(w->buf, sizeof(w->buf), "%s", rel);
	for (c = w->buf; *c != '\0'; c = e + 1) {
		w->comp[++k] = c;
		if ((e = strchr(c, '/')) == NULL)
			break;
		*e = '\0';
	}
	w->leaf = w->comp[k];
	w->fd[0] = open(o->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->fd[0] < 0) {
		e0 = errno;
		return ma_fail(err, e0 == ENOENT || e0 == ENOTDIR ? MA_ECONFIG :
		    errno_status(e0), e0, "vmail_base '%s': %s", o->base,
		    strerror(e0));
	}
	while (w->n < k - 1)
		if (walk_step(w, create, err) < 0) {
			ma_md_walk_close(w, 1);
			return -1;
		}
	return 0;
}

void
ma_md_walk_close(struct ma_md_walk *w, int undo)
{
	int i;

	for (i = w->n; i >= 0; i--) {
		if (w->fd[i] >= 0)
			close(w->fd[i]);
		w->fd[i] = -1;
		/* rmdir: never more than the empty directory this walk made. */
		if (undo && w->made > 0 && i >= w->made)
			unlinkat(w->fd[i - 1], w->comp[i], AT_REMOVEDIR);
	}
	w->n = 0;
	w->made = 0;
}

int
ma_md_walk_new(struct ma_md_walk *w, const struct ma_maildir_opts *o,
    const char *rel, struct ma_err *err)
{
	struct stat st;

	if (ma_md_walk_open(w, o, rel, 1, 1, err) < 0)
		return -1;
	if (fstatat(MA_MD_PARENT(w), w->leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
		ma_fail(err, MA_EEXIST, EEXIST, "Maildir '%s/%s' already "
		    "exists", w->path, w->leaf);
	else if (errno != ENOENT)
		ma_md_fail(err, errno, w->path, "create Maildir", w->leaf);
	else
		return 0;
	ma_md_walk_close(w, 1);
	return -1;
}

int
ma_md_place(struct ma_md_walk *w, const char *tmp, struct ma_err *err)
{
	int p = MA_MD_PARENT(w), e;

	if (ma_md_rename(p, tmp, p, w->leaf) < 0) {
		e = errno;
		if (e == EEXIST || e == ENOTEMPTY)	/* lost a race */
			return ma_fail(err, MA_EEXIST, e, "Maildir '%s/%s' "
			    "already exists", w->path, w->leaf);
		return ma_md_fail(err, e, w->path, "rename into place",
		    w->leaf);
	}
	if (fsync(p) < 0) {
		/* Not durable: take it back rather than half-succeed. */
		ma_md_fail(err, errno, w->path, "fsync", "");
		ma_md_rmtree(p, w->leaf);
		return -1;
	}
	return 0;
}

void
ma_md_tmpname(char *buf, size_t size, const char *tag, const char *leaf)
{
	static unsigned int counter;
	uint64_t r;

	/* Unpredictable, so no one can plant a link at the name in advance. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint64_t)time(NULL) << 32 ^ (uint64_t)getpid() << 12 ^
		    ++counter ^ (uint64_t)(uintptr_t)&r;
	snprintf(buf, size, ".mailadm-%s.%.64s.%012llx", tag, leaf,
	    (unsigned long long)(r & 0xffffffffffffULL));
}

int
ma_md_rename(int fromfd, const char *from, int tofd, const char *to)
{
	struct stat st;

	if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/*
	 * The file system cannot refuse to replace (older NFS): check
	 * first.  A rename can still replace only an empty directory.
	 */
	if (fstatat(tofd, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(fromfd, from, tofd, to);
}

/* Deeper than any Maildir++ or Dovecot LAYOUT=fs tree; each level is an fd. */
#define RM_DEPTH 100

static int rm_contents(int fd, int depth);

/* One pass over the entries of directory fd; *removed counts them. */
static int
rm_pass(int fd, DIR *d, int depth, int *removed)
{
	struct dirent *de;
	struct stat st;
	int isdir, cfd;

	rewinddir(d);
	while (errno = 0, (de = readdir(d)) != NULL) {
		if (ma_md_isdot(de->d_name))
			continue;
		isdir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(fd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0)
				return -1;
			isdir = S_ISDIR(st.st_mode);
		}
		if (isdir && depth >= RM_DEPTH) {
			errno = ENAMETOOLONG;
			return -1;
		}
		/* A link is not a directory here: unlinkat removes the link. */
		if (isdir && ((cfd = ma_md_opendir(fd, de->d_name)) < 0 ||
		    rm_contents(cfd, depth + 1) < 0))
			return -1;
		if (unlinkat(fd, de->d_name, isdir ? AT_REMOVEDIR : 0) < 0)
			return -1;
		++*removed;
	}
	return errno == 0 ? 0 : -1;
}

/* Empty directory fd (which this closes). */
static int
rm_contents(int fd, int depth)
{
	DIR *d;
	int n, rc, e;

	if ((d = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* Again while a pass removed something: readdir may skip entries. */
	while (n = 0, (rc = rm_pass(fd, d, depth, &n)) == 0 && n > 0)
		;
	e = errno;
	closedir(d);
	errno = e;
	return rc;
}

int
ma_md_rmtree(int dfd, const char *name)
{
	int fd;

	if ((fd = ma_md_opendir(dfd, name)) < 0)
		return errno == ENOTDIR ? unlinkat(dfd, name, 0) : -1;
	if (rm_contents(fd, 0) < 0)
		return -1;
	return unlinkat(dfd, name, AT_REMOVEDIR);
}
