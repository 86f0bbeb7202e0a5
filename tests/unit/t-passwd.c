/*
 * ma_passwd_*: round trips of every scheme mailadm makes, published
 * vectors (Postfixadmin's test suites, MySQL, glibc/libxcrypt crypt), the
 * {SHA}/{SSHA}/{MD5}/DES vectors computed with python3 and openssl when
 * this file was written, malformed hashes, and the constant-time compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"
#include "tap.h"

struct vec {
	const char *pw, *hash;
};

/* Postfixadmin 3.3/master tests/PacryptTest.php, pacrypt CryptTest.php. */
static const struct vec postfixadmin[] = {
	{ "test123", "$1$c9809462$fC8eUPU2lq7arWRvxChMu1" },
	{ "test123", "{MD5-CRYPT}$1$c9809462$fC8eUPU2lq7arWRvxChMu1" },
	{ "test123", "$1$rGTbP.KE$wimpECWs/wQa7rnSwCmHU." },
	{ "test123", "{MD5-CRYPT}$1$rGTbP.KE$wimpECWs/wQa7rnSwCmHU." },
	{ "test123", "{MD5-CRYPT}$1$AIjpWveQ$2s3eEAbZiqkJhMYUIVR240" },
	{ "test123", "cc03e747a6afbbcbf8be7668acfebee5" },
	{ "test123", "{PLAIN-MD5}cc03e747a6afbbcbf8be7668acfebee5" },
	{ "test123", "{MD5RAW}cc03e747a6afbbcbf8be7668acfebee5" },
	{ "test123", "{MD5}zAPnR6avu8v4vnZorP6+5Q==" },
	{ "test123", "{PLAIN}test123" },
	{ "test123", "{CLEAR}test123" },
	{ "test123", "{CLEARTEXT}test123" },
	{ "test123", "VXAXutUnpVYg6" },
	{ "test123", "abRcsZmlrrKFA" },
	{ "test123",
	  "{SHA512-CRYPT}$6$IeqpXtDIXF09ADdc$IsE.SSK3zuwtS9fdWZ0oVxXQjP"
	  "Dj834xqxTiv3Qfidq3AbAjPb0DNyI28JyzmDVlbfC9uSfNxD9RUyeO1.7FV/" },
	{ "test123",
	  "{SHA512-CRYPT}$6$MViNQUSbWyXWL9wZ$63VsBU2a/ZFb9f/dK4EmaXABE9"
	  "jAcNltR7y6a2tXLKoV5F5jMezno.2KpmtD3U0FDjfa7A.pkCluVMlZJ.F64." },
	{ "test123",
	  "$5$UaZs6ZuaLkVPx3bM$4JwAqdphXVutFYw7COgAkp/vj09S1DfjIftxtjqD"
	  "rr/" },
	{ "test123",
	  "{SHA256-CRYPT}$5$CFly6wzfn2az3U8j$EhfQPTdjpMGAisfCjCKektLke5"
	  "GGEmtdLVaCZSmsKw2" },
	{ "test123",
	  "$2y$10$4gbwQMAoJPcg.mWnENYNg.syH9mZNsbQu6KN7skK92g3tlPnvvBDW" },
	{ "test123",
	  "{BLF-CRYPT}$2y$05$cEEZv2h/NtLXII.emi2TP.rMZyB7VRSkyToXWBqqz6"
	  "cXDoyay166q" },
	{ "test123",
	  "{CRYPT}$2y$05$ORqzr0AagWr25v3ixHD5QuMXympIoNTbipEFZz6aAmovGN"
	  "oij2vDO" },
	{ "test123",
	  "{SHA512-CRYPT.B64}JDYkMDBpOFJXQ0JwMlFMMDlobCRFMVFWLzJjbENPbE"
	  "o4OTg0SjJyY1oxeXNTaFJIYVhJeVdFTDdHRGl3aHliYkhQUHBUQjZTM0lFMl"
	  "Yya2ZXczZWbHY0aDVNa3N0anpud0xuRTBWZVRELw==" },
	{ "test123",
	  "{SHA512-CRYPT.B64}JDYkR2JwY3NiZXNMWk9DdERXbiRYdXlhdEZTdy9oa3"
	  "lyUFE0d24wenpGQTZrSlpTUE9QVWdPcjVRUC40bTRMTjEzdy81aWMvWTdDZl"
	  "lRMWVqSWlhNkd3Q2Z0ZnNjZEFpam9OWjl3OU5tLw==" },
	{ "test123",
	  "{SHA256-CRYPT.B64}JDUkUTZZS1ZzZS5sSVJoLndodCR6TWNOUVFVVkhtTm"
	  "M1ME1SQk9TR3BEeGpRY2M1TzJTQ1lkbWhPN1YxeHlD" },
	{ "test123",
	  "{BLF-CRYPT.B64}JDJ5JDA1JEhlR0lBeGFHR2tNUGxjRWpyeFc0eU9oRjZZZ"
	  "1NuTWVOTXFxNWp4bmFwVjUwdGU3c2x2L1VT" },
	{ "test123", "{SHA1}cojt0Pw//L6ToM8G41aOKFIWh7w=" },
	{ "test123", "{SHA1.B64}cojt0Pw//L6ToM8G41aOKFIWh7w=" },
	{ "test123",
	  "{SHA256}7NcYcNGWMxapfjrDQIyYNa2M8PPBvHA1J8MCZVNPda4=" },
	{ "test123",
	  "{SHA512}2u9JU7l4M2XK1mFSI3IFBsxGxRZ80Wq1APpZeqCP+WTrJPsZaH80"
	  "12Zfd4/LbFNY/ApbgeFmLPkPc6JnHFP5kQ==" },
	{ "test123", "{SSHA}ZkqrSEAhvd0FTHaK1IxAQCRa5LWbxGQY" },
	{ "test123", "{SSHA}pJTac1QSIHoi0qBPdqnBvgPdjfFtDRVY" },
	{ "test123",
	  "{SSHA512}6XaJMXT+51COp49kSdnxNk/+atwxdXGgeGqyEIBqKa1Q2ydGXQL"
	  "OySQoAkhR49WtRmFS5Hy5sECROInP/LqcAJCvy9M=" },
	{ "test", "{md5raw}098f6bcd4621d373cade4e832627b4f6" },
	{ "test", "{md5}CY9rzUYh03PK3k6DJie09g==" },
	{ "test", "{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=" },
	{ "test", "{SHA1}qUqP5cyxm6YcTAhz05Hph5gvu9M=" },
	{ "test",
	  "{SHA512-CRYPT.B64}JDYkM2NWcFM1WFNlUHl5MzdwSiRZWW80d0FmeWg5MX"
	  "pxcS4uY3dtYUR1Y1RodTJGTDY1NHpXNUNvRU0wT3hXVFFzZkxIZ1JJSTZmT2"
	  "81OVpDUWJOTTF2L0JXajloME0vVjJNbENNMUdwLg==" },
	{ "foobar",
	  "{SHA512}ClAmHr0aOQ/tK/Mm8mc8FFWCpjQtUjIElz0CGTN/gWFqgGmwElh8"
	  "9WNfaSXxtWw2AjDBmyc1AO4BPgMGAb8kJQ==" },
	{ "foo",
	  "$6$ijF8bgunALqnEHTo$LHVa6XQBpM5Gt16RMFQuXqrGAS0y0ymaLS8pnkeV"
	  "UTSx3t2DrGqWwRj6q4ef3V3SWYkb5xkuN9bv7joxNd8kA1" },
	{ "foo", "$1$z2DG4z9d$jBu3Cl3BPQZrkNqnflnSO." },
	{ "hello",
	  "$5$VhqhhsXJtPFeBX9e$kz3/CMIEu80bKdtDAcISIrDfdwtc.ilR68Vb3hNh"
	  "u/7" },
	{ "test1234?",
	  "$6$1O7.LNhM058togZg$yH3NA1/SgX/Nn0Q9NlnSN.i8dHeEdHDRn1RPbhDy"
	  "kvyrt/dMA4qeJZ61RA8ov7uFoSJSQ87u7UZfk/jjfUayW0" },
	{ "test1234?",
	  "{CRYPT}$2y$10$ee26ef01d29d3d939c079u7LkOJuYmIhJV8yLd3AU6xdOR"
	  "axc5HqS" },
};

