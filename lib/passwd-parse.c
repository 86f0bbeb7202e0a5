/*
 * Taking a stored hash apart: "{SCHEME}payload" as Dovecot, courier and
 * Postfixadmin write it (with Dovecot's ".HEX"/".B64" suffixes), or a
 * bare crypt(3), MySQL PASSWORD()/OLD_PASSWORD() or MD5-hex value.  Only
 * the scheme ever appears in a message: the value may be a password.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "passwd-priv.h"

#define CDS	(MA_PW_COURIER | MA_PW_DOVECOT | MA_PW_CYRUS)
#define CS	(MA_PW_COURIER | MA_PW_CYRUS)

enum enc { ENC_AUTO, ENC_HEX, ENC_B64 };

/* The prefixes courier-authlib knows; it hands any other to crypt(3). */
static const char *const courier_names[] = {
	"CRYPT", "MD5", "MD5RAW", "SHA", "SHA256", "SHA512", "SSHA", NULL
};
/* Our names that Dovecot 2.3 does not know. */
static const char *const not_dovecot[] = {
	"MD5RAW", "MYSQL41", "MYSQL323", "YESCRYPT", NULL
};

static int
in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcasecmp(*list, name) == 0)
			return 1;
	return 0;
}

void
pw_parsed_release(struct pw_parsed *p)
{
	if (p->text != NULL) {
		explicit_bzero(p->text, strlen(p->text));
		free(p->text);
		p->text = NULL;
	}
	explicit_bzero(p->raw, sizeof(p->raw));
}

static int
malformed(const struct pw_parsed *p, const char *hint, struct ma_err *err)
{
	return ma_fail(err, MA_EINVAL, 0, "malformed %s hash%s%s%s",
	    p->s->name, *hint ? " (" : "", hint, *hint ? ")" : "");
}

