/*
 * Password schemes: the table, making a hash, checking a password against
 * a stored one.  Who verifies what is in ../shared/research/mailstack.md
 * §1: courier-authlib knows {MD5} {MD5RAW} {SHA} {SHA256} {SHA512}, {SSHA}
 * with a 4-byte salt, and hands everything else to crypt(3); Dovecot knows
 * its own {SCHEME} names and reads bare crypt with default_pass_scheme =
 * CRYPT; Cyrus SASL verifies hashes only through courier's authdaemond.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "passwd-priv.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define GEN	MA_PW_GENERATE
#define CDS	(MA_PW_COURIER | MA_PW_DOVECOT | MA_PW_CYRUS)
#define CS	(MA_PW_COURIER | MA_PW_CYRUS)
#define D	MA_PW_DOVECOT

/* Salt of {SSHA}: courier-authlib takes the last 4 decoded bytes. */
#define SSHA_SALT	4
#define SALT_LEN	16
#define RANDOM_LEN	16

static const struct ma_passwd_scheme schemes[] = {
	{ "SHA512-CRYPT", GEN | MA_PW_DEFAULT, CDS,
	  "SHA-512 crypt(3), $6$, 5000 rounds", MA_PWK_CRYPT, "$6$", 0 },
	{ "SHA256-CRYPT", GEN, CDS,
	  "SHA-256 crypt(3), $5$, 5000 rounds", MA_PWK_CRYPT, "$5$", 0 },
	{ "BLF-CRYPT", GEN, CDS,
	  "bcrypt, $2y$, cost 5; reads 72 bytes of a password",
	  MA_PWK_CRYPT, "$2y$", 0 },
	{ "YESCRYPT", GEN, CDS,
	  "yescrypt, $y$ (needs libxcrypt wherever it is verified)",
	  MA_PWK_CRYPT, "$y$", 0 },
	{ "MD5-CRYPT", GEN | MA_PW_WEAK, CDS,
	  "MD5 crypt(3), $1$: weak", MA_PWK_CRYPT, "$1$", 0 },
	{ "SSHA512", GEN, D,
	  "salted SHA-512, base64", MA_PWK_SALTED, "SHA512", 0 },
	{ "SSHA256", GEN, D,
	  "salted SHA-256, base64", MA_PWK_SALTED, "SHA256", 0 },
	{ "SSHA", GEN, CDS,
	  "salted SHA-1, base64, 4-byte salt (courier's only length)",
	  MA_PWK_SALTED, "SHA1", 0 },
	{ "PLAIN", GEN | MA_PW_CLEAR, D,
	  "the password itself, as {PLAIN}password", MA_PWK_PLAIN, NULL, 0 },
	{ "CRYPT", 0, CDS,
	  "any crypt(3) hash libxcrypt knows", MA_PWK_CRYPT, "", 0 },
	{ "DES-CRYPT", MA_PW_WEAK, CDS,
	  "traditional crypt(3): 13 characters, 8 of the password",
	  MA_PWK_CRYPT, "", 0 },
	{ "SHA512", MA_PW_WEAK, CDS,
	  "unsalted SHA-512, base64", MA_PWK_DIGEST, "SHA512", 0 },
	{ "SHA256", MA_PW_WEAK, CDS,
	  "unsalted SHA-256, base64", MA_PWK_DIGEST, "SHA256", 0 },
	{ "SHA", MA_PW_WEAK, CDS,
	  "unsalted SHA-1, base64 (Dovecot also says SHA1)",
	  MA_PWK_DIGEST, "SHA1", 0 },
	{ "SMD5", MA_PW_WEAK, D,
	  "salted MD5, base64", MA_PWK_SALTED, "MD5", 0 },
	{ "MD5", MA_PW_WEAK, CDS,
	  "unsalted MD5, base64 (courier); Dovecot also reads $1$ here",
	  MA_PWK_MD5, "MD5", 0 },
	{ "PLAIN-MD5", MA_PW_WEAK, D,
	  "unsalted MD5, hex; bare 32 hex digits (Postfixadmin's md5)",
	  MA_PWK_DIGEST, "MD5", 1 },
	{ "MD5RAW", MA_PW_WEAK, CS,
	  "unsalted MD5, hex (courier's name)", MA_PWK_DIGEST, "MD5", 1 },
	{ "MYSQL41", MA_PW_WEAK, 0,
	  "MySQL 4.1 PASSWORD(): * and 40 hex digits", MA_PWK_MYSQL41, NULL,
	  1 },
	{ "MYSQL323", MA_PW_WEAK, 0,
	  "MySQL OLD_PASSWORD(): 16 hex digits", MA_PWK_MYSQL323, NULL, 1 },
};

