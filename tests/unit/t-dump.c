/* The mysqldump reader: statements, escapes, comments, charsets, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dump.h"
#include "tap.h"

/*
 * Read a dump held in memory and render what it gives, one line per item:
 * "table t: a,b" and "row t: v|v" (NULL as NULL, bytes below 0x20 and
 * '|' '\\' as \xNN), or "error: message" at the first error.
 */
static char *
render(const char *sql, size_t len, enum ma_dump_charset cs)
{
	struct ma_buf out = MA_BUF_INIT;
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_dump_item it;
	struct ma_dump *d = NULL;
	FILE *in = fmemopen((void *)sql, len, "r");
	char *got;
	size_t i, j;
	int rc;

	if (in == NULL || ma_dump_open(in, cs, &d, &err) < 0)
		return strdup("cannot open");
	while ((rc = ma_dump_next(d, &it, &err)) == 1) {
		ma_buf_addf(&out, "%s %s:", it.kind == MA_DUMP_TABLE ? "table" :
		    "row", it.table);
		for (i = 0; i < it.n; i++) {
			ma_buf_add(&out, i == 0 ? " " : it.kind == MA_DUMP_TABLE ?
			    "," : "|");
			if (it.kind == MA_DUMP_TABLE) {
				ma_buf_add(&out, it.columns[i]);
				continue;
			}
			if (it.columns != NULL)
				ma_buf_addf(&out, "%s=", it.columns[i]);
			if (it.values[i].s == NULL) {
				ma_buf_add(&out, "NULL");
				continue;
			}
			for (j = 0; j < it.values[i].len; j++) {
				unsigned char c = (unsigned char)it.values[i].s[j];

				ma_buf_addf(&out, c < 0x20 || c == '|' || c == '\\' ?
				    "\\x%02x" : "%c", c);
			}
		}
		ma_buf_add(&out, "\n");
	}
	if (rc < 0)
		ma_buf_addf(&out, "error: %s\n", err.msg);
	ma_buf_addf(&out, "charset %s\n", ma_dump_charset(d));
	ma_dump_free(&d);
	fclose(in);
	got = strdup(ma_buf_str(&out) ? ma_buf_str(&out) : "oom");
	ma_buf_release(&out);
	return got;
}

static void
dump_is(const char *sql, enum ma_dump_charset cs, const char *want,
    const char *name)
{
	char *got = render(sql, strlen(sql), cs);

	is_str(got, want, name);
	free(got);
}

static const char header[] =
    "-- MySQL dump 10.9\n"
    "--\n"
    "-- Host: localhost    Database: postfix\n"
    "-- ------------------------------------------------------\n"
    "-- Server version\t4.1.16\n\n"
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
    "/*!40101 SET NAMES utf8 */;\n"
    "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n"
    "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n\n"
    "--\n-- Table structure for table `alias`\n--\n\n"
    "DROP TABLE IF EXISTS `alias`;\n"
    "CREATE TABLE `alias` (\n"
    "  `address` varchar(255) NOT NULL default '',\n"
    "  `goto` text NOT NULL,\n"
    "  `created` datetime NOT NULL default '0000-00-00 00:00:00',\n"
    "  `active` tinyint(1) NOT NULL default '1',\n"
    "  PRIMARY KEY  (`address`),\n"
    "  KEY `address` (`address`)\n"
    ") ENGINE=MyISAM DEFAULT CHARSET=latin1 COMMENT='Postfix Admin - Virtual Aliases';\n\n"
    "/*!40000 ALTER TABLE `alias` DISABLE KEYS */;\n"
    "LOCK TABLES `alias` WRITE;\n";

