#!/usr/bin/env bats
# mailadm user … on the backend under test, with Maildirs under a
# private vmail_base.
load helper

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	mkdir -p "$VMAIL"
	ma domain add example.com
}
teardown() { teardown_db; }

add() { printf '%s\n' "${PW:-S3cret-pass}" | ma user add "$@" --password-stdin; }

@test "user add: the row, its self alias, and a private Maildir" {
	run -0 add Bob@Example.com --name "Bob Dupont" --quota 100M
	[ -z "$output" ]
	[ "$(db_sql <<<"SELECT username, name, maildir, quota, local_part, domain, active FROM mailbox")" = \
	    $'bob@example.com\tBob Dupont\texample.com/bob/\t104857600\tbob\texample.com\t1' ]
	[ "$(db_sql <<<"SELECT address, goto, active FROM alias")" = \
	    $'bob@example.com\tbob@example.com\t1' ]
	[[ $(db_sql <<<"SELECT password FROM mailbox") == '$6$'* ]]
	for d in example.com example.com/bob example.com/bob/cur example.com/bob/new example.com/bob/tmp; do
		[ "$(stat -c '%a %u:%g' "$VMAIL/$d")" = "700 5000:5000" ]
	done
	[ "$(stat -c '%a %u:%g' "$VMAIL/example.com/bob/maildirsize")" = "600 5000:5000" ]
	[ "$(head -n 1 "$VMAIL/example.com/bob/maildirsize")" = 104857600S ]
	[ "$(db_sql <<<"SELECT action, data FROM log ORDER BY id DESC LIMIT 1")" = \
	    $'create_mailbox\tbob@example.com quota=104857600' ]
}

@test "the password verifies; a wrong one does not; passwd changes it" {
	add bob@example.com
	run -0 bash -c 'echo S3cret-pass | "$0" -c "$1" user verify bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	run -1 bash -c 'echo wrong | "$0" -c "$1" user verify bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	run -0 bash -c 'echo N3w-pass | "$0" -c "$1" user passwd bob@example.com --password-stdin --scheme SHA256-CRYPT' "$MAILADM_BIN" "$CFG"
	[[ $(db_sql <<<"SELECT password FROM mailbox") == '$5$'* ]]
	run -0 bash -c 'echo N3w-pass | "$0" -c "$1" user verify bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	[ "$(db_sql <<<"SELECT action FROM log ORDER BY id DESC LIMIT 1")" = edit_password ]
}

@test "--random-password prints the password once, and it works" {
	run --separate-stderr -0 ma user add bob@example.com --random-password
	[[ $output =~ ^[A-Za-z2-9]{16}$ ]]
	pw=$output
	run -0 bash -c 'printf "%s\n" "$2" | "$0" -c "$1" user verify bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG" "$pw"
	[[ $(db_sql <<<"SELECT password FROM mailbox") != *"$pw"* ]]
}

@test "--password-hash stores a hash as it is; a non-hash is 65" {
	run -0 ma user add bob@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	[ "$(db_sql <<<"SELECT password FROM mailbox")" = '$1$c9809462$mI9jSazc99/miu/lheDk//' ]
	run -0 bash -c 'echo John-secret42 | "$0" -c "$1" user verify bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	fails 65 "not a password hash" user add carol@example.com --password-hash 'plain text'
	[ ! -e "$VMAIL/example.com/carol" ]
}

@test "passwords never come from argv; without a terminal or --password-stdin: 64" {
	fails 64 "not a terminal.*--password-stdin" user add bob@example.com </dev/null
	fails 64 "give one of" user add bob@example.com --random-password --password-hash x
	[ ! -e "$VMAIL/example.com/bob" ]
}

@test "bad passwords on standard input: 65, nothing changed" {
	before=$(db_dump)
	run -65 bash -c 'printf "a\0b\n" | "$0" -c "$1" user add bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	run -65 bash -c 'printf "one\ntwo\n" | "$0" -c "$1" user add bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	run -65 bash -c 'printf "\n" | "$0" -c "$1" user add bob@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	[[ $output != *one* && $output != *two* ]]
	[ "$before" = "$(db_dump)" ]
	[ ! -e "$VMAIL/example.com/bob" ]
}

@test "user show, list, --long and --json never show the hash" {
	add bob@example.com --name Bob
	add alice@example.com
	run -0 ma user list
	[ "$output" = $'alice@example.com\nbob@example.com' ]
	run -0 ma user list example.com --long
	[[ ${lines[0]} == address*name*quota*active ]]
	run -0 ma user show bob@example.com
	[ "$(field maildir <<<"$output")" = example.com/bob/ ]
	[ "$(field password_scheme <<<"$output")" = SHA512-CRYPT ]
	[[ $output != *'$6$'* ]]
	run -0 ma --json user show bob@example.com
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["address"] == "bob@example.com" and d["quota"] == 0 and d["active"] is True, d
assert "password" not in d
' "$output"
	fails 67 "no such mailbox 'carol@example.com'" user show carol@example.com
}

@test "duplicates, aliases in the way and missing domains are refused, nothing made" {
	add bob@example.com
	fails 73 "mailbox 'bob@example.com' already exists" user add BOB@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	ma alias add info@example.com bob@example.com
	fails 73 "'info@example.com' is already an alias" user add info@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	fails 68 "no such domain 'example.org'" user add bob@example.org --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	fails 65 "invalid address 'a..b@example.com'" user add a..b@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	fails 65 "invalid address 'x/../y@example.com'" user add x/../y@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	[ ! -e "$VMAIL/example.com/info" ]
}