static const struct ma_passwd_scheme locked = {
	"LOCKED", MA_PW_WEAK, 0, "a disabled password: '!' before the old "
	"value; every login fails", MA_PWK_LOCKED, NULL, 0
};

const struct ma_passwd_scheme *
pw_locked(void)
{
	return &locked;
}

static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "SHA1", "SHA" },
	{ "LDAP-MD5", "MD5" },
	{ "CLEAR", "PLAIN" },
	{ "CLEARTEXT", "PLAIN" },
};

const struct ma_passwd_scheme *
ma_passwd_schemes(size_t *n)
{
	*n = NELEM(schemes);
	return schemes;
}

const struct ma_passwd_scheme *
ma_passwd_scheme(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(aliases); i++)
		if (strcasecmp(name, aliases[i].alias) == 0)
			name = aliases[i].name;
	for (i = 0; i < NELEM(schemes); i++)
		if (strcasecmp(name, schemes[i].name) == 0)
			return &schemes[i];
	return NULL;
}

/* The {NAME} of a crypt hash: Dovecot has no name for yescrypt. */
static const char *
prefix_name(const struct ma_passwd_scheme *s)
{
	return s->kind == MA_PWK_CRYPT && strcmp(s->name, "YESCRYPT") == 0 ?
	    "CRYPT" : s->name;
}

int
ma_passwd_courier_ok(const char *scheme, int prefix)
{
	const struct ma_passwd_scheme *s = ma_passwd_scheme(scheme);

	if (s == NULL)
		return 0;
	/* courier strips {CRYPT} only; {SHA512-CRYPT}$6$ goes to crypt(3). */
	if (s->kind == MA_PWK_CRYPT && prefix &&
	    strcmp(prefix_name(s), "CRYPT") != 0)
		return 0;
	return (s->verifiers & MA_PW_COURIER) != 0;
}

int
ma_passwd_check(const char *pw, size_t len, struct ma_err *err)
{
	if (len == 0)
		return ma_fail(err, MA_EINVAL, 0, "empty password");
	if (memchr(pw, '\0', len) != NULL)
		return ma_fail(err, MA_EINVAL, 0, "password contains a NUL "
		    "byte");
	/* authdaemond's protocol and IMAP LOGIN are line-based. */
	if (memchr(pw, '\n', len) != NULL || memchr(pw, '\r', len) != NULL)
		return ma_fail(err, MA_EINVAL, 0, "password contains a line "
		    "break");
	if (len > MA_PASSWD_MAX)
		return ma_fail(err, MA_EINVAL, 0, "password too long: %zu "
		    "bytes, at most %d (the limit of libxcrypt)", len,
		    MA_PASSWD_MAX);
	return 0;
}

/* "{NAME}" + base64(digest(pw salt) salt) */
static int
make_salted(const struct ma_passwd_scheme *s, const char *pw, char **hash_r,
    struct ma_err *err)
{
	unsigned char raw[PW_MD_MAX + SALT_LEN];
	size_t saltlen = strcmp(s->name, "SSHA") == 0 ? SSHA_SALT : SALT_LEN;
	int mdlen = pw_digest_size(s->param);
	char *h = NULL;
	int rc = -1;

	if (mdlen <= 0 || mdlen > PW_MD_MAX)
		return ma_fail(err, MA_EINVAL, 0, "OpenSSL has no %s digest",
		    s->param);
	if (pw_random(raw + mdlen, saltlen, err) == 0 &&
	    pw_digest(s->param, pw, raw + mdlen, saltlen, raw, err) == 0) {
		h = malloc(strlen(s->name) + 3 +
		    pw_b64_len((size_t)mdlen + saltlen));
		if (h == NULL) {
			ma_fail(err, MA_ENOMEM, 0, "out of memory");
		} else {
			h[0] = '{';
			strcpy(h + 1, s->name);
			strcat(h, "}");
			pw_b64_encode(raw, (size_t)mdlen + saltlen,
			    h + strlen(h));
			rc = 0;
		}
	}
	explicit_bzero(raw, sizeof(raw));
	*hash_r = h;
	return rc;
}

/* "{NAME}" + text; text is wiped from the old buffer. */
static int
add_prefix(const char *name, char **hash, struct ma_err *err)
{
	size_t n = strlen(name) + strlen(*hash) + 3;
	char *h = malloc(n);

	if (h == NULL)
		return ma_fail(err, MA_ENOMEM, 0, "out of memory");
	snprintf(h, n, "{%s}%s", name, *hash);
	explicit_bzero(*hash, strlen(*hash));
	free(*hash);
	*hash = h;
	return 0;
}

static const char *
generated_names(char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < NELEM(schemes) && o < size; i++)
		if (schemes[i].flags & MA_PW_GENERATE)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
			    o ? ", " : "", schemes[i].name);
	return buf;
}

