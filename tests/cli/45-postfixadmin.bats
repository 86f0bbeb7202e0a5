#!/usr/bin/env bats
# A database made by Postfixadmin 3.3 itself (its upgrade.php and CLI, from
# Debian's package) is brought up to mailadm's schema without touching
# its data, and mailadm can then administer it.
load helper
# shellcheck source=tests/lib/postfixadmin-db.sh
. "$BATS_TEST_DIRNAME/../lib/postfixadmin-db.sh"

setup() {
	setup_db
	if [ "$BACKEND" = mysql ]; then
		postfixadmin_make_db "$MARIADB_SOCKET" "$DBNAME"
	else
		postfixadmin_make_sqlite "$SQLITE_FILE"
	fi
	# Postfixadmin's own unit: MB of 1024000 bytes.
	write_config "quota_multiplier = 1024000"
}

teardown() { teardown_db; }

# Postfixadmin's rows, in Postfixadmin's own columns only.
pfa_rows() {
	db_sql <<'SQL'
SELECT domain, description, aliases, mailboxes, maxquota, quota, transport, backupmx, created, modified, active FROM domain ORDER BY domain;
SELECT username, password, name, maildir, quota, local_part, domain, created, modified, active FROM mailbox ORDER BY username;
SELECT address, goto, domain, created, modified, active FROM alias ORDER BY address;
SELECT alias_domain, target_domain, created, modified, active FROM alias_domain ORDER BY alias_domain;
SELECT id, timestamp, username, domain, action, data FROM log ORDER BY id;
SELECT name, value FROM config ORDER BY name;
SQL
}

@test "schema upgrade keeps a Postfixadmin 3.3 database's data and is idempotent" {
	before=$(pfa_rows)
	[[ $before == *"pfa.example"*"john@pfa.example"*"info@pfa.example"*"pfa-alias.example"* ]]
	run -1 ma schema status
	[[ $(field missing <<<"$output") == *domain.smtp_auth*domain.default_quota*mailadm_schema* ]]
	run -0 ma schema upgrade
	run -0 ma schema status
	[ "$(field up_to_date <<<"$output")" = yes ]
	[ "$before" = "$(pfa_rows)" ]
	dump=$(db_dump)
	run -0 ma schema upgrade
	[ "$dump" = "$(db_dump)" ]
}

@test "mailadm administers the upgraded Postfixadmin database" {
	ma schema upgrade
	run -0 ma domain list
	[ "$output" = $'pfa-alias.example\npfa.example' ]
	run -0 ma domain show pfa.example
	[ "$(field description <<<"$output")" = "Postfixadmin domain" ]
	[ "$(field max_quota <<<"$output")" = 1000M ]
	[ "$(field domain_quota <<<"$output")" = 4000M ]
	[ "$(field mailboxes <<<"$output")" = 1 ]
	[ "$(field aliases <<<"$output")" = 1 ]
	run -0 ma domain show pfa-alias.example
	[ "$(field alias_of <<<"$output")" = pfa.example ]
	fails 73 "still has 1 mailboxes, 1 aliases and 1 alias domains" domain del pfa.example
	run -0 ma domain set pfa.example --require-auth --description "Changé par mailadm"
	[ "$(db_sql <<<"SELECT smtp_auth, description FROM domain WHERE domain = 'pfa.example'")" = \
	    $'1\tChangé par mailadm' ]
	# Postfixadmin's description and transport have no default: add fills them.
	run -0 ma domain add new.example
	[ "$(db_sql <<<"SELECT description, transport FROM domain WHERE domain = 'new.example'")" = \
	    $'\tvirtual' ]
	ma domain del new.example
	# Postfixadmin's log keeps growing in its own format.
	[ "$(db_sql <<<"SELECT action, domain FROM log ORDER BY id DESC LIMIT 2")" = \
	    $'delete_domain\tnew.example\ncreate_domain\tnew.example' ]
}
