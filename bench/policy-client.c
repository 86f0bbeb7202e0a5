/*
 * Requests per second over one connection to a policy service, as Postfix
 * talks to it: a request, then wait for its reply, N times.  The service
 * is the command given (on pipes); "--dunno" instead runs a responder that
 * answers DUNNO without looking anything up: the floor of the exchange.
 * Recipients are taken in turn from RCPTS (one a line).
 *
 *   policy-client N RCPTS SIZE -- COMMAND...
 *   policy-client N RCPTS SIZE --dunno
 * Prints "<requests> <seconds> <per second> <refused>".
 */
#define _GNU_SOURCE	/* memmem */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char **rcpts;
static size_t nrcpts;

static void
load(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(66);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		rcpts = realloc(rcpts, (nrcpts + 1) * sizeof(*rcpts));
		rcpts[nrcpts++] = strdup(line);
	}
	fclose(f);
	if (nrcpts == 0) {
		fprintf(stderr, "policy-client: no recipients in %s\n", path);
		exit(65);
	}
}

/* Read one reply (up to its empty line) from fd; 1 if it refused. */
static int
reply(int fd, char *buf, size_t size, size_t *have)
{
	char *end;
	ssize_t r;
	int refused;

	while ((end = memmem(buf, *have, "\n\n", 2)) == NULL) {
		if ((r = read(fd, buf + *have, size - *have)) <= 0) {
			fprintf(stderr, "policy-client: the service stopped\n");
			exit(70);
		}
		*have += (size_t)r;
	}
	refused = strncmp(buf, "action=5", 8) == 0;
	end += 2;
	*have -= (size_t)(end - buf);
	memmove(buf, end, *have);
	return refused;
}

/* The floor: answer every request with DUNNO, nothing looked up. */
static void
dunno(int in, int out)
{
	char buf[65536];
	size_t have = 0;
	ssize_t r;
	char *end;

	for (;;) {
		while ((end = memmem(buf, have, "\n\n", 2)) == NULL) {
			if ((r = read(in, buf + have, sizeof(buf) - have)) <= 0)
				_exit(0);
			have += (size_t)r;
		}
		end += 2;
		have -= (size_t)(end - buf);
		memmove(buf, end, have);
		if (write(out, "action=DUNNO\n\n", 14) != 14)
			_exit(1);
	}
}

int
main(int argc, char **argv)
{
	int to[2], from[2], refused = 0;
	char req[1024], buf[65536];
	struct timespec t0, t1;
	size_t have = 0;
	long n, i, size;
	double s;
	pid_t pid;

	if (argc < 5 || (strcmp(argv[4], "--") != 0 &&
	    strcmp(argv[4], "--dunno") != 0)) {
		fprintf(stderr, "usage: policy-client N RCPTS SIZE -- COMMAND...\n"
		    "       policy-client N RCPTS SIZE --dunno\n");
		return 64;
	}
	n = atol(argv[1]);
	load(argv[2]);
	size = atol(argv[3]);
	signal(SIGPIPE, SIG_IGN);
	if (pipe(to) < 0 || pipe(from) < 0 || (pid = fork()) < 0) {
		perror("policy-client");
		return 71;
	}
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		if (strcmp(argv[4], "--dunno") == 0)
			dunno(to[0], from[1]);
		dup2(to[0], 0);
		dup2(from[1], 1);
		execvp(argv[5], argv + 5);
		perror(argv[5]);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		int len = snprintf(req, sizeof(req), "request=smtpd_access_policy\n"
		    "protocol_state=RCPT\nprotocol_name=ESMTP\n"
		    "client_address=192.0.2.1\nclient_name=mx.example.org\n"
		    "helo_name=mx.example.org\nsender=a@example.org\n"
		    "recipient=%s\nrecipient_count=0\nqueue_id=\nsize=%ld\n\n",
		    rcpts[i % nrcpts], size);

		if (write(to[1], req, (size_t)len) != len) {
			perror("policy-client: write");
			return 74;
		}
		refused += reply(from[0], buf, sizeof(buf), &have);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(to[1]);
	waitpid(pid, NULL, 0);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%ld %.3f %.0f %d\n", n, s, n / s, refused);
	return 0;
}
