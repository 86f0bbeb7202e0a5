/* Syntax rules for the names mailadm stores. */
#ifndef MA_VALID_H
#define MA_VALID_H

#include <stddef.h>

#include "err.h"

#define MA_DOMAIN_MAX 253

/*
 * Check a host name (RFC 1035/5321: letters, digits and hyphens, labels of
 * 1–63, at most 253 in all, two labels or more, not all-numeric at the
 * top) and write its stored form into out: lower case, without a trailing
 * dot, an internationalized name as its IDNA2008 A-label.  MA_EINVAL
 * names the value and the rule it breaks.
 */
int	ma_domain_normalize(const char *in, char out[MA_DOMAIN_MAX + 1],
	    struct ma_err *err);

#define MA_LOCAL_MAX 64
#define MA_ADDRESS_MAX 254

/* An address split into its stored parts. */
struct ma_address {
	char	address[MA_ADDRESS_MAX + 1];	/* "local@domain" or "@domain" */
	char	local[MA_LOCAL_MAX + 1];	/* "" for a catch-all */
	char	domain[MA_DOMAIN_MAX + 1];
};

enum { MA_ADDR_CATCHALL = 1 << 0 };	/* accept "@domain" */

/*
 * Check an address and store its normal form in out: the local part a
 * dot-atom (RFC 5322 atext without '/', no quoted forms, no leading,
 * trailing or double dots, at most 64), lower-cased as Postfixadmin
 * stores it; the domain as ma_domain_normalize() makes it; at most 254
 * in all.  With MA_ADDR_CATCHALL, "@domain" is accepted.  MA_EINVAL
 * names the value and the rule it breaks.
 */
int	ma_address_normalize(const char *in, unsigned int flags,
	    struct ma_address *out, struct ma_err *err);

/*
 * The U-label form of a stored A-label domain ("xn--caf-dma.fr" →
 * "café.fr"), or NULL when it has no xn-- label or cannot be converted.
 * The caller frees it.
 */
char	*ma_domain_unicode(const char *alabel);

/*
 * Check free text (a description or a name): valid UTF-8, no control
 * characters, at most max characters.  what names it in the message.
 */
int	ma_text_check(const char *what, const char *s, size_t max,
	    struct ma_err *err);

/* Nonzero when s is valid UTF-8. */
int	ma_utf8_valid(const char *s);

#endif
