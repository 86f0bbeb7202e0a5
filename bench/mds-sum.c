/*
 * The hardware bound for "quota report": open, read and sum each
 * maildirsize named in LIST (one path a line), nothing more.
 *
 *   mds-sum LIST
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char path[4096], buf[5120], *p, *end;
	long long bytes = 0, msgs = 0, files = 0;
	ssize_t n;
	FILE *list;
	int fd;

	if (argc != 2 || (list = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: mds-sum LIST\n");
		return 64;
	}
	while (fgets(path, sizeof(path), list) != NULL) {
		path[strcspn(path, "\n")] = '\0';
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		files++;
		/* Skip the quota line, then pairs of numbers. */
		for (p = strchr(buf, '\n'); p != NULL && *++p != '\0';
		    p = strchr(p, '\n')) {
			bytes += strtoll(p, &end, 10);
			msgs += strtoll(end, &p, 10);
		}
	}
	fclose(list);
	printf("%lld files, %lld bytes, %lld messages\n", files, bytes, msgs);
	return 0;
}
