#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd.h"
#include "size.h"

enum conf_type { CONF_STR, CONF_ID, CONF_BOOL, CONF_PERCENT, CONF_BYTES,
		 CONF_ON_DELETE, CONF_SECONDS, CONF_SCHEME };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	const char	*def;
};

#define KEY(n, t, d) { #n, t, offsetof(struct ma_conf, n), d }
static const struct conf_key conf_keys[] = {
	KEY(db, CONF_STR, "sqlite:/var/lib/mailadm/mailadm.db"),
	KEY(db_password_file, CONF_STR, ""),
	KEY(vmail_base, CONF_STR, "/var/vmail"),
	KEY(vmail_uid, CONF_ID, "5000"),
	KEY(vmail_gid, CONF_ID, "5000"),
	KEY(maildir_format, CONF_STR, "%d/%l/"),
	KEY(maildir_on_delete, CONF_ON_DELETE, "archive"),
	KEY(password_scheme, CONF_SCHEME, "SHA512-CRYPT"),
	KEY(password_prefix, CONF_BOOL, "no"),
	KEY(quota_warn_percent, CONF_PERCENT, "80"),
	KEY(quota_warn_template, CONF_STR, "/etc/mailadm/quota-warning.txt"),
	KEY(quota_multiplier, CONF_BYTES, "1048576"),
	KEY(lock_timeout, CONF_SECONDS, "10"),
};
#undef KEY
#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

static int
parse_id(const char *v, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	/* uid/gid 0 is refused: courier-authlib will not run mail as root. */
	return errno == 0 && end != v && *end == '\0' && *v != '-' &&
	    *out > 0 && *out < 2147483647UL ? 0 : -1;
}

/* Store value v for key k in conf; -1 with a reason in *why when invalid. */
static int
conf_set(struct ma_conf *conf, const struct conf_key *k, const char *v,
    const char **why)
{
	char *base = (char *)conf + k->offset, *copy;
	unsigned long n;
	uint64_t bytes;
	struct ma_err e;

	switch (k->type) {
	case CONF_SCHEME:
		/* Found at load, not at the first "user add" that needs it. */
		if (ma_passwd_generator(v, &e) == NULL) {
			*why = "not a scheme mailadm can make (see 'mailadm pw -l')";
			return -1;
		}
		/* FALLTHROUGH */
	case CONF_STR:
		if ((copy = strdup(v)) == NULL) {
			*why = "out of memory";
			return -1;
		}
		free(*(char **)(void *)base);
		*(char **)(void *)base = copy;
		return 0;
	case CONF_ID:
		*why = "expected a numeric id above 0";
		if (parse_id(v, &n) < 0)
			return -1;
		if (k->offset == offsetof(struct ma_conf, vmail_uid))
			conf->vmail_uid = (uid_t)n;
		else
			conf->vmail_gid = (gid_t)n;
		return 0;
	case CONF_BOOL:
		*why = "expected yes or no";
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return -1;
		*(int *)(void *)base = strcmp(v, "yes") == 0;
		return 0;
	case CONF_PERCENT:
		*why = "expected a whole percentage from 1 to 100";
		if (parse_id(v, &n) < 0 || n > 100)
			return -1;
		*(int *)(void *)base = (int)n;
		return 0;
	case CONF_SECONDS:
		*why = "expected whole seconds from 1 to 3600";
		if (parse_id(v, &n) < 0 || n > 3600)
			return -1;
		*(int *)(void *)base = (int)n;
		return 0;
	case CONF_BYTES:
		*why = "expected a size in bytes above 0";
		if (ma_size_parse(v, &bytes, &e) < 0 || bytes == 0)
			return -1;
		*(uint64_t *)(void *)base = bytes;
		return 0;
	case CONF_ON_DELETE:
		*why = "expected archive, keep or purge";
		if (strcmp(v, "archive") == 0)
			conf->maildir_on_delete = MA_DELETE_ARCHIVE;
		else if (strcmp(v, "keep") == 0)
			conf->maildir_on_delete = MA_DELETE_KEEP;
		else if (strcmp(v, "purge") == 0)
			conf->maildir_on_delete = MA_DELETE_PURGE;
		else
			return -1;
		return 0;
	}
	return -1;
}

int
ma_conf_init(struct ma_conf *conf, struct ma_err *err)
{
	const char *why;
	size_t i;

	memset(conf, 0, sizeof(*conf));
	for (i = 0; i < NKEYS; i++)
		if (conf_set(conf, &conf_keys[i], conf_keys[i].def, &why) < 0)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "%s", why);
	return 0;
}

