# shellcheck shell=bash
# Helpers shared by the benchmarks in bench/.  Source it right after
# `set -euo pipefail`.  It sets TOP (the source tree), LC_ALL=C (so that
# $EPOCHREALTIME always has a dot and awk prints dots too) and
# inherit_errexit.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LC_ALL=C
# A failure inside $(...) fails the assignment that takes its output.
shopt -s inherit_errexit

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
say() { printf 'bench: %s\n' "$*" >&2; }
# Seconds since an earlier $EPOCHREALTIME, one decimal: for progress lines.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# VAR = seconds between two $EPOCHREALTIME values, in full, without a
# fork: it runs inside timed loops.
elapsed() { # VAR T0 T1
	local us=$((10#${3/./} - 10#${2/./}))
	printf -v "$1" '%d.%06d' $((us / 1000000)) $((us % 1000000))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

whole_numbers() { # VARIABLE...
	local v
	for v in "$@"; do
		case ${!v} in '' | *[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
	done
}

need_commands() { # COMMAND...
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || die "$c is not installed (see scripts/install-deps.sh)"
	done
}

# "key<TAB>n<TAB>median_ms<TAB>p90_ms<TAB>min_ms" for each key of a file of
# "key<TAB>seconds" lines (keys are numbers or words).
stats() { # FILE
	sort -t "$(printf '\t')" -k1,1 -k2,2g "$1" | awk -F '\t' '
	function flush() {
		if (n == 0) return
		med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		p = int(0.9 * n); if (p < 0.9 * n) p++	# nearest rank
		printf "%s\t%d\t%.3f\t%.3f\t%.3f\n", key, n, med * 1000, v[p] * 1000, v[1] * 1000
	}
	NR == 1 || $1 "" != key "" { flush(); key = $1 ""; n = 0 }
	{ v[++n] = $2 }
	END { flush() }'
}

# A work directory, removed on exit (kept with BENCH_KEEP=1), and a private
# MariaDB server in it when bench_mariadb_start ran: stopped on exit by the
# pid it wrote, whatever the way out.  Sets WORK.
bench_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailadm-bench.XXXXXX")
	# as root the server runs as user mysql, which must reach $WORK
	chmod 0755 "$WORK"
	MYSQL_DIR=
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$MYSQL_DIR" ]; then
		mariadb_stop "$MYSQL_DIR" || say "could not stop the server in $MYSQL_DIR (pid ${MARIADB_PID:-?})"
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}

# Start a private MariaDB server in $WORK/mysql (tests/lib/mariadb.sh: unix
# socket and loopback only; the system server is never touched).  Sets
# MYSQL_DIR and exports MARIADB_SOCKET and MARIADB_PID.
bench_mariadb_start() {
	need_commands mariadb mariadbd mariadb-install-db mariadb-admin
	# shellcheck source=tests/lib/mariadb.sh
	. "$TOP/tests/lib/mariadb.sh"
	MYSQL_DIR=$WORK/mysql
	mkdir -p "$MYSQL_DIR"
	mariadb_start "$MYSQL_DIR" || die "could not start a private MariaDB server"
}
