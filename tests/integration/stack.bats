#!/usr/bin/env bats
# The real servers accept what mailadm writes: Postfix, courier-authlib
# (authdaemond + authmysql), Cyrus SASL through authdaemond, maildrop,
# courier-imap and courier-pop, all configured by "mailadm config" and
# fed only by mailadm commands.  Run by tests/integration/run.sh (private
# mount namespace; loopback only).
bats_require_minimum_version 1.5.0
. "$BATS_TEST_DIRNAME/stack.sh"

# Each scheme mailadm makes that courier-authlib verifies.
SCHEMES="SHA512-CRYPT SHA256-CRYPT BLF-CRYPT YESCRYPT SSHA"

setup_file() {
	# Not under bats' own temporary directory: the server accounts
	# (mysql, postfix, the vmail user) must be able to traverse it.
	STACK_TOP=$(mktemp -d /tmp/mailadm-stack.XXXXXX) || return 1
	export STACK_TOP
	stack_start "$STACK_TOP" || return 1
	{
		ma_stack domain add example.test &&
		ma_stack domain add alias.test &&
		ma_stack domain alias add alias.test example.test &&
		ma_stack domain add plain.test &&
		ma_stack domain add secure.test --require-auth &&
		for s in $SCHEMES; do
			ma_stack user add "$(user_of "$s")" --scheme "$s" \
				--password-stdin <<<"$(pw_of "$s")" || return 1
		done &&
		ma_stack user add alice@example.test --password-stdin <<<alice-Pw.1 &&
		ma_stack user add bob@example.test --password-stdin <<<bob-Pw.1 &&
		ma_stack alias add info@example.test alice@example.test &&
		ma_stack alias add @example.test bob@example.test &&
		ma_stack user add carol@secure.test --password-stdin <<<carol-Pw.1 &&
		ma_stack user add dave@secure.test --password-stdin <<<dave-Pw.1 &&
		for u in off gone chg; do
			ma_stack user add "$u@plain.test" --password-stdin \
				<<<"$u-Pw.1" || return 1
		done
	} 2>"$STACK_TOP/accounts.err" || {
		cat "$STACK_TOP/accounts.err" >&2
		return 1
	}
}

teardown_file() {
	stack_stop
	rm -rf "${STACK_TOP:?}"
}

user_of() { echo "u-$(tr 'A-Z' 'a-z' <<<"$1")@example.test"; }
pw_of() { echo "Pw-$1.1"; }

# Debian's python3 (scripts/install-deps.sh), not a shim in PATH.
probe() { /usr/bin/python3 "$BATS_TEST_DIRNAME/mailprobe.py" "$@"; }

# bg NAME PASSWORD PROBE-ARGS…: run a probe in the background (Courier
# delays each failed login by about 5 s); its answer goes to NAME.
bg() {
	local name=$1 pw=$2
	shift 2
	probe "$@" <<<"$pw" >"$BATS_TEST_TMPDIR/$name" 2>&1 &
}

# want NAME ANSWER: after wait, the probe NAME answered ANSWER.
want() {
	local got
	got=$(cat "$BATS_TEST_TMPDIR/$1")
	[ "$got" = "$2" ] || {
		echo "$1: got '$got', want '$2'"
		return 1
	}
}

# LOGIN_ARGS = the probe's words for USER logging in through KIND
# (plain, login: SMTP AUTH; imap; pop3).
login_args() { # KIND USER
	case $1 in
	plain) LOGIN_ARGS=(smtp-auth "$STACK_SMTP" PLAIN "$2") ;;
	login) LOGIN_ARGS=(smtp-auth "$STACK_SMTP" LOGIN "$2") ;;
	imap) LOGIN_ARGS=(imap "$STACK_IMAP" "$2") ;;
	pop3) LOGIN_ARGS=(pop3 "$STACK_POP3" "$2") ;;
	esac
}

# logins right|wrong KIND1 WANT1 KIND2 WANT2: every scheme's user logs in
# through KIND1 and KIND2, all at once, with its password or a wrong one
# (an x after it for KIND1, before it for KIND2); each answers its WANT.
logins() {
	local how=$1 s pw1 pw2
	for s in $SCHEMES; do
		pw1=$(pw_of "$s") pw2=$(pw_of "$s")
		if [ "$how" = wrong ]; then pw1+=x pw2=x$pw2; fi
		login_args "$2" "$(user_of "$s")"
		bg "$2-$s" "$pw1" "${LOGIN_ARGS[@]}"
		login_args "$4" "$(user_of "$s")"
		bg "$4-$s" "$pw2" "${LOGIN_ARGS[@]}"
	done
	wait
	for s in $SCHEMES; do
		want "$2-$s" "$3"
		want "$4-$s" "$5"
	done
}

