#!/usr/bin/env bash
# Benchmark the quota commands beside their baselines, in one run (see
# bench/README.md):
#   1. quota report over BENCH_MAILBOXES Maildirs with valid maildirsize
#      files (and BENCH_REPORT_MESSAGES messages each), beside du -sb over
#      the same tree and beside mds-sum, a C program that only opens,
#      reads and sums those files (the bound);
#   2. quota recalc --all over BENCH_MESSAGES messages, and over a tenth
#      of them: time and peak memory (which must not grow with them),
#      beside du -s over the same tree;
#   3. quota policy: requests per second over one connection, beside a
#      responder that answers DUNNO without looking anything up (three
#      runs each: median and best).
# The table goes to stdout, progress to stderr.  Exits non-zero only when
# the benchmark cannot run; the targets are reported, not enforced.
#
# Knobs (environment):
#   BENCH_MAILBOXES=10000     Maildirs for report and policy
#   BENCH_REPORT_MESSAGES=20  messages of 2 KB in each of them
#   BENCH_RECALC_MAILBOXES=1000  Maildirs for recalc
#   BENCH_MESSAGES=1000000    messages for recalc (spread over those)
#   BENCH_REQUESTS=20000      policy requests per connection
#   BENCH_ROUNDS=5            interleaved rounds of the report timing
#   BENCH_RUNS=4              runs of each command per round
#   BENCH_BACKENDS="sqlite mysql"
#   BENCH_KEEP=0              1: keep the work directory (lib.sh)
#   MAILADM_BIN=./mailadm
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAILADM=${MAILADM_BIN:-$TOP/mailadm}
NMAIL=${BENCH_MAILBOXES:-10000}
NREPMSG=${BENCH_REPORT_MESSAGES:-20}
NRECALC=${BENCH_RECALC_MAILBOXES:-1000}
NMSG=${BENCH_MESSAGES:-1000000}
NREQ=${BENCH_REQUESTS:-20000}
ROUNDS=${BENCH_ROUNDS:-5}
RUNS=${BENCH_RUNS:-4}
BACKENDS=${BENCH_BACKENDS:-sqlite mysql}
QUOTA=104857600

whole_numbers NMAIL NREPMSG NRECALC NMSG NREQ ROUNDS RUNS
[ "$NRECALC" -ge 1 ] && [ "$ROUNDS" -ge 1 ] && [ "$RUNS" -ge 1 ] ||
	die "BENCH_RECALC_MAILBOXES, BENCH_ROUNDS and BENCH_RUNS must be at least 1"
[ $((NMSG / NRECALC)) -ge 10 ] || die "BENCH_MESSAGES must be at least 10 per Maildir"
for b in $BACKENDS; do
	case $b in sqlite | mysql) ;; *) die "unknown backend '$b' (sqlite, mysql)" ;; esac
done
need_commands hyperfine python3 sqlite3 cc du /usr/bin/time
[ -x "$MAILADM" ] || die "no $MAILADM: run 'make' first"
unset MAILADM_DB MAILADM_CONFIG

bench_workdir
# A private copy of the binary: a rebuild meanwhile must not change it.
cp "$MAILADM" "$WORK/mailadm"
MAILADM=$WORK/mailadm
for t in mkmaildirs mds-sum policy-client; do
	cc -O2 -o "$WORK/$t" "$TOP/bench/$t.c" || die "cannot build bench/$t.c"
done

# ------------------------------------------------------------ the stores
# config NAME VMAIL DB-URI: a config file $WORK/NAME.conf
config() {
	printf 'db = %s\nvmail_base = %s\n' "$3" "$2" >"$WORK/$1.conf"
}

# load NAME SQLFILE on each backend: NAME-sqlite.conf, NAME-mysql.conf
load() {
	local name=$1 sql=$2 vmail=$3 b
	for b in $BACKENDS; do
		case $b in
		sqlite)
			config "$name-sqlite" "$vmail" "sqlite:$WORK/$name.db"
			"$MAILADM" -c "$WORK/$name-sqlite.conf" schema init
			sqlite3 -batch "$WORK/$name.db" <"$sql"
			;;
		mysql)
			echo "CREATE DATABASE $name" | mariadb_sql "$MYSQL_DIR"
			config "$name-mysql" "$vmail" \
			    "mysql://root@localhost/$name?socket=$MARIADB_SOCKET"
			"$MAILADM" -c "$WORK/$name-mysql.conf" schema init
			mariadb_sql "$MYSQL_DIR" "$name" <"$sql"
			;;
		esac
	done
}

