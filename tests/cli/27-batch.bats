#!/usr/bin/env bats
# mailadm batch: a file of commands in one transaction.
load helper

H1='$1$c9809462$mI9jSazc99/miu/lheDk//'

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	B=$BATS_TEST_TMPDIR/batch
}
teardown() { teardown_db; }

@test "batch: every line in one go, quoting and comments as in a shell, output after the end" {
	cat >"$B" <<EOF
# set up a domain
domain add example.com --description "Example, Inc."   # the company

user add ann@example.com --name 'Ann "the admin" Dupont' --password-hash '$H1'
user add bob@example.com --name Bob\ Martin --password-hash "$H1"
alias add info@example.com ann@example.com bob@example.com
user show ann@example.com
EOF
	run --separate-stderr -0 ma batch "$B"
	[ -z "$stderr" ]
	[[ $output == *"address: ann@example.com"* ]]
	[[ $output == *'name: Ann "the admin" Dupont'* ]]
	[ "$(db_sql <<<"SELECT description FROM domain WHERE domain = 'example.com'")" = "Example, Inc." ]
	[ "$(db_sql <<<"SELECT name FROM mailbox WHERE username = 'bob@example.com'")" = "Bob Martin" ]
	[ "$(db_sql <<<"SELECT goto FROM alias WHERE address = 'info@example.com'")" = "ann@example.com,bob@example.com" ]
	[ "$(db_sql <<<"SELECT password FROM mailbox WHERE username = 'ann@example.com'")" = "$H1" ]
	[ -d "$VMAIL/example.com/ann/cur" ] && [ -d "$VMAIL/example.com/bob/new" ]
	[ "$(db_sql <<<"SELECT action FROM log ORDER BY id")" = \
	    $'create_domain\ncreate_mailbox\ncreate_mailbox\ncreate_alias' ]
}

@test "batch from standard input, with - or without a file" {
	echo "domain add a.org" | run -0 ma batch -
	echo "domain add b.org" | run -0 ma batch
	[ "$(ma domain list)" = $'a.org\nb.org' ]
}

@test "batch: the first error rolls everything back, names the line, and no Maildir stays" {
	ma domain add example.com
	cat >"$B" <<EOF
user add ann@example.com --password-hash '$H1'
domain add other.org
user add bob@nowhere.org --password-hash '$H1'
user add carl@example.com --password-hash '$H1'
EOF
	fails 68 "batch: line 3: user add: no such domain 'nowhere.org'$" batch "$B"
	[ -z "$(find "$VMAIL" -mindepth 2 -print -quit)" ]
}

@test "batch: a deleted mailbox's Maildir is archived only once the batch commits" {
	ma domain add example.com
	ma user add ann@example.com --password-hash "$H1"
	printf 'user del ann@example.com\ndomain add bad..org\n' >"$B"
	fails 65 "line 2: domain add: " batch "$B"
	[ -d "$VMAIL/example.com/ann/cur" ]
	printf 'user del ann@example.com\n' >"$B"
	run -0 ma batch "$B"
	[ ! -e "$VMAIL/example.com/ann" ]
	[ -d "$VMAIL/.archive" ] && [ -n "$(ls "$VMAIL/.archive")" ]
}

@test "batch: a quota change rewrites maildirsize after the commit" {
	ma domain add example.com
	ma user add ann@example.com --password-hash "$H1" --quota 10M
	printf 'user set ann@example.com --quota 20M\n' >"$B"
	run -0 ma batch "$B"
	[ "$(head -n 1 "$VMAIL/example.com/ann/maildirsize")" = 20971520S ]
}