const struct ma_passwd_scheme *
ma_passwd_generator(const char *scheme, struct ma_err *err)
{
	const struct ma_passwd_scheme *s;
	char q[MA_QUOTE_MAX], names[256];

	s = ma_passwd_scheme(scheme != NULL ? scheme : "SHA512-CRYPT");
	if (s == NULL)
		ma_fail(err, MA_EINVAL, 0, "unknown password scheme '%s' "
		    "(known: %s)", ma_quote(scheme, q, sizeof(q)),
		    generated_names(names, sizeof(names)));
	else if (!(s->flags & MA_PW_GENERATE))
		ma_fail(err, MA_EINVAL, 0, "%s hashes can be verified but not "
		    "made (choose one of %s)", s->name,
		    generated_names(names, sizeof(names)));
	return s != NULL && (s->flags & MA_PW_GENERATE) ? s : NULL;
}

int
ma_passwd_hash(const char *scheme, const char *pw, int prefix,
    char **hash_r, struct ma_err *err)
{
	const struct ma_passwd_scheme *s;
	size_t len = strlen(pw);

	*hash_r = NULL;
	if ((s = ma_passwd_generator(scheme, err)) == NULL ||
	    ma_passwd_check(pw, len, err) < 0)
		return -1;
	switch (s->kind) {
	case MA_PWK_CRYPT:
		if (strcmp(s->param, "$2y$") == 0 && len > MA_PASSWD_BCRYPT_MAX)
			return ma_fail(err, MA_EINVAL, 0, "password too long "
			    "for BLF-CRYPT: %zu bytes, and bcrypt ignores all "
			    "after the first %d (choose another scheme)", len,
			    MA_PASSWD_BCRYPT_MAX);
		if (pw_crypt_make(s->param, pw, hash_r, err) < 0)
			return -1;
		return prefix ? add_prefix(prefix_name(s), hash_r, err) : 0;
	case MA_PWK_SALTED:
		return make_salted(s, pw, hash_r, err);
	case MA_PWK_PLAIN:
		if ((*hash_r = strdup(pw)) == NULL)
			return ma_fail(err, MA_ENOMEM, 0, "out of memory");
		return add_prefix("PLAIN", hash_r, err);
	default:
		return ma_fail(err, MA_EINVAL, 0, "%s hashes cannot be made",
		    s->name);
	}
}

/* Whether scheme is SHA512-CRYPT, which passwd-sha512.c can make. */
static const struct ma_passwd_scheme *
sha512_crypt(const char *scheme)
{
	struct ma_err unknown;
	const struct ma_passwd_scheme *s = ma_passwd_generator(scheme,
	    &unknown);

	return s != NULL && s->kind == MA_PWK_CRYPT &&
	    strcmp(s->param, "$6$") == 0 ? s : NULL;
}

size_t
pw_hash_group_size(const char *scheme)
{
	size_t n = pw_sha512_group();

	return sha512_crypt(scheme) != NULL && n > 0 ? n : 1;
}

/* A crypt hash just made, with the {NAME} prefix if asked: 0 or -1. */
static int
crypt_made(const struct ma_passwd_scheme *s, int prefix, char **hash,
    struct ma_err *err)
{
	if (!prefix || add_prefix(prefix_name(s), hash, err) == 0)
		return 0;
	free(*hash);
	*hash = NULL;
	return -1;
}

void
pw_hash_group(const char *scheme, const char *const *pw, size_t n,
    int prefix, char **hashes, int *rcs, struct ma_err *errs)
{
	const struct ma_passwd_scheme *s = sha512_crypt(scheme);
	char settings[PW_GROUP_MAX][PW_SETTING_MAX], *out[PW_GROUP_MAX];
	const char *lane_pw[PW_GROUP_MAX], *lane_set[PW_GROUP_MAX];
	size_t i, j, k = 0, at[PW_GROUP_MAX];

	/*
	 * Each one gets its setting once: those that fit one block may go
	 * side by side, the others through libxcrypt with that setting.
	 * Another scheme, or a password refused: as ma_passwd_hash does.
	 */
	for (i = 0; i < n; i++) {
		hashes[i] = NULL;
		if (s == NULL || n > PW_GROUP_MAX || ma_passwd_check(pw[i],
		    strlen(pw[i]), &errs[i]) < 0 || pw_crypt_setting(s->param,
		    settings[i], &errs[i]) < 0) {
			rcs[i] = ma_passwd_hash(scheme, pw[i], prefix,
			    &hashes[i], &errs[i]);
			continue;
		}
		rcs[i] = 1;
		if (pw_sha512_fits(pw[i], settings[i])) {
			lane_pw[k] = pw[i];
			lane_set[k] = settings[i];
			at[k++] = i;
		}
	}
	/* Too few for a call to beat libxcrypt one by one: none go. */
	if (k > 0 && k >= pw_sha512_group_min() &&
	    pw_sha512_crypt(lane_pw, lane_set, k, out, &errs[at[0]]) == 0)
		for (j = 0; j < k; j++) {
			hashes[at[j]] = out[j];
			rcs[at[j]] = crypt_made(s, prefix, &hashes[at[j]],
			    &errs[at[j]]);
		}
	for (i = 0; i < n; i++)
		if (rcs[i] == 1)
			rcs[i] = pw_crypt_with(s->param, pw[i], settings[i],
			    &hashes[i], &errs[i]) < 0 ? -1 : crypt_made(s,
			    prefix, &hashes[i], &errs[i]);
	explicit_bzero(settings, sizeof(settings));
}

