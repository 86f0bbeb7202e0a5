/*
 * The Maildirs of a migration (--maildirs) in its outcome: one line, or
 * one JSON object, per mailbox, with its messages and bytes, and totals.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

/* Totals, and where they are written. */
struct md_out {
	FILE	*fp;
	long	 n;
	int64_t	 messages, bytes;
};

static int
text_maildir(const struct ma_migrate_maildir *d, void *arg)
{
	struct md_out *o = arg;

	o->messages += d->messages;
	o->bytes += d->bytes;
	return fprintf(o->fp, "%-40s %-8s %8" PRId64 " %10" PRId64 "  %s -> "
	    "%s\n", d->address, d->state, d->messages, d->bytes, d->source ?
	    d->source : "-", d->target) < 0 ? -1 : 0;
}

int
cli_migration_maildirs_text(const struct cli_migration *mg, FILE *fp,
    struct ma_err *err)
{
	struct md_out o = { fp, 0, 0, 0 };

	if (mg->maildirs == NULL)
		return 0;
	fprintf(fp, "\nMaildirs from %s:\n%-40s %-8s %8s %10s  %s\n",
	    mg->maildirs, "mailbox", "state", "messages", "bytes",
	    "source -> target");
	if (ma_migrate_maildirs(mg->m, text_maildir, &o, err) < 0)
		return -1;
	fprintf(fp, "%-40s %-8s %8" PRId64 " %10" PRId64 "\n", "total", "",
	    o.messages, o.bytes);
	return 0;
}

static int
json_maildir(const struct ma_migrate_maildir *d, void *arg)
{
	struct md_out *o = arg;

	o->messages += d->messages;
	o->bytes += d->bytes;
	fputs(o->n++ ? ",\n   {\"address\": " : "\n   {\"address\": ", o->fp);
	out_json_string(o->fp, d->address);
	fputs(", \"source\": ", o->fp);
	if (d->source != NULL)
		out_json_string(o->fp, d->source);
	else
		fputs("null", o->fp);
	fputs(", \"target\": ", o->fp);
	out_json_string(o->fp, d->target);
	fputs(", \"state\": ", o->fp);
	out_json_string(o->fp, d->state);
	return fprintf(o->fp, ", \"messages\": %" PRId64 ", \"bytes\": %" PRId64
	    ", \"files\": %" PRId64 ", \"skipped\": %" PRId64 "}", d->messages,
	    d->bytes, d->files, d->skipped) < 0 ? -1 : 0;
}

int
cli_migration_maildirs_json(const struct cli_migration *mg, FILE *fp,
    struct ma_err *err)
{
	struct md_out o = { fp, 0, 0, 0 };

	fputs(",\n \"maildirs\": ", fp);
	if (mg->maildirs == NULL) {
		fputs("null", fp);
		return 0;
	}
	fputs("{\"root\": ", fp);
	out_json_string(fp, mg->maildirs);
	fputs(", \"mailboxes\": [", fp);
	if (ma_migrate_maildirs(mg->m, json_maildir, &o, err) < 0)
		return -1;
	fprintf(fp, "\n  ], \"messages\": %" PRId64 ", \"bytes\": %" PRId64 "}",
	    o.messages, o.bytes);
	return 0;
}
