/*
 * mailadm.conf (ma_conf_init, ma_conf_load, ma_conf_read_secret) and
 * database URIs (ma_dburi_parse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "tap.h"

static char tmpdir[4096];
static char *files[64];
static size_t nfiles;

/* A temporary file holding text, with the given mode; its path. */
static const char *
tmpfile_with(const char *text, mode_t mode)
{
	char *path;
	size_t len = strlen(text);
	int fd;

	if (nfiles == sizeof(files) / sizeof(files[0]) ||
	    asprintf(&path, "%s/t-conf-XXXXXX", tmpdir) < 0)
		abort();
	if ((fd = mkstemp(path)) < 0 ||
	    write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) < 0 ||
	    close(fd) < 0) {
		perror(path);
		abort();
	}
	files[nfiles++] = path;
	return path;
}

static void
cleanup(void)
{
	while (nfiles > 0) {
		unlink(files[--nfiles]);
		free(files[nfiles]);
	}
}

/* Load text as a config over the defaults; 0 or -1, err filled. */
static int
load(struct ma_conf *conf, const char *text, const char **pathp,
    struct ma_err *err)
{
	const char *path = tmpfile_with(text, 0644);

	if (pathp != NULL)
		*pathp = path;
	ma_err_clear(err);
	if (ma_conf_init(conf, err) < 0)
		return -1;
	return ma_conf_load(conf, path, err);
}

/* text fails with MA_ECONFIG and a message with path:line and need. */
static void
load_bad(const char *text, int line, const char *need, const char *label)
{
	struct ma_conf conf;
	struct ma_err err;
	const char *path;
	char where[4200], name[160];
	int rc = load(&conf, text, &path, &err);

	snprintf(name, sizeof(name), "%s: refused with MA_ECONFIG", label);
	ok(rc == -1 && err.status == MA_ECONFIG, "%s", name);
	snprintf(where, sizeof(where), "%s:%d:", path, line);
	snprintf(name, sizeof(name), "%s: message names path:%d", label, line);
	if (!ok(strstr(err.msg, where) != NULL, "%s", name))
		diag("message: %s", err.msg);
	if (need != NULL) {
		snprintf(name, sizeof(name), "%s: message names '%s'", label,
		    need);
		if (!ok(strstr(err.msg, need) != NULL, "%s", name))
			diag("message: %s", err.msg);
	}
	ma_conf_release(&conf);
}

static void
test_defaults(void)
{
	struct ma_conf conf;
	struct ma_err err;

	test_begin("ma_conf_init: the defaults of SPEC section 6");
	is_int(ma_conf_init(&conf, &err), 0, "ma_conf_init");
	is_str(conf.db, "sqlite:/var/lib/mailadm/mailadm.db", "db");
	is_str(conf.db_password_file, "", "db_password_file");
	is_str(conf.vmail_base, "/var/vmail", "vmail_base");
	is_int(conf.vmail_uid, 5000, "vmail_uid");
	is_int(conf.vmail_gid, 5000, "vmail_gid");
	is_str(conf.maildir_format, "%d/%l/", "maildir_format");
	is_int(conf.maildir_on_delete, MA_DELETE_ARCHIVE, "maildir_on_delete");
	is_str(conf.password_scheme, "SHA512-CRYPT", "password_scheme");
	is_int(conf.password_prefix, 0, "password_prefix");
	is_int(conf.quota_warn_percent, 80, "quota_warn_percent");
	is_str(conf.quota_warn_template, "/etc/mailadm/quota-warning.txt",
	    "quota_warn_template");
	is_int((int64_t)conf.quota_multiplier, 1048576, "quota_multiplier");
	is_int(conf.lock_timeout, 10, "lock_timeout");
	ma_conf_release(&conf);
	ok(conf.db == NULL && conf.vmail_base == NULL,
	    "ma_conf_release clears the strings");
	ma_conf_release(&conf);
	ok(1, "ma_conf_release twice is harmless");
}