/* MySQL/MariaDB sql/password.c, crypt(3) (mailstack.md §1d). */
static const struct vec published[] = {
	{ "password", "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19" },
	{ "password", "5d2e19393cc5ef67" },
	{ "secret", "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7" },
	{ "secret", "428567f408994404" },
	{ "mypass", "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4" },
	{ "mypass", "6f8c114b58f2ce9e" },
	{ "root", "*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B" },
	{ "root", "67457e226a1a15bd" },
	{ "pass word", "*EDBBEA7F4E7B5D8B0BC8D7AC5D1936FB7DA10611" },
	/* OLD_PASSWORD() skips spaces and tabs */
	{ "pass word", "5d2e19393cc5ef67" },
	{ "pass\tword", "5d2e19393cc5ef67" },
	{ "password", "*2470c0c06dee42fd1618bb99005adca2ec9d1e19" },
	{ "password", "{MYSQL41}*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19" },
	{ "password", "{MYSQL323}5d2e19393cc5ef67" },
	{ "password", "sa3tHJ3/KuYvI" },
	{ "secret", "xy/gRonXQz8UE" },
	{ "My secret message", "xxgNrzQDHDL/g" },
	{ "password", "{CRYPT}sa3tHJ3/KuYvI" },
	{ "password", "{DES-CRYPT}sa3tHJ3/KuYvI" },
	/* doveadm pw -s SHA512-CRYPT -p secret (mailstack.md §1c) */
	{ "Hello world!",
	  "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnI"
	  "FNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1" },
	{ "Hello world!",
	  "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3"
	  "Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v." },
	{ "Hello world!",
	  "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5" },
	{ "password",
	  "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/" },
	{ "password",
	  "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu"
	  "9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/" },
	{ "secret",
	  "{SHA512-CRYPT}$6$KDaAPNL52HI2BW4i$F7t3ZbZR022WXD/KrhJKFqLONx"
	  ".1wic/RA3ycXN2dslLwQoP4vjnT.mn9g12/r3/xA3rpej3Fy0q7uu.R4IPT1" },
};

