#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char units[] = "KMGTPE";

/* The power of 1024 named by suffix, 0 for none, -1 if not a unit. */
static int
unit_power(const char *suffix)
{
	const char *u;

	if (*suffix == '\0' || strcasecmp(suffix, "B") == 0)
		return 0;
	if ((u = strchr(units, toupper((unsigned char)*suffix))) == NULL ||
	    u - units > 3)
		return -1;
	suffix++;
	if (*suffix == '\0' || strcasecmp(suffix, "B") == 0 ||
	    strcasecmp(suffix, "iB") == 0)
		return (int)(u - units) + 1;
	return -1;
}

int
ma_size_parse(const char *s, uint64_t *bytes, struct ma_err *err)
{
	char q[MA_QUOTE_MAX], *end;
	unsigned long long n;
	int power;

	if (strcasecmp(s, "unlimited") == 0) {
		*bytes = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return ma_fail(err, MA_EINVAL, 0, "invalid size '%s': expected "
		    "a whole number with an optional K, M, G or T",
		    ma_quote(s, q, sizeof(q)));
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return ma_fail(err, MA_EINVAL, 0, "invalid size '%s': too large",
		    ma_quote(s, q, sizeof(q)));
	if (*end == '.' || *end == ',')
		return ma_fail(err, MA_EINVAL, 0, "invalid size '%s': fractions "
		    "are not accepted (write 1536M, not 1.5G)",
		    ma_quote(s, q, sizeof(q)));
	if ((power = unit_power(end)) < 0) {
		char u[MA_QUOTE_MAX];

		return ma_fail(err, MA_EINVAL, 0, "invalid size '%s': unknown "
		    "unit '%s' (use K, M, G or T)", ma_quote(s, q, sizeof(q)),
		    ma_quote(end, u, sizeof(u)));
	}
	/* Sizes must fit a signed BIGINT column. */
	for (; power > 0; power--) {
		if (n > (unsigned long long)INT64_MAX / 1024)
			return ma_fail(err, MA_EINVAL, 0, "invalid size '%s': "
			    "too large", ma_quote(s, q, sizeof(q)));
		n *= 1024;
	}
	if (n > (unsigned long long)INT64_MAX)
		return ma_fail(err, MA_EINVAL, 0, "invalid size '%s': too large",
		    ma_quote(s, q, sizeof(q)));
	*bytes = n;
	return 0;
}

int
ma_limit_parse(const char *s, int sizes, int64_t *out, struct ma_err *err)
{
	char q[MA_QUOTE_MAX], *end;
	uint64_t bytes;
	long long n;

	if (strcmp(s, "-1") == 0 || strcasecmp(s, "disabled") == 0) {
		*out = -1;
		return 0;
	}
	if (sizes) {
		if (ma_size_parse(s, &bytes, err) < 0)
			return -1;
		*out = (int64_t)bytes;
		return 0;
	}
	if (strcasecmp(s, "unlimited") == 0) {
		*out = 0;
		return 0;
	}
	errno = 0;
	n = strtoll(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno == ERANGE ||
	    n > INT32_MAX)
		return ma_fail(err, MA_EINVAL, 0, "invalid count '%s': expected "
		    "a whole number up to %d, 'unlimited' or 'disabled'",
		    ma_quote(s, q, sizeof(q)), INT32_MAX);
	*out = n;
	return 0;
}

const char *
ma_size_format(int64_t bytes, char *buf, size_t size)
{
	int power = 0;

	if (bytes == 0)
		return snprintf(buf, size, "unlimited"), buf;
	if (bytes < 0)
		return snprintf(buf, size, "disabled"), buf;
	while (power < 4 && bytes % 1024 == 0) {
		bytes /= 1024;
		power++;
	}
	if (power == 0)
		snprintf(buf, size, "%" PRId64, bytes);
	else
		snprintf(buf, size, "%" PRId64 "%c", bytes, units[power - 1]);
	return buf;
}
