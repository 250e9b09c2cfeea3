#!/usr/bin/env bash
# Runs Roster's whole test suite. The end-to-end tests drive the server with OpenLDAP's client
# tools (ldap-utils) and python-ldap (Debian's python3-ldap, for /usr/bin/python3); they are
# installed here when missing, never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ldapsearch >/dev/null 2>&1 || need+=(ldap-utils)
/usr/bin/python3 -c 'import ldap' >/dev/null 2>&1 || need+=(python3-ldap)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v ldapsearch >/dev/null
/usr/bin/python3 -c 'import ldap'

swift build --build-tests
swift test --skip-build "$@"
