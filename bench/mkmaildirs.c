/*
 * bench/quota.sh's store: N Maildirs under BASE (ten mailboxes per domain,
 * dNNNNN.example.net/uN/), each with MSGS messages of SIZE bytes in cur/
 * (Courier names with ",S=", empty files when SIZE is given as -SIZE: the
 * name carries the size, as a recount reads it) and a valid maildirsize,
 * and the SQL (SQLite and MariaDB alike) that makes their domain and
 * mailbox rows, on stdout.
 *
 *   mkmaildirs BASE N MSGS SIZE QUOTA > fill.sql
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "mkmaildirs: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void
mkdir_p(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		die("mkdir", path);
}

static void
put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len) ||
	    close(fd) < 0)
		die("write", path);
}

/* One Maildir; its messages' bytes are what maildirsize says. */
static void
maildir(const char *dir, long msgs, long size, long quota, const char *body)
{
	char p[4096], text[128];
	long i, bytes = size < 0 ? -size : size;
	int n;

	mkdir_p(dir);
	snprintf(p, sizeof(p), "%s/cur", dir);
	mkdir_p(p);
	snprintf(p, sizeof(p), "%s/new", dir);
	mkdir_p(p);
	snprintf(p, sizeof(p), "%s/tmp", dir);
	mkdir_p(p);
	for (i = 0; i < msgs; i++) {
		snprintf(p, sizeof(p), "%s/cur/%ld.M%ldP1.bench,S=%ld:2,S", dir,
		    1700000000 + i, i, bytes);
		put(p, body, size < 0 ? 0 : (size_t)size);
	}
	n = snprintf(text, sizeof(text), "%ldS\n%12ld %12ld\n", quota,
	    msgs * bytes, msgs);
	snprintf(p, sizeof(p), "%s/maildirsize", dir);
	put(p, text, (size_t)n);
}

int
main(int argc, char **argv)
{
	const char *ts = "'2024-01-01 00:00:00'";
	char dir[4096], *body;
	long n, msgs, size, quota, i;

	if (argc != 6) {
		fprintf(stderr, "usage: mkmaildirs BASE N MSGS SIZE QUOTA\n");
		return 64;
	}
	n = atol(argv[2]);
	msgs = atol(argv[3]);
	size = atol(argv[4]);
	quota = atol(argv[5]);
	if ((body = malloc(size > 0 ? (size_t)size : 1)) == NULL)
		return 71;
	memset(body, 'x', size > 0 ? (size_t)size : 1);
	mkdir_p(argv[1]);
	printf("BEGIN;\n");
	for (i = 0; i < n; i++) {
		if (i % 10 == 0) {
			snprintf(dir, sizeof(dir), "%s/d%05ld.example.net",
			    argv[1], i / 10);
			mkdir_p(dir);
			printf("INSERT INTO domain (domain, description, aliases, "
			    "mailboxes, maxquota, quota, transport, backupmx, "
			    "created, modified, active) VALUES ('d%05ld.example.net', "
			    "'', 0, 0, 0, 0, 'virtual', 0, %s, %s, 1);\n", i / 10,
			    ts, ts);
		}
		snprintf(dir, sizeof(dir), "%s/d%05ld.example.net/u%ld",
		    argv[1], i / 10, i % 10);
		maildir(dir, msgs, size, quota, body);
		printf("INSERT INTO mailbox (username, password, name, maildir, "
		    "quota, local_part, domain, created, modified, active) VALUES "
		    "('u%ld@d%05ld.example.net', 'x', '', 'd%05ld.example.net/u%ld/', "
		    "%ld, 'u%ld', 'd%05ld.example.net', %s, %s, 1);\n", i % 10,
		    i / 10, i / 10, i % 10, quota, i % 10, i / 10, ts, ts);
	}
	printf("COMMIT;\n");
	free(body);
	return 0;
}
