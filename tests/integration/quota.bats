#!/usr/bin/env bats
# Quotas on the real stack, set only by mailadm: maildrop gets them from
# courier-authlib, "mailadm quota warn" warns once, "mailadm quota policy"
# makes Postfix refuse mail for a full mailbox at RCPT, mail accepted for
# one bounces at once, and "mailadm quota report" reads what maildrop
# wrote.  Run by tests/integration/run.sh (private mount namespace;
# loopback only).
bats_require_minimum_version 1.5.0
. "$BATS_TEST_DIRNAME/stack.sh"

# Bounces for the probes' mail come back to this mailbox (no quota).
SENDER=sender@q.test

setup_file() {
	STACK_TOP=$(mktemp -d /tmp/mailadm-quota.XXXXXX) || return 1
	export STACK_TOP
	STACK_QUOTA=1 stack_start "$STACK_TOP" || return 1
	{
		ma_stack domain add q.test &&
		ma_stack user add "$SENDER" --random-password &&
		ma_stack user add box@q.test --quota 10K --random-password &&
		ma_stack user add warn@q.test --quota 40K --random-password &&
		ma_stack user add full@q.test --quota 100K --random-password &&
		ma_stack user add room@q.test --quota 1M --random-password &&
		ma_stack user add over@q.test --quota 100K --random-password &&
		ma_stack alias add list@q.test over@q.test &&
		ma_stack user add zero@q.test --quota 4K --random-password
	} >/dev/null 2>"$STACK_TOP/accounts.err" || {
		cat "$STACK_TOP/accounts.err" >&2
		return 1
	}
}

teardown_file() {
	stack_stop
	rm -rf "${STACK_TOP:?}"
}

# Debian's python3 (scripts/install-deps.sh), not a shim in PATH.
probe() { /usr/bin/python3 "$BATS_TEST_DIRNAME/mailprobe.py" "$@"; }

# accepted TAG RCPT [BODY-BYTES]: mail from $SENDER that Postfix accepts
# (reply codes "250 250 250").
accepted() {
	local got
	got=$(TAG=$1 BODY=${3:-0} probe send "$STACK_SMTP" "$SENDER" "$2")
	[ "$got" = "250 250 250" ] || {
		echo "mail $1 to $2: got '$got'"
		return 1
	}
}

md() { echo "$STACK_VMAIL/q.test/${1%@*}"; }

