/* Plain file descriptor I/O that neither stops short nor at a signal. */
#ifndef MA_IO_H
#define MA_IO_H

#include <stddef.h>

/* write() all n bytes of s to fd (again after EINTR): 0, or -1 with errno. */
int	ma_write_all(int fd, const void *s, size_t n);

#endif
