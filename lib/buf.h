/* A growable string for building SQL text and messages. */
#ifndef MA_BUF_H
#define MA_BUF_H

#include <stddef.h>

struct ma_buf {
	char	*s;
	size_t	 len, cap;
	int	 oom;		/* an append failed; s holds what fitted */
};

#define MA_BUF_INIT { NULL, 0, 0, 0 }

void	ma_buf_add(struct ma_buf *b, const char *s);
void	ma_buf_addf(struct ma_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); NULL if an append ran out of memory. */
const char *ma_buf_str(struct ma_buf *b);
void	ma_buf_release(struct ma_buf *b);

/* The value of hexadecimal digit c, or -1. */
int	ma_hex_digit(int c);

#endif
