#!/usr/bin/env bats
# mailadm migrate plan|run|verify --maildirs: the legacy fixtures' Maildir
# trees are counted as expected.json says, copied byte for byte (names,
# contents, mtimes) to their new place, 0600/0700 and owned by vmail, with
# maildirsize made anew for the new quota, the source left as it was; a
# run killed in the middle of a copy, run again, ends as one that was not.
load helper

FIX=$TOP/tests/fixtures/legacy
EXPECT=$TOP/tests/lib/migrate-expect.py
export MAILADM_BIN

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	R=$BATS_TEST_TMPDIR/report.json
	OLD=$BATS_TEST_TMPDIR/old
}
teardown() { teardown_db; }

# unpack FOLDER: the fixture's tree (modes, owner 5000, mtimes) in $OLD.
unpack() {
	mkdir -p "$BATS_TEST_TMPDIR/tar"
	tar -xzf "$FIX/$1/maildirs.tar.gz" -C "$BATS_TEST_TMPDIR/tar"
	mv "$BATS_TEST_TMPDIR/tar/maildirs" "$OLD"
}

# snapshot DIR: every entry's name, type, size, mode, owner, mtime and the
# files' checksums.
snapshot() {
	(cd "$1" && find . -printf '%P %y %s %m %U:%G %T@\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
}

# files DIR: the files but maildirsize, with size and mtime; the dirs.
files() {
	(cd "$1" && find . ! -name maildirsize ! -name . -printf '%P %y %s %m\n' \
	    -type f -printf '%P %T@\n' | LC_ALL=C sort)
}

# The "source target state" of each Maildir in the report $R.
maildirs_of() {
	python3 -c 'import json, sys
for d in json.load(open(sys.argv[1]))["maildirs"]["mailboxes"]:
    print(d["source"], d["target"], d["state"])' "$R"
}

# run_fixture FOLDER DUMP PRESET: the run, checked against expected.json,
# each copy against its source.
run_fixture() {
	unpack "$1"
	before=$(snapshot "$OLD")
	run --separate-stderr -0 ma -q migrate run "$FIX/$1/$2" --preset "$3" \
	    --maildirs "$OLD" --report "$R"
	[ -z "$output" ]
	[ "$before" = "$(snapshot "$OLD")" ]
	run python3 "$EXPECT" "$FIX/$1/expected.json" "$R" none --no-store
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	n=0
	while read -r src dst state; do
		if [ "$state" = created ]; then
			[ -z "$(find "$VMAIL/$dst/cur" "$VMAIL/$dst/new" -mindepth 1)" ]
			continue
		fi
		[ "$state" = copied ]
		diff -r --exclude=maildirsize "$OLD/$src" "$VMAIL/$dst"
		[ "$(files "$OLD/$src")" = "$(files "$VMAIL/$dst")" ]
		n=$((n + 1))
	done < <(maildirs_of)
	[ "$n" -ge 15 ]
	# Modes and owner: 0600 and 0700, vmail's, everything below the base.
	[ -z "$(find "$VMAIL" -mindepth 1 \( -type f ! -perm 600 \) -o \
	    \( -type d ! -perm 700 \) -o ! -user 5000 -o ! -group 5000)" ]
	[ -z "$(find "$VMAIL" -mindepth 1 ! -type f ! -type d)" ]
}

@test "migrate run --maildirs: postfixadmin-2.1, UTF-8 dump: every Maildir copied byte for byte" {
	run_fixture postfixadmin-2.1 dump.sql postfixadmin-2
	# The folders by their on-disk (modified UTF-7) names, UIDs with them.
	d=$VMAIL/hotel-robert.com/direction2
	[ -d "$d/.&AMk-l&AOk-ments envoy&AOk-s/cur" ]
	[ -d "$d/.Factures &- Devis" ]
	cmp "$OLD/HOTEL-ROBERT.COM/direction2/courierimapuiddb" "$d/courierimapuiddb"
	# No row, no copy; the case-variant duplicate stays where it was.
	[ ! -e "$VMAIL/clement-thionville.fr/ancien.salarie" ]
	[ "$(ls "$VMAIL/clement-thionville.fr" | grep -ci '^jean.martin$')" -eq 1 ]
}

@test "migrate run --maildirs: postfixadmin-2.1, latin1 dump" {
	run_fixture postfixadmin-2.1 dump-latin1.sql postfixadmin-2
}

@test "migrate run --maildirs: flurdy, UTF-8 dump" {
	run_fixture flurdy dump.sql flurdy
}

@test "migrate run --maildirs: flurdy, latin1 dump" {
	run_fixture flurdy dump-latin1.sql flurdy
}

@test "migrate run --maildirs: maildirsize is what quota recalc makes, for the new quota" {
	run_fixture postfixadmin-2.1 dump.sql postfixadmin-2
	mkdir "$BATS_TEST_TMPDIR/mds"
	(cd "$VMAIL" && find . -name maildirsize | LC_ALL=C sort) >"$BATS_TEST_TMPDIR/list"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/list")" -ge 10 ]
	while read -r f; do
		cp "$VMAIL/$f" "$BATS_TEST_TMPDIR/mds/$(echo "$f" | tr / _)"
	done <"$BATS_TEST_TMPDIR/list"
	# The mailbox's quota from the database, 0: no file where none was.
	[ ! -e "$VMAIL/robert-pont-a-mousson.fr/info/maildirsize" ]
	run -0 ma quota recalc --all
	while read -r f; do
		cmp "$VMAIL/$f" "$BATS_TEST_TMPDIR/mds/$(echo "$f" | tr / _)"
	done <"$BATS_TEST_TMPDIR/list"
	# The legacy file had a stale quota line and usage; the new one not.
	[ "$(cat "$VMAIL/hotel-robert.com/didier/maildirsize")" = "51200000S
        5173            7" ]
}

@test "migrate plan --maildirs: counts and reports, copies nothing, writes nothing" {
	unpack flurdy
	before=$(db_dump)
	run --separate-stderr -0 ma --json migrate plan "$FIX/flurdy/dump-latin1.sql" \
	    --preset flurdy --maildirs "$OLD"
	printf '%s\n' "$output" >"$R"
	run python3 "$EXPECT" "$FIX/flurdy/expected.json" "$R" none --no-store
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$before" = "$(db_dump)" ]
	[ -z "$(ls -A "$VMAIL")" ]
	grep -q '"code": "ORPHAN_MAILDIR", "table": "maildir", "key": {"path": "clement-thionville.fr/ancien.salarie/"}' "$R"
	grep -q '"code": "MAILDIR_MISSING", "table": "users"' "$R"
	# The text: a line per mailbox with its messages and bytes, a total.
	run --separate-stderr -0 ma migrate plan "$FIX/flurdy/dump.sql" \
	    --preset flurdy --maildirs "$OLD"
	[[ $output == *"Maildirs from $OLD:"* ]]
	grep -Eq '^direction@hotel-robert.com +copy +13 +12881  hotel-robert.com/direction/ -> hotel-robert.com/direction/$' <<<"$output"
	grep -Eq '^nouveau@hotel-robert.com +create +0 +0 ' <<<"$output"
	grep -Eq '^total +[0-9]+ +[0-9]+$' <<<"$output"
}

@test "migrate run --maildirs again: nothing copied twice; --dry-run copies nothing" {
	unpack postfixadmin-2.1
	run -0 ma -q -n migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	[ -z "$(ls -A "$VMAIL")" ]
	run -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	echo new >"$VMAIL/hotel-robert.com/didier/new/1300000000.M1P1.host,S=4"
	once=$(snapshot "$VMAIL")
	run -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD" --report "$R"
	[ "$once" = "$(snapshot "$VMAIL")" ]
	[ "$(maildirs_of | awk '{print $3}' | sort -u)" = present ]
}

@test "migrate verify --maildirs: 1 with each Maildir still to copy, 0 once copied, 1 when one's messages differ" {
	unpack postfixadmin-2.1
	run -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2
	run --separate-stderr -1 ma migrate verify "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	[ "${#lines[@]}" -eq 19 ]
	[ "${lines[0]}" = "missing maildir compta@clement-thionville.fr" ]
	run -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	run --separate-stderr -0 ma migrate verify "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	[ -z "$output" ]
	# a message gone, or changed, in a Maildir in place
	m=$(find "$VMAIL/hotel-robert.com/didier" -path '*/cur/*' -type f | head -n 1)
	[ -n "$m" ]
	mv "$m" "$BATS_TEST_TMPDIR/message"
	run --separate-stderr -1 ma migrate verify "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	[ "$output" = "differs maildir didier@hotel-robert.com" ]
	cp -p "$BATS_TEST_TMPDIR/message" "$m"
	run -0 ma migrate verify "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	echo x >>"$m"
	run --separate-stderr -1 ma migrate verify "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	[ "$output" = "differs maildir didier@hotel-robert.com" ]
	mv "$BATS_TEST_TMPDIR/message" "$m"
	mv "$VMAIL/hotel-robert.com/didier" "$BATS_TEST_TMPDIR/didier"
	run --separate-stderr -1 ma migrate verify "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD"
	[ "$output" = "missing maildir didier@hotel-robert.com" ]
}

@test "migrate run --maildirs: links and special files are reported, neither followed nor copied" {
	unpack postfixadmin-2.1
	d=$OLD/HOTEL-ROBERT.COM/didier
	echo secret >"$BATS_TEST_TMPDIR/outside"
	ln -s "$BATS_TEST_TMPDIR/outside" "$d/cur/1234567890.link:2,S"
	ln -s "$BATS_TEST_TMPDIR" "$d/.Linked"
	mkfifo "$d/new/fifo"
	run --separate-stderr -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD" --report "$R"
	t=$VMAIL/hotel-robert.com/didier
	[ ! -e "$t/cur/1234567890.link:2,S" ] && [ ! -L "$t/cur/1234567890.link:2,S" ]
	[ ! -e "$t/.Linked" ] && [ ! -e "$t/new/fifo" ]
	[ "$(grep -c '"code": "MAILDIR_SPECIAL_FILE"' "$R")" -eq 3 ]
	grep -q "didier/cur/1234567890.link:2,S: a symbolic link, not copied" "$R"
	grep -q "didier/new/fifo: not a regular file, not copied" "$R"
	[ "$(cat "$BATS_TEST_TMPDIR/outside")" = secret ]
	diff -r --exclude=maildirsize --exclude=fifo --exclude='*.link*' \
	    --exclude=.Linked "$d" "$t"
}

@test "migrate run --maildirs: a new mailbox whose place is taken keeps what is there" {
	unpack postfixadmin-2.1
	mkdir -p "$VMAIL/hotel-robert.com/didier/cur"
	echo mine >"$VMAIL/hotel-robert.com/didier/cur/keep"
	run --separate-stderr -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$OLD" --report "$R"
	[ "$(ls -A "$VMAIL/hotel-robert.com/didier")" = cur ]
	[ "$(cat "$VMAIL/hotel-robert.com/didier/cur/keep")" = mine ]
	grep -q '"code": "MAILDIR_TARGET_EXISTS", "table": "mailbox", "key": {"username": "didier@hotel-robert.com"}' "$R"
	maildirs_of | grep -qx 'HOTEL-ROBERT.COM/didier/ hotel-robert.com/didier/ conflict'
}

@test "migrate --maildirs: a missing or unreadable OLD_ROOT is 66, before anything is written" {
	fails 66 "migrate run: --maildirs $BATS_TEST_TMPDIR/none: No such file" \
	    migrate run "$FIX/flurdy/dump.sql" --preset flurdy \
	    --maildirs "$BATS_TEST_TMPDIR/none"
	fails 66 "migrate plan: --maildirs $BATS_TEST_TMPDIR/none: No such file" \
	    migrate plan "$FIX/flurdy/dump.sql" --preset flurdy \
	    --maildirs "$BATS_TEST_TMPDIR/none"
	[ -z "$(ls -A "$VMAIL")" ]
}

# A bigger tree: each Maildir of the fixture with 600 more messages.
grow() {
	python3 - "$OLD" <<'EOF'
import os, sys
root = sys.argv[1]
for dom in os.listdir(root):
    for box in os.listdir(os.path.join(root, dom)):
        cur = os.path.join(root, dom, box, "cur")
        if not os.path.isdir(cur):
            continue
        for i in range(600):
            p = os.path.join(cur, "777%07d.M%dP1V803I1.host,S=64:2,S" % (i, i))
            with open(p, "w") as f:
                f.write("Subject: %d\n\n" % i + "x" * (51 - len(str(i))) + "\n")
            os.utime(p, (1230000000 + i, 1230000000 + i))
EOF
}

@test "migrate run --maildirs killed (-9) in the middle of a copy, run again: as if never killed" {
	unpack postfixadmin-2.1
	grow
	before=$(snapshot "$OLD")
	args=(migrate run "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2
	    --maildirs "$OLD")
	"$MAILADM_BIN" -c "$CFG" -q "${args[@]}" &
	pid=$!
	for ((i = 0; i < 3000; i++)); do
		compgen -G "$VMAIL/*/.mailadm-copy.*" >/dev/null && break
		sleep 0.01
	done
	kill -9 "$pid"
	wait "$pid" || true
	# It was caught with a copy half made, and some Maildirs not begun.
	compgen -G "$VMAIL/*/.mailadm-copy.*" >/dev/null
	[ "$(find "$VMAIL" -mindepth 2 -maxdepth 2 -name '[a-z]*' | wc -l)" -lt 19 ]
	run -0 ma -q "${args[@]}" --report "$R"
	! compgen -G "$VMAIL/*/.mailadm-copy.*" >/dev/null
	# The same store, all copied at once into another vmail_base.
	mkdir "$BATS_TEST_TMPDIR/vmail2"
	sed "s|^vmail_base = .*|vmail_base = $BATS_TEST_TMPDIR/vmail2|" "$CFG" \
	    >"$BATS_TEST_TMPDIR/b.conf"
	run -0 "$MAILADM_BIN" -c "$BATS_TEST_TMPDIR/b.conf" -q "${args[@]}"
	diff -r "$VMAIL" "$BATS_TEST_TMPDIR/vmail2"
	[ "$(files "$VMAIL")" = "$(files "$BATS_TEST_TMPDIR/vmail2")" ]
	[ "$before" = "$(snapshot "$OLD")" ]
	[ "$(find "$VMAIL" -path '*/cur/777*' | wc -l)" -eq $((18 * 600)) ]
}
