#!/usr/bin/env bats
# mailadm user import: CSV in, mailboxes out, all or nothing.
load helper

H6='$6$abcdefgh$Xq4tq3Ctnd9Bcr4iQX8h0d/hEM3DpZmxdI94Ewg4qYZ9WAqTt9Qxq1G0DFbD6Md/y2L1x1Y5w9k8o0n1z3m3Q.'

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	ma domain add example.com
	CSV=$BATS_TEST_TMPDIR/in.csv
}
teardown() { teardown_db; }

# Nothing under vmail_base but what was there: no half-made Maildir.
no_maildirs() { [ -z "$(find "$VMAIL" -mindepth 2 -print -quit)" ]; }

@test "import: every row, its self alias, log row and Maildir; clear passwords hashed" {
	printf 'address,password,name,quota\nAnn@Example.com,S3cret-pass,"Dupont, Ann",1G\nbob@example.com,%s,,\n' "$H6" >"$CSV"
	run --separate-stderr -0 ma user import "$CSV"
	[ -z "$output" ]
	[ "$stderr" = "mailadm: user import: 2 mailboxes imported" ]
	[ "$(db_sql <<<"SELECT username, name, maildir, quota, active FROM mailbox ORDER BY username")" = \
	    $'ann@example.com\tDupont, Ann\texample.com/ann/\t1073741824\t1\nbob@example.com\t\texample.com/bob/\t0\t1' ]
	[ "$(db_sql <<<"SELECT address, goto FROM alias ORDER BY address")" = \
	    $'ann@example.com\tann@example.com\nbob@example.com\tbob@example.com' ]
	[ "$(db_sql <<<"SELECT password FROM mailbox WHERE username = 'bob@example.com'")" = "$H6" ]
	[[ $(db_sql <<<"SELECT password FROM mailbox WHERE username = 'ann@example.com'") == '$6$'* ]]
	run -0 bash -c 'echo S3cret-pass | "$0" -c "$1" user verify ann@example.com --password-stdin' "$MAILADM_BIN" "$CFG"
	[ "$(db_sql <<<"SELECT action, data FROM log WHERE action = 'create_mailbox' ORDER BY data")" = \
	    $'create_mailbox\tann@example.com quota=1073741824\ncreate_mailbox\tbob@example.com quota=0' ]
	[ "$(stat -c '%a %u:%g' "$VMAIL/example.com/ann/cur")" = "700 5000:5000" ]
	[ "$(head -n 1 "$VMAIL/example.com/ann/maildirsize")" = 1073741824S ]
}

@test "import: standard input, a byte order mark, CRLF, quoted fields, columns in any order" {
	printf '\xef\xbb\xbfquota,Name,PASSWORD,address\r\n10M,"He said ""hi""",pw-1,a@example.com\r\n,,pw-2,b@example.com\r\n\r\n' |
	    run -0 ma user import -
	[ "$(db_sql <<<"SELECT username, name, quota FROM mailbox ORDER BY username")" = \
	    $'a@example.com\tHe said "hi"\t10485760\nb@example.com\t\t0' ]
	printf 'address,password\nc@example.com,pw-3\n' | run -0 ma user import
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 3 ]
}

@test "import --no-maildir makes no Maildir; --dry-run changes nothing and says what it would do" {
	printf 'address,password\na@example.com,pw-1\n' >"$CSV"
	before=$(db_dump)
	run --separate-stderr -0 ma --dry-run user import "$CSV"
	[ "$before" = "$(db_dump)" ]
	no_maildirs
	[[ $stderr == *"dry run, would do: create_mailbox a@example.com quota=0"* ]]
	[[ $stderr == *"1 mailboxes would be imported"* ]]
	run -0 ma user import --no-maildir "$CSV"
	no_maildirs
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 1 ]
}

@test "import --json: one document with the count" {
	printf 'address,password\na@example.com,pw-1\nb@example.com,pw-2\n' >"$CSV"
	run --separate-stderr -0 ma --json user import "$CSV"
	[ "$output" = '{"imported": 2, "dry_run": false}' ]
}

@test "import: the domain's default quota and limits apply as for user add" {
	ma domain add lim.org --max-mailboxes 2 --quota 50M --max-quota 100M
	printf 'address,password,quota\na@lim.org,pw,\nb@lim.org,pw,100M\n' >"$CSV"
	run -0 ma user import "$CSV"
	[ "$(db_sql <<<"SELECT quota FROM mailbox ORDER BY username")" = $'52428800\n104857600' ]
	printf 'address,password\nc@lim.org,pw\n' >"$CSV"
	fails 65 "user import: line 2: domain 'lim.org' has reached its limit of 2 mailboxes$" user import "$CSV"
	ma domain add big.org --max-quota 100M
	printf 'address,password,quota\nx@big.org,pw,100M\ny@big.org,pw,101M\n' >"$CSV"
	fails 65 "line 3: quota 101M is above the maximum of 100M per mailbox of domain 'big.org'" user import "$CSV"
}

@test "import is all or nothing: the failing line is named, no row and no Maildir stays" {
	ma domain add other.org
	{
		echo address,password,name
		for i in $(seq 1 600); do echo "u$i@example.com,pw-$i,User $i"; done
		echo "bad@nowhere.org,pw,x"
		echo "late@example.com,pw,y"
	} >"$CSV"
	fails 68 "user import: line 602: no such domain 'nowhere.org'$" user import "$CSV"
	no_maildirs
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 0 ]
}

