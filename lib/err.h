/*
 * Error reporting for libmailadm: every fallible function fills a struct
 * ma_err and returns -1; the caller decides what to print and how to exit.
 */
#ifndef MA_ERR_H
#define MA_ERR_H

#include <stddef.h>

enum ma_status {
	MA_OK = 0,
	MA_EUSAGE,	/* bad invocation */
	MA_EINVAL,	/* invalid data */
	MA_ENOINPUT,	/* input file missing or unreadable */
	MA_ENOTFOUND,	/* no such mailbox or alias */
	MA_ENODOMAIN,	/* no such domain */
	MA_EUNAVAIL,	/* database unreachable or not initialised */
	MA_EDB,		/* unexpected database error */
	MA_EEXIST,	/* already exists */
	MA_EIO,		/* I/O error on a file */
	MA_ETEMP,	/* lock wait, deadlock, certification failure */
	MA_EPERM,	/* permission denied */
	MA_ECONFIG,	/* configuration error */
	MA_ENOMEM
};

struct ma_err {
	enum ma_status	status;
	int		code;		/* errno or server error number */
	char		msg[512];	/* fixed: usable even when out of memory */
};

/*
 * Set status, code and message, and return -1 so that callers can write
 * "return ma_fail(err, ...)".
 */
int	ma_fail(struct ma_err *err, enum ma_status st, int code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prefix the message already in err with "what: ". Returns -1. */
int	ma_err_prefix(struct ma_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

void	ma_err_clear(struct ma_err *err);

/*
 * Quote an untrusted value for an error message: control and non-UTF-8
 * bytes become \xNN, and values longer than 60 bytes are cut with "...".
 * Returns buf.
 */
const char *ma_quote(const char *s, char *buf, size_t size);

#define MA_QUOTE_MAX 256

#endif