static void
test_load(void)
{
	struct ma_conf conf;
	struct ma_err err;
	int rc;

	test_begin("ma_conf_load: values override the defaults");
	rc = load(&conf,
	    "# mailadm.conf\n"
	    "\n"
	    "db = mysql://mail@localhost/mail?socket=/run/mysqld/mysqld.sock\n"
	    "db_password_file = /etc/mailadm/db.pw\n"
	    "   # an indented comment\n"
	    "vmail_base=/srv/vmail\n"
	    "vmail_uid = 2000\n"
	    "vmail_gid\t=\t2001\t\n"
	    "\t\n"
	    "maildir_format = %d/%l/Maildir/\n"
	    "maildir_on_delete = purge\n"
	    "password_scheme = BLF-CRYPT\n"
	    "password_prefix = yes\n"
	    "quota_warn_percent = 90\n"
	    "quota_warn_template = /etc/mailadm/warn.txt   \n"
	    "quota_multiplier = 1024000\n"
	    "lock_timeout = 30\n", NULL, &err);
	if (!is_int(rc, 0, "load a full file"))
		diag("message: %s", err.msg);
	is_str(conf.db, "mysql://mail@localhost/mail?socket=/run/mysqld/"
	    "mysqld.sock", "db (a value holding '=')");
	is_str(conf.db_password_file, "/etc/mailadm/db.pw", "db_password_file");
	is_str(conf.vmail_base, "/srv/vmail", "vmail_base without spaces");
	is_int(conf.vmail_uid, 2000, "vmail_uid");
	is_int(conf.vmail_gid, 2001, "vmail_gid with tabs");
	is_str(conf.maildir_format, "%d/%l/Maildir/", "maildir_format");
	is_int(conf.maildir_on_delete, MA_DELETE_PURGE, "maildir_on_delete");
	is_str(conf.password_scheme, "BLF-CRYPT", "password_scheme");
	is_int(conf.password_prefix, 1, "password_prefix");
	is_int(conf.quota_warn_percent, 90, "quota_warn_percent");
	is_str(conf.quota_warn_template, "/etc/mailadm/warn.txt",
	    "trailing white space trimmed");
	is_int((int64_t)conf.quota_multiplier, 1024000, "quota_multiplier");
	is_int(conf.lock_timeout, 30, "lock_timeout");
	ma_conf_release(&conf);

	rc = load(&conf, "maildir_on_delete = keep\nquota_multiplier = 1M\n"
	    "vmail_uid = 1\nquota_warn_percent = 100\nlock_timeout = 3600\n",
	    NULL, &err);
	is_int(rc, 0, "edge values load");
	is_int(conf.maildir_on_delete, MA_DELETE_KEEP, "maildir_on_delete keep");
	is_int((int64_t)conf.quota_multiplier, 1048576, "quota_multiplier 1M");
	is_int(conf.vmail_uid, 1, "vmail_uid 1");
	is_int(conf.quota_warn_percent, 100, "quota_warn_percent 100");
	is_int(conf.lock_timeout, 3600, "lock_timeout 3600");
	is_str(conf.db, "sqlite:/var/lib/mailadm/mailadm.db",
	    "keys not in the file keep their defaults");
	ma_conf_release(&conf);

	rc = load(&conf, "vmail_uid = 100\nvmail_uid = 200\n", NULL, &err);
	ok(rc == 0 && conf.vmail_uid == 200, "a repeated key: the last wins");
	ma_conf_release(&conf);

	rc = load(&conf, "db = sqlite:/a.db\r\nvmail_base = /b\r\n", NULL, &err);
	ok(rc == 0 && strcmp(conf.db, "sqlite:/a.db") == 0 &&
	    strcmp(conf.vmail_base, "/b") == 0, "CRLF line ends");
	ma_conf_release(&conf);

	rc = load(&conf, "", NULL, &err);
	ok(rc == 0 && conf.vmail_uid == 5000, "an empty file");
	ma_conf_release(&conf);

	rc = load(&conf, "# only\n\n   \n# comments\n", NULL, &err);
	ok(rc == 0 && strcmp(conf.vmail_base, "/var/vmail") == 0,
	    "comments and blank lines only");
	ma_conf_release(&conf);

	rc = load(&conf, "db_password_file =\nvmail_base = /x", NULL, &err);
	ok(rc == 0 && strcmp(conf.db_password_file, "") == 0 &&
	    strcmp(conf.vmail_base, "/x") == 0,
	    "an empty value; a last line without newline");
	ma_conf_release(&conf);

	test_begin("ma_conf_load: continuation lines");
	rc = load(&conf,
	    "db =\n"
	    "    sqlite:/srv/mail.db\n"
	    "quota_warn_template = /etc/a\n"
	    "\tb\n"
	    "   c.txt\n"
	    "vmail_base = /v\n", NULL, &err);
	if (!is_int(rc, 0, "load continued values"))
		diag("message: %s", err.msg);
	is_str(conf.db, "sqlite:/srv/mail.db", "a value on the next line");
	is_str(conf.quota_warn_template, "/etc/a b c.txt",
	    "continuation lines joined with one space");
	is_str(conf.vmail_base, "/v", "the next key after a continuation");
	ma_conf_release(&conf);

	rc = load(&conf, "  vmail_base = /indented\n", NULL, &err);
	ok(rc == 0 && strcmp(conf.vmail_base, "/indented") == 0,
	    "an indented first line is an entry of its own");
	ma_conf_release(&conf);

	test_begin("ma_conf_load: errors");
	load_bad("# x\nvmail_base = /v\nbogus_key = 1\n", 3, "'bogus_key'",
	    "unknown key");
	load_bad("DB = sqlite:/x\n", 1, "'DB'", "keys are case-sensitive");
	load_bad("vmail_uid = 0\n", 1, "vmail_uid", "vmail_uid = 0");
	load_bad("\nvmail_gid = 0\n", 2, "vmail_gid", "vmail_gid = 0");
	load_bad("#\n#\nvmail_uid = abc\n", 3, "'abc'", "vmail_uid = abc");
	load_bad("vmail_uid = -5\n", 1, "vmail_uid", "vmail_uid = -5");
	load_bad("vmail_uid = 12x\n", 1, "vmail_uid", "vmail_uid = 12x");
	load_bad("vmail_uid =\n", 1, "vmail_uid", "vmail_uid empty");
	load_bad("password_prefix = maybe\n", 1, "'maybe'",
	    "password_prefix = maybe");
	load_bad("quota_warn_percent = 101\n", 1, "quota_warn_percent",
	    "quota_warn_percent = 101");
	load_bad("quota_warn_percent = 0\n", 1, "quota_warn_percent",
	    "quota_warn_percent = 0");
	load_bad("maildir_on_delete = shred\n", 1, "'shred'",
	    "maildir_on_delete = shred");
	load_bad("quota_multiplier = 0\n", 1, "quota_multiplier",
	    "quota_multiplier = 0");
	load_bad("quota_multiplier = 1.5M\n", 1, "quota_multiplier",
	    "quota_multiplier = 1.5M");
	load_bad("lock_timeout = 0\n", 1, "lock_timeout", "lock_timeout = 0");
	load_bad("lock_timeout = 3601\n", 1, "lock_timeout",
	    "lock_timeout = 3601");
	load_bad("vmail_base = /v\njust some words\n", 2, "just some words",
	    "a line without '='");
	load_bad("vmail_uid =\n  abc\n", 1, "vmail_uid",
	    "a continued bad value names its first line");
	load_bad("vmail_uid = 5000\n\n\n\nlock_timeout = never\n", 5, "never",
	    "line numbers count blank lines");
	{
		const char *path;
		char where[4200];

		rc = load(&conf, "vmail_uid = 1\x1b[2J\n", &path, &err);
		snprintf(where, sizeof(where), "%s:1:", path);
		ok(rc == -1 && err.status == MA_ECONFIG &&
		    strstr(err.msg, where) != NULL &&
		    strchr(err.msg, '\x1b') == NULL,
		    "a control character in a bad value is quoted");
		ma_conf_release(&conf);
	}

	test_begin("ma_conf_load: missing or unreadable file");
	ma_conf_init(&conf, &err);
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/no-such-file.conf", tmpdir);
		rc = ma_conf_load(&conf, path, &err);
		ok(rc == -1 && err.status == MA_ENOINPUT,
		    "missing file: MA_ENOINPUT");
		if (!ok(strstr(err.msg, path) != NULL,
		    "missing file: message names it"))
			diag("message: %s", err.msg);
		rc = ma_conf_load(&conf, tmpdir, &err);
		ok(rc == -1 && (err.status == MA_ENOINPUT ||
		    err.status == MA_ECONFIG), "a directory is refused");
	}
	ma_conf_release(&conf);
}

