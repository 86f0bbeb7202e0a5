#!/usr/bin/env bats
# mailadm quota set|show|report|recalc|warn on the backend under test,
# with Maildirs under a private vmail_base.
load helper

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	ma domain add example.com --max-quota 1G --domain-quota 2G
	ma domain add example.net
}
teardown() { teardown_db; }

add() { ma user add "$@" --random-password >/dev/null; }

# put LOCAL SIZE [NAME]: a message of SIZE bytes in example.com/LOCAL's
# new/ and, as a delivery agent does, a line in its maildirsize.
put() {
	local d=$VMAIL/example.com/$1
	head -c "$2" /dev/zero | tr '\0' x >"$d/new/${3:-$RANDOM$RANDOM.M1P1.h},S=$2"
	[ ! -e "$d/maildirsize" ] || printf '%12d %12d\n' "$2" 1 >>"$d/maildirsize"
}

header() { head -n 1 "$VMAIL/example.com/$1/maildirsize"; }
field_of() { ma quota show "$1" | field "$2"; }

@test "quota set ADDRESS: the row, the log, and maildirsize at once" {
	add bob@example.com --quota 100M
	put bob 4000
	run -0 ma quota set Bob@Example.com 200M
	[ -z "$output" ]
	[ "$(db_sql <<<"SELECT quota FROM mailbox")" = 209715200 ]
	[ "$(db_sql <<<"SELECT action, data FROM log ORDER BY id DESC LIMIT 1")" = \
	    $'edit_mailbox\tbob@example.com quota=209715200' ]
	[ "$(cat "$VMAIL/example.com/bob/maildirsize")" = "$(printf '209715200S\n%12d %12d\n%12d %12d' 0 0 4000 1)" ]
	[ "$(stat -c '%a %u:%g' "$VMAIL/example.com/bob/maildirsize")" = "600 5000:5000" ]
}

@test "quota set refuses bad sizes clearly and changes nothing" {
	add bob@example.com --quota 100M
	before=$(cat "$VMAIL/example.com/bob/maildirsize")
	fails 65 "invalid size '-1': sizes are not negative" quota set bob@example.com -1
	fails 65 "invalid size '1.5G': fractions are not accepted" quota set bob@example.com 1.5G
	fails 65 "invalid size '99999999999999999999': too large" quota set bob@example.com 99999999999999999999
	fails 65 "invalid size '10Q': unknown unit 'Q'" quota set bob@example.com 10Q
	fails 65 "invalid size 'lots'" quota set bob@example.com lots
	fails 65 "invalid size '9000000000000000T': too large" quota set bob@example.com 9000000000000000T
	[ "$(cat "$VMAIL/example.com/bob/maildirsize")" = "$before" ]
	fails 64 "" quota set bob@example.com
	fails 67 "no such mailbox 'nobody@example.com'" quota set nobody@example.com 1M
	fails 65 "invalid" quota set 'bob@@example.com' 1M
}

@test "quota set over a domain limit is refused, naming the limit" {
	add bob@example.com --quota 1G
	add amy@example.com --quota 1G
	fails 65 "quota 2G is above the maximum of 1G per mailbox of domain 'example.com'" \
	    quota set bob@example.com 2G
	ma domain set example.com --domain-quota 1536M
	fails 65 "over its total of 1536M" quota set amy@example.com 1G
	fails 65 "above the maximum" quota set bob@example.com unlimited
	[ "$(header bob)" = 1073741824S ]
}

@test "quota set @DOMAIN: every mailbox, the default, and every maildirsize" {
	add bob@example.com --quota 100M
	add amy@example.com --quota 200M
	add zed@example.net --quota 5M
	run -0 ma quota set @example.com 300M
	[ "$(db_sql <<<"SELECT username, quota FROM mailbox ORDER BY username")" = \
	    $'amy@example.com\t314572800\nbob@example.com\t314572800\nzed@example.net\t5242880' ]
	[ "$(db_sql <<<"SELECT default_quota FROM domain WHERE domain = 'example.com'")" = 314572800 ]
	[ "$(header bob)" = 314572800S ]
	[ "$(header amy)" = 314572800S ]
	[ "$(head -n 1 "$VMAIL/example.net/zed/maildirsize")" = 5242880S ]
	[ "$(db_sql <<<"SELECT action, data FROM log ORDER BY id DESC LIMIT 1")" = \
	    $'edit_domain\texample.com quota=314572800 mailboxes=2' ]
	# New mailboxes get it.
	add carol@example.com
	[ "$(db_sql <<<"SELECT quota FROM mailbox WHERE username = 'carol@example.com'")" = 314572800 ]
	[ "$(header carol)" = 314572800S ]
}