# tagged TAG ADDRESS: the messages in new/ of ADDRESS with X-Probe: TAG.
tagged() { grep -lx "X-Probe: $1" "$(md "$2")"/new/* 2>/dev/null; }

# await CMD...: CMD succeeds within 10 s (polled every 0.1 s).
await() {
	local n=100
	until "$@" >/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || {
			echo "timed out: $*"
			tail -n 20 "$STACK_PF/log/maillog"
			return 1
		}
		sleep 0.1
	done
}

# bounced TAG: the DSN for the probe TAG (status 5.2.2) is in $SENDER's
# Maildir: the delivery was tried and refused for good.
bounced() {
	local f
	f=$(tagged "$1" "$SENDER") && grep -l '^Status: 5\.2\.2' "$f"
}

# The usage maildirsize of ADDRESS says: "bytes messages".
mds_usage() {
	awk 'NR > 1 { b += $1; c += $2 } END { print b + 0, c + 0 }' \
		"$(md "$1")/maildirsize"
}

# usage_in JSON ADDRESS: "quota bytes messages" of ADDRESS in the JSON of
# quota show or quota report.
usage_in() {
	/usr/bin/python3 - "$1" "$2" <<-'EOF'
		import json, sys
		d = json.loads(sys.argv[1])
		for r in d if isinstance(d, list) else [d]:
		    if r["address"] == sys.argv[2]:
		        print(r["quota"], r["used"], r["messages"])
	EOF
}

@test "maildrop takes the quota mailadm set from courier-authlib and refuses mail over it" {
	# Without maildirsize, maildrop only knows the quota authlib gives.
	rm "$(md box)/maildirsize"
	run authtest box@q.test
	[[ "$output" == *"Quota: 10240S"* ]]
	accepted small box@q.test 2000
	await tagged small box@q.test
	[ "$(head -n 1 "$(md box)/maildirsize")" = 10240S ]
	read -r bytes count < <(mds_usage box@q.test)
	[ "$count" -eq 1 ] && [ "$bytes" -gt 2000 ]
	# Room for it at RCPT (no SIZE announced), none at delivery.
	accepted big box@q.test 9000
	await bounced big
	run ! tagged big box@q.test
	[ "$(mds_usage box@q.test)" = "$bytes $count" ]
}

@test "quota warn: one complete warning per crossing of 80 %" {
	local warnings
	accepted first warn@q.test 34000
	await tagged first warn@q.test
	run ma_stack quota warn
	[ "$status" -eq 0 ] && grep -qx warn@q.test <<<"$output"
	warnings=$(grep -Lx 'X-Probe: .*' "$(md warn)"/new/*)
	[ -n "$warnings" ] && [ "$(wc -l <<<"$warnings")" -eq 1 ]
	# A complete RFC 5322 message, as a mail client reads it.
	/usr/bin/python3 - "$warnings" <<-'EOF'
		import email, email.policy, sys
		m = email.message_from_binary_file(open(sys.argv[1], "rb"),
		                                   policy=email.policy.default)
		for h in ("From", "To", "Subject", "Date", "Message-ID"):
		    assert m[h], h
		assert "warn@q.test" in m["To"], m["To"]
		assert not m.defects, m.defects
		assert m.get_content().strip()
	EOF
	run ma_stack quota warn
	[ "$status" -eq 0 ] && ! grep -qx warn@q.test <<<"$output"
	# Still over 80 % after another delivery: no new warning.
	accepted second warn@q.test 500
	await tagged second warn@q.test
	run ma_stack quota warn
	[ "$status" -eq 0 ] && ! grep -qx warn@q.test <<<"$output"
	[ "$(grep -Lx 'X-Probe: .*' "$(md warn)"/new/*)" = "$warnings" ]
}

@test "the policy service makes Postfix refuse a full mailbox at RCPT, with 552 5.2.2" {
	accepted fill full@q.test 3000
	await tagged fill full@q.test
	ma_stack quota set full@q.test 1K
	# smtpd puts "<address>: Recipient address rejected:" before the
	# text of a policy service's reply.
	[ "$(probe rcpt "$STACK_SMTP" "$SENDER" full@q.test)" = \
		"552 5.2.2 <full@q.test>: Recipient address rejected: <full@q.test>: mailbox full" ]
	# An announced size that would not fit, and one that would.
	[ "$(SIZE=2000000 probe rcpt "$STACK_SMTP" "$SENDER" room@q.test)" = \
		"552 5.2.2 <room@q.test>: Recipient address rejected: <room@q.test>: mailbox full" ]
	[ "$(SIZE=2000 probe rcpt "$STACK_SMTP" "$SENDER" room@q.test)" = \
		"250 2.1.5 Ok" ]
	SIZE=2000 accepted fits room@q.test 1000
	await tagged fits room@q.test
	# Unknown recipients are still Postfix's to refuse.
	[ "$(probe rcpt "$STACK_SMTP" "$SENDER" nobody@q.test | cut -c1-9)" = \
		"550 5.1.1" ]
}

@test "mail accepted for a full mailbox bounces at once to the sender's mailbox" {
	accepted fill over@q.test 3000
	await tagged fill over@q.test
	ma_stack quota set over@q.test 2K
	# Through an alias the policy service does not refuse: accepted.
	accepted lost list@q.test 100
	await bounced lost
	run ! tagged lost over@q.test
	run grep -lx 'Action: failed' "$(bounced lost)"
	[ "$status" -eq 0 ]
	grep -q '^From: Mail Delivery System <MAILER-DAEMON@' "$output"
	grep -qx 'Final-Recipient: rfc822; over@q.test' "$output"
	grep -qx 'Diagnostic-Code: x-unix; <over@q.test>: mailbox full' "$output"
	# Nothing waits in the queue.
	[ "$(postqueue -c "$STACK_PF" -p)" = "Mail queue is empty" ]
}

@test "quota report agrees with the maildirsize maildrop wrote" {
	local a report
	declare -A wrote
	# Read before the report, which may count the messages again.
	for a in box warn full room over; do
		wrote[$a]=$(mds_usage "$a@q.test")
	done
	report=$(ma_stack --json quota report q.test)
	for a in box warn full room over; do
		run usage_in "$report" "$a@q.test"
		[ "${output#* }" = "${wrote[$a]}" ] || {
			echo "$a: report '$output', maildirsize '${wrote[$a]}'"
			return 1
		}
	done
	[ "$(usage_in "$report" box@q.test | cut -d' ' -f1)" = 10240 ]
}

@test "quota 0: no limit for maildrop either, and maildirsize keeps 0S" {
	accepted before zero@q.test 3000
	await tagged before zero@q.test
	ma_stack quota set zero@q.test 0
	[ "$(head -n 1 "$(md zero)/maildirsize")" = 0S ]
	run authtest zero@q.test
	[[ "$output" == *"Quota: 0S"* ]]
	# Over the old 4K limit.
	accepted after zero@q.test 6000
	await tagged after zero@q.test
	[ "$(head -n 1 "$(md zero)/maildirsize")" = 0S ]
	[ "$(usage_in "$(ma_stack --json quota show zero@q.test)" zero@q.test)" = \
		"0 $(mds_usage zero@q.test)" ]
	[ "$(SIZE=5000000 probe rcpt "$STACK_SMTP" "$SENDER" zero@q.test)" = \
		"250 2.1.5 Ok" ]
}
