#!/usr/bin/env bats
# mailadm quota policy: the Postfix SMTPD policy service, fed requests on
# stdin as spawn(8) would pass them from Postfix.
load helper

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	ma domain add example.com
	ma domain add example.net
	ma domain add alias.example
	ma domain alias add alias.example example.com
	ma user add full@example.com --quota 10K --random-password >/dev/null
	ma user add some@example.com --quota 10K --random-password >/dev/null
	ma user add free@example.com --random-password >/dev/null
	ma user add off@example.com --quota 10K --inactive --random-password >/dev/null
	used full 10240
	used some 4000
	used off 99999
}
teardown() { teardown_db; }

# used LOCAL BYTES: a message of BYTES in example.com/LOCAL, and its usage
# line in maildirsize, as a delivery agent leaves them.
used() {
	local d=$VMAIL/example.com/$1
	head -c "$2" /dev/zero >"$d/new/$RANDOM$RANDOM.M1P1.h,S=$2"
	printf '%12d %12d\n' "$2" 1 >>"$d/maildirsize"
}

# req RECIPIENT [SIZE [STATE]]: one request as Postfix writes it.
req() {
	printf 'request=smtpd_access_policy\nprotocol_state=%s\nprotocol_name=ESMTP\nclient_address=192.0.2.1\nclient_name=mx.example.org\nhelo_name=mx.example.org\nsender=a@example.org\nrecipient=%s\nrecipient_count=0\nqueue_id=\nsize=%s\nsasl_method=\n\n' \
	    "${3:-RCPT}" "$1" "${2:-0}"
}

full() { printf 'action=552 5.2.2 <%s>: mailbox full\n\n' "$1"; }
dunno() { printf 'action=DUNNO\n\n'; }

policy() { run --separate-stderr ma quota policy; }

@test "at RCPT: a full mailbox is refused, the others get DUNNO" {
	policy < <(req full@example.com; req some@example.com 100; req free@example.com 99999999;
	    req nobody@example.com; req someone@elsewhere.org; req off@example.com)
	[ "$status" -eq 0 ]
	[ "$output" = "$(full full@example.com; dunno; dunno; dunno; dunno; dunno)" ]
	[ -z "$stderr" ]
}

@test "the announced size counts: usage + size over the quota is refused" {
	policy < <(req some@example.com 6240; req some@example.com 6241;
	    req some@example.com 6241 MAIL; req some@example.com 6241 END-OF-MESSAGE;
	    req some@example.com 6241 DATA)
	[ "$output" = "$(dunno; full some@example.com; dunno; full some@example.com; dunno)" ]
}

@test "recipients are matched as Postfix would: case, alias domains" {
	policy < <(req Full@EXAMPLE.com; req full@alias.example; req '<full@example.com>'; req '')
	[ "$output" = "$(full full@example.com; full full@example.com; dunno; dunno)" ]
}

@test "the usage is read as Courier reads it: a bad maildirsize is counted" {
	# The file says full, but in several lines: counted again, as the
	# delivery agent would, and the line was wrong.
	printf '%12d %12d\n' 6241 1 >>"$VMAIL/example.com/some/maildirsize"
	policy < <(req some@example.com 10)
	[ "$output" = "$(dunno)" ]
	[ "$(cat "$VMAIL/example.com/some/maildirsize")" = "$(printf '10240S\n%12d %12d' 4000 1)" ]
	printf 'junk' >"$VMAIL/example.com/some/maildirsize"
	head -c 10240 /dev/zero >"$VMAIL/example.com/some/new/1.M1P1.h,S=10240"
	policy < <(req some@example.com)
	[ "$output" = "$(full some@example.com)" ]
	rm -r "$VMAIL/example.com/some"
	policy < <(req some@example.com)
	[ "$output" = "$(dunno)" ]
}

@test "many requests on one connection" {
	local i
	policy < <(for ((i = 0; i < 500; i++)); do req full@example.com; req some@example.com; done)
	[ "$status" -eq 0 ]
	[ "$(grep -c '^action=552 5.2.2 <full@example.com>: mailbox full$' <<<"$output")" -eq 500 ]
	[ "$output" = "$(for ((i = 0; i < 500; i++)); do full full@example.com; dunno; done)" ]
}

