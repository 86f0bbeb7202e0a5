/*
 * SIZE values: bytes, or a number with K, M, G, T (powers of 1024; KiB,
 * MiB… and KB, MB… accepted), "0" or "unlimited" for no limit.
 */
#ifndef MA_SIZE_H
#define MA_SIZE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Parse s into *bytes. MA_EINVAL names the value and the reason. */
int	ma_size_parse(const char *s, uint64_t *bytes, struct ma_err *err);

/*
 * Parse a limit: a SIZE (or, with sizes == 0, a count), "unlimited" (0) or
 * "disabled"/"-1" (-1), as Postfixadmin stores domain limits.
 */
int	ma_limit_parse(const char *s, int sizes, int64_t *out,
	    struct ma_err *err);

/*
 * Format bytes in the largest unit that divides it exactly ("2G", "1536M",
 * "1000000"); 0 is "unlimited" and -1 "disabled".  Returns buf.
 */
const char *ma_size_format(int64_t bytes, char *buf, size_t size);

#endif
