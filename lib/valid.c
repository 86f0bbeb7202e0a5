#include "valid.h"
#include "utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <idn2.h>

int
ma_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = ma_utf8_seq(p)) == 0)
			return 0;
	return 1;
}

/* Check the LDH rules on an ASCII, lower-case name without trailing dot. */
static const char *
ldh_problem(const char *name)
{
	const char *label = name, *p;
	size_t len;
	int labels = 0, numeric = 1;

	if (strlen(name) > MA_DOMAIN_MAX)
		return "longer than 253 characters";
	for (;;) {
		p = label + strcspn(label, ".");
		len = (size_t)(p - label);
		if (len == 0)
			return "empty label (two dots in a row, or a leading dot)";
		if (len > 63)
			return "a label is longer than 63 characters";
		if (label[0] == '-' || p[-1] == '-')
			return "a label begins or ends with a hyphen";
		numeric = 1;
		for (const char *c = label; c < p; c++) {
			if (!isalnum((unsigned char)*c) && *c != '-')
				return *c == ' ' ? "contains a space" :
				    "only letters, digits, hyphens and dots are "
				    "allowed";
			if (!isdigit((unsigned char)*c))
				numeric = 0;
		}
		labels++;
		if (*p == '\0')
			break;
		label = p + 1;
	}
	if (labels < 2)
		return "needs at least two labels (example.org)";
	if (numeric)
		return "the top-level label is all digits";
	return NULL;
}

/* Control characters, spaces and other bytes IDNA would misreport. */
static const char *
byte_problem(const char *s)
{
	const unsigned char *p;

	if (!ma_utf8_valid(s))
		return "not valid UTF-8";
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character";
		if (*p == ' ')
			return "contains a space";
	}
	return NULL;
}

/* Nonzero when an ASCII name has a label in the xn-- (A-label) form. */
static int
has_alabel(const char *name)
{
	return strncmp(name, "xn--", 4) == 0 || strstr(name, ".xn--") != NULL;
}

/*
 * Decode the A-labels of name and check that encoding the result gives
 * name back, so only well-formed IDNA2008 names pass.  Returns the
 * U-label form (to be freed) or NULL.
 */
static char *
alabel_decode(const char *name)
{
	char *u = NULL, *back = NULL;
	int ok;

	if (idn2_to_unicode_8z8z(name, &u, 0) != IDN2_OK) {
		free(u);
		return NULL;
	}
	ok = idn2_lookup_u8((const uint8_t *)u, (uint8_t **)&back,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) == IDN2_OK &&
	    strcmp(back, name) == 0;
	free(back);
	if (!ok) {
		free(u);
		return NULL;
	}
	return u;
}

int
ma_domain_normalize(const char *in, char out[MA_DOMAIN_MAX + 1],
    struct ma_err *err)
{
	char q[MA_QUOTE_MAX], buf[1024], *alabel = NULL;
	const char *why, *p;
	size_t len = strlen(in);
	int ascii = 1, rc;

	if (len == 0)
		return ma_fail(err, MA_EINVAL, 0, "invalid domain '': empty");
	if (len >= sizeof(buf))
		return ma_fail(err, MA_EINVAL, 0, "invalid domain '%s': longer "
		    "than 253 characters", ma_quote(in, q, sizeof(q)));
	if ((why = byte_problem(in)) != NULL)
		goto bad;
	memcpy(buf, in, len + 1);
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
	for (p = buf; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	if (!ascii) {
		rc = idn2_lookup_u8((const uint8_t *)buf, (uint8_t **)&alabel,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			why = idn2_strerror(rc);
			goto bad;
		}
		len = strlen(alabel);
		if (len >= sizeof(buf)) {
			free(alabel);
			why = "longer than 253 characters";
			goto bad;
		}
		memcpy(buf, alabel, len + 1);
		free(alabel);
	}
	for (p = buf; *p != '\0'; p++)
		buf[p - buf] = (char)tolower((unsigned char)*p);
	if ((why = ldh_problem(buf)) != NULL)
		goto bad;
	if (has_alabel(buf)) {
		char *u = alabel_decode(buf);

		why = "an xn-- label is not a valid IDNA2008 A-label";
		if (u == NULL)
			goto bad;
		free(u);
	}
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
bad:
	return ma_fail(err, MA_EINVAL, 0, "invalid domain '%s': %s",
	    ma_quote(in, q, sizeof(q)), why);
}

char *
ma_domain_unicode(const char *alabel)
{
	return has_alabel(alabel) ? alabel_decode(alabel) : NULL;
}

/* What is wrong with a local part, or NULL. */
static const char *
local_problem(const char *local, size_t len)
{
	/* RFC 5322 atext, less '/': a local part names a Maildir path. */
	static const char specials[] = "!#$%&'*+-=?^_`{|}~.";
	size_t i;

	if (len == 0)
		return "empty local part";
	if (len > MA_LOCAL_MAX)
		return "local part longer than 64 characters";
	if (local[0] == '.' || local[len - 1] == '.')
		return "local part begins or ends with a dot";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)local[i];

