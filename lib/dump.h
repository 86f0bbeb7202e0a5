/*
 * A streaming reader of mysqldump output, MySQL 4.1 and later: table
 * definitions (their column lists) and the rows of INSERT statements,
 * one at a time, in constant memory (one row's values at most).
 *
 * It reads what mysqldump writes: "--", "#" and C comments; versioned
 * comments ("/\*!40101 …", whose text is SQL and is read as such);
 * DROP/LOCK/UNLOCK/ALTER/USE and any other statement, skipped; the
 * mysql client's DELIMITER lines around triggers and routines; CREATE
 * TABLE with ENGINE= or TYPE= options; INSERT and REPLACE, extended
 * (many rows) or not, with or without a column list; every MySQL string
 * escape (\0 \' \" \b \n \r \t \Z \\, "\%" and "\_" kept with their
 * backslash, any other "\x" as x, '' inside '…'); NULL, numbers, 0x…,
 * X'…' and b'…' literals and _charset introducers.
 *
 * Strings are converted to UTF-8 from the client character set: the
 * dump's SET NAMES (and SET character_set_client), or the one forced
 * when opening.  latin1 is MySQL's, Windows-1252 (see cp1252.h); utf8 and
 * utf8mb4 bytes are passed on as they are (a wrong one shows later, in
 * the value that holds it).
 */
#ifndef MA_DUMP_H
#define MA_DUMP_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

enum ma_dump_charset {
	MA_DUMP_AUTO,		/* SET NAMES decides; UTF-8 until it does */
	MA_DUMP_UTF8,
	MA_DUMP_LATIN1
};

/* A row's value: s is NULL for SQL NULL, else UTF-8 with a NUL after. */
struct ma_dump_value {
	const char	*s;
	size_t		 len;		/* may count NUL bytes inside */
};

enum ma_dump_kind { MA_DUMP_END, MA_DUMP_TABLE, MA_DUMP_ROW };

/*
 * What ma_dump_next() found.  TABLE: the columns of a CREATE TABLE.
 * ROW: one row of an INSERT, with the column list the INSERT named (NULL
 * when it named none: the table's order).  Everything stays valid until
 * the next call.
 */
struct ma_dump_item {
	enum ma_dump_kind	 kind;
	const char		*table;
	size_t			 n;
	const char *const	*columns;
	const struct ma_dump_value *values;
	unsigned long		 line;	/* of the statement */
};

struct ma_dump;

/* Limits: a table's columns (MySQL's own), and the bytes of one row. */
#define MA_DUMP_COLUMNS_MAX 4096
#define MA_DUMP_ROW_MAX (64UL * 1024 * 1024)

/* Read in (borrowed) with the charset given; release with ma_dump_free. */
int	ma_dump_open(FILE *in, enum ma_dump_charset cs, struct ma_dump **dp,
	    struct ma_err *err);

/*
 * The next table or row: 1, 0 at the end, -1 on error.  MA_EINVAL for
 * input that is not mysqldump's SQL, "line L, column C: why"; MA_EIO on
 * a read error; MA_ENOMEM.
 */
int	ma_dump_next(struct ma_dump *d, struct ma_dump_item *it,
	    struct ma_err *err);

/* The charset strings are read in now: "utf8" or "latin1". */
const char *ma_dump_charset(const struct ma_dump *d);

void	ma_dump_free(struct ma_dump **dp);

#endif
