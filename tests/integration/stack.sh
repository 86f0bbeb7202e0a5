# shellcheck shell=bash
# A real mail stack on loopback, fed only by mailadm: Postfix (private
# config, queue and data directories), courier-authlib's authdaemond with
# authmysql, Cyrus SASL for smtpd through authdaemond, maildrop as the
# virtual transport, courier-imap and courier-pop.  Source this file
# inside a private mount namespace (tests/integration/run.sh does it):
# authdaemond's fixed paths, /etc/courier and /run/courier, are private
# directories bind-mounted over the host's, so nothing of the host
# changes, even on a live mail server.
#
#   stack_start DIR    start everything under DIR; exports STACK_* below
#   stack_stop         stop every process it started, by PID
#
# Exported: STACK_DIR, STACK_SMTP, STACK_IMAP, STACK_POP3 (ports),
# STACK_VMAIL, STACK_CONF (mailadm's config), STACK_PF (Postfix's config
# directory), STACK_DB and STACK_DBUSER (the database and the servers'
# SELECT-only account on it, both dropped by stack_stop).
#
# It uses the MariaDB server at $MARIADB_SOCKET when there is one (the
# one tests/run-all.sh started), else starts its own under DIR.

_stack_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib/mariadb.sh
. "$_stack_top/tests/lib/mariadb.sh"

# Mailboxes belong to this existing unprivileged account: no vmail user
# is added to the host.
STACK_VMAIL_USER=nobody

_stack_err() { printf 'stack.sh: %s\n' "$*" >&2; }

# A free port on 127.0.0.1 (the servers bind only there).
_stack_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# Wait until something listens on 127.0.0.1:$1 (at most 10 s).
_stack_listening() {
	local n=100
	while [ $n -gt 0 ]; do
		ss -Hltn "src 127.0.0.1 and sport = :$1" | grep -q . && return 0
		sleep 0.1
		n=$((n - 1))
	done
	_stack_err "nothing listens on 127.0.0.1:$1"
	return 1
}

ma_stack() { "$_stack_top/mailadm" -c "$STACK_CONF" "$@"; }

_stack_db() {
	local S=$1 sock
	if [ -S "${MARIADB_SOCKET:-}" ]; then
		sock=$MARIADB_SOCKET
	else
		mkdir -p "$S/mariadb" && mariadb_start "$S/mariadb" || return 1
		sock=$MARIADB_SOCKET
		echo "$S/mariadb" >"$S/own-mariadb"
	fi
	STACK_DB=mailstack_$$
	STACK_DBUSER=mailserver_$$
	# The servers read with a SELECT-only account, as in production.
	mariadb --no-defaults -S "$sock" -uroot <<-EOF || return 1
		CREATE DATABASE $STACK_DB;
		CREATE USER '$STACK_DBUSER'@'localhost' IDENTIFIED BY 'srv-Pw.1';
		GRANT SELECT ON $STACK_DB.* TO '$STACK_DBUSER'@'localhost';
	EOF
	printf 'srv-Pw.1\n' >"$S/server.pw"
	chmod 0600 "$S/server.pw"
	cat >"$STACK_CONF" <<-EOF
		db = mysql://root@localhost/$STACK_DB?socket=$sock
		vmail_base = $STACK_VMAIL
		vmail_uid = $(id -u $STACK_VMAIL_USER)
		vmail_gid = $(id -g $STACK_VMAIL_USER)
	EOF
	STACK_SERVER_URI="mysql://$STACK_DBUSER@localhost/$STACK_DB?socket=$sock"
	STACK_SOCK=$sock
	ma_stack schema init
}

# The files each server reads, all from "mailadm config".
_stack_configs() {
	local S=$1 pf=$STACK_PF
	install -d -m 0750 -g postfix "$pf/sql" "$pf/sasl" || return 1
	ma_stack --db "$STACK_SERVER_URI" config postfix --dir "$pf/sql" \
		--db-password-file "$S/server.pw" || return 1
	ma_stack config sasl --dir "$pf/sasl" || return 1
	# Over the packaged authdaemonrc and authmysqlrc: hence --force.
	ma_stack --db "$STACK_SERVER_URI" config courier --dir \
		"$S/etc-courier" --force --db-password-file "$S/server.pw"
}

_stack_postfix() {
	local S=$1 pf=$STACK_PF
	mkdir -p "$pf/queue" "$pf/data" "$pf/log" || return 1
	chown postfix "$pf/data" || return 1
	cat >"$pf/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $pf/queue
		data_directory = $pf/data
		maillog_file = $pf/log/maillog
		maillog_file_prefixes = $pf/log
		inet_interfaces = 127.0.0.1
		inet_protocols = ipv4
		myhostname = mx.mailadm.test
		mydomain = mailadm.test
		myorigin = \$myhostname
		mydestination =
		local_transport = error:5.1.1 local delivery is disabled here
		alias_maps =
		alias_database =
		# Nothing is trusted by address: relaying needs SMTP AUTH.
		mynetworks =
		# Relayed mail stays here: nothing listens on port 9.
		relayhost = [127.0.0.1]:9
		smtp_dns_support_level = disabled
		disable_vrfy_command = yes
		biff = no
		smtputf8_enable = no
		cyrus_sasl_config_path = $pf/sasl
	EOF
	cat "$pf/sql/main.cf.mailadm" >>"$pf/main.cf" || return 1
	# Debian's master.cf without chroot (the sockets are outside the
	# queue), smtpd on our port with max_use=1 (a long-lived smtpd would
	# cache address classes), maildrop as the vmail account.
	awk -v port="$STACK_SMTP" -v vuser="$STACK_VMAIL_USER" '
		/^smtp +inet/ { print "127.0.0.1:" port " inet n - n - - smtpd -o max_use=1"; next }
		/^[a-z]/ && NF >= 8 { $5 = "n" }
		{ sub(/user=vmail/, "user=" vuser); print }
	' /etc/postfix/master.cf >"$pf/master.cf" || return 1
	postfix -c "$pf" check >"$S/log/postfix-check" 2>&1
	postfix -c "$pf" start >"$S/log/postfix-start" 2>&1 3>&- </dev/null || {
		_stack_err "postfix did not start:"
		cat "$S/log/postfix-start" "$pf/log/maillog" >&2
		return 1
	}
}

