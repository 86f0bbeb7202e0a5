#!/bin/sh
# Install every Debian package mailadm needs to build and test.
# As root: installs what is missing, non-interactively, without starting any
# system service.  Otherwise: prints the apt-get line to run and fails.
set -eu

BUILD="gcc make pkg-config libargtable2-dev libmariadb-dev libsqlite3-dev
libidn2-dev libcrypt-dev libssl-dev"
TEST="bats sqlite3 mariadb-server mariadb-client mandoc man-db php-cli
php-mysql php-sqlite3 php-mbstring hyperfine
dovecot-core whois openssl python3-passlib"
# maildirmake and deliverquota: tests/unit/t-maildir and t-quota check
# against them
TEST="$TEST maildrop"
# tests/integration: a real Postfix + Courier + Cyrus SASL stack on loopback
TEST="$TEST postfix postfix-mysql postfix-sqlite courier-authlib-mysql
courier-imap courier-pop sasl2-bin libsasl2-modules python3 util-linux"
# GNU time (/usr/bin/time): bench/users.sh reads peak memory from it
TEST="$TEST time"
# the policy service test talks over a socket pair; bench/quota.sh reads
# hyperfine's JSON
TEST="$TEST python3"

case "${1:-all}" in
build) want=$BUILD ;;
all) want="$BUILD $TEST" ;;
*) echo "usage: $0 [build|all]" >&2; exit 64 ;;
esac

missing=
for p in $want; do
	st=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mailadm: missing packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 69
fi

# Keep package scripts from starting system-wide daemons (mariadb on 3306…):
# the tests start their own private servers.
prc=/usr/sbin/policy-rc.d
made_prc=
if [ ! -e "$prc" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$prc"
	chmod 755 "$prc"
	made_prc=yes
fi
trap '[ -n "$made_prc" ] && rm -f "$prc"' EXIT

export DEBIAN_FRONTEND=noninteractive
# Postfix installs without writing /etc/postfix/main.cf: the integration
# tests run a private instance with a configuration of their own.
echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections
# An old or empty package list makes installs fail with "unable to locate".
apt-get update -qq || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