static void
test_secret(void)
{
	struct ma_err err;
	const char *path;
	char *s;

	test_begin("ma_conf_read_secret");
	path = tmpfile_with("s3cr3t\nsecond line\n", 0600);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	is_str(s, "s3cr3t", "0600: the first line, without newline");
	free(s);
	path = tmpfile_with("no-newline", 0600);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	is_str(s, "no-newline", "0600: a line without newline");
	free(s);
	path = tmpfile_with("pw with spaces \r\n", 0400);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	is_str(s, "pw with spaces ", "0400: CRLF stripped, spaces kept");
	free(s);
	path = tmpfile_with("group\n", 0640);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	is_str(s, "group", "0640 accepted");
	free(s);
	path = tmpfile_with("", 0600);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	is_str(s, "", "an empty file gives an empty password");
	free(s);
	path = tmpfile_with("world\n", 0644);
	ma_err_clear(&err);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	ok(s == NULL && err.status == MA_EPERM, "0644 refused with MA_EPERM");
	if (!ok(strstr(err.msg, path) != NULL && strstr(err.msg, "0644") !=
	    NULL, "0644: message names the file and its mode"))
		diag("message: %s", err.msg);
	ok(strstr(err.msg, "world") == NULL, "0644: message hides the secret");
	free(s);
	path = tmpfile_with("w\n", 0602);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	ok(s == NULL && err.status == MA_EPERM, "0602 refused with MA_EPERM");
	free(s);
	path = tmpfile_with("w\n", 0604);
	s = ma_conf_read_secret(path, "db_password_file", &err);
	ok(s == NULL && err.status == MA_EPERM, "0604 refused with MA_EPERM");
	free(s);
	{
		char missing[4200];

		snprintf(missing, sizeof(missing), "%s/no-such.pw", tmpdir);
		s = ma_conf_read_secret(missing, "db_password_file", &err);
		ok(s == NULL && err.status == MA_ENOINPUT,
		    "missing: MA_ENOINPUT");
		free(s);
	}
}

