/*
 * Reading a password: from a terminal without echo (asked twice for a new
 * one), or from standard input with --password-stdin.  Never from argv,
 * which any user sees in ps(1).  Every copy is wiped before it is freed.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Read at most this much of standard input: a password is one short line. */
#define INPUT_MAX 65536

/* The terminal's settings while echo is off, for the signal handler. */
static struct termios saved_tty;
static volatile sig_atomic_t echo_off;

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Put echo back before dying of a signal (^C at the prompt). */
static void
restore_and_die(int sig)
{
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
echo(int on)
{
	struct sigaction sa;
	struct termios t;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? SIG_DFL : restore_and_die;
	if (!on) {
		if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
			return;
		for (i = 0; i < sizeof(tty_signals) / sizeof(int); i++)
			sigaction(tty_signals[i], &sa, NULL);
		t = saved_tty;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
	} else if (echo_off) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		echo_off = 0;
		for (i = 0; i < sizeof(tty_signals) / sizeof(int); i++)
			sigaction(tty_signals[i], &sa, NULL);
	}
}

void
cli_password_free(char *pw)
{
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
}

/* Read fd to EOF (or one line, for a terminal) into a new buffer. */
static int
read_input(struct cli *cli, int line, char **buf_r, size_t *len_r)
{
	char *buf = malloc(INPUT_MAX + 1);
	size_t len = 0;
	ssize_t n;

	if (buf == NULL)
		return cli_error(cli, EX_OSERR, "out of memory");
	while (len < INPUT_MAX + 1 && (len == 0 || !line ||
	    buf[len - 1] != '\n')) {
		n = read(STDIN_FILENO, buf + len, line ? 1 : INPUT_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			explicit_bzero(buf, len);
			free(buf);
			return cli_error(cli, EX_IOERR, "reading the password: "
			    "%s", strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*buf_r = buf;
	*len_r = len;
	return -1;
}

/*
 * One line of input as a checked password: one trailing LF or CRLF is
 * dropped; a second line, a NUL byte, an empty or over-long password is
 * invalid data (65), with a message that never shows the password.
 */
static int
take_line(struct cli *cli, char *buf, size_t len, const char *from)
{
	if (len > INPUT_MAX)
		return cli_error(cli, EX_DATAERR, "password too long: more "
		    "than %d bytes on %s", INPUT_MAX, from);
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (memchr(buf, '\n', len) != NULL)
		return cli_error(cli, EX_DATAERR, "more than one line on %s: "
		    "give the password alone on one line", from);
	if (ma_passwd_check(buf, len, &cli->err) < 0)
		return cli_fail(cli);
	buf[len] = '\0';
	return -1;
}

static int
prompt(struct cli *cli, const char *text, char **pw_r)
{
	size_t len;
	int rc;

	*pw_r = NULL;
	/* Echo off first: TCSAFLUSH drops what was typed before it. */
	echo(0);
	fprintf(stderr, "%s", text);
	fflush(stderr);
	rc = read_input(cli, 1, pw_r, &len);
	echo(1);
	fputc('\n', stderr);
	if (rc < 0 && (rc = take_line(cli, *pw_r, len, "the terminal")) >= 0) {
		explicit_bzero(*pw_r, len);
		free(*pw_r);
		*pw_r = NULL;
	}
	return rc;
}

int
cli_read_password(struct cli *cli, int from_stdin, int confirm, char **pw_r)
{
	char *again = NULL;
	size_t len;
	int rc;

	*pw_r = NULL;
	/* A batch's standard input may be the batch itself. */
	if (cli->deferred != NULL)
		return cli_error(cli, EX_USAGE, "no password from standard "
		    "input or a terminal inside a batch (use --password-file, "
		    "--password-hash or --random-password)");
	if (from_stdin) {
		if ((rc = read_input(cli, 0, pw_r, &len)) < 0 &&
		    (rc = take_line(cli, *pw_r, len, "standard input")) >= 0) {
			explicit_bzero(*pw_r, len);
			free(*pw_r);
			*pw_r = NULL;
		}
		return rc;
	}
	if (!isatty(STDIN_FILENO))
		return cli_error(cli, EX_USAGE, "no password: standard input "
		    "is not a terminal (use --password-stdin)");
	if ((rc = prompt(cli, "Enter password: ", pw_r)) >= 0)
		return rc;
	if (!confirm)
		return -1;
	if ((rc = prompt(cli, "Retype password: ", &again)) < 0 &&
	    (strlen(again) != strlen(*pw_r) ||
	    !ma_ct_equal(again, *pw_r, strlen(again))))
		rc = cli_error(cli, EX_DATAERR, "the passwords do not match");
	cli_password_free(again);
	if (rc >= 0) {
		cli_password_free(*pw_r);
		*pw_r = NULL;
	}
	return rc;
}