/* The algorithm of a crypt(3) hash, for messages and identify. */
static const struct ma_passwd_scheme *
crypt_scheme(const char *h)
{
	static const char *const map[][2] = {
		{ "$6$", "SHA512-CRYPT" }, { "$5$", "SHA256-CRYPT" },
		{ "$2", "BLF-CRYPT" }, { "$y$", "YESCRYPT" },
		{ "$1$", "MD5-CRYPT" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(h, map[i][0], strlen(map[i][0])) == 0)
			return ma_passwd_scheme(map[i][1]);
	return ma_passwd_scheme(strlen(h) == 13 && h[0] != '$' &&
	    h[0] != '_' ? "DES-CRYPT" : "CRYPT");
}

static int
is_des(const char *s)
{
	return strlen(s) == 13 &&
	    strspn(s, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == 13;
}

/* p->text = the payload, decoded when a suffix says so. */
static int
take_text(struct pw_parsed *p, const char *s, enum enc enc,
    struct ma_err *err)
{
	size_t n = strlen(s);

	if (enc != ENC_AUTO) {
		if ((enc == ENC_HEX ? pw_hex_decode(s, n, p->raw,
		    sizeof(p->raw) - 1, &n) : pw_b64_decode(s, n, p->raw,
		    sizeof(p->raw) - 1, &n)) < 0 || memchr(p->raw, 0, n))
			return malformed(p, enc == ENC_HEX ? "bad hex" :
			    "bad base64", err);
		s = (const char *)p->raw;
	}
	if ((p->text = malloc(n + 1)) == NULL)
		return ma_fail(err, MA_ENOMEM, 0, "out of memory");
	memcpy(p->text, s, n);
	p->text[n] = '\0';
	explicit_bzero(p->raw, sizeof(p->raw));
	return 0;
}

static int
take_crypt(struct pw_parsed *p, const char *s, enum enc enc,
    struct ma_err *err)
{
	if (take_text(p, s, enc, err) < 0)
		return -1;
	if (*p->text == '\0')
		return malformed(p, "empty", err);
	/* {SHA512-CRYPT}$1$… is verified as what it is: MD5-CRYPT. */
	p->s = crypt_scheme(p->text);
	return pw_crypt_check(p->s->name, p->text, err);
}

/* p->raw = the digest (and salt) of a DIGEST, SALTED or MD5 payload. */
static int
take_raw(struct pw_parsed *p, const char *s, enum enc enc,
    struct ma_err *err)
{
	int mdlen = pw_digest_size(p->s->param);
	size_t n = strlen(s);
	int salted = p->s->kind == MA_PWK_SALTED;

	if (mdlen <= 0)
		return ma_fail(err, MA_EINVAL, 0, "OpenSSL has no %s digest",
		    p->s->param);
	/* Dovecot's rule: hex when it has exactly the digest's length. */
	if (enc == ENC_AUTO)
		enc = !salted && n == 2 * (size_t)mdlen && pw_is_hex(s, n) ?
		    ENC_HEX : ENC_B64;
	if ((enc == ENC_HEX ? pw_hex_decode(s, n, p->raw, sizeof(p->raw),
	    &p->rawlen) : pw_b64_decode(s, n, p->raw, sizeof(p->raw),
	    &p->rawlen)) < 0)
		return malformed(p, enc == ENC_HEX ? "bad hex" : "bad base64",
		    err);
	if (salted ? p->rawlen <= (size_t)mdlen : p->rawlen != (size_t)mdlen)
		return malformed(p, "wrong length", err);
	/* courier reads base64 (hex for MD5RAW) and 4-byte {SSHA} salts. */
	if ((enc == ENC_HEX) != (strcasecmp(p->s->name, "MD5RAW") == 0) ||
	    (salted && p->rawlen != (size_t)mdlen + 4))
		p->verifiers &= ~CS;
	return 0;
}

static int
take_mysql(struct pw_parsed *p, const char *s, struct ma_err *err)
{
	size_t want = p->s->kind == MA_PWK_MYSQL41 ? 40 : 16;

	if (p->s->kind == MA_PWK_MYSQL41 && *s == '*')
		s++;
	if (strlen(s) != want || pw_hex_decode(s, want, p->raw,
	    sizeof(p->raw), &p->rawlen) < 0)
		return malformed(p, p->s->kind == MA_PWK_MYSQL41 ?
		    "want '*' and 40 hex digits" : "want 16 hex digits", err);
	return 0;
}

static int
take_payload(struct pw_parsed *p, const char *s, enum enc enc,
    struct ma_err *err)
{
	switch (p->s->kind) {
	case MA_PWK_CRYPT:
		return take_crypt(p, s, enc, err);
	case MA_PWK_MD5:
		/* Dovecot's {MD5} is MD5-CRYPT when it looks like one. */
		if (strncmp(s, "$1$", 3) == 0) {
			p->verifiers &= ~CS;
			return take_crypt(p, s, enc, err);
		}
		return take_raw(p, s, enc, err);
	case MA_PWK_DIGEST:
	case MA_PWK_SALTED:
		return take_raw(p, s, enc, err);
	case MA_PWK_PLAIN:
		return take_text(p, s, enc, err);
	case MA_PWK_MYSQL41:
	case MA_PWK_MYSQL323:
		return take_mysql(p, s, err);
	case MA_PWK_LOCKED:
		break;
	}
	return malformed(p, "", err);
}

static int
parse_prefixed(const char *hash, const char *close, struct pw_parsed *p,
    struct ma_err *err)
{
	char name[40], q[MA_QUOTE_MAX], *dot;
	size_t n = (size_t)(close - hash - 1);
	enum enc enc = ENC_AUTO;

	memcpy(name, hash + 1, n);
	name[n] = '\0';
	if ((dot = strrchr(name, '.')) != NULL) {
		if (strcasecmp(dot, ".HEX") == 0)
			enc = ENC_HEX;
		else if (strcasecmp(dot, ".B64") == 0 ||
		    strcasecmp(dot, ".BASE64") == 0)
			enc = ENC_B64;
		if (enc != ENC_AUTO)
			*dot = '\0';
	}
	if ((p->s = ma_passwd_scheme(name)) == NULL)
		return ma_fail(err, MA_EINVAL, 0, "unknown password scheme "
		    "'{%s}'", ma_quote(name, q, sizeof(q)));
	p->prefixed = 1;
	p->verifiers = in_list(not_dovecot, name) ? 0 : MA_PW_DOVECOT;
	if (enc == ENC_AUTO && in_list(courier_names, name))
		p->verifiers |= CS;
	return take_payload(p, close + 1, enc, err);
}

static int
parse_bare(const char *hash, struct pw_parsed *p, struct ma_err *err)
{
	size_t n = strlen(hash);

	p->verifiers = CDS;
	if (hash[0] == '$' || hash[0] == '_' || is_des(hash)) {
		p->s = crypt_scheme(hash);
		return take_crypt(p, hash, ENC_AUTO, err);
	}
	/* Only pam_mysql (crypt=2, crypt=3) reads these bare forms. */
	p->verifiers = 0;
	if (hash[0] == '*') {
		p->s = ma_passwd_scheme("MYSQL41");
		return take_mysql(p, hash, err);
	}
	if (n == 16 && pw_is_hex(hash, n)) {
		p->s = ma_passwd_scheme("MYSQL323");
		return take_mysql(p, hash, err);
	}
	if (n == 32 && pw_is_hex(hash, n)) {
		p->s = ma_passwd_scheme("PLAIN-MD5");
		return take_raw(p, hash, ENC_HEX, err);
	}
	return ma_fail(err, MA_EINVAL, 0, "not a password hash mailadm knows "
	    "(no {SCHEME} prefix, and not a crypt(3), MySQL or MD5 form)");
}

int
pw_parse(const char *hash, struct pw_parsed *p, struct ma_err *err)
{
	const char *close;
	int rc;

	memset(p, 0, sizeof(*p));
	if (*hash == '\0')
		return ma_fail(err, MA_EINVAL, 0, "empty password hash");
	if (*hash == '!') {
		p->s = pw_locked();
		return 0;
	}
	close = hash[0] == '{' ? strchr(hash, '}') : NULL;
	if (close != NULL && close > hash + 1 && close - hash < 40)
		rc = parse_prefixed(hash, close, p, err);
	else
		rc = parse_bare(hash, p, err);
	if (rc < 0)
		pw_parsed_release(p);
	return rc;
}
