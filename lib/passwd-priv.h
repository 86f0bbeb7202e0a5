/* Shared by lib/passwd*.c only. */
#ifndef MA_PASSWD_PRIV_H
#define MA_PASSWD_PRIV_H

#include <stddef.h>

#include "passwd.h"

/* The largest digest (SHA-512), and digest plus salt a stored hash holds. */
#define PW_MD_MAX	64
#define PW_RAW_MAX	512

/* A stored hash taken apart by pw_parse(). */
struct pw_parsed {
	const struct ma_passwd_scheme *s;
	int		 prefixed;	/* had a {SCHEME} prefix */
	unsigned int	 verifiers;	/* who verifies this form */
	/* MA_PWK_CRYPT, MD5 (MD5-CRYPT), PLAIN: the text (wiped, freed) */
	char		*text;
	/* MA_PWK_DIGEST, SALTED, MYSQL*: the decoded bytes */
	unsigned char	 raw[PW_RAW_MAX];
	size_t		 rawlen;
};

/* passwd.c: the scheme of "!…" values, outside the table of schemes. */
const struct ma_passwd_scheme *pw_locked(void);
/*
 * How many passwords of scheme pw_hash_group takes at once (1 but for
 * SHA512-CRYPT on a vector unit, at most PW_GROUP_MAX), and ma_passwd_hash
 * of each of pw[0..n) into hashes[i], rcs[i] (0 or -1) and errs[i].
 */
#define PW_GROUP_MAX	8

size_t	pw_hash_group_size(const char *scheme);
void	pw_hash_group(const char *scheme, const char *const *pw, size_t n,
	    int prefix, char **hashes, int *rcs, struct ma_err *errs);

/* passwd-parse.c */
int	pw_parse(const char *hash, struct pw_parsed *p, struct ma_err *err);
void	pw_parsed_release(struct pw_parsed *p);

/* passwd-crypt.c: libxcrypt, and the kernel's random bytes. */
int	pw_random(void *buf, size_t n, struct ma_err *err);
/* A new setting (random salt, libxcrypt's default cost) for prefix. */
#define PW_SETTING_MAX	192	/* CRYPT_GENSALT_OUTPUT_SIZE */
int	pw_crypt_setting(const char *prefix, char setting[PW_SETTING_MAX],
	    struct ma_err *err);
/* crypt(3) of pw with setting: *out_r to free; name is for errors. */
int	pw_crypt_with(const char *name, const char *pw, const char *setting,
	    char **out_r, struct ma_err *err);
/* A new hash with libxcrypt's default cost for prefix ("$6$", "$y$"…). */
int	pw_crypt_make(const char *prefix, const char *pw, char **hash_r,
	    struct ma_err *err);
int	pw_crypt_verify(const char *name, const char *setting,
	    const char *pw, struct ma_err *err);
/* 0 if libxcrypt can verify setting, else -1 (MA_EINVAL naming name). */
int	pw_crypt_check(const char *name, const char *setting,
	    struct ma_err *err);

/*
 * passwd-sha512.c: SHA512-CRYPT of up to pw_sha512_group() passwords in
 * one call, side by side in the lanes of the vector unit (0: none, use
 * libxcrypt).  Fewer than pw_sha512_group_min() are faster one by one
 * through libxcrypt.  pw_sha512_fits: whether pw and setting (a "$6$salt"
 * of crypt(5)'s default rounds) can go.  pw_sha512_crypt: out[i] the
 * hash of pw[i] with setting[i], as crypt(3) makes it; 0 or -1.
 * pw_sha512_use: the variant "avx512f" or "avx2" from now on (-1: this
 * processor has not got it), or NULL for none: for tests, while nothing
 * is being hashed.
 */
size_t	pw_sha512_group(void);
size_t	pw_sha512_group_min(void);
int	pw_sha512_fits(const char *pw, const char *setting);
int	pw_sha512_crypt(const char *const *pw, const char *const *setting,
	    size_t n, char **out, struct ma_err *err);
int	pw_sha512_use(const char *name);

/* passwd-digest.c: OpenSSL digests and the MySQL formats. */
int	pw_digest_size(const char *md);
int	pw_digest(const char *md, const char *pw, const unsigned char *salt,
	    size_t saltlen, unsigned char *out, struct ma_err *err);
int	pw_mysql41(const char *pw, unsigned char out[20],
	    struct ma_err *err);
void	pw_mysql323(const char *pw, unsigned char out[8]);

/* passwd-enc.c: base64 and hex, strict. */
size_t	pw_b64_len(size_t n);
void	pw_b64_encode(const unsigned char *in, size_t n, char *out);
/* Decode len characters into out (room for cap bytes); -1 if malformed. */
int	pw_b64_decode(const char *in, size_t len, unsigned char *out,
	    size_t cap, size_t *n_r);
int	pw_hex_decode(const char *in, size_t len, unsigned char *out,
	    size_t cap, size_t *n_r);
int	pw_is_hex(const char *s, size_t len);

#endif
