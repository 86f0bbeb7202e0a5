# shellcheck shell=bash
# Build a mail database the way Postfixadmin 3.3 (Debian 12 package
# postfixadmin 3.3.13) creates and fills it, so tests can check that
# `mailadm schema upgrade` keeps such data.  Source this file.
#
#   postfixadmin_make_db SOCKET DBNAME   MariaDB over SOCKET as root (no
#                                        password); creates DBNAME if needed
#   postfixadmin_make_sqlite FILE        SQLite; creates FILE if needed
#
# Both run Postfixadmin's own code: public/upgrade.php for the schema, then
# scripts/postfixadmin-cli.php for the sample data:
#   domain       pfa.example  (description "Postfixadmin domain",
#                              maxquota 1024, quota 4096)
#   domain       pfa-alias.example (description "Postfixadmin alias domain")
#   mailbox      john@pfa.example, password $POSTFIXADMIN_PASSWORD, quota 512
#                (Postfixadmin adds the alias john@pfa.example -> itself)
#   alias        info@pfa.example -> john@pfa.example,jane@other.example
#   alias_domain pfa-alias.example -> pfa.example
#
# The package is never installed (it pulls in apache): `apt-get download`
# fetches the .deb once into $POSTFIXADMIN_CACHE, and each call unpacks a
# private copy under a temporary directory, configured there, so /etc is
# never read or written.  Set POSTFIXADMIN_DEB to use a given .deb file.
# Set POSTFIXADMIN_KEEP=1 to keep the unpacked tree and logs.
#
# Functions print what went wrong to stderr and return non-zero; they never
# skip a step silently and never call exit.

: "${POSTFIXADMIN_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/mailadm-tests}"
: "${POSTFIXADMIN_PASSWORD:=John-secret42}"
POSTFIXADMIN_VERSION=3.3.13

_pfa_err() { printf 'postfixadmin-db.sh: %s\n' "$*" >&2; }

# Print the path of the cached postfixadmin .deb, downloading it if needed.
_pfa_deb() {
	local deb tmp
	if [ -n "${POSTFIXADMIN_DEB:-}" ]; then
		deb=$POSTFIXADMIN_DEB
	else
		for deb in "$POSTFIXADMIN_CACHE"/postfixadmin_"$POSTFIXADMIN_VERSION"-*_all.deb; do
			[ -f "$deb" ] && break
		done
		if [ ! -f "$deb" ]; then
			mkdir -p "$POSTFIXADMIN_CACHE" || return 1
			# Download into a private directory, then rename: tests
			# running in parallel must not see a half-written .deb.
			tmp=$(mktemp -d "$POSTFIXADMIN_CACHE/dl.XXXXXX") || return 1
			# apt drops privileges to _apt for downloads when root.
			[ "$(id -u)" -eq 0 ] && chown _apt "$tmp" 2>/dev/null
			if ! (cd "$tmp" && apt-get download -q postfixadmin) >"$tmp.log" 2>&1; then
				_pfa_err "apt-get download postfixadmin failed:"
				cat "$tmp.log" >&2
				rm -rf "$tmp" "$tmp.log"
				return 1
			fi
			for deb in "$tmp"/postfixadmin_*.deb; do :; done
			mv "$deb" "$POSTFIXADMIN_CACHE/" || return 1
			deb=$POSTFIXADMIN_CACHE/${deb##*/}
			rm -rf "$tmp" "$tmp.log"
		fi
	fi
	# Debian may ship a newer upstream some day; that would not be the
	# layout the tests mean to reproduce.
	case $(dpkg-deb -f "$deb" Version 2>/dev/null) in
	"$POSTFIXADMIN_VERSION"-*) ;;
	*)
		_pfa_err "$deb is not postfixadmin $POSTFIXADMIN_VERSION (found '$(dpkg-deb -f "$deb" Version 2>&1)')"
		return 1
		;;
	esac
	printf '%s\n' "$deb"
}

