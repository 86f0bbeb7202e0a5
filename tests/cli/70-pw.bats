#!/usr/bin/env bats
# mailadm pw: hashes cross-checked in both directions with the real tools
# (doveadm pw, mkpasswd, openssl passwd, python3-passlib), bad input, and
# the rule that the password never shows in any output.  pw needs no
# database; the tests run on both backends with the usual test config.
# A missing tool is a failure, never a skip: scripts/install-deps.sh
# installs them.
load helper

# Debian's python3, which has python3-passlib (not a pyenv or venv one).
PY=/usr/bin/python3
# Spaces, UTF-8 and shell metacharacters must survive the round trips.
PW='Zq7 sécret-Ω$!'
WRONG='Zq7 secret-Ω$!'

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || {
			echo "missing $t: run scripts/install-deps.sh all"
			return 1
		}
	done
}

setup() {
	setup_db
	need doveadm mkpasswd openssl "$PY"
	"$PY" -c 'import passlib.hash' || {
		echo "missing python3-passlib: run scripts/install-deps.sh all"
		return 1
	}
}

teardown() { teardown_db; }

# pw_is CODE PASSWORD ARGS…: mailadm pw ARGS with PASSWORD on standard
# input must exit CODE; $output and $stderr as from run --separate-stderr,
# and neither may show the password.
pw_is() {
	local code=$1 pw=$2
	shift 2
	run --separate-stderr ma pw "$@" --password-stdin <<<"$pw"
	if [ "$status" -ne "$code" ]; then
		echo "mailadm pw $* (password on stdin): status $status, want $code"
		echo "stdout: $output"
		echo "stderr: $stderr"
		return 1
	fi
	no_leak "$pw"
}

# Neither $output nor $stderr holds $1.
no_leak() {
	if [ -n "$1" ] && [[ $output == *"$1"* || $stderr == *"$1"* ]]; then
		echo "the password shows: stdout '$output' stderr '$stderr'"
		return 1
	fi
}

# make_hash SCHEME [PASSWORD]: mailadm's hash of PASSWORD ($PW) in $hash.
make_hash() {
	if [ "$1" = PLAIN ]; then
		# The one scheme whose output is the password.
		run -0 --separate-stderr ma pw -q -s PLAIN --password-stdin \
		    <<<"${2-$PW}"
		hash=$output
		return
	fi
	pw_is 0 "${2-$PW}" -q -s "$1"
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$stderr" ]
	hash=$output
}

# ma_ok HASH [PASSWORD]: mailadm pw -t says 0 for PASSWORD ($PW), 1 for
# others: one whose first byte differs, and $WRONG.
ma_ok() {
	local pw=${2-$PW} other
	other=x${pw:1}
	[ "$other" != "$pw" ] || other=y${pw:1}
	pw_is 0 "$pw" -t "$1" || { echo "hash: $1"; return 1; }
	[ -z "$output" ]
	pw_is 1 "$other" -t "$1" || { echo "hash: $1"; return 1; }
	pw_is 1 "$WRONG" -t "$1" || { echo "hash: $1"; return 1; }
}

# dove_ok HASH: doveadm pw -t verifies $PW and refuses $WRONG.
dove_ok() {
	run doveadm pw -t "$1" -p "$PW"
	[ "$status" -eq 0 ] || {
		echo "doveadm pw -t '$1': status $status: $output"
		return 1
	}
	run doveadm pw -t "$1" -p "$WRONG"
	[ "$status" -ne 0 ] || {
		echo "doveadm pw -t '$1' took a wrong password"
		return 1
	}
}

# passlib SCHEME hash|verify [HASH]: PW comes in the environment.
passlib() {
	PW=$PW "$PY" -c '
import os, sys
from passlib import hash as h
s = getattr(h, sys.argv[1])
if sys.argv[2] == "hash":
    print(s.hash(os.environ["PW"]))
else:
    ok = s.verify(os.environ["PW"], sys.argv[3])
    bad = s.verify(os.environ["PW"] + "x", sys.argv[3])
    sys.exit(0 if ok and not bad else 1)
' "$@"
}

# The generated schemes, from the binary.
generated() {
	ma pw -l --long | awk 'NR > 1 && $2 == "yes" { print $1 }'
}

