/* Plain file descriptor I/O that neither stops short nor at a signal. */
#include "io.h"

#include <errno.h>
#include <unistd.h>

int
ma_write_all(int fd, const void *s, size_t n)
{
	const char *p = s;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