# Wait (at most 10 s) for a message with header X-Probe: TAG in the new/
# directory of the Maildir of ADDRESS (local@domain).
delivered() {
	local dir=$STACK_VMAIL/${2#*@}/${2%@*}/new n=100
	while [ $n -gt 0 ]; do
		grep -qlx "X-Probe: $1" "$dir"/* 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "no message tagged $1 in $dir"
	tail -n 20 "$STACK_PF/log/maillog"
	return 1
}

@test "postmap and postconf read the tables written by mailadm config postfix" {
	local sql=$STACK_PF/sql
	q() { postmap -c "$STACK_PF" -q "$1" "mysql:$sql/mysql_$2.cf"; }
	[ "$(q example.test virtual_domains_maps)" = example.test ]
	[ "$(q alice@example.test virtual_mailbox_maps)" = example.test/alice/ ]
	[ "$(q alice@alias.test virtual_alias_domain_mailbox_maps)" = example.test/alice/ ]
	[ "$(q info@example.test virtual_alias_maps)" = alice@example.test ]
	[ "$(q alice@alias.test virtual_alias_domain_maps)" = alice@example.test ]
	[ "$(q nobody@alias.test virtual_alias_domain_catchall_maps)" = bob@example.test ]
	[ "$(q carol@secure.test sender_login_maps)" = carol@secure.test ]
	[ "$(q @secure.test sender_login_maps)" = @secure.test ]
	# Not a --require-auth domain: no owner, anyone may use it.
	run -1 q alice@example.test sender_login_maps
	run -1 q example.test relay_domains
	run -1 q example.test transport_maps
	# Every map is readable by the group postfix only.
	[ "$(stat -c '%a %G' "$sql"/*.cf | sort -u)" = "640 postfix" ]
	run --separate-stderr postconf -c "$STACK_PF" -n
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "SMTP AUTH PLAIN and LOGIN accept the password of every scheme" {
	logins right plain 235 login 235
}

@test "SMTP AUTH PLAIN and LOGIN refuse a wrong password (535)" {
	logins wrong plain 535 login 535
}

@test "relaying needs SMTP AUTH" {
	bg anon "" send "$STACK_SMTP" alice@example.test someone@elsewhere.example
	bg auth alice-Pw.1 send "$STACK_SMTP" alice@example.test someone@elsewhere.example alice@example.test
	wait
	want anon "250 554"
	want auth "250 250 250"
}

@test "IMAP and POP3 logins accept the password of every scheme" {
	logins right imap OK pop3 +OK
}

@test "IMAP and POP3 logins refuse a wrong password" {
	logins wrong imap NO pop3 -ERR
}

@test "mail to a mailbox, an alias, a catch-all and an alias domain lands in the right Maildir" {
	local t=$BATS_TEST_NUMBER.$$
	TAG=box-$t bg box "" send "$STACK_SMTP" x@elsewhere.example alice@example.test
	TAG=alias-$t bg alias "" send "$STACK_SMTP" x@elsewhere.example info@example.test
	TAG=catchall-$t bg catchall "" send "$STACK_SMTP" x@elsewhere.example nobody@example.test
	TAG=aliasdom-$t bg aliasdom "" send "$STACK_SMTP" x@elsewhere.example alice@alias.test
	wait
	for n in box alias catchall aliasdom; do
		want "$n" "250 250 250"
	done
	delivered "box-$t" alice@example.test
	delivered "alias-$t" alice@example.test
	delivered "catchall-$t" bob@example.test
	delivered "aliasdom-$t" alice@example.test
	# The catch-all took only what no mailbox or alias claimed.
	run ! grep -rlx "X-Probe: catchall-$t" "$STACK_VMAIL/example.test/alice"
	run ! grep -rlx "X-Probe: box-$t" "$STACK_VMAIL/example.test/bob"
}

@test "a disabled user can neither log in nor receive mail" {
	bg before off-Pw.1 smtp-auth "$STACK_SMTP" PLAIN off@plain.test
	wait
	want before 235
	ma_stack user disable off@plain.test
	bg smtp off-Pw.1 smtp-auth "$STACK_SMTP" PLAIN off@plain.test
	bg imap off-Pw.1 imap "$STACK_IMAP" off@plain.test
	bg pop3 off-Pw.1 pop3 "$STACK_POP3" off@plain.test
	bg rcpt "" send "$STACK_SMTP" x@elsewhere.example off@plain.test
	wait
	want smtp 535
	want imap NO
	want pop3 -ERR
	want rcpt "250 550"
}

@test "a deleted user is refused at RCPT" {
	local t=$BATS_TEST_NUMBER.$$
	TAG=gone-$t bg before "" send "$STACK_SMTP" x@elsewhere.example gone@plain.test
	wait
	want before "250 250 250"
	delivered "gone-$t" gone@plain.test
	ma_stack user del gone@plain.test
	bg after "" send "$STACK_SMTP" x@elsewhere.example gone@plain.test
	bg login gone-Pw.1 smtp-auth "$STACK_SMTP" PLAIN gone@plain.test
	wait
	want after "250 550"
	want login 535
}

@test "user passwd takes effect at once" {
	bg before chg-Pw.1 smtp-auth "$STACK_SMTP" PLAIN chg@plain.test
	wait
	want before 235
	ma_stack user passwd chg@plain.test --password-stdin <<<chg-New.2
	bg old chg-Pw.1 smtp-auth "$STACK_SMTP" PLAIN chg@plain.test
	bg new chg-New.2 smtp-auth "$STACK_SMTP" LOGIN chg@plain.test
	bg imap chg-New.2 imap "$STACK_IMAP" chg@plain.test
	bg imap-old chg-Pw.1 imap "$STACK_IMAP" chg@plain.test
	wait
	want old 535
	want new 235
	want imap OK
	want imap-old NO
}

@test "a --require-auth domain: no one sends as its addresses without logging in" {
	bg known "" send "$STACK_SMTP" carol@secure.test alice@example.test
	bg unknown "" send "$STACK_SMTP" nobody@secure.test alice@example.test
	# Other domains are not bound to logins.
	bg other "" send "$STACK_SMTP" bob@example.test alice@example.test
	wait
	want known "250 553"
	want unknown "250 553"
	want other "250 250 250"
}

@test "a --require-auth domain: a user cannot send as another user" {
	bg other dave-Pw.1 send "$STACK_SMTP" carol@secure.test alice@example.test dave@secure.test
	bg self carol-Pw.1 send "$STACK_SMTP" carol@secure.test alice@example.test carol@secure.test
	wait
	want other "250 553"
	want self "250 250 250"
}
