/*
 * The outcome of a migration, for people (a table of counts, then one
 * line per problem row) and as one JSON document (--json, --report).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const what_names[MA_MIG_WHATS] = {
	"domains", "mailboxes", "aliases", "alias_domains"
};

static int
text_table(const char *table, int64_t rows, void *arg)
{
	FILE *fp = arg;

	return fprintf(fp, " %s %lld", table, (long long)rows) < 0 ? -1 : 0;
}

static int
text_note(const struct ma_migrate_note *n, void *arg)
{
	FILE *fp = arg;

	if (fprintf(fp, "%-7s %s %s %s: %s\n", n->severity, n->code, n->table,
	    n->key, n->reason) < 0)
		return -1;
	return n->row == NULL || fprintf(fp, "        row: %s\n", n->row) >= 0 ?
	    0 : -1;
}

int
cli_migration_text(const struct cli_migration *mg, FILE *fp,
    struct ma_err *err)
{
	struct ma_migrate_count c;
	int w;

	fprintf(fp, "source: %s (%s), map: %s\ntables:", mg->source,
	    ma_staging_charset(mg->staging), mg->map);
	if (ma_staging_tables(mg->staging, text_table, fp, err) < 0)
		return -1;
	fprintf(fp, "\n\n%-14s %7s %7s %7s %7s %7s%s\n", "", "source", "add",
	    "same", "change", "reject", mg->run ? " written" : "");
	for (w = 0; w < MA_MIG_WHATS; w++) {
		ma_migrate_counts(mg->m, w, &c);
		fprintf(fp, "%-14s %7ld %7ld %7ld %7ld %7ld", what_names[w],
		    c.source, c.add, c.same, c.change, c.reject);
		if (mg->run)
			fprintf(fp, " %7ld", mg->committed ?
			    ma_migrate_written(mg->m, w) : 0L);
		fputc('\n', fp);
	}
	if (cli_migration_maildirs_text(mg, fp, err) < 0)
		return -1;
	fprintf(fp, "\n%ld rejected, %ld warnings, %ld notes%s\n",
	    ma_migrate_notes(mg->m, "reject"), ma_migrate_notes(mg->m,
	    "warning"), ma_migrate_notes(mg->m, "info"), mg->update ? "" :
	    " (rows changed at the source are updated with --update)");
	return ma_migrate_report(mg->m, text_note, fp, err);
}

static int
text_diff(const struct ma_migrate_diff *d, void *arg)
{
	return fprintf(arg, "%s %s %s\n", d->state, d->what, d->name) < 0 ?
	    -1 : 0;
}

int
cli_migration_diffs(const struct cli_migration *mg, FILE *fp, long *n,
    struct ma_err *err)
{
	return ma_migrate_differences(mg->m, text_diff, fp, n, err);
}

/* A JSON list being written: where, and how many items so far. */
struct json_list {
	FILE	*fp;
	long	 n;
};

static int
json_note(const struct ma_migrate_note *n, void *arg)
{
	struct json_list *l = arg;
	FILE *fp = l->fp;

	fputs(l->n++ ? ",\n  {\"severity\": " : "\n  {\"severity\": ", fp);
	out_json_string(fp, n->severity);
	fputs(", \"code\": ", fp);
	out_json_string(fp, n->code);
	fputs(", \"table\": ", fp);
	out_json_string(fp, n->table);
	fprintf(fp, ", \"key\": %s, \"reason\": ", n->key);
	out_json_string(fp, n->reason);
	if (n->row != NULL)
		fprintf(fp, ", \"row\": %s", n->row);
	return fputc('}', fp) == EOF ? -1 : 0;
}

static int
json_diff(const struct ma_migrate_diff *d, void *arg)
{
	struct json_list *l = arg;

	fputs(l->n++ ? ",\n  {\"what\": " : "\n  {\"what\": ", l->fp);
	out_json_string(l->fp, d->what);
	fputs(", \"name\": ", l->fp);
	out_json_string(l->fp, d->name);
	fputs(", \"state\": ", l->fp);
	out_json_string(l->fp, d->state);
	return fputc('}', l->fp) == EOF ? -1 : 0;
}

static int
json_table(const char *table, int64_t rows, void *arg)
{
	struct json_list *l = arg;

	fputs(l->n++ ? ", " : "", l->fp);
	out_json_string(l->fp, table);
	return fprintf(l->fp, ": %lld", (long long)rows) < 0 ? -1 : 0;
}

int
cli_migration_json(const struct cli_migration *mg, FILE *fp,
    struct ma_err *err)
{
	struct json_list tables = { fp, 0 }, notes = { fp, 0 }, diffs = { fp, 0 };
	struct ma_migrate_count c;
	int w;

	fputs("{\"source\": {\"name\": ", fp);
	out_json_string(fp, mg->source);
	fputs(", \"charset\": ", fp);
	out_json_string(fp, ma_staging_charset(mg->staging));
	fputs(", \"tables\": {", fp);
	if (ma_staging_tables(mg->staging, json_table, &tables, err) < 0)
		return -1;
	fputs("}},\n \"map\": ", fp);
	out_json_string(fp, mg->map);
	fprintf(fp, ",\n \"run\": %s, \"dry_run\": %s, \"update\": %s, "
	    "\"committed\": %s,\n \"new_passwords\": ", mg->run ? "true" :
	    "false", mg->dry_run ? "true" : "false", mg->update ? "true" :
	    "false", mg->committed ? "true" : "false");
	if (mg->new_passwords != NULL)
		out_json_string(fp, mg->new_passwords);
	else
		fputs("null", fp);
	fputs(",\n \"counts\": {", fp);
	for (w = 0; w < MA_MIG_WHATS; w++) {
		ma_migrate_counts(mg->m, w, &c);
		fprintf(fp, "%s\"%s\": {\"source\": %ld, \"add\": %ld, \"same\": "
		    "%ld, \"change\": %ld, \"reject\": %ld, \"written\": %ld}",
		    w ? ",\n  " : "\n  ", what_names[w], c.source, c.add, c.same,
		    c.change, c.reject, mg->committed ?
		    ma_migrate_written(mg->m, w) : 0L);
	}
	fprintf(fp, "},\n \"summary\": {\"reject\": %ld, \"warning\": %ld, "
	    "\"info\": %ld},\n \"report\": [", ma_migrate_notes(mg->m,
	    "reject"), ma_migrate_notes(mg->m, "warning"),
	    ma_migrate_notes(mg->m, "info"));
	if (ma_migrate_report(mg->m, json_note, &notes, err) < 0)
		return -1;
	fputs("\n]", fp);
	if (cli_migration_maildirs_json(mg, fp, err) < 0)
		return -1;
	if (mg->verify) {
		fputs(",\n \"differences\": [", fp);
		if (ma_migrate_differences(mg->m, json_diff, &diffs, NULL,
		    err) < 0)
			return -1;
		fputs("\n]", fp);
	}
	fputs("}\n", fp);
	return ferror(fp) ? ma_fail(err, MA_EIO, 0, "write error") : 0;
}
