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

/* passwd-parse.c */
int	pw_parse(const char *hash, struct pw_parsed *p, struct ma_err *err);
void	pw_parsed_release(struct pw_parsed *p);

/* passwd-crypt.c: libxcrypt, and the kernel's random bytes. */
int	pw_random(void *buf, size_t n, struct ma_err *err);
int	pw_crypt_make(const char *prefix, const char *pw, char **hash_r,
	    struct ma_err *err);
int	pw_crypt_verify(const char *name, const char *setting,
	    const char *pw, struct ma_err *err);
/* 0 if libxcrypt can verify setting, else -1 (MA_EINVAL naming name). */
int	pw_crypt_check(const char *name, const char *setting,
	    struct ma_err *err);

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
