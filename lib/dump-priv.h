/* The tokenizer of the dump reader, shared by dump-lex.c and dump.c. */
#ifndef MA_DUMP_PRIV_H
#define MA_DUMP_PRIV_H

#include <stdio.h>

#include "dump.h"

enum tok_type {
	T_EOF,
	T_DELIM,	/* the statement delimiter (";" unless DELIMITER said) */
	T_WORD,		/* a bare word: keyword or name */
	T_NAME,		/* a `quoted` name */
	T_STRING,	/* '…' or "…", decoded to UTF-8 */
	T_NUMBER,	/* digits, point, exponent, as written */
	T_BYTES,	/* 0x…, X'…', _binary '…': bytes as they are */
	T_PUNCT		/* one other character */
};

/* A token: its text (NUL-terminated, len bytes) and where it starts. */
struct tok {
	enum tok_type	 type;
	char		*s;
	size_t		 len, cap;
	int		 quote;		/* T_STRING: the quote character */
	unsigned long	 line, col;
};

#define DELIM_MAX 16
#define READ_BUF 65536

struct ma_dump {
	FILE		*in;
	char		 buf[READ_BUF];
	size_t		 pos, end;
	int		 eof;
	unsigned long	 line, col;	/* of the next byte */
	enum ma_dump_charset forced;
	int		 latin1;	/* strings are read as latin1 */
	int		 saved_latin1;	/* SET @x = @@character_set_client */
	char		 saved_var[64];
	int		 backslash;	/* backslash escapes (no NO_BACKSLASH_ESCAPES) */
	int		 versioned;	/* inside a versioned comment */
	char		 delim[DELIM_MAX];
	struct tok	 tok;		/* the current token */
	int		 again;		/* give the current token once more */
	/* the statement being read */
	char		*table;
	char		**cols;
	size_t		 ncols;
	int		 in_insert;	/* more rows may follow in this INSERT */
	int		 insert_cols;	/* the INSERT named its columns */
	unsigned long	 stmt_line;
	/* the current row: values are offsets into arena until complete */
	char		*arena;
	size_t		 alen, acap;
	struct ma_dump_value *vals;
	size_t		*offs;
	size_t		 nvals, vcap;
};

/* dump-lex.c */
int	lex_next(struct ma_dump *d, struct ma_err *err);
/* The current token once more at the next lex_next(). */
void	lex_unget(struct ma_dump *d);
/* "line L, column C: " + fmt, at token t. Returns -1. */
int	lex_fail(struct ma_dump *d, const struct tok *t, struct ma_err *err,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* How token t reads in a message: "'x'", "end of input"… */
const char *lex_what(const struct tok *t, char *buf, size_t size);
/* Nonzero when t is the word w (case-insensitively). */
int	lex_is(const struct tok *t, const char *w);
int	lex_punct(const struct tok *t, int c);
/* Set the client charset by its MySQL name; -1 if not one we read. */
int	lex_set_charset(struct ma_dump *d, const char *name);
/* After the word DELIMITER: the rest of the line is the new one. */
int	lex_delimiter(struct ma_dump *d, struct ma_err *err);

#endif