@test "quota set @DOMAIN over its maximum or its total: 65, nothing changed" {
	add bob@example.com --quota 100M
	add amy@example.com --quota 100M
	fails 65 "quota 2G is above the maximum of 1G per mailbox of domain 'example.com'" \
	    quota set @example.com 2G
	add carol@example.com --quota 100M
	fails 65 "quota 1G for each of the 3 mailboxes of domain 'example.com' is 3G in all, over its total of 2G" \
	    quota set @example.com 1G
	fails 65 "above the maximum" quota set @example.com 0
	fails 68 "no such domain 'nowhere.example'" quota set @nowhere.example 1M
	[ "$(header bob)" = 104857600S ]
	[ "$(db_sql <<<"SELECT default_quota FROM domain WHERE domain = 'example.com'")" = 0 ]
}

@test "quota set -n changes neither the database nor maildirsize" {
	add bob@example.com --quota 100M
	before=$(db_dump)
	run --separate-stderr -0 ma -n quota set bob@example.com 300M
	[[ $stderr == *"dry run, would do: edit_mailbox bob@example.com quota=314572800"* ]]
	[ "$(db_dump)" = "$before" ]
	[ "$(header bob)" = 104857600S ]
	run -0 ma -n quota set @example.com 300M
	[ "$(db_dump)" = "$before" ]
	[ "$(header bob)" = 104857600S ]
}

@test "quota show: limit, usage, messages and percent, as Courier counts them" {
	add bob@example.com --quota 10K
	put bob 2000
	put bob 3000
	mkdir -p "$VMAIL/example.com/bob/.Trash/cur"
	echo x >"$VMAIL/example.com/bob/.Trash/cur/1.M1P1.h,S=9000:2,S"
	echo x >"$VMAIL/example.com/bob/cur/2.M1P1.h,S=7000:2,ST"
	run -0 ma quota show bob@example.com
	[ "$output" = "address: bob@example.com
quota: 10K
used: 4.9K
messages: 2
percent: 48
state: ok
message_quota: unlimited
warned: no
note: -" ]
	# Behind its back (no usage line): the file is trusted, as Courier does,
	# until a recount, which skips .Trash and the deleted message.
	echo x >"$VMAIL/example.com/bob/new/3.M1P1.h,S=1000"
	[ "$(field_of bob@example.com used)" = 4.9K ]
	ma quota recalc bob@example.com
	run -0 ma --json quota show bob@example.com
	[ "$output" = '{"address": "bob@example.com", "quota": 10240, "used": 6000, "messages": 3, "percent": 58, "state": "ok", "message_quota": 0, "warned": false, "note": null}' ]
	# Over quota by several lines: counted again, as Courier would.
	printf '%12d %12d\n' 9000 1 9000 1 >>"$VMAIL/example.com/bob/maildirsize"
	run -0 ma quota show bob@example.com
	[[ $output == *"used: 5.9K"*"state: recalculated"*"note: over quota by a total of several lines, or 15 minutes old"* ]]
	fails 67 "no such mailbox 'nobody@example.com'" quota show nobody@example.com
	fails 64 "show takes one mailbox" quota show @example.com
}

@test "quota report: a table of every mailbox; --over filters and exits 1" {
	add bob@example.com --quota 10K
	add amy@example.com --quota 100K
	add zed@example.net
	put bob 9000
	ma quota recalc --all
	run -0 ma quota report
	[ "$output" = "address          quota      used  messages  percent  state
amy@example.com  100K       0     0         0        ok
bob@example.com  10K        8.8K  1         87       ok
zed@example.net  unlimited  0     0         0        ok" ]
	run -1 ma quota report --over 80
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == bob@example.com* ]]
	run -0 ma quota report --over 90
	[ -z "$output" ]
	run -0 ma quota report example.net
	[ "${#lines[@]}" -eq 2 ]
	run -1 ma --json quota report --over 80
	[ "$output" = '[
{"address": "bob@example.com", "quota": 10240, "used": 9000, "messages": 1, "percent": 87, "state": "ok"}
]' ]
	fails 68 "no such domain 'nowhere.example'" quota report nowhere.example
	fails 65 "--over: invalid percentage '8x'" quota report --over 8x
	fails 65 "invalid percentage '-5'" quota report --over=-5
}

@test "quota recalc: bad maildirsize files are counted again, correctly" {
	add bob@example.com --quota 1M
	put bob 1000
	put bob 234
	ms=$VMAIL/example.com/bob/maildirsize
	want=$(printf '1048576S\n%12d %12d' 1234 2)
	for bad in "" "1048576S" $'1048576S\n   12' $'1048576S\n 10 1\n -900 -3\n' \
	    $'1048576S\n99999999999999999999 1\n' $'junk\n\x01\xff\n' \
	    "$(printf '1048576S\n 5 1\n%5200s\n' '')"; do
		printf '%s' "$bad" >"$ms"
		run -0 ma quota recalc bob@example.com
		[ "$(cat "$ms")" = "$want" ] || { echo "for: $bad"; cat "$ms"; return 1; }
		# And show counts them without being asked, as Courier would.
		printf '%s' "$bad" >"$ms"
		[ "$(field_of bob@example.com used)" = 1.2K ] || { echo "show, for: $bad"; return 1; }
	done
	run -0 ma --json quota recalc bob@example.com
	[ "$output" = '[
{"address": "bob@example.com", "quota": 1048576, "used": 1234, "messages": 2, "percent": 0, "state": "recalculated"}
]' ]
}

