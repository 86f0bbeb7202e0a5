/* mailadm: run one command line, then report a failed write on stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "cli.h"

/* Flush stdout and report a failed write (a full disk, a closed pipe). */
static int
finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "mailadm: write error on standard output: "
			    "%s\n", strerror(errno));
		return rc == EX_OK ? EX_IOERR : rc;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	int rc;

	memset(&cli, 0, sizeof(cli));
	/* Files we create (SQLite database, journals) stay private. */
	umask(027);
	rc = cli_run(&cli, argc, argv);
	cli_close(&cli);
	return finish(rc);
}
