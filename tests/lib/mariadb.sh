# shellcheck shell=bash
# Private, throw-away MariaDB servers for the tests.  Source this file.
#
#   mariadb_start DIR     create DIR/data and start a server on DIR/mysqld.sock
#                         and 127.0.0.1:<random free port>; exports
#                         MARIADB_SOCKET, MARIADB_PORT, MARIADB_PID
#   mariadb_stop DIR      stop it (by the pid in DIR/mysqld.pid); idempotent
#   mariadb_sql DIR [DB]  run SQL from stdin as root (batch mode: -N -B)
#
# The system server (/etc/mysql, /var/lib/mysql, port 3306) is never used:
# every program gets --no-defaults and explicit paths, so nothing is read
# from my.cnf, and the server only listens on loopback.
#
# Functions return non-zero with a message on stderr; they never call exit,
# so they are safe in bats and in scripts without `set -e`.

_mariadb_err() { printf 'mariadb.sh: %s\n' "$*" >&2; }

# Seconds since an earlier $EPOCHREALTIME, with two decimals.
_mariadb_since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}

# Small InnoDB files and no fsync: the data is disposable, and creating a
# default 96M redo log plus 128M buffer pool is most of a cold start.
_MARIADB_FAST_OPTS=(
	--innodb-buffer-pool-size=32M
	--innodb-log-file-size=8M
	--innodb-flush-log-at-trx-commit=0
	--innodb-doublewrite=0
	--skip-log-bin
	--skip-name-resolve
	# Debian's stock server config (skipped by --no-defaults) sets these.
	--character-set-server=utf8mb4
	--collation-server=utf8mb4_general_ci
)

# True if DIR/mysqld.pid names a live (non-zombie) mariadbd started for DIR.
# Checking the command line guards against a stale pid file whose pid the
# kernel has since given to an unrelated process.
_mariadb_running_pid() {
	local dir=$1 pid state
	[ -r "$dir/mysqld.pid" ] || return 1
	read -r pid <"$dir/mysqld.pid" 2>/dev/null || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	[ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "--pid-file=$dir/mysqld.pid" || return 1
	# A dead child of this shell stays a zombie until reaped: that is gone.
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ] || return 1
	printf '%s\n' "$pid"
}

