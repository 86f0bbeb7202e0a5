#!/bin/sh
# A short tour of mailadm on a throw-away SQLite store.
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/mailadm-demo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export MAILADM_DB="sqlite:$dir/mailadm.db"
run() {
	printf '\n$ mailadm %s\n' "$*"
	./mailadm "$@"
}
run schema init
run domain add example.com --description "Example Inc" --max-mailboxes 50 \
    --quota 1G --max-quota 2G --require-auth
run domain add café.fr
run domain add example.net
run domain alias add example.net example.com
run domain list --long
run domain show café.fr
run --json domain show example.com
run schema status
printf '\n$ mailadm domain add "exa mple.com"   # refused, nothing changed\n'
./mailadm domain add "exa mple.com" || echo "(exit $?)"
