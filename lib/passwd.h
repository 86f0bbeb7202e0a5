/*
 * Password hashes: the formats that courier-authlib, Dovecot and Cyrus
 * SASL (through courier's authdaemond) verify, and the legacy ones a
 * migrated database may hold (MySQL PASSWORD(), OLD_PASSWORD(), DES).
 *
 * Plaintext passwords are NUL-terminated strings owned by the caller, who
 * wipes them (explicit_bzero); the library wipes its own copies and
 * intermediate digests.  No message ever holds a password or a hash:
 * a stored "hash" may be a clear-text password put in the wrong column.
 */
#ifndef MA_PASSWD_H
#define MA_PASSWD_H

#include <stddef.h>

#include "err.h"

/* Who verifies a stored form (struct ma_passwd_scheme.verifiers). */
#define MA_PW_COURIER	0x1	/* courier-authlib's checkpassword */
#define MA_PW_DOVECOT	0x2	/* Dovecot's passdb (bare crypt needs
				   default_pass_scheme = CRYPT) */
#define MA_PW_CYRUS	0x4	/* Cyrus SASL via authdaemond */

/* struct ma_passwd_scheme.flags */
#define MA_PW_GENERATE	0x1	/* ma_passwd_hash() makes it */
#define MA_PW_DEFAULT	0x2	/* the built-in password_scheme */
#define MA_PW_WEAK	0x4	/* broken or fast: verify, do not choose */
#define MA_PW_CLEAR	0x8	/* the password itself ({PLAIN}) */

/* How a scheme is computed: for lib/passwd*.c only. */
enum ma_pw_kind {
	MA_PWK_CRYPT,		/* crypt(3) through libxcrypt */
	MA_PWK_MD5,		/* {MD5}: an MD5 digest, or MD5-CRYPT */
	MA_PWK_DIGEST,		/* digest(pw), base64 or hex */
	MA_PWK_SALTED,		/* base64(digest(pw salt) salt) */
	MA_PWK_PLAIN,		/* the password */
	MA_PWK_MYSQL41,		/* "*" HEX(SHA1(SHA1(pw))) */
	MA_PWK_MYSQL323,	/* OLD_PASSWORD(): 16 hex digits */
	MA_PWK_LOCKED		/* "!…": disabled, nothing matches */
};

struct ma_passwd_scheme {
	const char	*name;		/* Dovecot's spelling */
	unsigned int	 flags;		/* MA_PW_GENERATE... */
	/* MA_PW_COURIER... : who verifies what ma_passwd_hash() stores */
	unsigned int	 verifiers;
	const char	*about;		/* one line for people */
	enum ma_pw_kind	 kind;
	/*
	 * MA_PWK_CRYPT: the crypt_gensalt prefix ("$6$"; "" for any);
	 * MA_PWK_DIGEST/SALTED: the OpenSSL digest name ("SHA512").
	 */
	const char	*param;
	int		 hex;		/* digest in hex, not base64 */
};

/* Longest password, in bytes: libxcrypt's CRYPT_MAX_PASSPHRASE_SIZE - 1. */
#define MA_PASSWD_MAX 511
/* bcrypt (BLF-CRYPT) ignores what follows the first 72 bytes. */
#define MA_PASSWD_BCRYPT_MAX 72

/* Every scheme, generated ones first; *n receives the count. */
const struct ma_passwd_scheme *ma_passwd_schemes(size_t *n);

/*
 * The scheme called name, case-insensitively, aliases included ("SHA1" is
 * SHA, "CLEARTEXT" is PLAIN); NULL if there is none.
 */
const struct ma_passwd_scheme *ma_passwd_scheme(const char *name);

/*
 * The scheme called name (NULL: SHA512-CRYPT) if ma_passwd_hash() can
 * make it; else NULL with MA_EINVAL, the message listing those it can.
 */
const struct ma_passwd_scheme *ma_passwd_generator(const char *name,
	    struct ma_err *err);

/*
 * Whether courier-authlib (and so Cyrus SASL through authdaemond) can
 * verify what ma_passwd_hash(scheme, …, prefix, …) stores: 1 or 0 (also
 * for an unknown scheme).  With prefix, crypt hashes carry Dovecot's
 * {SHA512-CRYPT} prefix, which courier-authlib does not understand.
 */
int	ma_passwd_courier_ok(const char *scheme, int prefix);

/*
 * Check a password before hashing it: not empty, at most MA_PASSWD_MAX
 * bytes, no NUL, CR or LF (len counts every byte, so a NUL is seen).
 * Returns 0, or -1 with MA_EINVAL; the message never shows the password.
 */
int	ma_passwd_check(const char *pw, size_t len, struct ma_err *err);