if [[ " $BACKENDS " == *" mysql "* ]]; then
	bench_mariadb_start
fi

t0=$EPOCHREALTIME
say "making $NMAIL Maildirs ($NREPMSG messages of 2 KB each) for report and policy"
"$WORK/mkmaildirs" "$WORK/vmail" "$NMAIL" "$NREPMSG" 2048 "$QUOTA" >"$WORK/report.sql"
load report "$WORK/report.sql" "$WORK/vmail"
find "$WORK/vmail" -name maildirsize | sort >"$WORK/mds.list"
sed -n "s/^INSERT INTO mailbox .* VALUES ('\([^']*\)'.*/\1/p" "$WORK/report.sql" >"$WORK/rcpts"
per=$((NMSG / NRECALC))
say "making $NRECALC Maildirs of $per messages ($((per * NRECALC)) in all) for recalc, and of $((per / 10))"
"$WORK/mkmaildirs" "$WORK/big" "$NRECALC" "$per" -2048 "$QUOTA" >"$WORK/big.sql"
"$WORK/mkmaildirs" "$WORK/small" "$NRECALC" $((per / 10)) -2048 "$QUOTA" >"$WORK/small.sql"
load big "$WORK/big.sql" "$WORK/big"
load small "$WORK/small.sql" "$WORK/small"
say "stores made in $(since "$t0") s"

# -------------------------------------------------------------- 1. report
# Interleaved rounds: noise from other work on the machine hits all alike.
declare -a NAMES=() CMDS=()
add() { NAMES+=("$1"); CMDS+=("$2"); }
for b in $BACKENDS; do
	add "mailadm quota report ($b)" "$MAILADM -c $WORK/report-$b.conf quota report"
done
add "du -sb (same tree)" "du -sb $WORK/vmail"
add "mds-sum (the bound)" "$WORK/mds-sum $WORK/mds.list"
for c in "${CMDS[@]}"; do
	$c >/dev/null || die "failed: $c"