@test "the cross-check tools are installed (a missing one fails, never skips)" {
	need doveadm mkpasswd openssl
	run -0 doveadm pw -l
	[[ $output == *SHA512-CRYPT* ]]
	run -0 "$PY" -c 'import passlib; print(passlib.__version__)'
}

@test "doveadm pw hashes verify with mailadm pw -t" {
	local s h n=0
	for s in SHA512-CRYPT SHA256-CRYPT BLF-CRYPT MD5-CRYPT CRYPT DES-CRYPT \
	    SSHA SSHA256 SSHA512 SHA SHA1 SHA256 SHA512 MD5 PLAIN-MD5 LDAP-MD5 \
	    SMD5 PLAIN CLEAR CLEARTEXT; do
		h=$(doveadm pw -s "$s" -p "$PW")
		[[ $h == "{$s}"* ]] || { echo "doveadm gave '$h' for $s"; return 1; }
		ma_ok "$h"
		n=$((n + 1))
	done
	[ "$n" -eq 20 ]
}

@test "mailadm pw hashes verify with doveadm pw -t ({CRYPT} added to bare crypt)" {
	local s n=0
	while IFS= read -r s; do
		make_hash "$s"
		case $hash in
		'$'*) dove_ok "{CRYPT}$hash" ;;
		*) dove_ok "$hash" ;;
		esac
		ma_ok "$hash"
		n=$((n + 1))
	done < <(generated)
	# SHA512-CRYPT SHA256-CRYPT BLF-CRYPT YESCRYPT MD5-CRYPT SSHA512
	# SSHA256 SSHA PLAIN
	[ "$n" -eq 9 ]
}

@test "password_prefix = yes: Dovecot's {SCHEME} prefix, read by doveadm as it is" {
	write_config "password_prefix = yes"
	local s
	for s in SHA512-CRYPT SHA256-CRYPT BLF-CRYPT MD5-CRYPT; do
		make_hash "$s"
		[[ $hash == "{$s}\$"* ]] || { echo "$s: $hash"; return 1; }
		dove_ok "$hash"
		ma_ok "$hash"
	done
	# Dovecot has no name for yescrypt: {CRYPT}, which courier reads too.
	make_hash YESCRYPT
	[[ $hash == '{CRYPT}$y$'* ]]
	dove_ok "$hash"
	# Not the others: their prefix is part of the format.
	make_hash SSHA
	[[ $hash == '{SSHA}'* ]]
	dove_ok "$hash"
}

@test "the default is SHA512-CRYPT, stored bare; password_scheme changes it" {
	pw_is 0 "$PW"
	[[ $output == '$6$'* ]]
	[ -z "$stderr" ]
	write_config "password_scheme = ssha"
	pw_is 0 "$PW"
	[[ $output == '{SSHA}'* ]]
	ma_ok "$output"
	# -s wins over the configuration.
	pw_is 0 "$PW" -s SHA256-CRYPT
	[[ $output == '$5$'* ]]
}

@test "a bad password_scheme in the configuration is a configuration error" {
	write_config "password_scheme = NOPE"
	pw_is 78 "$PW"
	[[ $stderr == *"$CFG:4: password_scheme = 'NOPE': not a scheme mailadm can make"* ]]
	# The configuration is checked when it is read, whatever the command.
	pw_is 78 "$PW" -s SHA512-CRYPT
}

@test "mkpasswd hashes verify with mailadm pw -t" {
	local m h
	for m in sha-512 sha-256 md5crypt bcrypt bcrypt-a yescrypt \
	    gost-yescrypt scrypt descrypt; do
		h=$(printf '%s\n' "$PW" | mkpasswd -m "$m" --stdin)
		[ -n "$h" ] || { echo "mkpasswd -m $m gave nothing"; return 1; }
		ma_ok "$h"
	done
}

@test "openssl passwd hashes verify with mailadm pw -t" {
	local o h
	# OpenSSL 3 has no -crypt (DES) any more; mkpasswd covers DES.
	for o in -1 -5 -6; do
		h=$(printf '%s\n' "$PW" | openssl passwd "$o" -stdin)
		ma_ok "$h"
	done
	# Apache's $apr1$ is not a crypt(3) hash: refused, not a mismatch.
	h=$(printf '%s\n' "$PW" | openssl passwd -apr1 -stdin)
	pw_is 65 "$PW" -t "$h"
}

