#!/usr/bin/env bash
# Runs Roster's whole test suite. The end-to-end tests drive the server with OpenLDAP's client
# tools (ldap-utils), python-ldap and ldap3 (Debian's python3-ldap and python3-ldap3, for
# /usr/bin/python3), openssl and ip (iproute2), and load the schema into slapd's config (slaptest);
# the web address book's browser test drives Debian's chromium through chromium-driver and selenium
# (python3-selenium; fonts-noto-cjk for the screenshots' Chinese), and the QR tests read codes back
# with zbar-tools' zbarimg; they are installed here when missing, never skipped. PostgreSQL (Debian's postgresql) likewise.
set -euo pipefail
cd "$(dirname "$0")/.."

# slapd is needed for slaptest/slapadd (the schema files are loaded into a real slapd's config);
# its service is never started.
need=()
command -v ldapsearch >/dev/null 2>&1 || need+=(ldap-utils)
/usr/bin/python3 -c 'import ldap' >/dev/null 2>&1 || need+=(python3-ldap)
/usr/bin/python3 -c 'import ldap3' >/dev/null 2>&1 || need+=(python3-ldap3)
command -v slaptest >/dev/null 2>&1 || [ -x /usr/sbin/slaptest ] || need+=(slapd)
# OpenLDAP's pw-pbkdf2 module (hash interoperability tests).
[ -e /usr/lib/ldap/pw-pbkdf2.so ] || need+=(slapd-contrib)
# The TLS tests use openssl s_client as a peer, and a network namespace (ip netns) as a client
# that is not on loopback.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || need+=(iproute2)
# LibreOffice (headless Calc) opens the xlsx template and writes an xlsx the importer reads.
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
# The PostgreSQL store's tests start their own cluster (initdb + pg_ctl in a temporary directory,
# as the postgres user when run as root); Debian's package brings the binaries, its service is
# never started.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# The web address book: a headless browser (chromium, chromium-driver, selenium; CJK fonts for the
# screenshots), and zbarimg to read the QR codes back.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
/usr/bin/python3 -c 'import selenium' >/dev/null 2>&1 || need+=(python3-selenium)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod +x /usr/sbin/policy-rc.d
        policy=1
    fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    [ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi
command -v ldapsearch >/dev/null
/usr/bin/python3 -c 'import ldap'
/usr/bin/python3 -c 'import ldap3'
command -v soffice >/dev/null
/usr/bin/python3 -c 'import selenium'
command -v chromium >/dev/null
[ -x /usr/bin/chromedriver ]
command -v zbarimg >/dev/null
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
export PATH="$PATH:/usr/sbin"

swift build --build-tests
if [ $# -gt 0 ]; then
    exec swift test --skip-build "$@"
fi
# The flood test measures other clients' latency while one client floods the server, and the
# suites named *TimingTests measure time itself (equal refusal times, the bind throttle's waits,
# idle timeouts): they run one at a time, after the rest, so the suite's parallel tests do not
# compete with them for the 2 cores.
swift test --skip-build --skip 'FloodTests|TimingTests'
swift test --skip-build --no-parallel --filter 'FloodTests|TimingTests'
# A bounded run of each fuzz target (Fuzz/, libFuzzer, its own build): a target that does not
# build, crashes or breaks a property fails the run.
# A fixed seed: on a clean clone the run is repeatable; long sessions (README) use random ones.
scripts/fuzz.sh all 20 -seed=1