@test "quota recalc @DOMAIN and --all; operands; a missing Maildir" {
	add bob@example.com --quota 1M
	add amy@example.com --quota 1M --no-maildir
	add zed@example.net --quota 1M
	put bob 500
	run --separate-stderr -0 ma quota recalc @example.com
	[[ $stderr == *"warning: mailbox 'amy@example.com' has no Maildir"* ]]
	[ "$(sed -n 2p "$VMAIL/example.com/bob/maildirsize")" = "$(printf '%12d %12d' 500 1)" ]
	run --separate-stderr -0 ma -v quota recalc --all
	[[ $stderr == *"bob@example.com: 500 bytes in 1 messages"* ]]
	[[ $stderr == *"zed@example.net: 0 bytes in 0 messages"* ]]
	fails 66 "mailbox 'amy@example.com' has no Maildir" quota recalc amy@example.com
	fails 64 "give one of ADDRESS, @DOMAIN and --all" quota recalc
	fails 64 "give one of ADDRESS, @DOMAIN and --all" quota recalc bob@example.com --all
	fails 67 "no such mailbox" quota recalc nobody@example.com
	fails 68 "no such domain" quota recalc @nowhere.example
	printf 'junk' >"$VMAIL/example.com/bob/maildirsize"
	run -0 ma -n quota recalc bob@example.com
	[ "$(cat "$VMAIL/example.com/bob/maildirsize")" = junk ]
}

