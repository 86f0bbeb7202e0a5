/*
 * A streaming reader of RFC 4180 CSV: fields separated by commas, quoted
 * with '"' ("" inside quotes is one quote, and quotes may hold commas and
 * line breaks), records ended by LF or CRLF.  A UTF-8 byte order mark
 * before the first record is skipped.  Memory is one record's worth:
 * input of any length is read in constant space.
 */
#ifndef MA_CSV_H
#define MA_CSV_H

#include <stdio.h>

#include "err.h"

/* A record longer than this is refused (a CSV of accounts has no need). */
#define MA_CSV_RECORD_MAX 65536
#define MA_CSV_FIELDS_MAX 64

struct ma_csv {
	FILE		*fp;
	unsigned long	 line;		/* where the current record starts */
	unsigned long	 next_line;
	char		*buf;		/* the fields, each NUL-terminated */
	size_t		 cap;
	char		*field[MA_CSV_FIELDS_MAX];
	size_t		 nfields;
	int		 started;	/* the byte order mark is behind us */
};

void	ma_csv_init(struct ma_csv *c, FILE *fp);

/*
 * Read the next record into c->field[0 .. c->nfields - 1].  A blank line
 * is skipped.  Returns 1 for a record, 0 at the end, -1 with MA_EINVAL
 * ("line N: ..."): an unterminated quote, a quote inside an unquoted
 * field, text after a closing quote, a NUL byte, a record over
 * MA_CSV_RECORD_MAX bytes or MA_CSV_FIELDS_MAX fields; MA_EIO on a read
 * error; MA_ENOMEM.
 */
int	ma_csv_read(struct ma_csv *c, struct ma_err *err);

void	ma_csv_release(struct ma_csv *c);

#endif