/*
 * Computed for this test: python3 hashlib/base64 (salts 01020304 and
 * 0001…07 in hex), python3 crypt and openssl passwd -1.
 */
static const struct vec computed[] = {
	{ "secret", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=" },
	{ "secret", "{sha1}5en6G6MezRroT3XKqkdPOmY/BfQ=" },
	{ "secret", "{SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4" },
	{ "secret", "{SHA.HEX}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4" },
	{ "secret", "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=" },
	{ "secret",
	  "{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXd"
	  "hztmeD2cmW192CF5bDufKRpayrW/isg==" },
	{ "secret", "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==" },
	{ "secret", "{LDAP-MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==" },
	{ "secret", "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69" },
	{ "secret", "{MD5RAW}5ebe2294ecd0e0f08eab7690d2a6ee69" },
	{ "secret", "5ebe2294ecd0e0f08eab7690d2a6ee69" },
	{ "secret", "{SSHA}uJDd0BIdJ9Z7yDCZNWdgYeb33+cBAgME" },
	{ "secret", "{SSHA}cqVbhtveg6UlUYb4hGPrp7XYoikAAQIDBAUGBw==" },
	{ "secret",
	  "{SSHA256}lAejl/Of0h/+J/b6px7T8LLPd/QxmtSbDDvk8djjRJEAAQIDBAUGBw==" },
	{ "secret", "{SMD5}LF/f6q9WuGXFii+gm3ssYQECAwQ=" },
	{ "secret", "abNANd1rDfiNc" },
	{ "password", "{MD5}$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/" },
	{ "password", "{MD5-CRYPT}$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/" },
	{ "password", "{plain}password" },
	{ "password", "{PLAIN.B64}cGFzc3dvcmQ=" },
};

/* Each vector matches its password and no other. */
static void
vectors(const char *set, const struct vec *v, size_t n)
{
	struct ma_err err = { MA_OK, 0, "" };
	size_t i;
	int rc;

	test_begin(set);
	for (i = 0; i < n; i++) {
		rc = ma_passwd_verify(v[i].hash, v[i].pw, &err);
		if (!ok(rc == 1, "%s: '%s' matches %.40s", set, v[i].pw,
		    v[i].hash))
			diag("rc %d: %s", rc, err.msg);
		rc = ma_passwd_verify(v[i].hash, "wrong password", &err);
		if (!ok(rc == 0, "%s: a wrong password does not match %.40s",
		    set, v[i].hash))
			diag("rc %d: %s", rc, err.msg);
	}
}

/* What a generated hash looks like. */
static int
has_form(const struct ma_passwd_scheme *s, int prefix, const char *h)
{
	char want[64];

	if (s->kind != MA_PWK_CRYPT)
		snprintf(want, sizeof(want), "{%s}", s->name);
	else if (prefix)
		snprintf(want, sizeof(want), "{%s}%s", strcmp(s->name,
		    "YESCRYPT") == 0 ? "CRYPT" : s->name, s->param);
	else
		snprintf(want, sizeof(want), "%s", s->param);
	return strncmp(h, want, strlen(want)) == 0;
}

static void
round_trip(const struct ma_passwd_scheme *s, int prefix, const char *pw)
{
	const struct ma_passwd_scheme *found = NULL;
	struct ma_err err = { MA_OK, 0, "" };
	char *h = NULL, *h2 = NULL;
	unsigned int who = 0;
	const char *name = s->name;

	if (!ok(ma_passwd_hash(name, pw, prefix, &h, &err) == 0,
	    "%s%s: hash made", name, prefix ? " prefixed" : "")) {
		diag("%s", err.msg);
		return;
	}
	ok(has_form(s, prefix, h), "%s%s: form of %s", name,
	    prefix ? " prefixed" : "", h);
	is_int(ma_passwd_verify(h, pw, &err), 1, "the password matches");
	is_int(ma_passwd_verify(h, "Pässwörd", &err), 0,
	    "another password does not");
	ok(ma_passwd_identify(h, &found, &who, &err) == 0 && found != NULL &&
	    strcmp(found->name, name) == 0, "identified as %s", name);
	is_int(!!(who & MA_PW_COURIER), ma_passwd_courier_ok(name, prefix),
	    "courier verdict of the hash is the scheme's");
	if (ma_passwd_hash(name, pw, prefix, &h2, &err) == 0)
		ok((strcmp(h, h2) != 0) == !(s->flags & MA_PW_CLEAR),
		    "a second hash has another salt");
	free(h);
	free(h2);
}

static void
generated(void)
{
	const struct ma_passwd_scheme *s;
	size_t i, n;

	test_begin("round trips of every scheme mailadm makes");
	s = ma_passwd_schemes(&n);
	for (i = 0; i < n; i++) {
		if (!(s[i].flags & MA_PW_GENERATE))
			continue;
		round_trip(&s[i], 0, "pässwörd with spaces");
		round_trip(&s[i], 1, "x");
	}
}

/*
 * hash is refused as malformed or unknown, without showing it;
 * ma_passwd_identify() sees it too unless only crypt(3) can tell.
 */
static void
bad_hash_how(const char *hash, const char *why, int syntax_ok)
{
	struct ma_err err = { MA_OK, 0, "" };
	int rc = ma_passwd_verify(hash, "secret", &err);

	ok(rc == -1 && err.status == MA_EINVAL, "%s: refused (rc %d)", why,
	    rc);
	ok(strlen(hash) < 6 || strstr(err.msg, hash) == NULL,
	    "%s: the message does not show the hash (%s)", why, err.msg);
	ok(strstr(err.msg, "secret") == NULL,
	    "%s: nor the password", why);
	err.status = MA_OK;
	is_int(ma_passwd_identify(hash, NULL, NULL, &err), syntax_ok ? 0 : -1,
	    syntax_ok ? "identify: syntax fine" : "identify refuses it too");
}

static void
bad_hash(const char *hash, const char *why)
{
	bad_hash_how(hash, why, 0);
}

static void
malformed(void)
{
	test_begin("malformed and unknown hashes");
	bad_hash_how("$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2",
	    "truncated $6$", 0);
	bad_hash_how("$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/"
	    "jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/x",
	    "$6$ with a byte more", 0);
	bad_hash_how("$6$rounds=999$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIec",
	    "$6$ with too few rounds", 0);
	bad_hash("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ", "{SHA} without padding");
	bad_hash("{SHA}5en6G6Mez!roT3XKqkdPOmY/BfQ=", "{SHA} bad base64");
	bad_hash("{SHA256}5en6G6MezRroT3XKqkdPOmY/BfQ=", "{SHA256} too short");
	bad_hash("{SSHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "{SSHA} without salt");
	bad_hash("{SHA.HEX}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f",
	    "{SHA.HEX} odd length");
	bad_hash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1", "* and 39 hex");
	bad_hash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1X", "* and non-hex");
	bad_hash("5d2e19393cc5ef6", "15 hex digits");
	bad_hash("{MYSQL323}5d2e19393cc5ef6", "{MYSQL323} 15 hex digits");
	bad_hash("notahash", "notahash");
	bad_hash("test123", "a clear-text password in the hash column");
	bad_hash("", "empty");
	bad_hash("{NOPE}abc", "unknown scheme");
	bad_hash("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$eaXP376O9/VxleLw9",
	    "ARGON2ID (not supported)");
	bad_hash("{CRYPT}", "{CRYPT} and nothing");
	bad_hash_how("{CRYPT}notahash", "{CRYPT} and no crypt hash", 1);
	bad_hash("{SHA512-CRYPT.B64}!!!!", "{SHA512-CRYPT.B64} bad base64");
}

static void
refused(const char *scheme, const char *pw, const char *why)
{
	struct ma_err err = { MA_OK, 0, "" };
	char *h = (char *)"untouched";

	ok(ma_passwd_hash(scheme, pw, 0, &h, &err) == -1 &&
	    err.status == MA_EINVAL && h == NULL, "%s: refused", why);
	ok(strlen(pw) < 3 || strstr(err.msg, pw) == NULL,
	    "%s: the message does not show the password (%s)", why, err.msg);
}

static void
generating(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	char pw[600], *h = NULL;

	test_begin("generating: defaults and limits");
	ok(ma_passwd_hash(NULL, "secret", 0, &h, &err) == 0 && h != NULL &&
	    strncmp(h, "$6$", 3) == 0, "the default scheme is SHA512-CRYPT");
	free(h);
	ok(ma_passwd_hash("ssha512", "secret", 0, &h, &err) == 0 &&
	    strncmp(h, "{SSHA512}", 9) == 0, "scheme names are case-blind");
	free(h);
	ok(ma_passwd_hash("SSHA", "secret", 1, &h, &err) == 0 &&
	    strlen(h) == 6 + 32, "{SSHA}: 20-byte digest and 4-byte salt");
	free(h);
	refused("NOPE", "secret1", "unknown scheme");
	ok(ma_passwd_hash("NOPE", "x", 0, &h, &err) == -1 &&
	    strstr(err.msg, "'NOPE'") != NULL &&
	    strstr(err.msg, "SHA512-CRYPT, SHA256-CRYPT") != NULL,
	    "the message names the scheme and the valid ones: %s", err.msg);
	refused("DES-CRYPT", "secret1", "a verify-only scheme");
	refused("MYSQL41", "secret1", "MYSQL41 (verify-only)");
	refused("SHA512-CRYPT", "", "an empty password");
	refused("SHA512-CRYPT", "two\nlines", "a password with a newline");
	memset(pw, 'a', sizeof(pw));
	pw[MA_PASSWD_BCRYPT_MAX] = '\0';
	ok(ma_passwd_hash("BLF-CRYPT", pw, 0, &h, &err) == 0,
	    "BLF-CRYPT takes 72 bytes");
	free(h);
	pw[MA_PASSWD_BCRYPT_MAX] = 'a';
	pw[MA_PASSWD_BCRYPT_MAX + 1] = '\0';
	refused("BLF-CRYPT", pw, "BLF-CRYPT refuses 73 bytes");
	pw[MA_PASSWD_BCRYPT_MAX + 1] = 'a';
	pw[MA_PASSWD_MAX] = '\0';
	ok(ma_passwd_hash("SHA512-CRYPT", pw, 0, &h, &err) == 0 &&
	    ma_passwd_verify(h, pw, &err) == 1, "511 bytes work");
	free(h);
	pw[MA_PASSWD_MAX] = 'a';
	pw[MA_PASSWD_MAX + 1] = '\0';
	refused("SSHA", pw, "512 bytes are too many");
	ok(ma_passwd_verify("$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB"
	    "5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/", pw, &err) ==
	    -1 && err.status == MA_EINVAL, "verify refuses 512 bytes too");
}

static void
checks(void)
{
	struct ma_err err = { MA_OK, 0, "" };

	test_begin("ma_passwd_check");
	is_int(ma_passwd_check("secret", 6, &err), 0, "a password");
	is_int(ma_passwd_check("", 0, &err), -1, "empty");
	is_int(ma_passwd_check("sec\0ret", 7, &err), -1, "a NUL byte");
	ok(strstr(err.msg, "NUL") != NULL, "named: %s", err.msg);
	is_int(ma_passwd_check("sec\rret", 7, &err), -1, "a CR");
	is_int(ma_passwd_check("sec\nret", 7, &err), -1, "an LF");
}

static void
who_verifies(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	const struct ma_passwd_scheme *s;
	unsigned int who;

	test_begin("who verifies what");
	is_int(ma_passwd_courier_ok("SHA512-CRYPT", 0), 1, "bare $6$: courier");
	is_int(ma_passwd_courier_ok("SHA512-CRYPT", 1), 0,
	    "{SHA512-CRYPT}$6$: not courier");
	is_int(ma_passwd_courier_ok("YESCRYPT", 1), 1, "{CRYPT}$y$: courier");
	is_int(ma_passwd_courier_ok("SSHA", 0), 1, "{SSHA}: courier");
	is_int(ma_passwd_courier_ok("SSHA512", 0), 0, "{SSHA512}: not courier");
	is_int(ma_passwd_courier_ok("SSHA256", 0), 0, "{SSHA256}: not courier");
	is_int(ma_passwd_courier_ok("PLAIN", 0), 0, "{PLAIN}: not courier");
	is_int(ma_passwd_courier_ok("NOPE", 0), 0, "unknown: no");
	ok(ma_passwd_identify("{SSHA}cqVbhtveg6UlUYb4hGPrp7XYoikAAQIDBAUGBw==",
	    &s, &who, &err) == 0 && who == MA_PW_DOVECOT,
	    "{SSHA} with an 8-byte salt: Dovecot only");
	ok(ma_passwd_identify("{SHA1}5en6G6MezRroT3XKqkdPOmY/BfQ=", &s, &who,
	    &err) == 0 && who == MA_PW_DOVECOT && strcmp(s->name, "SHA") == 0,
	    "{SHA1}: SHA, which only Dovecot spells so");
	ok(ma_passwd_identify("{sha}5en6G6MezRroT3XKqkdPOmY/BfQ=", &s, &who,
	    &err) == 0 && (who & MA_PW_COURIER) && (who & MA_PW_CYRUS),
	    "{sha}: courier and Cyrus too");
	ok(ma_passwd_identify("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19", &s,
	    &who, &err) == 0 && who == 0 && strcmp(s->name, "MYSQL41") == 0,
	    "MYSQL41: none of them");
	ok(ma_passwd_identify("{CRYPT}$2y$05$ORqzr0AagWr25v3ixHD5QuMXympIoNTbi"
	    "pEFZz6aAmovGNoij2vDO", &s, &who, &err) == 0 &&
	    strcmp(s->name, "BLF-CRYPT") == 0 && (who & MA_PW_COURIER),
	    "{CRYPT}$2y$: BLF-CRYPT, courier too");
	ok(ma_passwd_identify("{MD5}$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", &s,
	    &who, &err) == 0 && who == MA_PW_DOVECOT,
	    "Dovecot's {MD5}$1$: Dovecot only");
}

static void
ct_equal(void)
{
	test_begin("ma_ct_equal");
	is_int(ma_ct_equal("abcdef", "abcdef", 6), 1, "equal");
	is_int(ma_ct_equal("abcdef", "xbcdef", 6), 0, "first byte differs");
	is_int(ma_ct_equal("abcdef", "abcdex", 6), 0, "last byte differs");
	is_int(ma_ct_equal("ab\0def", "ab\0dex", 6), 0, "past a NUL");
	is_int(ma_ct_equal("a", "b", 0), 1, "no bytes");
	is_int(ma_ct_equal("\x80", "\x00", 1), 0, "high bit");
}

int
main(void)
{
	vectors("postfixadmin", postfixadmin,
	    sizeof(postfixadmin) / sizeof(postfixadmin[0]));
	vectors("published", published,
	    sizeof(published) / sizeof(published[0]));
	vectors("computed", computed, sizeof(computed) / sizeof(computed[0]));
	generated();
	malformed();
	generating();
	checks();
	who_verifies();
	ct_equal();
	return done_testing();
}