static void
test_statements(void)
{
	char sql[4096];

	test_begin("statements");
	snprintf(sql, sizeof(sql), "%s"
	    "INSERT INTO `alias` VALUES ('a@x.org','b@y.org','2005-01-02 03:04:05',1),"
	    "('c@x.org','d@y.org,e@y.org','0000-00-00 00:00:00',0);\n"
	    "INSERT INTO `alias` VALUES ('f@x.org','g@y.org',NULL,-1);\n"
	    "UNLOCK TABLES;\n"
	    "/*!40000 ALTER TABLE `alias` ENABLE KEYS */;\n"
	    "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n", header);
	dump_is(sql, MA_DUMP_AUTO,
	    "table alias: address,goto,created,active\n"
	    "row alias: a@x.org|b@y.org|2005-01-02 03:04:05|1\n"
	    "row alias: c@x.org|d@y.org,e@y.org|0000-00-00 00:00:00|0\n"
	    "row alias: f@x.org|g@y.org|NULL|-1\n"
	    "charset utf8\n",
	    "a 4.1 dump: CREATE TABLE columns, extended INSERTs, split INSERTs");
	dump_is("CREATE TABLE domain (\n  domain varchar(255) NOT NULL default '',"
	    "\n  description varchar(255) NOT NULL default 'a, (b)',\n"
	    "  `enum` enum('x','y,z') default 'x',\n  PRIMARY KEY  (domain)\n"
	    ") TYPE=MyISAM;\n"
	    "INSERT INTO domain (description, domain) VALUES ('d', 'e.org');\n"
	    "REPLACE INTO domain VALUES (\"x.org\", 'y', 'x');\n"
	    "INSERT IGNORE INTO `db`.`domain` VALUES ('q.org',+5,1.5e-3);\n",
	    MA_DUMP_AUTO,
	    "table domain: domain,description,enum\n"
	    "row domain: description=d|domain=e.org\n"
	    "row domain: x.org|y|x\n"
	    "row domain: q.org|5|1.5e-3\n"
	    "charset utf8\n",
	    "bare names, TYPE=, defaults with commas and parentheses, column "
	    "lists, REPLACE, IGNORE, qualified names, signs and exponents");
	dump_is("CREATE TABLE t (a int);\n"
	    "INSERT INTO t VALUES (0x414200),(X'43'),(b'101'),(_binary 'z'),"
	    "(_latin1'\xe9'),(TRUE),(FALSE);\n",
	    MA_DUMP_AUTO,
	    "table t: a\n"
	    "row t: AB\\x00\nrow t: C\nrow t: 5\nrow t: z\nrow t: \xc3\xa9\n"
	    "row t: 1\nrow t: 0\n"
	    "charset utf8\n",
	    "hex, X'', b'' and TRUE/FALSE literals, charset introducers");
	dump_is("CREATE TABLE t (a int);\n"
	    "DELIMITER ;;\n"
	    "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 "
	    "TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; "
	    "END */;;\nDELIMITER ;\n"
	    "INSERT INTO t VALUES (1);\n"
	    "CREATE TABLE u LIKE t;\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ `x`;\n"
	    "USE `x`;\nINSERT INTO t SELECT * FROM t;\n;;;\n",
	    MA_DUMP_AUTO,
	    "table t: a\nrow t: 1\ncharset utf8\n",
	    "DELIMITER blocks, triggers, other statements skipped");
}

static void
test_escapes(void)
{
	static const char sql[] =
	    "CREATE TABLE t (a text);\n"
	    "INSERT INTO t VALUES ('\\0\\n\\r\\\\\\'\\\"\\Z\\b\\t'),"
	    "('O''Brien'),('a\\%b\\_c\\qd'),(\"dq'\"\"x\"),('tab\there'),"
	    "('--;/*x*/#'),('');\n";
	char *got;

	test_begin("string escapes");
	got = render(sql, sizeof(sql) - 1, MA_DUMP_AUTO);
	is_str(got, "table t: a\n"
	    "row t: \\x00\\x0a\\x0d\\x5c'\"\\x1a\\x08\\x09\n"
	    "row t: O'Brien\n"
	    "row t: a\\x5c%b\\x5c_c" "qd\n"
	    "row t: dq'\"x\n"
	    "row t: tab\\x09here\n"
	    "row t: --;/*x*/#\n"
	    "row t: \n"
	    "charset utf8\n",
	    "every MySQL escape, doubled quotes, comment characters inside "
	    "strings, a raw TAB, the empty string");
	free(got);
	dump_is("/*!40101 SET SQL_MODE='NO_BACKSLASH_ESCAPES' */;\n"
	    "CREATE TABLE t (a text);\nINSERT INTO t VALUES ('a\\b''c');\n",
	    MA_DUMP_AUTO, "table t: a\nrow t: a\\x5cb'c\ncharset utf8\n",
	    "NO_BACKSLASH_ESCAPES: a backslash is itself");
}

