#!/usr/bin/env bats
# mailadm schema init|upgrade|status on the backend under test.
load helper

setup() { setup_db; }
teardown() { teardown_db; }

tables() {
	if [ "$BACKEND" = mysql ]; then
		db_sql <<<"SHOW TABLES"
	else
		db_sql <<<"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	fi
}

columns() {
	if [ "$BACKEND" = mysql ]; then
		db_sql <<<"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$1' ORDER BY ORDINAL_POSITION"
	else
		db_sql <<<"SELECT name FROM pragma_table_info('$1')"
	fi
}

# A domain table as Postfixadmin 3.3 makes it: without mailadm's columns.
postfixadmin_like_tables() {
	db_sql <<'SQL'
CREATE TABLE domain (domain varchar(255) NOT NULL, description varchar(255) NOT NULL,
  aliases int(10) NOT NULL DEFAULT 0, mailboxes int(10) NOT NULL DEFAULT 0,
  maxquota bigint(20) NOT NULL DEFAULT 0, quota bigint(20) NOT NULL DEFAULT 0,
  transport varchar(255) NOT NULL, backupmx tinyint(1) NOT NULL DEFAULT 0,
  created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
  modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
  active tinyint(1) NOT NULL DEFAULT 1, password_expiry int(11) DEFAULT 0,
  PRIMARY KEY (domain));
INSERT INTO domain (domain, description, maxquota, quota, transport, created)
  VALUES ('old.example', 'Ancien domaine', 1024, 4096, 'virtual', '2009-03-02 10:00:00');
SQL
}

@test "schema init creates the Postfixadmin tables and mailadm's version table" {
	run -0 ma schema init
	[ "$(tables | sort | tr '\n' ' ')" = "alias alias_domain domain log mailadm_schema mailbox " ]
	run -0 columns mailbox
	for c in username password name maildir quota local_part domain created modified active; do
		[[ $'\n'$output$'\n' == *$'\n'$c$'\n'* ]]
	done
	run -0 columns domain
	[[ $output == *smtp_auth* && $output == *default_quota* && $output == *maxquota* ]]
	[ "$(db_sql <<<"SELECT version FROM mailadm_schema")" = 1 ]
}

@test "schema status: version, up to date, exit 0" {
	ma schema init
	run -0 ma schema status
	[ "$(field version <<<"$output")" = 1 ]
	[ "$(field up_to_date <<<"$output")" = yes ]
	[ "$(field backend <<<"$output")" = "$BACKEND" ]
	run -0 ma --json schema status
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["up_to_date"] is True and d["version"] == 1, d' "$output"
}

@test "schema init twice is refused with 73 and changes nothing" {
	ma schema init
	ma domain add example.com
	fails 73 "already has table 'domain'.*schema upgrade" schema init
}

@test "schema upgrade on a current database changes nothing" {
	ma schema init
	ma domain add example.com
	before=$(db_dump)
	run --separate-stderr -0 ma -v schema upgrade
	[[ $stderr == *"already at version 1"* ]]
	[ "$before" = "$(db_dump)" ]
	run -0 ma --json schema upgrade
	[ "$output" = '{"changes": [], "version": 1}' ]
}

@test "schema upgrade adds mailadm's columns and tables, keeps the data, and is idempotent" {
	postfixadmin_like_tables
	run -1 ma schema status
	[ "$(field up_to_date <<<"$output")" = no ]
	[[ $(field missing <<<"$output") == *domain.smtp_auth*domain.default_quota*mailbox* ]]
	run --separate-stderr -0 ma schema upgrade
	[[ $stderr == *"added column domain.smtp_auth"* ]]
	[[ $stderr == *"added column domain.default_quota"* ]]
	[[ $stderr == *"created table mailbox"* ]]
	[[ $stderr == *"created table mailadm_schema"* ]]
	run -0 ma schema status
	[ "$(db_sql <<<"SELECT domain, description, maxquota, quota, created, smtp_auth FROM domain")" = \
	    $'old.example\tAncien domaine\t1024\t4096\t2009-03-02 10:00:00\t0' ]
	before=$(db_dump)
	run --separate-stderr -0 ma schema upgrade
	[ -z "$stderr" ]
	[ "$before" = "$(db_dump)" ]
	# The upgraded domain is usable.
	run -0 ma domain set old.example --require-auth
	run -0 ma domain show old.example
	[ "$(field max_quota <<<"$output")" = 1G ]
}

@test "schema upgrade --dry-run reports and changes nothing, even DDL on MariaDB" {
	postfixadmin_like_tables
	before=$(db_dump)
	run --separate-stderr -0 ma -n schema upgrade
	[[ $stderr == *"would do: added column domain.smtp_auth"* ]]
	[[ $stderr == *"would do: created table mailadm_schema"* ]]
	[ "$before" = "$(db_dump)" ]
}

@test "schema init --dry-run on an empty database creates nothing" {
	before=$(db_dump)
	run -0 ma -n schema init
	[ "$before" = "$(db_dump)" ]
	[ -z "$(tables)" ]
}

@test "commands on a database without the schema say how to fix it (69)" {
	fails 69 "not initialised.*mailadm schema init" domain list
	fails 69 "not initialised.*mailadm schema init" domain add example.com
}

@test "a database that needs an upgrade says so (69) and is left as it was" {
	postfixadmin_like_tables
	db_sql <<<"CREATE TABLE log (id integer, timestamp datetime, username varchar(255), domain varchar(255), action varchar(255), data text)"
	fails 69 "out of date.*mailadm schema upgrade" domain add new.example
	fails 69 "out of date.*mailadm schema upgrade" domain list
}