/*
 * Hash pw with scheme (NULL: SHA512-CRYPT), salted from getrandom().
 * Crypt hashes are stored bare ("$6$…") unless prefix is set
 * ("{SHA512-CRYPT}$6$…"; YESCRYPT has no Dovecot name and gets
 * "{CRYPT}"); the other schemes always carry their prefix ("{SSHA}…").
 * On success *hash_r is a string for the caller to free.  Errors:
 * MA_EINVAL (unknown or verify-only scheme, a password ma_passwd_check()
 * refuses, BLF-CRYPT over 72 bytes), MA_EIO (no randomness), MA_ENOMEM.
 */
int	ma_passwd_hash(const char *scheme, const char *pw, int prefix,
	    char **hash_r, struct ma_err *err);

/*
 * ma_passwd_hash for each of the n passwords pw[i] into hashes[i], shared
 * by workers threads (0: one per online processor).  On an error, none
 * is kept (every hashes[i] NULL), *bad (if not NULL) is the first
 * password in order that failed and err says why, as a loop would.
 */
int	ma_passwd_hash_many(const char *scheme, const char *const *pw, size_t n,
	    int prefix, int workers, char **hashes, size_t *bad,
	    struct ma_err *err);

/*
 * The same in two steps: start hands the passwords to workers threads
 * (0: one per online processor) and returns at once; pw and hashes must
 * stay until finish, which helps with what is left, waits, and returns
 * as ma_passwd_hash_many does.  Every started batch must be finished.
 */
struct ma_passwd_batch;
int	ma_passwd_hash_start(const char *scheme, const char *const *pw,
	    size_t n, int prefix, int workers, char **hashes,
	    struct ma_passwd_batch **bp, struct ma_err *err);
int	ma_passwd_hash_finish(struct ma_passwd_batch **bp, size_t *bad,
	    struct ma_err *err);

/*
 * A batch opened with room for n passwords and none to hash yet: feed
 * says that pw[0..fed) are there now (fed only grows, up to n; the
 * strings stay until the batch is finished or cancelled).  wait, finish
 * and cancel work on it as on a started one, on the passwords fed.
 */
int	ma_passwd_hash_open(const char *scheme, const char *const *pw,
	    size_t n, int prefix, int workers, char **hashes,
	    struct ma_passwd_batch **bp, struct ma_err *err);
void	ma_passwd_hash_feed(struct ma_passwd_batch *b, size_t fed);

/*
 * Password i of a started batch, as soon as it is hashed (the caller
 * helps with those before it): 0 and hashes[i] set, which the caller
 * may take (and set to NULL), or -1 and err.  The batch stays started.
 */
int	ma_passwd_hash_wait(struct ma_passwd_batch *b, size_t i,
	    struct ma_err *err);

/*
 * A started batch given up: no more password is begun, those under way
 * are waited for, and every hash left in hashes is freed (set to NULL).
 */
void	ma_passwd_hash_cancel(struct ma_passwd_batch **bp);

/*
 * Whether pw matches the stored hash: 1 match, 0 mismatch, -1 error
 * (MA_EINVAL: not a hash mailadm knows, or a malformed one; the message
 * names the scheme, never the hash).  Accepts every scheme of
 * ma_passwd_schemes(), bare or {SCHEME}-prefixed, as described there.
 */
int	ma_passwd_verify(const char *hash, const char *pw,
	    struct ma_err *err);

/*
 * A stored value that begins with "!" is a disabled password, as in
 * shadow(5): the scheme LOCKED, which no password matches and no server
 * verifies (crypt(3) refuses the salt), so every login fails.
 */

/*
 * Recognise a stored hash without a password: its scheme in *scheme_r
 * and, in *verifiers_r, who can verify it in that exact form (a
 * {SHA512-CRYPT} prefix or an 8-byte {SSHA} salt rules courier out).
 * Checks the syntax only (a crypt hash's checksum must have its method's
 * length, so one cut short is refused).  Returns 0, or -1 with MA_EINVAL.
 */
int	ma_passwd_identify(const char *hash,
	    const struct ma_passwd_scheme **scheme_r, unsigned int *verifiers_r,
	    struct ma_err *err);

/*
 * A new random password nobody has to type: 16 characters that read
 * unambiguously (no 0/O, 1/l/I), from getrandom().  *pw_r is for the
 * caller to wipe and free.  MA_EIO without randomness, MA_ENOMEM.
 */
int	ma_passwd_random(char **pw_r, struct ma_err *err);

/* Constant-time comparison of n bytes: 1 if equal, else 0. */
int	ma_ct_equal(const void *a, const void *b, size_t n);

#endif