_stack_authdaemond() {
	local S=$1 n=50
	install -d -m 0755 /run/courier/authdaemon || return 1
	setsid /usr/lib/courier/courier-authlib/authdaemond \
		</dev/null >>"$S/log/authdaemond" 2>&1 3>&- &
	echo $! >"$S/authdaemond.pid"
	while [ $n -gt 0 ] && [ ! -S /run/courier/authdaemon/socket ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ -S /run/courier/authdaemon/socket ] || {
		_stack_err "authdaemond did not start:"
		cat "$S/log/authdaemond" >&2
		return 1
	}
}

# couriertcpd for imapd or pop3d, with Debian's settings from /etc/courier.
_stack_courier_tcpd() {
	local S=$1 what=$2 port=$3 login daemon
	case $what in
	imapd) login=/usr/lib/courier/courier/imaplogin daemon=/usr/bin/imapd ;;
	pop3d) login=/usr/lib/courier/courier/courierpop3login daemon=/usr/lib/courier/courier/courierpop3d ;;
	esac
	# MAILADM_STACK marks our processes and their children for stack_stop.
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin MAILADM_STACK="$S" \
		/bin/sh -c "set -a
		. /etc/courier/$what-ssl; . /etc/courier/$what
		exec /usr/sbin/couriertcpd -address=127.0.0.1 -pid=$S/$what.pid \
			-maxprocs=20 -maxperip=20 -nodnslookup -noidentlookup \
			-stderr=$S/log/$what $port $login $daemon Maildir" \
		</dev/null >>"$S/log/$what" 2>&1 3>&- || return 1
	_stack_listening "$port"
}

stack_start() {
	local S
	S=$(cd "${1:?usage: stack_start DIR}" && pwd -P) || return 1
	chmod 0755 "$S"
	export STACK_DIR=$S STACK_VMAIL=$S/vmail STACK_CONF=$S/mailadm.conf \
		STACK_PF=$S/postfix
	mkdir -p "$S/log" "$S/etc-courier" "$S/run-courier" "$STACK_VMAIL" ||
		return 1
	chown "$STACK_VMAIL_USER:" "$STACK_VMAIL" || return 1
	# Debian's /etc/courier, copied before mailadm's files go in.
	cp -a /etc/courier/. "$S/etc-courier/" || return 1
	# The private mount namespace: only these two directories change.
	mount --bind "$S/etc-courier" /etc/courier || return 1
	if [ -d /run/courier ]; then
		mount --bind "$S/run-courier" /run/courier || return 1
	else
		# No mount point on this host: a private /run instead.
		mount -t tmpfs -o mode=0755 tmpfs /run && mkdir /run/courier ||
			return 1
	fi
	STACK_SMTP=$(_stack_port) && STACK_IMAP=$(_stack_port) &&
		STACK_POP3=$(_stack_port) || return 1
	export STACK_SMTP STACK_IMAP STACK_POP3
	_stack_db "$S" && _stack_configs "$S" || return 1
	export STACK_DB STACK_DBUSER STACK_SERVER_URI STACK_SOCK
	_stack_authdaemond "$S" && _stack_postfix "$S" &&
		_stack_courier_tcpd "$S" imapd "$STACK_IMAP" &&
		_stack_courier_tcpd "$S" pop3d "$STACK_POP3" &&
		_stack_listening "$STACK_SMTP"
}

# Stop the PIDs (TERM to all at once, then KILL to any left after 10 s).
_stack_kill() {
	local pid left n=100
	for pid; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	done
	while [ $n -gt 0 ]; do
		left=
		for pid; do
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && left=1
		done
		[ -z "$left" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	for pid; do
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

_stack_pidfile() { [ -r "$1" ] && tr -dc '0-9' <"$1"; }

stack_stop() {
	local S=${STACK_DIR:-} pid pids f
	[ -n "$S" ] || return 0
	pids=$(_stack_pidfile "$STACK_PF/queue/pid/master.pid")
	for f in imapd pop3d authdaemond; do
		pids="$pids $(_stack_pidfile "$S/$f.pid")"
	done
	# Helpers imapd left behind (gamin's gam_server) carry our mark in
	# their environment.
	for f in /proc/[0-9]*/environ; do
		grep -qaF "MAILADM_STACK=$S" "$f" 2>/dev/null || continue
		pid=${f#/proc/}
		pids="$pids ${pid%/environ}"
	done
	# shellcheck disable=SC2086 # a list of numbers
	_stack_kill $pids
	if [ -n "${STACK_DB:-}" ] && [ -S "${STACK_SOCK:-}" ]; then
		mariadb --no-defaults -S "$STACK_SOCK" -uroot <<-EOF
			DROP DATABASE IF EXISTS $STACK_DB;
			DROP USER IF EXISTS '$STACK_DBUSER'@'localhost';
		EOF
	fi
	[ -r "$S/own-mariadb" ] && mariadb_stop "$(cat "$S/own-mariadb")"
	# The namespace goes with the last process; unmount all the same.
	umount /run/courier /etc/courier 2>/dev/null
	return 0
}
