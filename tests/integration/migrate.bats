#!/usr/bin/env bats
# After "mailadm migrate run --maildirs", the real servers take over the
# legacy accounts: users log in over IMAP and POP3 with their legacy
# passwords (MD5-crypt and DES kept as they were, cleartext hashed) and
# see their messages under the UIDs, UIDVALIDITY and POP3 UIDLs the old
# server gave them.  Run by tests/integration/run.sh (private mount
# namespace; loopback only).
bats_require_minimum_version 1.5.0
. "$BATS_TEST_DIRNAME/stack.sh"

FIX=$BATS_TEST_DIRNAME/../fixtures/legacy/postfixadmin-2.1

setup_file() {
	# Not under bats' own temporary directory: the server accounts must
	# be able to traverse it.
	STACK_TOP=$(mktemp -d /tmp/mailadm-migrate.XXXXXX) || return 1
	export STACK_TOP OLD=$STACK_TOP/old
	stack_start "$STACK_TOP" || return 1
	tar -xzf "$FIX/maildirs.tar.gz" -C "$STACK_TOP" &&
		mv "$STACK_TOP/maildirs" "$OLD" || return 1
	ma_stack -q migrate run "$FIX/dump.sql" --preset postfixadmin-2 \
		--maildirs "$OLD" --report "$STACK_TOP/report.json" \
		2>"$STACK_TOP/migrate.err" || {
		cat "$STACK_TOP/migrate.err" >&2
		return 1
	}
	# Courier-IMAP 5 keeps folder names in UTF-8 on disk, where 4.0.6
	# wrote IMAP's modified UTF-7: its own tool renames the folders (and
	# courierimapsubscribed), the upgrade step Courier requires.
	local d
	for d in "$STACK_VMAIL"/*/*/; do
		maildirmake.courier --convutf8 "$d" "$d/.mailfilter" \
			>>"$STACK_TOP/convutf8.log" || return 1
	done
}

teardown_file() {
	stack_stop
	rm -rf "${STACK_TOP:?}"
}

# Debian's python3 (scripts/install-deps.sh), not a shim in PATH.
probe() { /usr/bin/python3 "$BATS_TEST_DIRNAME/mailprobe.py" "$@"; }

# legacy_uids DIR: what the old server's courierimapuiddb of the Maildir
# DIR says: "UIDVALIDITY N", then "UID MESSAGE-ID" for each message it
# lists, and NEXTUID last ("next N").
legacy_uids() {
	/usr/bin/python3 - "$1" <<'EOF'
import email.parser, os, sys
d = sys.argv[1]
lines = open(os.path.join(d, "courierimapuiddb")).read().splitlines()
_, uidv, nextuid = lines[0].split()
names = {n.split(":2,")[0]: n for n in os.listdir(os.path.join(d, "cur"))}
print("UIDVALIDITY", uidv)
for line in lines[1:]:
    uid, base = line.split(" ", 1)
    with open(os.path.join(d, "cur", names[base]), "rb") as f:
        h = email.parser.BytesHeaderParser().parse(f)
    print(uid, (h.get("Message-ID") or "-").strip())
print("next", nextuid)
EOF
}

