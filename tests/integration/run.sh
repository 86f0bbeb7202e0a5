#!/bin/bash
# The integration tests (tests/integration/*.bats) against a real Postfix +
# Courier + Cyrus SASL stack on 127.0.0.1, inside a private mount namespace
# so that the host's /etc/courier and /run/courier are never touched.
# Needs root (mount namespace, daemons); TAP output.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - the integration tests need root (mount namespace, daemons)"
	exit 1
fi
if [ -z "${MAILADM_STACK_NS:-}" ]; then
	MAILADM_STACK_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi
exec bats --tap tests/integration/*.bats
