/*
 * A mailbox's password: a hash the new servers verify is kept as it is, a
 * cleartext one is hashed, any other is unusable: the account gets a
 * disabled password ("!" before the old value, which crypt(3) and so
 * courier-authlib, Cyrus SASL and Dovecot never match) or, with
 * new_passwords, a fresh random one.  A clear copy kept beside the hash
 * is checked against it; defaults of the legacy application are found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migrate-priv.h"
#include "passwd.h"

void
mg_password_release(struct mg_password *pw)
{
	if (pw->value != NULL) {
		explicit_bzero(pw->value, strlen(pw->value));
		free(pw->value);
	}
	memset(pw, 0, sizeof(*pw));
}

static int
set(struct mg_password *pw, const char *class, const char *prefix,
    const char *value, struct ma_err *err)
{
	size_t n = strlen(prefix) + strlen(value) + 1;

	mg_password_release(pw);
	pw->class = class;
	if ((pw->value = malloc(n)) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	snprintf(pw->value, n, "%s%s", prefix, value);
	return 0;
}

/* What happens to an account whose password cannot be kept. */
static const char *
fallback(const struct ma_migrate *m)
{
	return m->o->new_passwords != NULL ? "it gets a new random password "
	    "(in the passwords file)" : "it is imported with a disabled "
	    "password: set one with 'mailadm user passwd'";
}

/* Disable: "!" and the old hash when it is one that fits the column. */
static int
lock(struct mg_password *pw, const char *hash, struct ma_err *err)
{
	const char *p;

	for (p = hash; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			break;
	return set(pw, MG_PW_LOCK, "!", hash != NULL && *p == '\0' &&
	    strlen(hash) < 250 ? hash : "", err);
}

/* pw matches hash (also when hashed as latin1 bytes: *latin1 then). */
static int
matches(const char *hash, const char *pw, int *latin1)
{
	struct ma_err ignored;
	char *l1;
	int rc;

	*latin1 = 0;
	if (ma_passwd_verify(hash, pw, &ignored) == 1)
		return 1;
	if (mg_ascii(pw) || (l1 = mg_latin1(pw)) == NULL)
		return 0;
	rc = ma_passwd_verify(hash, l1, &ignored) == 1;
	explicit_bzero(l1, strlen(l1));
	free(l1);
	*latin1 = rc;
	return rc;
}

/* A cleartext password: hashed at import if the servers can take it. */
static int
cleartext(struct mg_query *q, const struct mg_src *src, const char *clear,
    struct mg_password *pw, struct ma_err *err)
{
	struct ma_err why;

	if (ma_passwd_check(clear, strlen(clear), &why) < 0) {
		if (lock(pw, NULL, err) < 0)
			return -1;
		return mg_row_note(q, src, "warning", "INVALID_PASSWORD", err,
		    "the cleartext password cannot be "
		    "used (%s): %s", why.msg, fallback(q->m));
	}
	if (set(pw, MG_PW_HASH, "", clear, err) < 0)
		return -1;
	if (!mg_ascii(clear) && mg_row_note(q, src, "warning",
	    "PASSWORD_NOT_ASCII", err, "the cleartext password has "
	    "characters beyond ASCII: hashed as UTF-8 (a client that sends "
	    "latin1 fails)") < 0)
		return -1;
	return 0;
}

/* Whether a value that is no valid hash was meant as one: "$…", "{SHA}…". */
static int
looks_like_hash(const char *s)
{
	const char *close = strchr(s, '}');
	char name[40];

	if (*s == '$' || *s == '!')
		return 1;
	if (*s != '{' || close == NULL || close - s > 32)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(close - s - 1), s + 1);
	return ma_passwd_scheme(name) != NULL;
}

/*
 * Thirteen characters of crypt's alphabet may be a DES hash or a
 * cleartext password ("princesse2006").  crypt(3) writes 64 bits in 11
 * characters: the last one carries 4 bits, so it is one of 16; and a
 * random hash is almost never a word followed by digits.
 */