		if (c == '.' && local[i + 1] == '.')
			return "two dots in a row";
		if (c == '"')
			return "quoted local parts are not accepted";
		if (c < 0x20 || c == 0x7f)
			return "contains a control character";
		if (c == ' ')
			return "contains a space";
		if (c >= 0x80)
			return "non-ASCII local parts are not accepted";
		if (!isalnum(c) && strchr(specials, c) == NULL)
			return "only letters, digits and !#$%&'*+-=?^_`{|}~. are "
			    "allowed in a local part";
	}
	return NULL;
}

int
ma_address_normalize(const char *in, unsigned int flags,
    struct ma_address *out, struct ma_err *err)
{
	char q[MA_QUOTE_MAX];
	const char *at = strrchr(in, '@'), *why;
	size_t len, i;

	memset(out, 0, sizeof(*out));
	if (*in == '\0')
		return ma_fail(err, MA_EINVAL, 0, "invalid address '': empty");
	if (at == NULL)
		return ma_fail(err, MA_EINVAL, 0, "invalid address '%s': no '@'",
		    ma_quote(in, q, sizeof(q)));
	len = (size_t)(at - in);
	if (len == 0 && !(flags & MA_ADDR_CATCHALL))
		return ma_fail(err, MA_EINVAL, 0, "invalid address '%s': empty "
		    "local part", ma_quote(in, q, sizeof(q)));
	if (len > 0 && (why = local_problem(in, len)) != NULL)
		return ma_fail(err, MA_EINVAL, 0, "invalid address '%s': %s",
		    ma_quote(in, q, sizeof(q)), why);
	if (ma_domain_normalize(at + 1, out->domain, err) < 0)
		return ma_err_prefix(err, "invalid address '%s'",
		    ma_quote(in, q, sizeof(q)));
	for (i = 0; i < len; i++)
		out->local[i] = (char)tolower((unsigned char)in[i]);
	out->local[len] = '\0';
	if (len + 1 + strlen(out->domain) > MA_ADDRESS_MAX)
		return ma_fail(err, MA_EINVAL, 0, "invalid address '%s': longer "
		    "than 254 characters", ma_quote(in, q, sizeof(q)));
	/* Lengths were checked above: this cannot be cut short. */
	memcpy(out->address, out->local, len);
	out->address[len] = '@';
	memcpy(out->address + len + 1, out->domain, strlen(out->domain) + 1);
	return 0;
}

int
ma_text_check(const char *what, const char *s, size_t max,
    struct ma_err *err)
{
	char q[MA_QUOTE_MAX];
	const unsigned char *p;
	size_t chars = 0;

	if (!ma_utf8_valid(s))
		return ma_fail(err, MA_EINVAL, 0, "invalid %s '%s': not valid "
		    "UTF-8", what, ma_quote(s, q, sizeof(q)));
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return ma_fail(err, MA_EINVAL, 0, "invalid %s '%s': "
			    "contains a control character", what,
			    ma_quote(s, q, sizeof(q)));
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	if (chars > max)
		return ma_fail(err, MA_EINVAL, 0, "invalid %s '%s': longer than "
		    "%zu characters", what, ma_quote(s, q, sizeof(q)), max);
	return 0;
}
