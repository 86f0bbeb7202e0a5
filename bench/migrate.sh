#!/usr/bin/env bash
# Benchmark "mailadm migrate run" (no Maildirs) into a private MariaDB
# server: a generated Postfixadmin 2.1 dump of BENCH_DOMAINS domains and
# each of BENCH_SIZES mailboxes (as many aliases again), beside the mariadb
# client loading the same dump.  Prints a table on stdout, progress on
# stderr; reports the targets (under 60 s for the largest size, within 2x
# of the client, peak memory under 100 MB and flat as the dump grows) but
# exits non-zero only when the benchmark cannot run or the migration is
# wrong (its report is checked against the generator's expected.json).
#
# Knobs (environment):
#   BENCH_SIZES="10000 50000"  mailboxes per run
#   BENCH_DOMAINS=2000
#   BENCH_ROUNDS=3             runs of each, the median shown
#   BENCH_KEEP=0               1: keep the work directory (dumps are reused
#                              from BENCH_DIR when it is given)
#   BENCH_DIR=                 where to generate (default: a new temporary one)
#   BENCH_MAILDIR_BOXES=500    then "migrate run --maildirs": a generated
#   BENCH_MAILDIR_MESSAGES=40  tree of that many Maildirs with that many
#                              messages each on average (0 boxes: skipped),
#                              copied into an empty vmail_base, beside
#                              "cp -a" of the same tree and a sync
#   MAILADM_BIN=./mailadm
set -eu -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAILADM=${MAILADM_BIN:-$TOP/mailadm}
SIZES=${BENCH_SIZES:-10000 50000}
NDOMAINS=${BENCH_DOMAINS:-2000}
ROUNDS=${BENCH_ROUNDS:-3}
KEEP=${BENCH_KEEP:-0}
MDBOXES=${BENCH_MAILDIR_BOXES:-500}
MDMSGS=${BENCH_MAILDIR_MESSAGES:-40}
GEN=$TOP/tests/fixtures/legacy/gen_legacy.py
EXPECT=$TOP/tests/lib/migrate-expect.py

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
say() { printf 'bench: %s\n' "$*" >&2; }

[ -x "$MAILADM" ] || die "no binary at $MAILADM (make mailadm)"
command -v python3 >/dev/null || die "python3 is needed by the generator"
for n in $SIZES $NDOMAINS $ROUNDS $MDBOXES $MDMSGS; do
	case $n in '' | *[!0-9]*) die "sizes must be whole numbers, got '$n'" ;; esac
done
[ "$ROUNDS" -ge 1 ] || die "BENCH_ROUNDS must be 1 or more"