int
ma_passwd_random(char **pw_r, struct ma_err *err)
{
	static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	    "23456789";
	unsigned char raw[RANDOM_LEN];
	char *pw = malloc(RANDOM_LEN + 1);
	size_t i;

	*pw_r = NULL;
	if (pw == NULL)
		return ma_fail(err, MA_ENOMEM, 0, "out of memory");
	if (pw_random(raw, sizeof(raw), err) < 0) {
		free(pw);
		return -1;
	}
	/* 256 % 56 != 0: the bias is under 2 %, below what matters here. */
	for (i = 0; i < RANDOM_LEN; i++)
		pw[i] = set[raw[i] % (sizeof(set) - 1)];
	pw[RANDOM_LEN] = '\0';
	explicit_bzero(raw, sizeof(raw));
	*pw_r = pw;
	return 0;
}

/* digest(pw salt) == the first mdlen bytes of raw; salt is the rest. */
static int
match_digest(const struct pw_parsed *p, const char *md, const char *pw,
    struct ma_err *err)
{
	unsigned char d[PW_MD_MAX];
	int mdlen = pw_digest_size(md), rc;

	if (mdlen <= 0 || (size_t)mdlen > p->rawlen)
		return ma_fail(err, MA_EINVAL, 0, "malformed %s hash",
		    p->s->name);
	rc = pw_digest(md, pw, p->raw + mdlen, p->rawlen - (size_t)mdlen, d,
	    err);
	if (rc == 0)
		rc = ma_ct_equal(d, p->raw, (size_t)mdlen);
	explicit_bzero(d, sizeof(d));
	return rc;
}

static int
match(const struct pw_parsed *p, const char *pw, struct ma_err *err)
{
	unsigned char d[20];
	size_t n;
	int rc;

	switch (p->s->kind) {
	case MA_PWK_CRYPT:
		return pw_crypt_verify(p->s->name, p->text, pw, err);
	case MA_PWK_MD5:
		if (p->text != NULL)
			return pw_crypt_verify("MD5-CRYPT", p->text, pw, err);
		/* FALLTHROUGH */
	case MA_PWK_DIGEST:
	case MA_PWK_SALTED:
		return match_digest(p, p->s->param, pw, err);
	case MA_PWK_PLAIN:
		n = strlen(pw);
		return n == strlen(p->text) && ma_ct_equal(pw, p->text, n);
	case MA_PWK_MYSQL41:
		if (pw_mysql41(pw, d, err) < 0)
			return -1;
		rc = ma_ct_equal(d, p->raw, 20);
		break;
	case MA_PWK_MYSQL323:
		pw_mysql323(pw, d);
		rc = ma_ct_equal(d, p->raw, 8);
		break;
	case MA_PWK_LOCKED:
		return 0;
	default:
		return ma_fail(err, MA_EINVAL, 0, "%s: no such scheme kind",
		    p->s->name);
	}
	explicit_bzero(d, sizeof(d));
	return rc;
}

int
ma_passwd_verify(const char *hash, const char *pw, struct ma_err *err)
{
	struct pw_parsed p;
	int rc;

	if (strlen(pw) > MA_PASSWD_MAX)
		return ma_fail(err, MA_EINVAL, 0, "password too long: at most "
		    "%d bytes", MA_PASSWD_MAX);
	if (pw_parse(hash, &p, err) < 0)
		return -1;
	rc = match(&p, pw, err);
	pw_parsed_release(&p);
	return rc;
}

int
ma_passwd_identify(const char *hash, const struct ma_passwd_scheme **scheme_r,
    unsigned int *verifiers_r, struct ma_err *err)
{
	struct pw_parsed p;

	if (pw_parse(hash, &p, err) < 0)
		return -1;
	if (scheme_r != NULL)
		*scheme_r = p.s;
	if (verifiers_r != NULL)
		*verifiers_r = p.verifiers;
	pw_parsed_release(&p);
	return 0;
}