@test "passlib hashes verify with mailadm pw -t" {
	local s
	for s in ldap_salted_sha1 ldap_sha1 ldap_md5 ldap_hex_md5 \
	    ldap_salted_md5 ldap_salted_sha256 ldap_salted_sha512 hex_md5 \
	    sha512_crypt sha256_crypt md5_crypt des_crypt bcrypt mysql41 \
	    mysql323; do
		ma_ok "$(passlib "$s" hash)"
	done
}

@test "mailadm pw hashes verify with passlib" {
	local pair
	for pair in SHA512-CRYPT:sha512_crypt SHA256-CRYPT:sha256_crypt \
	    MD5-CRYPT:md5_crypt BLF-CRYPT:bcrypt SSHA:ldap_salted_sha1 \
	    SSHA256:ldap_salted_sha256 SSHA512:ldap_salted_sha512; do
		make_hash "${pair%%:*}"
		passlib "${pair#*:}" verify "$hash" || {
			echo "passlib ${pair#*:} refused mailadm's $hash"
			return 1
		}
	done
	# {SSHA}: 20 bytes of SHA-1 and the 4-byte salt courier-authlib needs.
	make_hash SSHA
	[ "$(printf '%s' "${hash#\{SSHA\}}" | base64 -d | wc -c)" -eq 24 ]
}

@test "published vectors: Postfixadmin, MySQL, crypt(3)" {
	ma_ok '{MD5}zAPnR6avu8v4vnZorP6+5Q==' test123
	ma_ok '$1$c9809462$fC8eUPU2lq7arWRvxChMu1' test123
	ma_ok '{SHA256}7NcYcNGWMxapfjrDQIyYNa2M8PPBvHA1J8MCZVNPda4=' test123
	ma_ok '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19' password
	ma_ok 5d2e19393cc5ef67 password
	ma_ok sa3tHJ3/KuYvI password
}

@test "a mismatch exits 1; --json says {\"match\": false}" {
	make_hash SHA512-CRYPT
	pw_is 1 "$WRONG" -t "$hash"
	[ -z "$output" ]
	[ -z "$stderr" ]
	pw_is 1 "$WRONG" --json -t "$hash"
	[ "$output" = '{"match": false}' ]
	pw_is 0 "$PW" --json -t "$hash"
	[ "$output" = '{"match": true}' ]
	pw_is 0 "$PW" -v -t "$hash"
	[[ $stderr == *"matches"* ]]
}

@test "--json prints the hash as {\"hash\": …}" {
	pw_is 0 "$PW" --json -s SSHA
	[[ $output =~ ^\{\"hash\":\ \"\{SSHA\}[A-Za-z0-9+/=]+\"\}$ ]]
	pw_is 65 "$PW" --json -s NOPE
	[[ $output == '{"error": {"code": 65, "message": "unknown password scheme '"'NOPE'"* ]]
}

@test "a NUL byte or a second line on standard input: 65, password not shown" {
	run --separate-stderr ma pw --password-stdin < <(printf 'Zq7sec\0ret\n')
	[ "$status" -eq 65 ]
	[[ $stderr == *"NUL byte"* ]]
	[[ $stderr != *Zq7sec* ]]
	run --separate-stderr ma pw --password-stdin < <(printf 'Zq7secret\nmore\n')
	[ "$status" -eq 65 ]
	[[ $stderr == *"more than one line"* ]]
	[[ $stderr != *Zq7secret* && $output == "" ]]
	# Verifying reads the same way.
	make_hash SHA512-CRYPT
	run --separate-stderr ma pw -t "$hash" --password-stdin \
	    < <(printf '%s\nmore\n' "$PW")
	[ "$status" -eq 65 ]
}

@test "one trailing LF or CRLF is not part of the password; an empty one is refused" {
	run -0 ma pw -s SSHA --password-stdin < <(printf '%s\r\n' "$PW")
	ma_ok "$output"
	run -0 ma pw -s SSHA --password-stdin < <(printf '%s' "$PW")
	ma_ok "$output"
	# Leading and trailing blanks are part of it.
	make_hash SSHA " $PW "
	ma_ok "$hash" " $PW "
	pw_is 1 "$PW" -t "$hash"
	pw_is 65 "" -s SSHA
	[[ $stderr == *"empty password"* ]]
	run -65 ma pw --password-stdin </dev/null
}

@test "no terminal and no --password-stdin: 64" {
	run --separate-stderr ma pw </dev/null
	[ "$status" -eq 64 ]
	[[ $stderr == *"not a terminal"*"--password-stdin"* ]]
	make_hash SHA512-CRYPT
	run --separate-stderr ma pw -t "$hash" <<<"$PW"
	[ "$status" -eq 64 ]
	[ -z "$output" ]
}

@test "the password is never taken from the command line" {
	run --separate-stderr ma pw -p Zq7secret
	[ "$status" -eq 64 ]
	[[ $stderr == *"never taken from the command line"* ]]
	[[ $stderr != *Zq7secret* ]]
	run -64 ma pw --password=Zq7secret
	[[ $output != *Zq7secret* ]]
}

@test "-t with something that is not a hash: 65, before any password is read" {
	pw_is 65 "$PW" -t notahash
	[[ $stderr == *"not a password hash"* && $stderr != *notahash* ]]
	# No terminal, no --password-stdin: the hash is still judged first.
	run -65 ma pw -t notahash </dev/null
	pw_is 65 "$PW" -t '{NOPE}abc'
	[[ $stderr == *"unknown password scheme '{NOPE}'"* ]]
	pw_is 65 "$PW" -t '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1'
	[[ $stderr == *"malformed MYSQL41 hash"* ]]
	pw_is 65 "$PW" -t 5d2e19393cc5ef6
	pw_is 65 "$PW" -t '$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2'
	[[ $stderr == *"malformed SHA512-CRYPT hash"* ]]
	pw_is 65 "$PW" -t '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ'
	# A clear-text password in the hash column is not shown either.
	pw_is 65 "$PW" -t 'Hunter2-clear'
	[[ $stderr != *Hunter2* ]]
	# Schemes Dovecot has and mailadm does not: refused, not a mismatch.
	pw_is 65 "$PW" -t "$(doveadm pw -s CRAM-MD5 -p "$PW")"
}

@test "-s with an unknown or verify-only scheme: 65, naming the valid ones" {
	pw_is 65 "$PW" -s NOPE
	[[ $stderr == *"unknown password scheme 'NOPE'"*SHA512-CRYPT*SSHA* ]]
	pw_is 65 "$PW" -s DES-CRYPT
	[[ $stderr == *"can be verified but not made"* ]]
	pw_is 65 "$PW" -s MYSQL41
	pw_is 0 "$PW" -s ssha512 -q
	[[ $output == '{SSHA512}'* ]]
}

@test "long passwords: 511 bytes work, 10 kB are refused; BLF-CRYPT stops at 72" {
	local p511 p10k p72
	p511=$(head -c 511 /dev/zero | tr '\0' a)
	p10k=$(head -c 10240 /dev/zero | tr '\0' b)
	p72=$(head -c 72 /dev/zero | tr '\0' c)
	make_hash SHA512-CRYPT "$p511"
	ma_ok "$hash" "$p511"
	pw_is 65 "${p511}a" -s SSHA
	[[ $stderr == *"too long: 512 bytes, at most 511"* ]]
	pw_is 65 "$p10k" -s SSHA512
	[[ $stderr == *"too long: 10240 bytes"* ]]
	pw_is 65 "$p10k" -t "$hash"
	make_hash BLF-CRYPT "$p72"
	ma_ok "$hash" "$p72"
	pw_is 65 "${p72}c" -s BLF-CRYPT
	[[ $stderr == *"BLF-CRYPT"*"72"* ]]
}

@test "warnings: what courier-authlib cannot verify, PLAIN, weak schemes; -q silences" {
	pw_is 0 "$PW" -s SSHA512
	[[ $stderr == *"warning: SSHA512 hashes cannot be verified by courier-authlib"* ]]
	pw_is 0 "$PW" -s SSHA256
	[[ $stderr == *"courier-authlib"* ]]
	pw_is 0 "$PW" -q -s SSHA512
	[ -z "$stderr" ]
	for s in SHA512-CRYPT SHA256-CRYPT BLF-CRYPT YESCRYPT SSHA; do
		pw_is 0 "$PW" -s "$s"
		[ -z "$stderr" ] || { echo "$s: $stderr"; return 1; }
	done
	pw_is 0 "$PW" -s MD5-CRYPT
	[[ $stderr == *"MD5-CRYPT is weak"* ]]
	write_config "password_prefix = yes"
	pw_is 0 "$PW" -s SHA512-CRYPT
	[[ $stderr == *"password_prefix = yes"*courier-authlib* ]]
	pw_is 0 "$PW" -s YESCRYPT
	[ -z "$stderr" ]
}

@test "PLAIN only when asked for by name, with a warning" {
	run --separate-stderr ma pw -s PLAIN --password-stdin <<<"$PW"
	[ "$status" -eq 0 ]
	[ "$output" = "{PLAIN}$PW" ]
	[[ $stderr == *"warning: PLAIN stores the password itself"* ]]
	[[ $stderr != *"$PW"* ]]
	ma_ok "$output"
}

@test "-l lists every scheme; --long says who verifies; --json is an array" {
	run -0 ma pw -l
	local s
	for s in SHA512-CRYPT SHA256-CRYPT BLF-CRYPT YESCRYPT MD5-CRYPT SSHA512 \
	    SSHA256 SSHA PLAIN DES-CRYPT SHA SHA256 SHA512 MD5 PLAIN-MD5 \
	    MYSQL41 MYSQL323; do
		grep -qx -- "$s" <<<"$output" || { echo "no $s"; return 1; }
	done
	run -0 ma pw -l --long
	[[ ${lines[0]} == "scheme"*"generate"*"courier"*"dovecot"*"cyrus"* ]]
	grep -Eq '^SSHA512 +yes +no +no +yes +no ' <<<"$output"
	grep -Eq '^SHA512-CRYPT +yes +yes +yes +yes +yes ' <<<"$output"
	grep -Eq '^MYSQL41 +no +no +no +no +no ' <<<"$output"
	run -0 ma --json pw -l
	[[ $output == '['* && $output == *']' ]]
	[[ $output == *'{"scheme": "SSHA", "generate": true, "default": false, "courier": true, "dovecot": true, "cyrus": true, '* ]]
	run -64 ma pw -l -s SSHA
	run -64 ma pw --long
	make_hash SSHA
	run -64 ma pw -s SSHA -t "$hash"
}

@test "help: mailadm help pw and mailadm pw --help" {
	run -0 ma help pw
	[[ ${lines[0]} == "usage: mailadm pw "*"-s SCHEME"*"-t HASH"*"--password-stdin"* ]]
	run -0 ma pw --help
	[[ ${lines[0]} == "usage: mailadm pw "* ]]
	run -0 ma help
	grep -Eq '^  pw +[a-z]' <<<"$output"
}

@test "on a terminal: asked twice without echo; a mismatch is 65" {
	local helper=$BATS_TEST_TMPDIR/tty-answer.py
	# Answer each prompt with the next line, on a pseudo-terminal.
	cat >"$helper" <<'EOF'
import os, pty, select, sys
answers, cmd = sys.argv[1:3], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b""
def more():
    global out
    r, _, _ = select.select([fd], [], [], 10)
    try:
        d = os.read(fd, 4096) if r else b""
    except OSError:
        d = b""
    out += d
    return d
for a in answers:
    while not out.rstrip().endswith(b":") and more():
        pass
    try:
        os.write(fd, a.encode() + b"\n")
    except OSError:
        break
    out += b"|"
while more():
    pass
sys.stdout.write(out.decode(errors="replace"))
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
	run "$PY" "$helper" "$PW" "$PW" "$MAILADM_BIN" -c "$CFG" pw -s SSHA
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ $output == *"Enter password:"*"Retype password:"*"{SSHA}"* ]]
	no_leak "$PW"
	ma_ok "$(grep -o '{SSHA}[A-Za-z0-9+/=]*' <<<"$output")"
	run "$PY" "$helper" "$PW" "$WRONG" "$MAILADM_BIN" -c "$CFG" pw
	[ "$status" -eq 65 ]
	[[ $output == *"passwords do not match"* ]]
	no_leak "$PW"
	no_leak "$WRONG"
	# -t asks once.
	make_hash SHA512-CRYPT
	run "$PY" "$helper" "$PW" "" "$MAILADM_BIN" -c "$CFG" pw -t "$hash"
	[ "$status" -eq 0 ]
	[[ $output != *Retype* ]]
}

@test "pw touches no database" {
	make_hash SHA512-CRYPT
	ma_ok "$hash"
	if [ "$BACKEND" = sqlite ]; then
		[ ! -e "$SQLITE_FILE" ]
	else
		[ -z "$(mysql_root "$DBNAME" <<<'SHOW TABLES')" ]
	fi
}