# _pfa_tree WORK: unpack the package into WORK/root and write a private
# configuration; prints the Postfixadmin directory.  Configuration comes from
# the caller's variables: type, name, socket.
#
# In the package, usr/share/postfixadmin/config.inc.php and config.local.php
# are absolute symlinks into /etc/postfixadmin, and config.inc.php loads
# dbconfig.inc.php (written by dbconfig-common) through the include path.
# Replace the symlinks with files so the copy reads only its own files:
#   config.inc.php    Debian's /etc/postfixadmin/config.inc.php, unchanged
#   dbconfig.inc.php  what dbconfig-common would have written
#   config.local.php  our overrides
_pfa_tree() {
	local work=$1 deb pfa
	deb=$(_pfa_deb) || return 1
	dpkg-deb -x "$deb" "$work/root" || { _pfa_err "cannot unpack $deb"; return 1; }
	pfa=$work/root/usr/share/postfixadmin
	rm -f "$pfa/config.inc.php" "$pfa/config.local.php" || return 1
	cp "$work/root/etc/postfixadmin/config.inc.php" "$pfa/config.inc.php" || return 1

	# Values go into PHP single-quoted strings.
	case "$name$socket" in *"'"* | *\\*)
		_pfa_err "quote or backslash in database name or socket path"
		return 1
		;;
	esac
	cat >"$pfa/dbconfig.inc.php" <<-EOF || return 1
		<?php
		\$dbuser='root';
		\$dbpass='';
		\$basepath='';
		\$dbname='$name';
		\$dbserver='localhost';
		\$dbport='';
		\$dbtype='$type';
	EOF
	cat >"$pfa/config.local.php" <<-EOF || return 1
		<?php
		\$CONF['configured'] = true;
		// Empty in Debian's config.inc.php; PDO then uses host=localhost,
		// i.e. the compiled-in socket of the system server.
		\$CONF['database_socket'] = '$socket';
		// The default 'YES' looks up every domain in DNS; tests have none.
		\$CONF['emailcheck_resolve_domain'] = 'NO';
		// Debian's default 'NO' hides the maxquota and quota fields, so the
		// CLI would reject --maxquota/--quota.
		\$CONF['quota'] = 'YES';
		// Nothing to send welcome mails to, ever.
		\$CONF['smtp_server'] = '127.0.0.1';
		\$CONF['smtp_port'] = '9';
	EOF
	printf '%s\n' "$pfa"
}

# _pfa_php PFA LOG ARGS...: run php on the private copy, appending output
# to LOG.  The include path makes the relative require_once() calls
# ('common.php', 'dbconfig.inc.php') resolve inside the copy whatever the
# current directory is; upgrade.php opens a web session, which must not
# land in the system's session directory.
_pfa_php() {
	local pfa=$1 log=$2
	shift 2
	{ printf '+ php'; printf ' %q' "$@"; echo; } >>"$log"
	(cd "$pfa/public" && php -d include_path="$pfa" \
		-d session.save_path="$pfa/.." -d display_errors=stderr \
		-d error_log= -d log_errors=0 "$@") >>"$log" 2>&1
}

_pfa_cli() {
	local pfa=$1 log=$2
	shift 2
	_pfa_php "$pfa" "$log" "$pfa/scripts/postfixadmin-cli.php" "$@" || {
		_pfa_err "postfixadmin-cli $* failed; end of $log:"
		tail -n 15 "$log" >&2
		return 1
	}
}

# _pfa_build TYPE NAME SOCKET: the common part of both database types.
_pfa_build() {
	local type=$1 name=$2 socket=$3 work pfa log t0 rc=1
	t0=$EPOCHREALTIME
	work=$(mktemp -d "${TMPDIR:-/tmp}/postfixadmin.XXXXXX") || return 1
	log=$work/postfixadmin.log
	if pfa=$(_pfa_tree "$work") && _pfa_upgrade "$pfa" "$log" && _pfa_fill "$pfa" "$log"; then
		rc=0
		printf 'postfixadmin-db.sh: %s database %s ready in %ss\n' "$type" "$name" \
			"$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')" >&2
	fi
	if [ $rc -ne 0 ] || [ -n "${POSTFIXADMIN_KEEP:-}" ]; then
		_pfa_err "kept $work (log: $log)"
	else
		rm -rf "$work"
	fi
	return $rc
}