WORK=${BENCH_DIR:-$(mktemp -d /tmp/mailadm-bench-migrate.XXXXXX)}
mkdir -p "$WORK"
chmod 755 "$WORK"
# shellcheck source=../tests/lib/mariadb.sh
. "$TOP/tests/lib/mariadb.sh"
cleanup() {
	mariadb_stop "$WORK/mdb" >/dev/null 2>&1 || :
	if [ "$KEEP" = 1 ] || [ -n "${BENCH_DIR:-}" ]; then
		say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
# A copy, so that a rebuild during the run changes nothing; its presets
# are the tree's.
cp "$MAILADM" "$WORK/mailadm"
export MAILADM_MAPS_DIR=$TOP/data/maps

# The generator's output is a pure function of its arguments: make each
# dump once.  --no-hostile: its damaged rows are for the fixtures (and its
# hostile aliases collide at these sizes).
for n in $SIZES; do
	d=$WORK/pfa-$n
	[ -s "$d/dump.sql" ] && continue
	say "generating $NDOMAINS domains, $n mailboxes, $n aliases"
	python3 "$GEN" --preset postfixadmin-2.1 --domains "$NDOMAINS" \
	    --mailboxes "$n" --aliases "$n" --no-hostile --charset utf8 \
	    --outdir "$d" >&2
done

rm -rf "$WORK/mdb"
mkdir -p "$WORK/mdb"
mariadb_start "$WORK/mdb" >&2 || die "cannot start MariaDB"
sql() { mariadb --no-defaults -S "$MARIADB_SOCKET" -uroot -N -B "$@"; }
# The test server is tiny; give it what a small production server has, so
# that one transaction of a few hundred thousand rows is not slowed by a
# redo log of 8 MB.
sql <<<"SET GLOBAL innodb_buffer_pool_size = 268435456;
SET GLOBAL innodb_log_file_size = 134217728;"

secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

printf '%-10s %9s %9s %6s %9s %6s %9s %9s %8s\n' mailboxes mailadm client ratio \
    client_rows ratio user_s peak_MB rows
# The median of a list of times.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

status=0
declare -A RSS
for n in $SIZES; do
	d=$WORK/pfa-$n
	printf 'db = mysql://root@localhost/m%s?socket=%s\n' "$n" \
	    "$MARIADB_SOCKET" >"$WORK/m$n.conf"
	sed "s,/m$n?,/r$n?," "$WORK/m$n.conf" >"$WORK/r$n.conf"
	ms=() cs=() rs=()
	# Rounds one after the other, each into empty databases: on a shared
	# machine single runs vary by a fifth; the medians are compared.
	for round in $(seq "$ROUNDS"); do
		sql <<<"DROP DATABASE IF EXISTS m$n; CREATE DATABASE m$n;
DROP DATABASE IF EXISTS c$n; CREATE DATABASE c$n;"
		"$WORK/mailadm" -c "$WORK/m$n.conf" schema init
		say "migrating $n mailboxes (round $round of $ROUNDS)"
		t=$EPOCHREALTIME
		/usr/bin/time -f '%U %M' -o "$WORK/time-$n" "$WORK/mailadm" \
		    -c "$WORK/m$n.conf" -q migrate run "$d/dump.sql" \
		    --preset postfixadmin-2 --report "$WORK/report-$n.json"
		ms+=("$(secs "$t")")
		# --force: the generator may repeat an admin login, which the
		# admin table's primary key refuses (mailadm's staging keeps
		# both).
		say "the mariadb client loading the same dump"
		t=$EPOCHREALTIME
		sql --force "c$n" <"$d/dump.sql" >"$WORK/client-$n.log" 2>&1 || :
		cs+=("$(secs "$t")")
		# The rows mailadm wrote (its tables, self aliases and log rows
		# included), loaded by the client as extended INSERTs in one
		# transaction into an empty store: the other reading of "the
		# same rows".
		[ "$round" = 1 ] && { mariadb-dump --no-defaults -S "$MARIADB_SOCKET" \
		    -uroot --no-create-info --skip-add-locks --skip-disable-keys \
		    --skip-triggers "m$n" domain alias_domain mailbox alias log \
		    >"$WORK/rows-$n.sql" || die "mariadb-dump of m$n failed"; }
		sql <<<"DROP DATABASE IF EXISTS r$n; CREATE DATABASE r$n;"
		"$WORK/mailadm" -c "$WORK/r$n.conf" schema init
		say "the mariadb client loading the rows mailadm wrote"
		t=$EPOCHREALTIME
		{ echo "START TRANSACTION;"; cat "$WORK/rows-$n.sql"; echo "COMMIT;"; } |
			sql "r$n" || die "the client could not load the rows of m$n"
		rs+=("$(secs "$t")")
	done
	m=$(median "${ms[@]}")
	c=$(median "${cs[@]}")
	r=$(median "${rs[@]}")
	say "$n mailboxes: mailadm ${ms[*]} s, client ${cs[*]} s, client on its rows ${rs[*]} s"
	read -r user rss <"$WORK/time-$n"
	RSS[$n]=$rss
	rows=$(sql <<<"SELECT (SELECT COUNT(*) FROM m$n.mailbox) + (SELECT COUNT(*) FROM m$n.alias)")
	printf '%-10s %9s %9s %6s %9s %6s %9s %9s %8s\n' "$n" "$m" "$c" \
	    "$(awk -v a="$m" -v b="$c" 'BEGIN { printf "%.1f", a / b }')" "$r" \
	    "$(awk -v a="$m" -v b="$r" 'BEGIN { printf "%.1f", a / b }')" \
	    "$user" "$((rss / 1024))" "$rows"
	if ! MAILADM_BIN=$WORK/mailadm python3 "$EXPECT" "$d/expected.json" \
	    "$WORK/report-$n.json" none --no-store >"$WORK/check-$n" 2>&1; then
		say "the report of $n mailboxes differs from expected.json:"
		head -n 20 "$WORK/check-$n" >&2
		status=1
	fi
	if [ "$n" = "${SIZES##* }" ]; then
		awk -v m="$m" 'BEGIN { exit !(m < 60) }' || say "target missed: $m s (60 s)"
		awk -v m="$m" -v c="$c" 'BEGIN { exit !(m <= 2 * c) }' ||
			say "target missed: $m s is more than 2x the client's $c s (the dump)"
		awk -v m="$m" -v c="$r" 'BEGIN { exit !(m <= 2 * c) }' ||
			say "target missed: $m s is more than 2x the client's $r s (the rows mailadm wrote)"
	fi
	[ "$((rss / 1024))" -lt 100 ] || say "target missed: peak $((rss / 1024)) MB (100 MB)"
done
first=${SIZES%% *}
last=${SIZES##* }
if [ "$first" != "$last" ]; then
	printf 'peak memory %s -> %s mailboxes: %s MB -> %s MB\n' "$first" "$last" \
	    "$((RSS[$first] / 1024))" "$((RSS[$last] / 1024))"
	awk -v a="${RSS[$first]}" -v b="${RSS[$last]}" 'BEGIN { exit !(b < 1.5 * a) }' ||
		say "target missed: memory grows with the dump"
fi

# The Maildirs: the copy against cp -a, both made durable.
if [ "$MDBOXES" -gt 0 ]; then
	d=$WORK/md-$MDBOXES
	if [ ! -s "$d/dump.sql" ]; then
		say "generating $MDBOXES Maildirs of $MDMSGS messages"
		python3 "$GEN" --preset postfixadmin-2.1 --domains 20 \
		    --mailboxes "$MDBOXES" --aliases 100 --no-hostile \
		    --charset utf8 --messages-per-box "$MDMSGS" --outdir "$d" \
		    --maildirs "$d/maildirs" >&2
	fi
	rm -rf "$d/vmail" "$d/cp" "$d/store.db"
	mkdir "$d/vmail"
	printf 'db = sqlite:%s/store.db\nvmail_base = %s/vmail\n' "$d" "$d" \
	    >"$d/md.conf"
	"$WORK/mailadm" -c "$d/md.conf" schema init
	sync
	say "migrating $MDBOXES mailboxes with their Maildirs"
	t=$EPOCHREALTIME
	/usr/bin/time -f '%U %S %M' -o "$WORK/time-md" "$WORK/mailadm" \
	    -c "$d/md.conf" -q migrate run "$d/dump.sql" \
	    --preset postfixadmin-2 --maildirs "$d/maildirs" \
	    --report "$WORK/report-md.json"
	m=$(secs "$t")
	say "cp -a of the same tree, then sync"
	t=$EPOCHREALTIME
	cp -a "$d/maildirs" "$d/cp"
	sync
	c=$(secs "$t")
	msgs=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["maildirs"]["messages"])' \
	    "$WORK/report-md.json")
	files=$(find "$d/maildirs" -type f | wc -l)
	read -r user sys rss <"$WORK/time-md"
	printf '\n%-9s %8s %9s %9s %9s %6s %7s %7s\n' Maildirs messages files \
	    mailadm "cp -a" ratio msg/s peak_MB
	printf '%-9s %8s %9s %9s %9s %6s %7s %7s\n' "$MDBOXES" "$msgs" "$files" \
	    "$m" "$c" "$(awk -v a="$m" -v b="$c" 'BEGIN { printf "%.1f", a / b }')" \
	    "$(awk -v n="$msgs" -v a="$m" 'BEGIN { printf "%d", n / a }')" \
	    "$((rss / 1024))"
	if ! MAILADM_BIN=$WORK/mailadm python3 "$EXPECT" "$d/expected.json" \
	    "$WORK/report-md.json" none --no-store >"$WORK/check-md" 2>&1; then
		say "the report of the Maildirs differs from expected.json:"
		head -n 20 "$WORK/check-md" >&2
		status=1
	fi
fi
exit $status
