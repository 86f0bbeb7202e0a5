#!/usr/bin/env bats
# mailadm alias … on the backend under test.
load helper

setup() {
	setup_store
	ma domain add example.com
	ma domain add example.net
	# Mailboxes come with "user add"; write them as Postfixadmin does.
	db_sql <<'SQL'
INSERT INTO mailbox (username, password, name, maildir, local_part, domain)
  VALUES ('bob@example.com', 'x', 'Bob', 'example.com/bob/', 'bob', 'example.com');
INSERT INTO alias (address, goto, domain)
  VALUES ('bob@example.com', 'bob@example.com', 'example.com');
SQL
}
teardown() { teardown_db; }

@test "alias add creates an alias; a second add appends targets" {
	run -0 ma alias add Info@Example.COM bob@example.com friend@elsewhere.org
	[ "$(db_sql <<<"SELECT address, goto, domain, active FROM alias WHERE address = 'info@example.com'")" = \
	    $'info@example.com\tbob@example.com,friend@elsewhere.org\texample.com\t1' ]
	run -0 ma alias add info@example.com other@elsewhere.org
	[ "$(db_sql <<<"SELECT goto FROM alias WHERE address = 'info@example.com'")" = \
	    bob@example.com,friend@elsewhere.org,other@elsewhere.org ]
	[ "$(db_sql <<<"SELECT action, data FROM log WHERE action LIKE '%alias' ORDER BY id")" = \
	    $'create_alias\tinfo@example.com +bob@example.com +friend@elsewhere.org\nedit_alias\tinfo@example.com +other@elsewhere.org' ]
	fails 73 "already forwards to bob@example.com" alias add info@example.com BOB@example.com
}

@test "a target in one of our domains must exist, unless --force" {
	fails 67 "no mailbox or alias 'nobody@example.com'.*--force" alias add info@example.com nobody@example.com
	run -0 ma alias add info@example.com nobody@example.com --force
	# Through an alias domain, to an existing mailbox.
	ma domain alias add example.net example.com
	run -0 ma alias add sales@example.com bob@example.net
	# A catch-all makes every address of its domain a valid target.
	fails 67 "no mailbox or alias 'x@example.com'" alias add y@example.com x@example.com
	run -0 ma alias add @example.com bob@example.com
	run -0 ma alias add y@example.com x@example.com
}

@test "catch-alls are @domain rows" {
	run -0 ma alias add @example.com bob@example.com
	[ "$(db_sql <<<"SELECT address, goto, domain FROM alias WHERE address LIKE '@%'")" = \
	    $'@example.com\tbob@example.com\texample.com' ]
	run -0 ma alias show @example.com
	[ "$(field targets <<<"$output")" = bob@example.com ]
}

@test "alias list, --long and --json leave out mailboxes' own aliases" {
	ma alias add info@example.com bob@example.com
	ma alias add sales@example.net a@elsewhere.org b@elsewhere.org
	run -0 ma alias list
	[ "$output" = $'info@example.com\nsales@example.net' ]
	run -0 ma alias list example.net
	[ "$output" = sales@example.net ]
	run -0 ma alias list --long
	[[ ${lines[0]} == address*targets*active*mailbox ]]
	[[ ${lines[2]} == sales@example.net*a@elsewhere.org,b@elsewhere.org*yes*no ]]
	run -0 ma --json alias list
	python3 -c '
import json, sys
a = json.loads(sys.argv[1])
assert [x["address"] for x in a] == ["info@example.com", "sales@example.net"], a
assert a[1]["targets"] == ["a@elsewhere.org", "b@elsewhere.org"], a
' "$output"
}

@test "a mailbox may forward too, and keeps its own alias" {
	run -0 ma alias add bob@example.com bob@elsewhere.org
	[ "$(db_sql <<<"SELECT goto FROM alias WHERE address = 'bob@example.com'")" = \
	    bob@example.com,bob@elsewhere.org ]
	run -0 ma alias show bob@example.com
	[ "$(field mailbox <<<"$output")" = yes ]
	fails 65 "is a mailbox: it keeps its own alias" alias del bob@example.com
	fails 65 "is a mailbox" alias del bob@example.com bob@example.com
	run -0 ma alias del bob@example.com bob@elsewhere.org
	[ "$(db_sql <<<"SELECT goto FROM alias WHERE address = 'bob@example.com'")" = bob@example.com ]
}

