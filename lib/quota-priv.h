/* What the quota files of lib/ share; nothing else includes this. */
#ifndef MA_QUOTA_PRIV_H
#define MA_QUOTA_PRIV_H

#include <sys/stat.h>

#include "quota.h"

/* Big enough for a header ("<int64>S,<int64>C\n") or a usage line. */
#define MA_MDS_LINE 64

/* A maildirsize as read: its first MA_MDS_READ bytes, parsed. */
struct ma_mds {
	int		 fd;	/* open for reading, -1 when closed */
	int		 have_stat;	/* st is filled (ma_mds_stat) */
	struct stat	 st;
	char		 buf[MA_MDS_READ];
	size_t		 len;
	struct ma_mdsize m;
};

/*
 * Open and read path below dfd (no symbolic link followed).  1 read, 0
 * there is no such file, -1 with errno set (EISDIR, EINVAL: not a
 * regular file).  f->fd stays open until ma_mds_close(); f->st is not
 * filled (ma_mds_stat does it).
 */
int	ma_mds_read(int dfd, const char *path, struct ma_mds *f);
void	ma_mds_close(struct ma_mds *f);

/* Fill f->st (once): 0, or -1 with errno set. */
int	ma_mds_stat(struct ma_mds *f);

/* The first line for these limits, as Courier writes it; "0S" for none. */
size_t	ma_mds_header(char *buf, size_t size, int64_t bytes, int64_t count);

/* A usage line: "%12s %12s\n", 26 bytes for small numbers. */
size_t	ma_mds_line(char *buf, size_t size, int64_t bytes, int64_t count);

/*
 * Make text the maildirsize of the Maildir open at mfd (where: its path,
 * for messages): written in its tmp/ under a fresh name, mode 0600 and
 * owned like the Maildir, synced, renamed into place.  With keep, the
 * new file stays open (for appending) in *keep.  0, or -1 with err set.
 */
int	ma_mds_replace(int mfd, const char *where, const char *text,
	    size_t len, int *keep, struct ma_err *err);

/*
 * Replace the first line of the maildirsize old (read from the Maildir
 * open at mfd) with header, keeping its usage lines; lines appended to
 * the old file while this ran are copied to the new one.
 */
int	ma_mds_set_header(int mfd, const char *where, const struct ma_mds *old,
	    const char *header, struct ma_err *err);

/*
 * Count the messages of the Maildir open at mfd as Courier does (see
 * quota.h), again while a directory changed under the count (up to five
 * times, as Courier tries).  0, or -1 with err set (MA_EIO).
 */
int	ma_quota_count(int mfd, const char *where, int64_t *bytes,
	    int64_t *count, struct ma_err *err);

#endif