done
say "timing report: $ROUNDS rounds x $RUNS runs of ${#CMDS[@]} commands"
: >"$WORK/times.tsv"
for ((r = 0; r < ROUNDS; r++)); do
	args=()
	for ((i = 0; i < ${#CMDS[@]}; i++)); do
		j=$(((i + r) % ${#CMDS[@]}))
		args+=(-n "$j" "${CMDS[j]}")
	done
	hyperfine -N --style none --warmup 1 --runs "$RUNS" \
	    --export-json "$WORK/r$r.json" "${args[@]}" >/dev/null 2>"$WORK/hf.err" ||
		{ cat "$WORK/hf.err" >&2; die "hyperfine failed"; }
	python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    for t in r["times"]:
        print("%s\t%.6f" % (r["command"], t))' "$WORK/r$r.json" >>"$WORK/times.tsv"
done
# index -> median and min, in ms (lib.sh's stats)
declare -A MED=() MIN=()
while IFS=$'\t' read -r i n med p90 min; do
	MED[$i]=$med MIN[$i]=$min
done < <(stats "$WORK/times.tsv")

nd=$((${#CMDS[@]} - 2)) nb=$((${#CMDS[@]} - 1))

# ------------------------------------------------------------- 3. policy
# Timed before recalc, whose writes would weigh on it.  Three runs each, for the median and the best: one connection's figure
# moves with whatever else the machine does meanwhile.
declare -A PR=()
policy_runs() { # KEY CLIENT-ARGS...: "median best" requests per second
	local key=$1 i
	shift
	for i in 1 2 3; do
		"$WORK/policy-client" "$NREQ" "$WORK/rcpts" 0 "$@" || die "policy-client failed"
	done | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { print v[2], v[3] }' >"$WORK/pr.$key"
	PR[$key]=$(cat "$WORK/pr.$key")
}
sync
say "policy: $NREQ requests over one connection, 3 runs each"
policy_runs floor --dunno
for b in $BACKENDS; do
	policy_runs "$b" -- "$MAILADM" -c "$WORK/report-$b.conf" quota policy
done

# ------------------------------------------------------------- 2. recalc
sync
# time_rss CMD...: "seconds peak-KiB" of one run.
time_rss() {
	/usr/bin/time -f '%e %M' -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/cmd.err" ||
		{ cat "$WORK/cmd.err" >&2; die "failed: $*"; }
	cat "$WORK/time.out"
}
declare -A RC=()
for b in $BACKENDS; do
	for s in small big; do
		say "recalc --all, $s tree, $b"
		time_rss "$MAILADM" -c "$WORK/$s-$b.conf" quota recalc --all >/dev/null
		RC[$s-$b]=$(time_rss "$MAILADM" -c "$WORK/$s-$b.conf" quota recalc --all)
	done
done
RC[du-big]=$(time_rss du -s "$WORK/big")
RC[du-small]=$(time_rss du -s "$WORK/small")
grep -q "^${QUOTA}S\$" "$WORK/big/d00000.example.net/u0/maildirsize" ||
	die "recalc did not write maildirsize"

# ------------------------------------------------------------- the table
echo
echo "1. quota report over $NMAIL mailboxes of $NREPMSG messages ($ROUNDS interleaved rounds of $RUNS runs, warm cache)"
printf '   %-32s %10s %10s %12s %12s\n' command median_ms min_ms vs_du vs_bound
for ((i = 0; i < ${#CMDS[@]}; i++)); do
	printf '   %-32s %10.1f %10.1f %12s %12s\n' "${NAMES[i]}" "${MED[$i]}" "${MIN[$i]}" \
	    "$(ratio "${MED[$nd]}" "${MED[$i]}")" "$(ratio "${MED[$i]}" "${MED[$nb]}")"
done
echo "   targets: report at least 10x faster than du -sb (vs_du >= 10),"
echo "            and within 2.5x of the bound (vs_bound <= 2.5)."
for b in $BACKENDS; do
	for ((i = 0; i < ${#CMDS[@]}; i++)); do
		[ "${NAMES[i]}" = "mailadm quota report ($b)" ] || continue
		awk -v d="${MED[$nd]}" -v m="${MED[$i]}" -v k="${MED[$nb]}" -v b="$b" \
		    'BEGIN { printf "   %s: %s, %s\n", b,
			(d / m >= 10 ? "10x du met" : "10x du NOT met"),
			(m / k <= 2.5 ? "2.5x bound met" : "2.5x bound NOT met") }'
	done
done
echo
echo "2. quota recalc --all over $NRECALC mailboxes (second run, warm cache)"
printf '   %-32s %12s %10s %14s\n' command messages seconds peak_rss_KiB
for b in $BACKENDS; do
	for s in small big; do
		read -r sec kib <<<"${RC[$s-$b]}"
		[ "$s" = big ] && n=$((per * NRECALC)) || n=$((per / 10 * NRECALC))
		printf '   %-32s %12s %10s %14s\n' "mailadm quota recalc --all ($b)" "$n" "$sec" "$kib"
	done
done
for s in small big; do
	read -r sec kib <<<"${RC[du-$s]}"
	[ "$s" = big ] && n=$((per * NRECALC)) || n=$((per / 10 * NRECALC))
	printf '   %-32s %12s %10s %14s\n' "du -s (same tree)" "$n" "$sec" "$kib"
done
echo "   target: peak memory the same for ten times the messages."
echo
echo "3. quota policy, $NREQ requests over one connection, a request then its reply (3 runs)"
printf '   %-32s %14s %14s\n' service median_req/s best_req/s
read -r med best <<<"${PR[floor]}"
printf '   %-32s %14s %14s\n' "DUNNO without lookup (floor)" "$med" "$best"
for b in $BACKENDS; do
	read -r med best <<<"${PR[$b]}"
	printf '   %-32s %14s %14s   %s\n' "mailadm quota policy ($b)" "$med" "$best" \
	    "$(awk -v r="$med" 'BEGIN { print (r >= 5000 ? "5000/s met (median)" : "5000/s NOT met (median)") }')"
done