@test "alias del removes targets, then the alias" {
	ma alias add info@example.com bob@example.com x@elsewhere.org
	run -0 ma alias del info@example.com x@elsewhere.org
	[ "$(db_sql <<<"SELECT goto FROM alias WHERE address = 'info@example.com'")" = bob@example.com ]
	fails 67 "does not forward to 'y@elsewhere.org'" alias del info@example.com y@elsewhere.org
	run -0 ma alias del info@example.com bob@example.com
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias WHERE address = 'info@example.com'")" = 0 ]
	ma alias add info@example.com bob@example.com x@elsewhere.org
	run -0 ma alias del info@example.com
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias WHERE address = 'info@example.com'")" = 0 ]
	[ "$(db_sql <<<"SELECT action FROM log ORDER BY id DESC LIMIT 1")" = delete_alias ]
	fails 67 "no such alias 'info@example.com'" alias del info@example.com
	fails 67 "no such alias 'info@example.com'" alias show info@example.com
}

@test "the domain's alias limit holds, also under concurrent adds" {
	ma domain set example.com --max-aliases 3
	for i in 1 2 3 4 5 6; do
		( ma alias add a$i@example.com x@elsewhere.org 2>/dev/null || true ) &
	done
	wait
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias WHERE domain = 'example.com' AND address <> 'bob@example.com'")" = 3 ]
	fails 65 "domain 'example.com' has reached its limit of 3 aliases" alias add z@example.com x@elsewhere.org
	# Adding targets to an existing alias is not a new alias.  Which three
	# of the six got in is up to the race: take one that did.
	existing=$(db_sql <<<"SELECT address FROM alias WHERE domain = 'example.com' AND address <> 'bob@example.com' ORDER BY address LIMIT 1")
	[[ $existing == a[1-6]@example.com ]]
	run -0 ma alias add "$existing" y@elsewhere.org
	ma domain set example.com --max-aliases disabled
	fails 65 "may not have aliases" alias add z@example.com x@elsewhere.org
}

@test "bad addresses and targets: one line, the right code, nothing changed" {
	fails 68 "no such domain 'nowhere.example'" alias add a@nowhere.example x@elsewhere.org
	fails 65 "invalid address 'a..b@example.com': two dots in a row" alias add a..b@example.com x@elsewhere.org
	fails 65 "invalid address '\"a b\"@example.com': quoted local parts" alias add '"a b"@example.com' x@elsewhere.org
	fails 65 "invalid address 'a/b@example.com'" alias add a/b@example.com x@elsewhere.org
	fails 65 "invalid address '.a@example.com': local part begins or ends with a dot" alias add .a@example.com x@elsewhere.org
	fails 65 "local part longer than 64" alias add "$(printf 'l%.0s' {1..65})@example.com" x@elsewhere.org
	fails 65 "invalid address 'noat': no '@'" alias add noat x@elsewhere.org
	fails 65 "target: invalid address ''; DROP TABLE alias; --@x.org'" alias add a@example.com "'; DROP TABLE alias; --@x.org"
	fails 65 "target: invalid address '@elsewhere.org': empty local part" alias add a@example.com @elsewhere.org
	fails 65 "contains a control character" alias add $'a\nb@example.com' x@elsewhere.org
	fails 65 "non-ASCII" alias add $'\xc3\xa9@example.com' x@elsewhere.org
	fails 65 "cannot forward to itself" alias add a@example.com a@example.com
	fails 64 "missing option" alias add a@example.com
	big=$(head -c 10000 /dev/zero | tr '\0' a)
	fails 65 "local part longer than 64" alias add "$big@example.com" x@elsewhere.org
}