@test "batch --keep-going: a failing line is undone alone, the rest is done, its code is the exit code" {
	ma domain add example.com
	cat >"$B" <<EOF
user add ann@example.com --password-hash '$H1'
user add bob@nowhere.org --password-hash '$H1'
alias add bad@example.com nobody@example.com
user add carl@example.com --password-hash '$H1'
EOF
	run --separate-stderr -68 ma batch --keep-going "$B"
	[ "${stderr_lines[0]}" = "mailadm: batch: line 2: user add: no such domain 'nowhere.org'" ]
	[[ ${stderr_lines[1]} == "mailadm: batch: line 3: alias add: "* ]]
	[ "${stderr_lines[2]}" = "mailadm: batch: 2 of 4 commands failed; the others were done" ]
	[ "$(ma user list)" = $'ann@example.com\ncarl@example.com' ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias WHERE address = 'bad@example.com'")" = 0 ]
	[ "$(db_sql <<<"SELECT data FROM log WHERE action = 'create_mailbox' ORDER BY id")" = \
	    $'ann@example.com quota=0\ncarl@example.com quota=0' ]
	[ -d "$VMAIL/example.com/carl/cur" ]
}

@test "batch --dry-run: nothing changes, every line says what it would do" {
	printf 'domain add example.com\nuser add ann@example.com --password-hash %s\n' "'$H1'" >"$B"
	before=$(db_dump)
	run --separate-stderr -0 ma --dry-run batch "$B"
	[ "$before" = "$(db_dump)" ]
	[[ $stderr == *"dry run, would do: create_domain example.com"* ]]
	[[ $stderr == *"dry run, would do: create_mailbox ann@example.com"* ]]
	[ -z "$(find "$VMAIL" -mindepth 1 -print -quit)" ]
}

@test "batch --json: each command's document, and an error as the one document" {
	printf 'domain add example.com\ndomain show example.com\n' >"$B"
	run --separate-stderr -0 ma --json batch "$B"
	[ "$(printf '%s\n' "$output" | python3 -c 'import json,sys
d = json.JSONDecoder(); s = sys.stdin.read().strip(); n = 0
while s:
    o, i = d.raw_decode(s); s = s[i:].strip(); n += 1
print(n)')" = 2 ]
	[[ $output == *'"domain": "example.com"'* ]]
	printf 'domain add example.com\n' >"$B"
	run --separate-stderr -73 ma --json batch "$B"
	[ "$output" = '{"error": {"code": 73, "message": "line 1: domain add: domain '"'example.com'"' already exists"}}' ]
}

@test "batch: what only runs on its own, and passwords from stdin, are refused" {
	t() { printf '%s\n' "$1" >"$B"; fails "$2" "$3" batch "$B"; }
	t "schema init" 64 "line 1: schema init: not inside a batch"
	t "schema upgrade" 64 "line 1: schema upgrade: not inside a batch"
	t "batch" 64 "line 1: batch: not inside a batch"
	t "user import x.csv" 64 "line 1: user import: not inside a batch"
	t "user add a@example.com --password-stdin" 64 "line 1: user add: no password from standard input"
	t "user add a@example.com" 64 "line 1: user add: no password from standard input or a terminal"
	t "--db sqlite:/tmp/x domain add a.org" 64 "line 1: --config, --db and --dry-run apply to the whole batch"
	t "domain add a.org --dry-run" 64 "line 1: domain add: --config, --db and --dry-run apply"
	t "frobnicate" 64 "line 1: unknown command 'frobnicate'"
}

@test "batch: bad lines are 65 with their number, nothing changed" {
	t() { printf "$1" >"$B"; fails 65 "$2" batch "$B"; }
	t 'domain add a.org\ndomain add "b.org\n' "line 2: unterminated \" quote"
	t "domain add 'a.org\n" "line 1: unterminated ' quote"
	t 'domain add a.org \\' "line 1: backslash at the end of the line"
	t "domain add a.org\ndomain add a\0b.org\n" "line 2: NUL byte"
	t "domain add $(head -c 70000 /dev/zero | tr '\0' a).org\n" "line 1: longer than 65536 bytes"
	t 'domain add "x\x27; DROP TABLE domain; --"\n' "line 1: domain add: invalid domain"
	t "domain add $(head -c 10000 /dev/zero | tr '\0' a).org\n" "line 1: domain add: "
	fails 66 "cannot read '$BATS_TEST_TMPDIR/none'" batch "$BATS_TEST_TMPDIR/none"
}

@test "batch: words are passed as typed, with no expansion" {
	printf 'domain add example.com --description "$HOME `id` *"\n' >"$B"
	run -0 ma batch "$B"
	[ "$(db_sql <<<"SELECT description FROM domain")" = '$HOME `id` *' ]
}