@test "symbolic links in a Maildir: refused, nothing outside is written" {
	add bob@example.com --quota 1M
	echo precious >"$BATS_TEST_TMPDIR/precious"
	ln -sf "$BATS_TEST_TMPDIR/precious" "$VMAIL/example.com/bob/maildirsize"
	fails 77 "maildirsize': it is a symbolic link" quota recalc bob@example.com
	fails 77 "symbolic link" quota show bob@example.com
	run --separate-stderr -0 ma quota set bob@example.com 2M
	[ -z "$output" ]
	[[ $stderr == *"maildirsize of 'bob@example.com' not updated: "*"symbolic link"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/precious")" = precious ]
	[ -L "$VMAIL/example.com/bob/maildirsize" ]
	rm "$VMAIL/example.com/bob/maildirsize"
	rm -r "$VMAIL/example.com/bob/cur"
	ln -s "$BATS_TEST_TMPDIR" "$VMAIL/example.com/bob/cur"
	echo x >"$BATS_TEST_TMPDIR/big,S=999999"
	run -0 ma quota recalc bob@example.com
	[ "$(sed -n 2p "$VMAIL/example.com/bob/maildirsize")" = "$(printf '%12d %12d' 0 0)" ]
}

# The warning delivered into LOCAL's new/: its path (exactly one).
warning_of() {
	local f n=0
	for f in "$VMAIL/example.com/$1"/new/*; do
		grep -q '^Auto-Submitted: auto-generated$' "$f" 2>/dev/null || continue
		n=$((n + 1))
		echo "$f"
	done
	[ "$n" -eq 1 ]
}

@test "quota warn: one complete message per crossing, no second one" {
	add bob@example.com --quota 10K
	add amy@example.com --quota 10K
	put bob 8500
	put amy 1000
	run --separate-stderr -0 ma quota warn
	[ "$output" = bob@example.com ]
	msg=$(warning_of bob)
	[ "$(stat -c '%a %u:%g' "$msg")" = "600 5000:5000" ]
	[[ $msg =~ /new/[0-9]+\.M[0-9]+P[0-9]+V[0-9A-F]{16}I[0-9A-F]{16}\..+,S=([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -eq "$(stat -c %s "$msg")" ]
	grep -Eq '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4}$' "$msg"
	grep -Eq '^Message-ID: <[0-9]{14}\.[0-9]+\.[0-9a-f]{16}\.quota@[^>]+>$' "$msg"
	grep -q '^From: Postmaster <postmaster@example.com>$' "$msg"
	grep -q '^To: <bob@example.com>$' "$msg"
	grep -q '^Subject: =?UTF-8?B?' "$msg"
	grep -q '^MIME-Version: 1.0$' "$msg"
	grep -q '^Content-Type: text/plain; charset=UTF-8$' "$msg"
	grep -q 'Votre boîte aux lettres bob@example.com occupe 8.3 KB sur les 10.0 KB' "$msg"
	grep -q 'Your mailbox bob@example.com uses 8.3 KB of the 10.0 KB it is given' "$msg"
	[ -z "$(ls "$VMAIL/example.com/bob/tmp")" ]
	[ -e "$VMAIL/example.com/bob/mailadm-quotawarn" ]
	[ ! -e "$VMAIL/example.com/amy/mailadm-quotawarn" ]
	# The warning counts, as Courier's do.
	[ "$(field_of bob@example.com messages)" = 2 ]
	run -0 ma quota show bob@example.com
	[[ $output == *"warned: yes"* ]]
	# Not twice.
	run -0 ma quota warn
	[ -z "$output" ]
	warning_of bob >/dev/null
}

@test "quota warn: under the threshold re-arms, the next crossing warns again" {
	add bob@example.com --quota 10K
	put bob 8500 big
	ma quota warn >/dev/null
	rm "$VMAIL/example.com/bob/new/big,S=8500"
	ma quota recalc bob@example.com
	run --separate-stderr -0 ma -v quota warn
	[ -z "$output" ]
	[[ $stderr == *"bob@example.com is under 80% again"* ]]
	[ ! -e "$VMAIL/example.com/bob/mailadm-quotawarn" ]
	put bob 8000
	ma quota recalc bob@example.com
	run -0 ma quota warn
	[ "$output" = bob@example.com ]
	[ "$(grep -l '^Auto-Submitted' "$VMAIL/example.com/bob/new"/* | wc -l)" -eq 2 ]
	# --threshold, and a dry run that delivers nothing.
	add amy@example.com --quota 10K
	put amy 3000
	run --separate-stderr -0 ma -n -v quota warn --threshold 25
	[ "$output" = amy@example.com ]
	[[ $stderr == *"dry run, would warn amy@example.com at 29%"* ]]
	[ ! -e "$VMAIL/example.com/amy/mailadm-quotawarn" ]
	run -0 ma quota warn --threshold 25
	[ "$output" = amy@example.com ]
	fails 65 "--threshold: invalid percentage 'x'" quota warn --threshold x
}

@test "quota warn: disabled mailboxes and mailboxes without quota are left alone" {
	add bob@example.com --quota 10K --inactive
	add zed@example.net
	put bob 9999
	head -c 99999 /dev/zero >"$VMAIL/example.net/zed/new/1.M1P1.h,S=99999"
	run -0 ma quota warn
	[ -z "$output" ]
	[ ! -e "$VMAIL/example.com/bob/mailadm-quotawarn" ]
	[ ! -e "$VMAIL/example.net/zed/mailadm-quotawarn" ]
}

@test "quota warn: a template with placeholders; a bad one is 78" {
	add bob@example.com --quota 10K
	put bob 9000
	tpl=$BATS_TEST_TMPDIR/warn.txt
	printf 'From: Support <support@example.com>\nSubject: Plus que %s%% (${percent}%%) é\n\nDear ${address}: ${usage} of ${limit}, $$5.\n' '' >"$tpl"
	write_config "quota_warn_template = $tpl"
	run -0 ma quota warn
	msg=$(warning_of bob)
	grep -q '^From: Support <support@example.com>$' "$msg"
	grep -qF 'Subject: =?UTF-8?B?UGx1cyBxdWUgJSAoODclKSDDqQ==?=' "$msg"
	grep -q '^Dear bob@example.com: 8.8 KB of 10.0 KB, \$5.$' "$msg"
	grep -q '^Content-Transfer-Encoding: 7bit$' "$msg"
	printf 'Subject: x ${quota}\n\nbody\n' >"$tpl"
	fails 78 "quota_warn_template '.*warn.txt' line 1: an unknown" quota warn
	printf 'Subject: x\nDate: now\n\nbody\n' >"$tpl"
	fails 78 "line 2: mailadm writes Date and Message-ID itself" quota warn
	printf 'no header here\n\nbody\n' >"$tpl"
	fails 78 "line 1: expected a header line" quota warn
	printf 'From: x\n\nbody\n' >"$tpl"
	fails 78 "no Subject header" quota warn
	printf 'Subject: x\n\n\xff\xfe\n' >"$tpl"
	fails 78 "not UTF-8" quota warn
	chmod 000 "$tpl"
	if [ "$(id -u)" -ne 0 ]; then
		fails 66 "quota_warn_template" quota warn
	fi
}

@test "quota warn: four runs at once warn once" {
	add bob@example.com --quota 10K
	put bob 9000
	for i in 1 2 3 4; do
		ma quota warn >"$BATS_TEST_TMPDIR/out.$i" &
	done
	wait
	[ "$(cat "$BATS_TEST_TMPDIR"/out.* | grep -c bob@example.com)" -eq 1 ]
	warning_of bob >/dev/null
}