@test "malformed requests get DUNNO and a log line, and the next one is answered" {
	local long
	long=$(head -c 20000 /dev/zero | tr '\0' a)
	policy < <(printf 'garbage\n\n'; printf 'protocol_state=RCPT\nrecipient=full@example.com\n\n';
	    printf 'request=other\nrecipient=full@example.com\n\n'; printf '\n';
	    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=full@example.com\nsize=12x\n\n';
	    printf 'request=smtpd_access_policy\nrecipient=%s\n\n' "$long";
	    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=full@exa\0mple.com\n\n';
	    printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsize=99999999999999999999\n\n';
	    req full@example.com)
	[ "$status" -eq 0 ]
	[ "$output" = "$(for i in 1 2 3 4 5 6 7 8; do dunno; done; full full@example.com)" ]
	[ "${#stderr_lines[@]}" -eq 8 ]
	[ "${stderr_lines[0]}" = "mailadm: quota policy: malformed request: a line that is not name=value" ]
	[ "${stderr_lines[1]}" = "mailadm: quota policy: malformed request: no request=smtpd_access_policy" ]
	[ "${stderr_lines[2]}" = "mailadm: quota policy: malformed request: request= is not smtpd_access_policy" ]
	[ "${stderr_lines[3]}" = "mailadm: quota policy: malformed request: an empty request" ]
	[ "${stderr_lines[4]}" = "mailadm: quota policy: malformed request: size= is not a whole number of bytes" ]
	[ "${stderr_lines[5]}" = "mailadm: quota policy: malformed request: a line longer than 8192 bytes" ]
	[ "${stderr_lines[6]}" = "mailadm: quota policy: malformed request: a NUL byte in a line" ]
	[ "${stderr_lines[7]}" = "mailadm: quota policy: malformed request: size= is not a whole number of bytes" ]
}

@test "garbage, a cut request, an endless line: no crash, no hang" {
	run --separate-stderr timeout 20 "$MAILADM_BIN" -c "$CFG" quota policy \
	    < <(head -c 3000000 /dev/urandom)
	[ "$status" -eq 0 ]
	[ -z "$output" ] || [[ $output == action=DUNNO* ]]
	policy < <(req full@example.com; printf 'request=smtpd_access_policy\nrecip')
	[ "$status" -eq 0 ]
	[ "$output" = "$(full full@example.com)" ]
	[ "$stderr" = "mailadm: quota policy: connection closed in the middle of a request" ]
	run --separate-stderr timeout 20 "$MAILADM_BIN" -c "$CFG" quota policy \
	    < <(head -c 5000000 /dev/zero | tr '\0' r)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	policy </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
}

@test "the database out of reach: DEFER_IF_PERMIT, and a log line" {
	run --separate-stderr ma --db "mysql://root@localhost/none?socket=$BATS_TEST_TMPDIR/no.sock" \
	    quota policy < <(req full@example.com; req nobody@example.com)
	[ "$status" -eq 0 ]
	[ "$output" = "$(for i in 1 2; do printf 'action=DEFER_IF_PERMIT 4.3.0 mailbox quota service unavailable, try again later\n\n'; done)" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "mailadm: quota policy: full@example.com: cannot connect to database"* ]]
	run --separate-stderr ma --db "sqlite:$BATS_TEST_TMPDIR/none.db" quota policy < <(req full@example.com)
	[[ $output == "action=DEFER_IF_PERMIT "* ]]
	# A request it need not look up does not need the database.
	run --separate-stderr ma --db "sqlite:$BATS_TEST_TMPDIR/none.db" quota policy < <(req full@example.com 0 CONNECT)
	[ "$output" = "$(dunno)" ]
}

@test "under spawn(8) stderr is the connection: no log line reaches Postfix" {
	run python3 - "$MAILADM_BIN" "$CFG" <<-'EOF'
	import socket, subprocess, sys
	ours, theirs = socket.socketpair()
	p = subprocess.Popen([sys.argv[1], "-c", sys.argv[2], "quota", "policy"],
	                     stdin=theirs, stdout=theirs, stderr=theirs)
	theirs.close()
	ours.sendall(b"garbage\n\nrequest=smtpd_access_policy\nprotocol_state=RCPT\n"
	             b"recipient=full@example.com\n\n")
	ours.shutdown(socket.SHUT_WR)
	data = b""
	while True:
	    chunk = ours.recv(4096)
	    if not chunk:
	        break
	    data += chunk
	p.wait(timeout=20)
	sys.stdout.write(data.decode())
	sys.exit(p.returncode)
	EOF
	[ "$status" -eq 0 ]
	[ "$output" = "$(dunno; full full@example.com)" ]
}