# Wait until PID has exited (or is a zombie), at most $2 tenths of a second.
_mariadb_wait_gone() {
	local pid=$1 n=$2 state
	while [ "$n" -gt 0 ]; do
		state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 0
		[ "$state" = Z ] && { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# A free TCP port on 127.0.0.1 in 20000-59999.  Another process can still
# take it before mariadbd binds; mariadb_start retries on a bind failure.
_mariadb_free_port() {
	local p
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	_mariadb_err "no free port found"
	return 1
}

mariadb_start() {
	local dir=${1:?usage: mariadb_start DIR} t0 t1 pid port try d
	local -a user_opt=()
	t0=$EPOCHREALTIME
	dir=$(cd "$dir" 2>/dev/null && pwd -P) || { _mariadb_err "no such directory: $1"; return 1; }

	# AF_UNIX paths are limited to 107 bytes; mariadbd's message would be
	# buried in its log.
	if [ ${#dir} -gt 90 ]; then
		_mariadb_err "directory path too long for a socket: $dir"
		return 1
	fi
	if _mariadb_running_pid "$dir" >/dev/null; then
		_mariadb_err "a server is already running in $dir"
		return 1
	fi
	if [ -e "$dir/data" ]; then
		_mariadb_err "$dir/data already exists; use a fresh directory"
		return 1
	fi

	# mariadbd refuses to run as root, so as root it runs as `mysql`, and
	# that user must be able to reach DIR and write its socket, pid file and
	# log there.  Keep DIR owned by the caller; give group mysql access.
	if [ "$(id -u)" -eq 0 ]; then
		user_opt=(--user=mysql)
		chgrp mysql "$dir" && chmod g+rwx "$dir" || return 1
		if ! runuser -u mysql -- test -w "$dir" -a -x "$dir"; then
			d=$dir
			while [ "$d" != / ]; do
				d=$(dirname "$d")
				runuser -u mysql -- test -x "$d" ||
					_mariadb_err "user mysql cannot traverse $d (chmod o+x it)"
			done
			_mariadb_err "user mysql cannot use $dir"
			return 1
		fi
		mkdir -m 0750 "$dir/data" && chown mysql:mysql "$dir/data" || return 1
	else
		mkdir -m 0750 "$dir/data" || return 1
	fi

	# --auth-root-authentication-method=normal: root@localhost with an empty
	# password, so `-uroot` works from any OS user (socket auth alone would
	# only admit OS root).
	if ! mariadb-install-db --no-defaults --datadir="$dir/data" "${user_opt[@]}" \
		--auth-root-authentication-method=normal --skip-test-db \
		"${_MARIADB_FAST_OPTS[@]}" >"$dir/install-db.log" 2>&1; then
		_mariadb_err "mariadb-install-db failed; end of $dir/install-db.log:"
		tail -n 20 "$dir/install-db.log" >&2
		return 1
	fi
	t1=$EPOCHREALTIME

	for try in 1 2 3; do
		port=$(_mariadb_free_port) || return 1
		: >"$dir/mysqld.err"
		[ ${#user_opt[@]} -gt 0 ] && chown mysql:mysql "$dir/mysqld.err"
		# Start mariadbd itself (not mysqld_safe) so that $! is the server.
		# All its fds point away from ours, fd 3 included: bats waits for
		# every holder of fd 3 before it finishes a test file.
		mariadbd --no-defaults "${user_opt[@]}" \
			--datadir="$dir/data" \
			--socket="$dir/mysqld.sock" \
			--pid-file="$dir/mysqld.pid" \
			--log-error="$dir/mysqld.err" \
			--bind-address=127.0.0.1 --port="$port" \
			"${_MARIADB_FAST_OPTS[@]}" \
			</dev/null >>"$dir/mysqld.out" 2>&1 3>&- &
		pid=$!

		# Bounded wait: 300 x 0.1 s.  Stop early if the server died.
		local n=300 up=
		while [ $n -gt 0 ]; do
			if mariadb-admin --no-defaults -S "$dir/mysqld.sock" -uroot \
				--connect-timeout=1 ping >/dev/null 2>&1; then
				up=1
				break
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
			n=$((n - 1))
		done
		[ -n "$up" ] && break

		local why="exited"
		if kill -0 "$pid" 2>/dev/null; then # alive but not answering
			why="did not answer within 30 s"
			kill -TERM "$pid" 2>/dev/null
			_mariadb_wait_gone "$pid" 200 || kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
		# Someone took the port between our check and the bind: try another.
		if grep -q "Bind on TCP/IP port" "$dir/mysqld.err" && [ $try -lt 3 ]; then
			_mariadb_err "port $port was taken, retrying"
			continue
		fi
		_mariadb_err "mariadbd $why; end of $dir/mysqld.err:"
		tail -n 30 "$dir/mysqld.err" >&2
		return 1
	done

	# The server writes its pid file before it accepts connections.
	local filepid=
	read -r filepid <"$dir/mysqld.pid" 2>/dev/null
	if [ "$filepid" != "$pid" ]; then
		_mariadb_err "pid file says '${filepid}', but started $pid"
		kill -TERM "$pid" 2>/dev/null
		return 1
	fi
	# `ping` succeeds even when login is refused; check that root gets in.
	if [ "$(echo 'SELECT 1' | mariadb_sql "$dir" 2>&1)" != 1 ]; then
		_mariadb_err "server is up but root cannot log in over $dir/mysqld.sock"
		mariadb_stop "$dir"
		return 1
	fi

	export MARIADB_SOCKET="$dir/mysqld.sock" MARIADB_PORT="$port" MARIADB_PID="$pid"
	printf 'mariadb_start: %s ready in %ss (install-db %ss), pid %s, port %s\n' \
		"$dir" "$(_mariadb_since "$t0")" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
		"$pid" "$port" >&2
}

mariadb_stop() {
	local dir=${1:?usage: mariadb_stop DIR} pid
	dir=$(cd "$dir" 2>/dev/null && pwd -P) || return 0 # nothing left to stop
	pid=$(_mariadb_running_pid "$dir") || return 0   # not running
	kill -TERM "$pid" 2>/dev/null
	if ! _mariadb_wait_gone "$pid" 200; then
		_mariadb_err "pid $pid ignored SIGTERM for 20 s; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null
		_mariadb_wait_gone "$pid" 50 || {
			_mariadb_err "pid $pid survived SIGKILL"
			return 1
		}
		rm -f "$dir/mysqld.pid" # mariadbd removes it only on a clean exit
	fi
	return 0
}

mariadb_sql() {
	local dir=${1:?usage: mariadb_sql DIR [DB]}
	mariadb --no-defaults -S "$dir/mysqld.sock" -uroot -N -B ${2:+"$2"}
}
