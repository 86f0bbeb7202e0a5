#include "spool.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int
ma_spool(FILE *in, FILE **out, struct ma_err *err)
{
	char buf[65536];
	struct stat sb;
	size_t n;
	FILE *tmp;

	if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    fseeko(in, 0, SEEK_CUR) == 0) {
		*out = in;
		return 0;
	}
	/* tmpfile(3): O_EXCL, mode 0600, unlinked at once. */
	if ((tmp = tmpfile()) == NULL)
		return ma_fail(err, MA_EIO, errno, "cannot make a temporary "
		    "file for the input: %s", strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, tmp) != n)
			break;
	explicit_bzero(buf, sizeof(buf));
	if (ferror(in) || ferror(tmp) || fflush(tmp) != 0 ||
	    fseeko(tmp, 0, SEEK_SET) != 0) {
		int e = errno;

		fclose(tmp);
		return ma_fail(err, MA_EIO, e, "cannot copy the input to a "
		    "temporary file: %s", strerror(e));
	}
	*out = tmp;
	return 0;
}
