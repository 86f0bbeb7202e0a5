/*
 * crypt(3) hashes through libxcrypt, the library courier-authlib and
 * pam_mysql call on Debian: what it makes, they verify.
 */
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "passwd-priv.h"

_Static_assert(PW_SETTING_MAX >= CRYPT_GENSALT_OUTPUT_SIZE,
    "PW_SETTING_MAX holds what crypt_gensalt_rn makes");

int
pw_random(void *buf, size_t n, struct ma_err *err)
{
	unsigned char *p = buf;
	ssize_t got;

	while (n > 0) {
		if ((got = getrandom(p, n, 0)) < 0) {
			if (errno == EINTR)
				continue;
			return ma_fail(err, MA_EIO, errno, "getrandom: %s",
			    strerror(errno));
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/*
 * crypt_r over scratch space of our own: struct crypt_data is 32 kB, too
 * much for the stack of a library, and it holds derived key material
 * that is wiped before it is freed.  *out_r is a copy to free.
 */
int
pw_crypt_with(const char *name, const char *pw, const char *setting,
    char **out_r, struct ma_err *err)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *out;
	int rc = 0;

	*out_r = NULL;
	if (cd == NULL)
		return ma_fail(err, MA_ENOMEM, 0, "out of memory");
	out = crypt_r(pw, setting, cd);
	/* libxcrypt fails with "*0" or "*1", never a hash starting with '*' */
	if (out == NULL || out[0] == '*')
		rc = ma_fail(err, MA_EINVAL, 0, "malformed %s hash", name);
	else if ((*out_r = strdup(out)) == NULL)
		rc = ma_fail(err, MA_ENOMEM, 0, "out of memory");
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int
pw_crypt_setting(const char *prefix, char setting[PW_SETTING_MAX],
    struct ma_err *err)
{
	char rbytes[16];
	int rc = 0;

	if (pw_random(rbytes, sizeof(rbytes), err) < 0)
		return -1;
	if (crypt_gensalt_rn(prefix, 0, rbytes, sizeof(rbytes), setting,
	    PW_SETTING_MAX) == NULL)
		rc = ma_fail(err, MA_EINVAL, errno, "libxcrypt cannot make "
		    "'%s' hashes: %s", prefix, strerror(errno));
	explicit_bzero(rbytes, sizeof(rbytes));
	return rc;
}

int
pw_crypt_make(const char *prefix, const char *pw, char **hash_r,
    struct ma_err *err)
{
	char setting[PW_SETTING_MAX];

	*hash_r = NULL;
	if (pw_crypt_setting(prefix, setting, err) < 0)
		return -1;
	return pw_crypt_with(prefix, pw, setting, hash_r, err);
}

/*
 * crypt_checksalt() reads the setting only; the checksum after the last
 * '$' has a fixed length per method (crypt(5)), so a hash cut short is
 * refused here rather than never matching later.
 */
static int
checksum_ok(const char *hash)
{
	static const struct { const char *prefix; size_t len; } sums[] = {
		{ "$1$", 22 }, { "$5$", 43 }, { "$6$", 86 }, { "$y$", 43 },
		{ "$2a$", 53 }, { "$2b$", 53 }, { "$2y$", 53 },
	};
	const char *tail = strrchr(hash, '$');
	size_t i;

	for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		if (strncmp(hash, sums[i].prefix, strlen(sums[i].prefix)) != 0)
			continue;
		/* bcrypt: "$2b$10$" then 22 salt and 31 checksum characters */
		return tail != NULL && strlen(tail + 1) == sums[i].len &&
		    strspn(tail + 1, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz") == sums[i].len;
	}
	return 1;
}

int
pw_crypt_check(const char *name, const char *setting, struct ma_err *err)
{
	switch (crypt_checksalt(setting)) {
	case CRYPT_SALT_OK:
	case CRYPT_SALT_METHOD_LEGACY:
	case CRYPT_SALT_TOO_CHEAP:
		if (!checksum_ok(setting))
			return ma_fail(err, MA_EINVAL, 0, "malformed %s hash "
			    "(a checksum of the wrong length)", name);
		return 0;
	case CRYPT_SALT_METHOD_DISABLED:
		return ma_fail(err, MA_EINVAL, 0, "%s hashes are disabled in "
		    "this libxcrypt", name);
	default:
		return ma_fail(err, MA_EINVAL, 0, "malformed %s hash", name);
	}
}

/*
 * 1 if crypt(pw, stored) gives stored back, 0 if not.  A result of
 * another length means the stored hash was cut short or has trailing
 * bytes: it could never match, and the admin should hear about it.
 */
int
pw_crypt_verify(const char *name, const char *stored, const char *pw,
    struct ma_err *err)
{
	size_t n = strlen(stored);
	char *out;
	int rc;

	if (pw_crypt_with(name, pw, stored, &out, err) < 0)
		return -1;
	if (strlen(out) != n)
		rc = ma_fail(err, MA_EINVAL, 0, "malformed %s hash (%s)", name,
		    strlen(out) > n ? "cut short" : "too long");
	else
		rc = ma_ct_equal(out, stored, n);
	explicit_bzero(out, strlen(out));
	free(out);
	return rc;
}