@test "import: duplicates are named by line, in the input and in the database" {
	printf 'address,password\na@example.com,pw\nb@example.com,pw\nA@example.com,pw\n' >"$CSV"
	fails 73 "user import: line 4: 'a@example.com' is also on line 2$" user import "$CSV"
	no_maildirs
	printf 'address,password\nold@example.com,pw\n' | ma user import
	ma alias add list@example.com old@example.com
	printf 'address,password\nn1@example.com,pw\nold@example.com,pw\n' >"$CSV"
	fails 73 "user import: line 3: mailbox 'old@example.com' already exists$" user import "$CSV"
	printf 'address,password\nn1@example.com,pw\nlist@example.com,pw\n' >"$CSV"
	fails 73 "user import: line 3: 'list@example.com' is already an alias" user import "$CSV"
	[ ! -e "$VMAIL/example.com/n1" ]
}

@test "import: a duplicate across chunks of rows is found too" {
	{
		echo address,password
		for i in $(seq 1 300); do echo "u$i@example.com,pw"; done
		echo "u5@example.com,pw"
	} >"$CSV"
	fails 73 "user import: line 302: mailbox 'u5@example.com' already exists" user import "$CSV"
	no_maildirs
}

@test "import: bad CSV and bad values are 65 with the line, nothing changed" {
	t() { printf "$1" >"$CSV"; shift; fails "$@" user import "$CSV"; }
	t '' 65 "empty input: expected the header line address,password,name,quota"
	t 'address,pass\n' 65 "line 1: unknown column 'pass'"
	t 'address,name\n' 65 "line 1: the header needs the columns address and password"
	t 'address,password,address\n' 65 "line 1: column 'address' given twice"
	t 'address,password\na@example.com\n' 65 "line 2: 1 fields, but the header has 2"
	t 'address,password\n,pw\n' 65 "line 2: empty address"
	t 'address,password\na@example.com,\n' 65 "line 2: empty password"
	t 'address,password\n"a@example.com,pw\n' 65 "line 2: quoted field not closed"
	t 'address,password\na@exa"mple.com,pw\n' 65 "line 2: quote inside an unquoted field"
	t 'address,password\n"a@example.com"x,pw\n' 65 "line 2: text after a closing quote"
	t 'address,password\na@example.com,pw\rb\n' 65 "line 2: carriage return without a line feed"
	t 'address,password\na@example.com,p\0w\n' 65 "line 2: NUL byte"
	t '\xef\xbbaddress,password\n' 65 "line 1: not UTF-8"
	t "address,password\n'; DROP TABLE mailbox; --@example.com,pw\n" 65 "line 2: invalid address"
	t 'address,password\n../../etc@example.com,pw\n' 65 "line 2: invalid address"
	t 'address,password\na@example.com,{MD5}not-base64!\n' 65 "line 2: .*looks like a hash but is not one"
	t 'address,password\na@example.com,$6$short\n' 65 "line 2: .*looks like a hash"
	t 'address,password,quota\na@example.com,pw,10Q\n' 65 "line 2: .*10Q"
	t 'address,password,quota\na@example.com,pw,-1\n' 65 "line 2: .*-1"
	t 'address,password,name\na@example.com,pw,"bad\x01name"\n' 65 "line 2: .*name"
	t "address,password\n$(head -c 10000 /dev/zero | tr '\0' a)@example.com,pw\n" 65 "line 2: invalid address"
	t "address,password\na@example.com,$(head -c 70000 /dev/zero | tr '\0' a)\n" 65 "line 2: record longer than 65536 bytes"
	no_maildirs
}

@test "import: the password is never in a message" {
	printf 'address,password\na@example.com,Secret-In-Csv\nb@nowhere.org,Other-Secret\n' >"$CSV"
	run --separate-stderr -68 ma user import "$CSV"
	[[ $stderr != *Secret* ]]
	printf 'address,password\na@example.com,{PLAIN-MD5}Secret-In-Csv\n' >"$CSV"
	run --separate-stderr -65 ma user import "$CSV"
	[[ $stderr != *Secret* ]]
}

@test "import: a missing file is 66; a bad --scheme is 65; not inside a batch" {
	fails 66 "cannot read '$BATS_TEST_TMPDIR/none.csv'" user import "$BATS_TEST_TMPDIR/none.csv"
	printf 'address,password\na@example.com,pw\n' >"$CSV"
	fails 65 "NOPE" user import --scheme NOPE "$CSV"
	echo "user import $CSV" >"$BATS_TEST_TMPDIR/b"
	fails 64 "line 1: user import: not inside a batch" batch "$BATS_TEST_TMPDIR/b"
}

@test "import --scheme picks the hash of clear passwords" {
	printf 'address,password\na@example.com,pw-1\n' >"$CSV"
	run -0 ma user import --scheme SHA256-CRYPT "$CSV"
	[[ $(db_sql <<<"SELECT password FROM mailbox") == '$5$'* ]]
}

@test "import: limits hold with rows of many domains interleaved" {
	for i in $(seq 1 80); do echo "domain add d$i.org --max-mailboxes 2"; done | ma batch
	{
		echo address,password
		for r in 1 2; do for i in $(seq 1 80); do echo "u$r@d$i.org,pw"; done; done
		echo "u3@d7.org,pw"
	} >"$CSV"
	fails 65 "user import: line 162: domain 'd7.org' has reached its limit of 2 mailboxes" user import --no-maildir "$CSV"
	sed -i '$d' "$CSV"
	run -0 ma user import --no-maildir "$CSV"
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 160 ]
}