static void
test_comments(void)
{
	test_begin("comments");
	dump_is("# a shell comment\n-- a comment\n--\n/* a C\ncomment; */\n"
	    "CREATE /* inline */ TABLE t (a int -- the column\n, # another\n"
	    "b int);\n/*!40000 INSERT INTO t VALUES (1,2) */;\n"
	    "/*M!100100 INSERT INTO t VALUES (3,4) */;\n"
	    "INSERT INTO t VALUES (5, -- five\n-6);\n",
	    MA_DUMP_AUTO,
	    "table t: a,b\nrow t: 1|2\nrow t: 3|4\nrow t: 5|-6\n"
	    "charset utf8\n",
	    "--, # and C comments inside statements; versioned comments are "
	    "read as SQL");
}

static void
test_charsets(void)
{
	static const char latin1[] =
	    "/*!40101 SET NAMES latin1 */;\n"
	    "CREATE TABLE `caf\xe9` (`n\xe9` text);\n"
	    "INSERT INTO `caf\xe9` VALUES ('\x80\x9c\x96\xe9\x81\\\xe9');\n";

	test_begin("charsets");
	dump_is(latin1, MA_DUMP_AUTO,
	    "table caf\xc3\xa9: n\xc3\xa9\n"
	    "row caf\xc3\xa9: \xe2\x82\xac\xc5\x93\xe2\x80\x93\xc3\xa9\xc2\x81\xc3\xa9\n"
	    "charset latin1\n",
	    "SET NAMES latin1: cp1252 bytes to UTF-8 (0x80 euro, 0x9C oe, 0x96 "
	    "en dash, 0x81 kept as U+0081)");
	dump_is(strchr(latin1, '\n') + 1, MA_DUMP_LATIN1,
	    "table caf\xc3\xa9: n\xc3\xa9\n"
	    "row caf\xc3\xa9: \xe2\x82\xac\xc5\x93\xe2\x80\x93\xc3\xa9\xc2\x81\xc3\xa9\n"
	    "charset latin1\n",
	    "--charset latin1 without SET NAMES");
	dump_is("/*!40101 SET NAMES latin1 */;\nCREATE TABLE t (a text);\n"
	    "INSERT INTO t VALUES ('\xc3\xa9');\n", MA_DUMP_UTF8,
	    "table t: a\nrow t: \xc3\xa9\ncharset utf8\n",
	    "--charset utf8 wins over SET NAMES");
	dump_is("/*!40101 SET NAMES latin1 */;\n"
	    "/*!40101 SET @saved_cs_client = @@character_set_client */;\n"
	    "/*!40101 SET character_set_client = utf8 */;\n"
	    "CREATE TABLE t (`\xc3\xa9` text);\n"
	    "/*!40101 SET character_set_client = @saved_cs_client */;\n"
	    "INSERT INTO t VALUES ('\xe9');\n", MA_DUMP_AUTO,
	    "table t: \xc3\xa9\nrow t: \xc3\xa9\ncharset latin1\n",
	    "character_set_client switched for CREATE TABLE and restored");
	dump_is("SET NAMES koi8r;\n", MA_DUMP_AUTO,
	    "error: line 1, column 11: SET NAMES koi8r: mailadm reads utf8 "
	    "and latin1 dumps\ncharset utf8\n",
	    "an unsupported charset is refused");
}

