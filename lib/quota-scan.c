/*
 * Counting a Maildir's messages as Courier's maildirsize recalculation
 * does (maildirquota.c: countcurnew, countsubdir, docount): new/ and cur/
 * of the Maildir and of every folder but .Trash.  Directories are read
 * one entry at a time, so memory does not grow with the number of
 * messages; no symbolic link is followed.
 */
#include "maildir-priv.h"
#include "quota-priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Courier gives up after this many counts spoilt by a change. */
#define TRIES 5

struct scan {
	int		 count;		/* 0: only look at the directories */
	int64_t		 bytes, n;
	uint64_t	 stamp;		/* their modification times, summed */
};

static void
add_size(struct scan *s, uint64_t size)
{
	if (size > (uint64_t)INT64_MAX ||
	    __builtin_add_overflow(s->bytes, (int64_t)size, &s->bytes))
		s->bytes = INT64_MAX;
	s->n++;
}

/* The messages of directory fd (new/ or cur/), which this closes. */
static int
count_messages(int fd, struct scan *s)
{
	struct dirent *de;
	struct stat st;
	uint64_t size;
	DIR *d;
	int e;

	if ((d = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while (errno = 0, (de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (n[0] == '.' || !ma_msgname_counted(n))
			continue;
		if (!ma_msgname_size(n, &size)) {
			/* Courier skips what it cannot stat; so are links. */
			if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    S_ISLNK(st.st_mode))
				continue;
			size = (uint64_t)st.st_size;
		}
		add_size(s, size);
	}
	e = errno;
	closedir(d);
	errno = e;
	return e == 0 ? 0 : -1;
}

/* new/ and cur/ of the folder open at ffd; what cannot be opened is 0. */
static int
visit_folder(int ffd, struct scan *s)
{
	static const char *const sub[] = { "new", "cur" };
	struct stat st;
	int i, fd;

	for (i = 0; i < 2; i++) {
		if ((fd = ma_md_opendir(ffd, sub[i])) < 0)
			continue;
		if (fstat(fd, &st) == 0)
			s->stamp += (uint64_t)st.st_mtim.tv_sec * 1000000000u +
			    (uint64_t)st.st_mtim.tv_nsec;
		if (!s->count)
			close(fd);
		else if (count_messages(fd, s) < 0)
			return -1;
	}
	return 0;
}

/* The Maildir open at mfd and its folders. */
static int
visit(int mfd, struct scan *s)
{
	struct dirent *de;
	DIR *d;
	int fd, ffd, e, rc;

	if (visit_folder(mfd, s) < 0 || (fd = ma_md_opendir(mfd, ".")) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	rc = 0;
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (n[0] != '.' || ma_md_isdot(n) || de->d_type == DT_LNK ||
		    !ma_folder_counted(n))
			continue;
		/* A file, or a link (when d_type is unknown): not a folder. */
		if ((ffd = ma_md_opendir(fd, n)) < 0)
			continue;
		rc = visit_folder(ffd, s);
		e = errno;
		close(ffd);
		errno = e;
	}
	e = errno;
	closedir(d);
	errno = e;
	return rc < 0 || e != 0 ? -1 : 0;
}

int
ma_quota_count(int mfd, const char *where, int64_t *bytes, int64_t *count,
    struct ma_err *err)
{
	struct scan s, again;
	int i;

	for (i = 0; i < TRIES; i++) {
		s = (struct scan){ .count = 1 };
		if (visit(mfd, &s) < 0)
			return ma_md_fail(err, errno, where, "count the messages "
			    "of", "");
		/* A message moved meanwhile changes a directory's time. */
		again = (struct scan){ .count = 0 };
		if (visit(mfd, &again) == 0 && again.stamp == s.stamp)
			break;
	}
	*bytes = s.bytes;
	*count = s.n;
	return 0;
}