# legacy_uidls DIR: "UIDL MESSAGE-ID" for each message the old POP3
# server's courierpop3dsizelist lists ("NAME SIZE UID:UIDV"; Courier's
# pop3d shows that as the UIDL "UID<uid>-<uidv>"), then "next NEXTUID".
legacy_uidls() {
	/usr/bin/python3 - "$1" <<'EOF'
import email.parser, os, sys
d = sys.argv[1]
lines = open(os.path.join(d, "courierpop3dsizelist")).read().splitlines()
for line in lines[1:]:
    name, _, uid = line.rsplit(" ", 2)
    uid, uidv = uid.split(":")
    for sub in ("cur", "new"):
        p = os.path.join(d, sub, name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                h = email.parser.BytesHeaderParser().parse(f)
            print("UID%s-%s" % (uid, uidv), (h.get("Message-ID") or "-").strip())
print("next", lines[0].split()[1])
EOF
}

@test "the migration copied the Maildirs, owned by the vmail account" {
	[ -d "$STACK_VMAIL/hotel-robert.com/didier/cur" ]
	[ -d "$STACK_VMAIL/clement-thionville.fr/jean-claude.barbier/cur" ]
	[ -z "$(find "$STACK_VMAIL" -mindepth 1 ! -user "$STACK_VMAIL_USER")" ]
}

@test "IMAP: an MD5-crypt legacy password; the legacy UIDVALIDITY and UIDs" {
	d=$OLD/clement-thionville.fr/jean-claude.barbier
	want=$(legacy_uids "$d")
	run -0 probe imap-uids "$STACK_IMAP" jean-claude.barbier@clement-thionville.fr \
		<<<mirabelle2005
	[ "$output" = "$(sed '$d' <<<"$want")" ] || {
		echo "want:"; echo "$want"; echo "got:"; echo "$output"; return 1; }
	[ "${#lines[@]}" -eq 7 ]
}

@test "IMAP: a DES-crypt legacy password; old UIDs kept, the new message after NEXTUID" {
	d=$OLD/HOTEL-ROBERT.COM/didier
	want=$(legacy_uids "$d")
	next=$(sed -n '$s/^next //p' <<<"$want")
	run -0 probe imap-uids "$STACK_IMAP" didier@hotel-robert.com <<<skvX3Dfz
	# The messages the old server had numbered come first, as they were.
	n=$(($(wc -l <<<"$want") - 1))
	[ "$(head -n "$n" <<<"$output")" = "$(sed '$d' <<<"$want")" ] || {
		echo "want:"; echo "$want"; echo "got:"; echo "$output"; return 1; }
	# The one in new/ (never seen by an IMAP client) gets NEXTUID.
	[ "${#lines[@]}" -eq $((n + 1)) ]
	[ "${lines[n]%% *}" -ge "$next" ]
}

@test "IMAP: folders with accented names keep their UIDVALIDITY and UIDs" {
	for box in HOTEL-ROBERT.COM/direction2:direction2@hotel-robert.com:0000 \
	    clement-thionville.fr/secretariat.vandoeuvre:secretariat.vandoeuvre@clement-thionville.fr:XzZYkcam; do
		IFS=: read -r dir user pw <<<"$box"
		for f in '.&AMk-l&AOk-ments envoy&AOk-s' '.&AMk-l&AOk-ments supprim&AOk-s'; do
			want=$(legacy_uids "$OLD/$dir/$f")
			run -0 probe imap-uids "$STACK_IMAP" "$user" "INBOX$f" <<<"$pw"
			[ "$output" = "$(sed '$d' <<<"$want")" ] || {
				echo "$user $f"; echo "want:"; echo "$want"
				echo "got:"; echo "$output"; return 1; }
			[ "${#lines[@]}" -ge 2 ]
		done
	done
}

@test "POP3: a legacy password with quotes and a backslash; the legacy UIDLs" {
	d=$OLD/clement-thionville.fr/l.dupont
	want=$(legacy_uidls "$d")
	next=$(sed -n '$s/^next //p' <<<"$want")
	[ "$(wc -l <<<"$want")" -eq 11 ]
	run -0 probe pop3-uidl "$STACK_POP3" l.dupont@clement-thionville.fr \
		<<<"l'ami\\2009\""
	[ "$(head -n 10 <<<"$output")" = "$(sed '$d' <<<"$want")" ] || {
		echo "want:"; echo "$want"; echo "got:"; echo "$output"; return 1; }
	# The message delivered after the last POP3 session gets NEXTUID.
	[ "${#lines[@]}" -eq 11 ]
	[[ ${lines[10]} == "UID$next-"* ]]
}

@test "IMAP and POP3: a cleartext legacy password, hashed on import, still logs in" {
	run -0 probe imap "$STACK_IMAP" contact@hotel-robert.com <<<caramel2009
	[ "$output" = OK ]
	run -0 probe pop3 "$STACK_POP3" contact@hotel-robert.com <<<caramel2009
	[ "$output" = +OK ]
}