@test "a Maildir already in the way: 73, and no rows" {
	mkdir -p "$VMAIL/example.com/bob"
	before=$(db_dump)
	run --separate-stderr -73 ma user add bob@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	[[ $stderr == *"--no-maildir"* ]]
	[ "$before" = "$(db_dump)" ]
	run -0 ma user add bob@example.com --no-maildir --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
}

@test "a Maildir that cannot be made leaves no rows and no half Maildir" {
	chmod 0 "$VMAIL"
	write_config "vmail_base = /nonexistent/vmail"
	before=$(db_dump)
	run --separate-stderr ma user add bob@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	[ "$status" -ne 0 ]
	[ "$before" = "$(db_dump)" ]
	chmod 755 "$VMAIL"
}

@test "--dry-run: nothing in the database, no Maildir" {
	before=$(db_dump)
	run --separate-stderr -0 ma -n user add bob@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	[[ $stderr == *"would do: create_mailbox bob@example.com"* ]]
	[ "$before" = "$(db_dump)" ]
	[ ! -e "$VMAIL/example.com" ]
}

@test "the domain's limits: mailbox count, per-mailbox maximum, total" {
	ma domain set example.com --max-mailboxes 2 --max-quota 1G --domain-quota 1200M --quota 512M
	add a@example.com
	[ "$(db_sql <<<"SELECT quota FROM mailbox")" = 536870912 ]
	fails 65 "quota 2G is above the maximum of 1G per mailbox" user add b@example.com --quota 2G --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	fails 65 "would bring domain 'example.com' over its total of 1200M" user add b@example.com --quota 1G --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	fails 65 "quota unlimited is above the maximum" user add b@example.com --quota 0 --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	add b@example.com
	fails 65 "has reached its limit of 2 mailboxes" user add c@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//'
	fails 65 "over its total" user set a@example.com --quota 1G
}

@test "eight concurrent adds never pass the mailbox limit" {
	ma domain set example.com --max-mailboxes 3
	for i in 1 2 3 4 5 6 7 8; do
		( ma user add u$i@example.com --password-hash '$1$c9809462$mI9jSazc99/miu/lheDk//' 2>/dev/null || true ) &
	done
	wait
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 3 ]
	[ "$(ls "$VMAIL/example.com" | wc -l)" = 3 ]
}

@test "disable and enable switch the mailbox and its self alias" {
	add bob@example.com
	run -0 ma user disable bob@example.com
	[ "$(db_sql <<<"SELECT m.active, a.active FROM mailbox m JOIN alias a ON a.address = m.username")" = $'0\t0' ]
	run -0 ma user enable bob@example.com
	[ "$(db_sql <<<"SELECT m.active, a.active FROM mailbox m JOIN alias a ON a.address = m.username")" = $'1\t1' ]
	fails 67 "no such mailbox" user disable nobody@example.com
}

@test "user set changes the quota in maildirsize too" {
	add bob@example.com --quota 100M
	run -0 ma user set bob@example.com --quota 200M --name "Robert"
	[ "$(head -n 1 "$VMAIL/example.com/bob/maildirsize")" = 209715200S ]
	[ "$(db_sql <<<"SELECT name, quota FROM mailbox")" = $'Robert\t209715200' ]
	fails 64 "nothing to change" user set bob@example.com
}

@test "user del archives the Maildir; --keep-maildir and --purge-maildir" {
	add bob@example.com
	echo "mail" >"$VMAIL/example.com/bob/new/1.msg"
	run -0 ma user del bob@example.com
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 0 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias")" = 0 ]
	[ ! -e "$VMAIL/example.com/bob" ]
	[ "$(cat "$VMAIL"/.archive/example.com_bob-*/new/1.msg)" = mail ]
	add carol@example.com
	run -0 ma user del carol@example.com --keep-maildir
	[ -d "$VMAIL/example.com/carol/new" ]
	add dave@example.com
	run -0 ma user del dave@example.com --purge-maildir
	[ ! -e "$VMAIL/example.com/dave" ]
	[ "$(ls "$VMAIL/.archive" | wc -l)" = 1 ]
	fails 67 "no such mailbox 'bob@example.com'" user del bob@example.com
	fails 64 "exclude each other" user del carol@example.com --keep-maildir --purge-maildir
}

@test "user del -n leaves the rows and the Maildir" {
	add bob@example.com
	before=$(db_dump)
	run -0 ma -n user del bob@example.com
	[ "$before" = "$(db_dump)" ]
	[ -d "$VMAIL/example.com/bob" ]
}

@test "domain del --force archives the Maildirs of its mailboxes" {
	add bob@example.com
	add alice@example.com
	echo mail >"$VMAIL/example.com/bob/new/1.msg"
	run -0 ma domain del example.com --force
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 0 ]
	[ ! -e "$VMAIL/example.com/bob" ] && [ ! -e "$VMAIL/example.com/alice" ]
	[ "$(cat "$VMAIL"/.archive/example.com_bob-*/new/1.msg)" = mail ]
	[ -d "$(echo "$VMAIL"/.archive/example.com_alice-*)/cur" ]
}

@test "a password_scheme mailadm cannot make is a config error (78) at load" {
	write_config "password_scheme = ROT13"
	fails 78 "$CFG:4: password_scheme = 'ROT13': not a scheme mailadm can make" user list
}