# Create the schema.  upgrade.php exits 0 even when some steps only logged
# an error, so compare the recorded schema version with the newest
# upgrade_NNNN function it contains.
_pfa_upgrade() {
	local pfa=$1 log=$2 target version
	if ! _pfa_php "$pfa" "$log" upgrade.php; then
		_pfa_err "upgrade.php failed; end of $log:"
		tail -n 15 "$log" >&2
		return 1
	fi
	target=$(grep -o '^function upgrade_[0-9]*' "$pfa/public/upgrade.php" |
		sed 's/.*_//' | sort -n | tail -n 1)
	version=$(_pfa_query "SELECT value FROM config WHERE name = 'version'") || return 1
	if [ -z "$target" ] || [ "$version" != "$target" ]; then
		_pfa_err "schema version is '$version' after upgrade.php, expected '$target'; see $log"
		return 1
	fi
}

_pfa_fill() {
	local pfa=$1 log=$2 n
	# --default-aliases n: otherwise every domain gets abuse@, hostmaster@,
	# postmaster@ and webmaster@ aliases to change-this-to-your.domain.tld.
	_pfa_cli "$pfa" "$log" domain add pfa.example \
		--description "Postfixadmin domain" --maxquota 1024 --quota 4096 \
		--default-aliases n &&
		_pfa_cli "$pfa" "$log" domain add pfa-alias.example \
			--description "Postfixadmin alias domain" --default-aliases n &&
		_pfa_cli "$pfa" "$log" mailbox add john@pfa.example \
			--name "John Doe" --password "$POSTFIXADMIN_PASSWORD" \
			--password2 "$POSTFIXADMIN_PASSWORD" --quota 512 --welcome-mail n &&
		_pfa_cli "$pfa" "$log" alias add info@pfa.example \
			--goto john@pfa.example,jane@other.example &&
		_pfa_cli "$pfa" "$log" aliasdomain add pfa-alias.example \
			--target-domain pfa.example || return 1
	# The CLI's exit status is all we have checked so far; look at the rows.
	n=$(_pfa_query "SELECT (SELECT COUNT(*) FROM domain), (SELECT COUNT(*) FROM mailbox),
		(SELECT COUNT(*) FROM alias), (SELECT COUNT(*) FROM alias_domain)") || return 1
	if [ "$n" != $'2\t1\t2\t1' ]; then
		_pfa_err "expected 2 domain, 1 mailbox, 2 alias, 1 alias_domain rows, got '${n//$'\t'/,}'; see $log"
		return 1
	fi
}

# One query against the database being built, tab-separated rows on stdout.
# Like _pfa_tree, it uses the variables type, name and socket of its caller.
_pfa_query() {
	if [ "$type" = sqlite ]; then
		sqlite3 -batch -bail -separator $'\t' "$name" "$1"
	else
		mariadb --no-defaults -S "$socket" -uroot -N -B "$name" -e "$1"
	fi
}

postfixadmin_make_db() {
	local socket=${1:?usage: postfixadmin_make_db SOCKET DBNAME} name=${2:?usage: postfixadmin_make_db SOCKET DBNAME}
	case $name in *[!A-Za-z0-9_]*)
		_pfa_err "database name must be [A-Za-z0-9_]: $name"
		return 1
		;;
	esac
	if ! mariadb --no-defaults -S "$socket" -uroot \
		-e "CREATE DATABASE IF NOT EXISTS \`$name\`"; then
		_pfa_err "cannot create database $name over $socket"
		return 1
	fi
	_pfa_build mysqli "$name" "$socket"
}

postfixadmin_make_sqlite() {
	local file=${1:?usage: postfixadmin_make_sqlite FILE}
	# Postfixadmin refuses a missing file, and needs an absolute path since
	# it runs from its public/ directory.
	touch "$file" || { _pfa_err "cannot create $file"; return 1; }
	file=$(cd "$(dirname "$file")" && pwd -P)/${file##*/} || return 1
	_pfa_build sqlite "$file" ""
}