/* Parse uri; check it fails with MA_ECONFIG and does not echo "hunter2". */
static void
uri_bad(const char *uri)
{
	struct ma_dburi u;
	struct ma_err err;
	char name[200];
	int rc;

	memset(&u, 0xa5, sizeof(u));
	ma_err_clear(&err);
	rc = ma_dburi_parse(uri, &u, &err);
	snprintf(name, sizeof(name), "URI '%s' refused with MA_ECONFIG", uri);
	ok(rc == -1 && err.status == MA_ECONFIG, "%s", name);
	snprintf(name, sizeof(name), "URI '%s': message hides the password",
	    uri);
	if (!ok(strstr(err.msg, "hunter2") == NULL && err.msg[0] != '\0',
	    "%s", name))
		diag("message: %s", err.msg);
	ok(u.user == NULL && u.password == NULL && u.host == NULL &&
	    u.name == NULL && u.path == NULL && u.socket == NULL,
	    "nothing left allocated");
	ma_dburi_release(&u);
}

static void
test_dburi(void)
{
	struct ma_dburi u;
	struct ma_err err;
	int rc;

	test_begin("ma_dburi_parse");
	rc = ma_dburi_parse("sqlite:/x/y.db", &u, &err);
	ok(rc == 0 && u.dialect == MA_SQLITE, "sqlite:/x/y.db is SQLite");
	is_str(u.path, "/x/y.db", "sqlite path");
	ma_dburi_release(&u);
	ok(u.path == NULL, "release clears the fields");

	rc = ma_dburi_parse("sqlite:relative/m.db", &u, &err);
	ok(rc == 0 && u.path != NULL && strcmp(u.path, "relative/m.db") == 0,
	    "sqlite relative path");
	ma_dburi_release(&u);

	rc = ma_dburi_parse("mysql://u:p%40ss@db.example:3307/mail", &u, &err);
	ok(rc == 0 && u.dialect == MA_MYSQL, "mysql URI with everything");
	is_str(u.user, "u", "user");
	is_str(u.password, "p@ss", "password %-decoded");
	is_str(u.host, "db.example", "host");
	is_int(u.port, 3307, "port");
	is_str(u.name, "mail", "database name");
	is_str(u.socket, NULL, "no socket");
	ma_dburi_release(&u);

	rc = ma_dburi_parse("mysql://u@localhost/mail?socket=/run/mysqld/"
	    "mysqld.sock", &u, &err);
	ok(rc == 0 && u.dialect == MA_MYSQL, "mysql URI with a socket");
	is_str(u.user, "u", "user");
	is_str(u.password, NULL, "no password");
	is_str(u.host, "localhost", "host");
	is_int(u.port, 0, "default port");
	is_str(u.name, "mail", "database name");
	is_str(u.socket, "/run/mysqld/mysqld.sock", "socket");
	ma_dburi_release(&u);

	rc = ma_dburi_parse("mysql://u@[::1]:3306/m", &u, &err);
	ok(rc == 0, "mysql URI with an IPv6 literal");
	is_str(u.host, "::1", "IPv6 host without brackets");
	is_int(u.port, 3306, "port after the brackets");
	is_str(u.name, "m", "database name");
	ma_dburi_release(&u);

	rc = ma_dburi_parse("mysql://u@[::1]/m", &u, &err);
	ok(rc == 0 && u.host != NULL && strcmp(u.host, "::1") == 0 &&
	    u.port == 0, "IPv6 literal without a port");
	ma_dburi_release(&u);

	rc = ma_dburi_parse("mariadb://admin:a%3Ab%2Fc@127.0.0.1/postfix", &u,
	    &err);
	ok(rc == 0 && u.dialect == MA_MYSQL, "mariadb:// is MySQL too");
	is_str(u.password, "a:b/c", "%3A and %2F decoded");
	is_str(u.host, "127.0.0.1", "IPv4 host");
	ma_dburi_release(&u);

	rc = ma_dburi_parse("mysql://mail_admin@db/mail_db", &u, &err);
	ok(rc == 0 && strcmp(u.user, "mail_admin") == 0 &&
	    strcmp(u.name, "mail_db") == 0, "underscores in user and database");
	ma_dburi_release(&u);

	uri_bad("postgres://x");
	uri_bad("postgres://u:hunter2@h/d");
	uri_bad("mysql://nohost");
	uri_bad("mysql://u:hunter2@nohost");
	uri_bad("mysql://u:hunter2@h:99999/d");
	uri_bad("mysql://u:hunter2@h:0/d");
	uri_bad("mysql://u:hunter2@h:/d");
	uri_bad("mysql://u:hunter2@h:33x/d");
	uri_bad("mysql://u:hunter2@h/d?foo=bar");
	uri_bad("mysql://u:hunter2@h/d?socket=");
	uri_bad("mysql://u:hunter2@h/");
	uri_bad("mysql://:hunter2@h/d");
	uri_bad("mysql://u:hunter2%zz@h/d");
	uri_bad("mysql://u:hunter2@[::1/d");
	uri_bad("mysql://u:hunter2@[::1]x/d");
	uri_bad("sqlite:");
	uri_bad("");
	uri_bad("/var/lib/mailadm/mailadm.db");
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/t-conf.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 2;
	}
	test_defaults();
	test_load();
	test_secret();
	test_dburi();
	cleanup();
	rmdir(tmpdir);
	return done_testing();
}