static void
test_errors(void)
{
	static const char nul[] = "CREATE TABLE t (a text);\n\0";

	test_begin("malformed input");
	dump_is("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1,\n  'x);\n",
	    MA_DUMP_AUTO, "table t: a\n"
	    "error: line 3, column 3: unterminated string (the dump is cut "
	    "short?)\ncharset utf8\n", "an unterminated string");
	dump_is("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1)\n"
	    "INSERT INTO t VALUES (2);\n", MA_DUMP_AUTO, "table t: a\n"
	    "error: line 3, column 1: expected ',' or the end of the INSERT "
	    "after a row, got 'INSERT'\ncharset utf8\n",
	    "a missing semicolon");
	dump_is("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1, foo);\n",
	    MA_DUMP_AUTO, "table t: a\n"
	    "error: line 2, column 26: expected a value, got 'foo'\ncharset utf8\n",
	    "a bare word as a value");
	dump_is("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1),\n",
	    MA_DUMP_AUTO, "table t: a\nrow t: 1\n"
	    "error: line 3, column 1: the input ends inside a statement (the "
	    "dump is cut short?)\ncharset utf8\n", "a dump cut short");
	dump_is("CREATE TABLE t (a int,\n  (b));\n", MA_DUMP_AUTO,
	    "error: line 2, column 3: expected a column name, got '('\n"
	    "charset utf8\n", "a bad column definition");
	dump_is("/* open\ncomment\n", MA_DUMP_AUTO,
	    "error: line 1, column 1: unterminated comment\ncharset utf8\n",
	    "an unterminated comment");
	dump_is("CREATE TABLE t (a int);\n  ) oops;\n", MA_DUMP_AUTO,
	    "table t: a\nerror: line 2, column 3: expected a statement, got ')'\n"
	    "charset utf8\n", "garbage between statements");
	{
		char *got = render(nul, sizeof(nul) - 1, MA_DUMP_AUTO);

		is_str(got, "table t: a\nerror: line 2, column 1: expected a "
		    "statement, got '\\x00'\ncharset utf8\n",
		    "a NUL byte outside a string");
		free(got);
	}
}

/* A statement over 1 MB (mysqldump splits at net_buffer_length). */
/* Strings read a run of plain bytes at a time: the same values and places. */
static void
test_runs(void)
{
	char sql[2000], want[2200], x[701];

	test_begin("strings read in runs");
	memset(x, 'x', 700);
	x[700] = '\0';
	snprintf(sql, sizeof(sql), "CREATE TABLE t (a text, b text);\n"
	    "INSERT INTO t VALUES ('%s', foo);\n", x);
	snprintf(want, sizeof(want), "table t: a,b\nerror: line 2, column "
	    "%zu: expected a value, got 'foo'\ncharset utf8\n",
	    strlen("INSERT INTO t VALUES ('") + 700 + strlen("', ") + 1);
	dump_is(sql, MA_DUMP_AUTO, want, "the column after a long string");
	dump_is("SET NAMES latin1;\nCREATE TABLE t (a text);\n"
	    "INSERT INTO t VALUES ('abc\xe9" "def''gh\\\"ij\nkl\xe0'), ('\xff');\n"
	    "INSERT INTO t VALUES (x);\n", MA_DUMP_AUTO, "table t: a\n"
	    "row t: abc\xc3\xa9" "def'gh\"ij\\x0akl\xc3\xa0\nrow t: \xc3\xbf\n"
	    "error: line 5, column 23: expected a value, got 'x'\n"
	    "charset latin1\n", "latin1 bytes, quotes, escapes and line "
	    "breaks between runs");
}

static void
test_big(void)
{
	size_t n = 3000, i, len;
	char *sql = malloc(n * 600 + 100), *p, *got;
	unsigned long rows = 0;

	test_begin("big statements");
	p = sql + sprintf(sql, "CREATE TABLE t (a text, b text);\nINSERT INTO t VALUES ");
	for (i = 0; i < n; i++) {
		p += sprintf(p, "%s(%zu,'", i ? "," : "", i);
		memset(p, 'x', 500);
		p += 500;
		p += sprintf(p, "')");
	}
	p += sprintf(p, ";\n");
	len = (size_t)(p - sql);
	got = render(sql, len, MA_DUMP_AUTO);
	for (p = got; (p = strstr(p, "row t: ")) != NULL; p++)
		rows++;
	is_int((int64_t)rows, (int64_t)n, "one INSERT of 1.5 MB gives every row");
	ok(strstr(got, "row t: 2999|xxx") != NULL, "the last row is whole");
	free(got);
	free(sql);
}

int
main(void)
{
	test_statements();
	test_escapes();
	test_comments();
	test_charsets();
	test_errors();
	test_runs();
	test_big();
	return done_testing();
}