void
ma_conf_release(struct ma_conf *conf)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (conf_keys[i].type == CONF_STR ||
		    conf_keys[i].type == CONF_SCHEME)
			free(*(char **)(void *)((char *)conf +
			    conf_keys[i].offset));
	memset(conf, 0, sizeof(*conf));
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Apply one logical "key = value" entry that starts at line lineno. */
static int
conf_entry(struct ma_conf *conf, char *entry, const char *path, int lineno,
    struct ma_err *err)
{
	char q[MA_QUOTE_MAX], *eq = strchr(entry, '='), *key, *val;
	const char *why;
	size_t i;

	if (eq == NULL)
		return ma_fail(err, MA_ECONFIG, 0, "%s:%d: expected "
		    "'key = value', got '%s'", path, lineno,
		    ma_quote(entry, q, sizeof(q)));
	*eq = '\0';
	key = trim(entry);
	val = trim(eq + 1);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(conf_keys[i].name, key) == 0)
			break;
	if (i == NKEYS)
		return ma_fail(err, MA_ECONFIG, 0, "%s:%d: unknown key '%s'",
		    path, lineno, ma_quote(key, q, sizeof(q)));
	if (conf_set(conf, &conf_keys[i], val, &why) < 0)
		return ma_fail(err, MA_ECONFIG, 0, "%s:%d: %s = '%s': %s",
		    path, lineno, key, ma_quote(val, q, sizeof(q)), why);
	return 0;
}

static int
append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (*len + n + 2 > *cap) {
		*cap = (*len + n + 2) * 2;
		if ((p = realloc(*buf, *cap)) == NULL)
			return -1;
		*buf = p;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

int
ma_conf_load(struct ma_conf *conf, const char *path, struct ma_err *err)
{
	char *line = NULL, *entry = NULL;
	size_t lcap = 0, elen = 0, ecap = 0;
	int lineno = 0, start = 0, rc = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return ma_fail(err, errno == EACCES ? MA_EPERM : MA_ENOINPUT,
		    errno, "cannot read config '%s': %s", path,
		    strerror(errno));
	while (rc == 0 && getline(&line, &lcap, f) >= 0) {
		lineno++;
		/* A line that begins with white space continues the entry. */
		if ((line[0] == ' ' || line[0] == '\t') && elen > 0 &&
		    *trim(line) != '\0' && *trim(line) != '#') {
			if (append(&entry, &elen, &ecap, " ") < 0 ||
			    append(&entry, &elen, &ecap, trim(line)) < 0)
				rc = ma_fail(err, MA_ENOMEM, ENOMEM,
				    "out of memory");
			continue;
		}
		if (elen > 0)
			rc = conf_entry(conf, entry, path, start, err);
		elen = 0;
		if (rc == 0 && *trim(line) != '\0' && *trim(line) != '#') {
			start = lineno;
			if (append(&entry, &elen, &ecap, trim(line)) < 0)
				rc = ma_fail(err, MA_ENOMEM, ENOMEM,
				    "out of memory");
		}
	}
	if (rc == 0 && ferror(f))
		rc = ma_fail(err, MA_ENOINPUT, errno, "cannot read config "
		    "'%s': %s", path, strerror(errno));
	if (rc == 0 && elen > 0)
		rc = conf_entry(conf, entry, path, start, err);
	free(line);
	free(entry);
	fclose(f);
	return rc;
}

char *
ma_conf_read_secret(const char *path, const char *what, struct ma_err *err)
{
	char buf[1024];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ma_fail(err, errno == EACCES ? MA_EPERM : MA_ENOINPUT, errno,
		    "cannot read %s '%s': %s", what, path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		ma_fail(err, MA_ENOINPUT, errno, "cannot read %s '%s': %s", what,
		    path, strerror(errno));
		close(fd);
		return NULL;
	}
	if ((st.st_mode & S_IRWXO) != 0) {
		close(fd);
		ma_fail(err, MA_EPERM, EACCES, "%s '%s' is readable by "
		    "others (mode %04o): chmod 0600 it", what, path,
		    (unsigned)(st.st_mode & 07777));
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		ma_fail(err, MA_ENOINPUT, errno, "cannot read %s '%s': %s",
		    what, path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	char *secret = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (secret == NULL)
		ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	return secret;
}