static int
des_shaped(const char *s)
{
	static const char last[] = ".26AEIMQUYcgkosw";
	size_t i = 0;

	if (strchr(last, s[12]) == NULL)
		return 0;
	if (s[i] >= 'A' && s[i] <= 'Z')
		i++;
	while (s[i] >= 'a' && s[i] <= 'z')
		i++;
	while (i > 0 && s[i] >= '0' && s[i] <= '9')
		i++;
	return s[i] != '\0';
}

/* A stored hash (fmt: auto, crypt or a scheme): kept, or not usable. */
static int
hash(struct mg_query *q, const struct mg_src *src, const char *raw,
    const char *fmt, struct mg_password *pw, struct ma_err *err)
{
	const char *clear = mg_val(q, MB_CLEAR);
	const struct ma_passwd_scheme *s;
	struct ma_err why;
	unsigned int who;
	char *candidate = NULL;
	int auto_fmt = strcasecmp(fmt, "auto") == 0, latin1, rc;

	if (!auto_fmt && strcasecmp(fmt, "crypt") != 0 && raw[0] != '{' &&
	    asprintf(&candidate, "{%s}%s", fmt, raw) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = ma_passwd_identify(candidate ? candidate : raw, &s, &who, &why);
	if (rc == 0 && strcasecmp(fmt, "crypt") == 0 && s->kind != MA_PWK_CRYPT)
		rc = ma_fail(&why, MA_EINVAL, 0, "a %s hash, not crypt(3)",
		    s->name);
	if (rc == 0 && auto_fmt && strcmp(s->name, "DES-CRYPT") == 0 &&
	    !des_shaped(raw))
		rc = -1;
	if (rc < 0 && auto_fmt && !looks_like_hash(raw)) {
		free(candidate);
		if (mg_row_note(q, src, "warning", "CLEARTEXT_PASSWORD", err,
		    "cleartext password: hashed with %s on "
		    "import", q->m->o->scheme) < 0)
			return -1;
		return cleartext(q, src, raw, pw, err);
	}
	if (rc < 0) {
		rc = lock(pw, NULL, err) < 0 ? -1 : mg_row_note(q, src,
		    "warning",
		    "INVALID_PASSWORD_HASH", err,
		    "password_format %s, but %s: %s", fmt, why.msg,
		    fallback(q->m));
	} else if (!(who & MA_PW_COURIER) && clear != NULL && *clear != '\0' &&
	    matches(candidate ? candidate : raw, clear, &latin1)) {
		rc = mg_row_note(q, src, "warning", "UNVERIFIABLE_HASH", err,
		    "a %s hash, which courier-authlib and "
		    "Cyrus SASL cannot verify; its clear copy matches it: "
		    "hashed "
		    "again with %s", s->name, q->m->o->scheme);
		if (rc == 0)
			rc = cleartext(q, src, clear, pw, err);
	} else if (!(who & MA_PW_COURIER)) {
		rc = lock(pw, candidate ? candidate : raw, err) < 0 ? -1 :
		    mg_row_note(q, src, "warning", "UNVERIFIABLE_HASH", err,
		    "a %s hash, which courier-authlib and "
		    "Cyrus SASL cannot verify: %s", s->name, fallback(q->m));
	} else {
		rc = set(pw, MG_PW_KEEP, "", candidate ? candidate : raw, err);
		if (rc == 0 && strcmp(s->name, "DES-CRYPT") == 0)
			rc = mg_row_note(q, src, "warning", "WEAK_HASH_DES",
			    err, "traditional DES crypt (only the "
			    "first 8 characters count)");
	}
	free(candidate);
	return rc;
}

/* The legacy application's default passwords; *hit the one found. */
static int
defaults(struct mg_query *q, const struct mg_src *src,
    const struct mg_password *pw, const char **hit, struct ma_err *err)
{
	const struct ma_map *map = q->m->map;
	struct ma_err ignored;
	size_t i;
	int same;

	*hit = NULL;
	for (i = 0; i < map->ndefault_passwords && *hit == NULL; i++) {
		const char *d = map->default_passwords[i];

		same = strcmp(pw->class, MG_PW_HASH) == 0 ?
		    strcmp(pw->value, d) == 0 : strcmp(pw->class, MG_PW_KEEP)
		    == 0 && ma_passwd_verify(pw->value, d, &ignored) == 1;
		if (same)
			*hit = d;
	}
	if (*hit == NULL)
		return 0;
	return mg_row_note(q, src, "warning", "DEFAULT_PASSWORD", err, "still "
	    "the legacy application's default "
	    "password (%s): the user should change it", *hit);
}

/* A clear copy beside a kept hash: the same password, or a stale one. */
static int
clear_copy(struct mg_query *q, const struct mg_src *src,
    const struct mg_password *pw, const char *hit, struct ma_err *err)
{
	const char *clear = mg_val(q, MB_CLEAR);
	int latin1;

	if (clear == NULL || *clear == '\0' || strcmp(pw->class,
	    MG_PW_KEEP) != 0 ||
	    (hit != NULL && strcmp(clear, hit) == 0))
		return 0;
	if (!matches(pw->value, clear, &latin1))
		return mg_row_note(q, src, "warning", "CLEAR_CRYPT_MISMATCH",
		    err, "password_clear holds "
		    "another (older) password; the hash is what is imported");
	if (latin1 && mg_row_note(q, src, "warning", "PASSWORD_NOT_ASCII", err,
	    "the hash was computed over "
	    "latin1 bytes (its clear copy shows it): a client that sends "
	    "UTF-8 fails") < 0)
		return -1;
	return mg_row_note(q, src, "warning", "CLEARTEXT_COPY", err,
	    "password_clear holds the password in clear: not "
	    "imported (drop that column)");
}

int
mg_password(struct mg_query *q, const struct mg_src *src,
    struct mg_password *pw, struct ma_err *err)
{
	const char *raw = mg_val(q, MB_PASSWORD), *fmt = mg_val(q, MB_FORMAT);
	const char *clear = mg_val(q, MB_CLEAR), *hit;
	int rc;

	memset(pw, 0, sizeof(*pw));
	if (fmt == NULL || *fmt == '\0')
		fmt = "auto";
	if (raw != NULL && strlen(raw) != ma_stmt_len(q->st,
	    q->col[MB_PASSWORD]))
		rc = lock(pw, NULL, err) < 0 ? -1 : mg_row_note(q, src,
		    "warning",
		    "INVALID_PASSWORD", err, "the "
		    "password holds a NUL byte: %s", fallback(q->m));
	else if ((raw == NULL || *raw == '\0') && clear != NULL && *clear != '\0')
		rc = mg_row_note(q, src, "warning", "CLEARTEXT_PASSWORD", err,
		    "no hash, only a clear copy: hashed "
		    "with %s on import", q->m->o->scheme) < 0 ? -1 :
		    cleartext(q, src, clear, pw, err);
	else if (raw == NULL || *raw == '\0')
		rc = lock(pw, NULL, err) < 0 ? -1 : mg_row_note(q, src,
		    "warning",
		    "EMPTY_PASSWORD", err, "empty "
		    "password (no login possible today): %s", fallback(q->m));
	else if (strcasecmp(fmt, "cleartext") == 0 ||
	    strcasecmp(fmt, "plain") == 0)
		rc = mg_row_note(q, src, "warning", "CLEARTEXT_PASSWORD", err,
		    "cleartext password: hashed with %s on "
		    "import", q->m->o->scheme) < 0 ? -1 :
		    cleartext(q, src, raw, pw, err);
	else
		rc = hash(q, src, raw, fmt, pw, err);
	if (rc == 0)
		rc = defaults(q, src, pw, &hit, err);
	if (rc == 0)
		rc = clear_copy(q, src, pw, hit, err);
	if (rc < 0)
		mg_password_release(pw);
	return rc;
}
