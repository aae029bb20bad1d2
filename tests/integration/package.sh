#!/usr/bin/env bash
# The Debian package (issue #15 item 6): builds pfswitch's .deb with
# `dpkg-buildpackage -b -us -uc` from a temporary copy of the source tree (so the
# working tree gets no debian/ build outputs), runs lintian on it (errors fail the
# test, warnings are listed), installs it with dpkg, then checks the installed
# files: `pfswitchd --version`, `--check-config` on /etc/pfswitch/pfswitch.ini (a
# conffile), the manual pages, the Type=notify unit (systemd-analyze verify), the
# bash completion, and that the installed pfswitchd tells a NOTIFY_SOCKET READY=1
# once up and STOPPING=1 on SIGTERM. The package is purged at the end, also on failure.
# Usage: package.sh SOURCE_ROOT. Root only (dpkg -i); skips (77) otherwise, or when
# the packaging tools are missing or a pfswitch package is already installed.
set -uo pipefail

src=$(cd "$1" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "package test needs root (dpkg -i); run meson test as root"
for t in dpkg-buildpackage dh lintian python3; do
	command -v "$t" >/dev/null || skip "$t missing (tools/install-deps.sh installs it)"
done
if dpkg-query -W -f='${Status}' pfswitch 2>/dev/null | grep -q "ok installed"; then
	skip "a pfswitch package is already installed; this test would replace and purge it"
fi

work=$(mktemp -d /tmp/pfs-package.XXXXXX)
installed=0
daemon=
failures=0
cleanup() {
	[ -n "$daemon" ] && kill -9 "$daemon" 2>/dev/null
	if [ "$installed" -eq 1 ]; then
		dpkg -P pfswitch >"$work/purge.log" 2>&1 || cat "$work/purge.log"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
check() { # check LABEL COMMAND...: run it, report, count a failure
	local label=$1
	shift
	if "$@" >"$work/check.out" 2>&1; then
		echo "ok: $label"
	else
		echo "FAIL: $label"
		sed 's/^/    /' "$work/check.out" | tail -20
		failures=$((failures + 1))
	fi
}

# The source tree as git sees it (tracked and untracked-not-ignored files, so
# uncommitted work is what gets packaged), without build directories or .git.
mkdir "$work/src"
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		tar --null --ignore-failed-read -T - -cf -) 2>/dev/null | tar -xf - -C "$work/src"
else
	tar -C "$src" --exclude='./build*' --exclude='./obj-*' --exclude=./.git -cf - . |
		tar -xf - -C "$work/src"
fi
[ -f "$work/src/debian/control" ] || { echo "FAIL: no debian/control in the copy"; exit 1; }

version=$(cd "$work/src" && dpkg-parsechangelog -S Version)
upstream=${version%-*}
arch=$(dpkg --print-architecture)
deb="$work/pfswitch_${version}_${arch}.deb"

echo "building pfswitch $version ($arch) in $work/src"
start=$(date +%s)
if ! (cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1; then
	echo "FAIL: dpkg-buildpackage; last lines of its log:"
	tail -40 "$work/build.log"
	exit 1
fi
echo "built in $(($(date +%s) - start)) s: $(basename "$deb")"
[ -f "$deb" ] || { echo "FAIL: $deb was not built"; ls "$work"; exit 1; }

# lintian: errors fail the test; warnings (none expected) are listed.
lintian --fail-on error "$deb" >"$work/lintian.log" 2>&1
lintian_rc=$?
grep -v '^running with root privileges' "$work/lintian.log" | sed 's/^/lintian: /'
n_warn=$(grep -c '^W: ' "$work/lintian.log")
echo "lintian: $(grep -c '^E: ' "$work/lintian.log") error(s), $n_warn warning(s)"
check "lintian reports no error" test "$lintian_rc" -eq 0

if ! dpkg -i "$deb" >"$work/install.log" 2>&1; then
	installed=1 # half-configured: purge it
	echo "FAIL: dpkg -i; its output:"
	cat "$work/install.log"
	exit 1
fi
installed=1
echo "installed $(dpkg-query -W -f='${Package} ${Version}' pfswitch)"

check "pfswitchd --version is $upstream" \
	bash -c "/usr/sbin/pfswitchd --version | grep -qx 'pfswitchd (pfswitch) $upstream'"
check "pfswitchd --check-config on the installed config" \
	/usr/sbin/pfswitchd --check-config --config /etc/pfswitch/pfswitch.ini
check "pfswitch.ini is a conffile" \
	bash -c "dpkg-query -W -f='\${Conffiles}' pfswitch | grep -q ' /etc/pfswitch/pfswitch.ini '"
for f in /usr/bin/pfs-ofctl /usr/bin/pfs-pktgen; do
	check "$f installed" test -x "$f"
done
for t in pfs-ofctl pfs-pktgen; do
	check "$t --version is $upstream" \
		bash -c "/usr/bin/$t --version | grep -q '^$t (pfswitch) $upstream\$'"
done
for f in /usr/share/man/man8/pfswitchd.8.gz /usr/share/man/man8/pfs-ofctl.8.gz \
	/usr/share/man/man1/pfs-pktgen.1.gz /usr/share/bash-completion/completions/pfs-ofctl; do
	check "$f installed" test -s "$f"
done
if command -v man >/dev/null; then
	check "man -w pfswitchd" bash -c "man -w pfswitchd | grep -q /usr/share/man/man8/pfswitchd.8"
fi
unit=/lib/systemd/system/pfswitchd.service
check "unit is Type=notify" grep -qx 'Type=notify' "$unit"
check "unit starts /usr/sbin/pfswitchd on /etc/pfswitch/pfswitch.ini" \
	grep -qx 'ExecStart=/usr/sbin/pfswitchd --config /etc/pfswitch/pfswitch.ini --pidfile /run/pfswitch/pfswitchd.pid' "$unit"
if command -v systemd-analyze >/dev/null && command -v man >/dev/null; then
	check "systemd-analyze verify $unit" systemd-analyze verify "$unit"
fi
check "pfswitchd links libsystemd" bash -c "ldd /usr/sbin/pfswitchd | grep -q libsystemd"

# sd_notify: the installed daemon on a bridge without ports, with NOTIFY_SOCKET set,
# must send READY=1 once up and STOPPING=1 when told to stop.
cat >"$work/notify.ini" <<INI
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error -m 512
[switch]
rundir = $work/run
[bridge br0]
INI
cat >"$work/notify.py" <<'PY'
import os, socket, subprocess, sys, time
path, ini, log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
env = dict(os.environ, NOTIFY_SOCKET=path)
with open(log, "w") as out:
    p = subprocess.Popen(["/usr/sbin/pfswitchd", "--config", ini], env=env,
                         stdout=out, stderr=subprocess.STDOUT)
got = []
try:
    while not any(m.startswith("READY=1") for m in got):
        got.append(s.recv(4096).decode())
    p.terminate()
    while not any("STOPPING=1" in m for m in got):
        got.append(s.recv(4096).decode())
    rc = p.wait(30)
except Exception as e:  # timeout: report what came
    p.kill()
    print("notify: %r after %r" % (e, got))
    sys.exit(1)
print("notify: %r, exit %d" % (got, rc))
sys.exit(0 if rc == 0 else 1)
PY
check "installed pfswitchd sends READY=1 and STOPPING=1 to NOTIFY_SOCKET" \
	bash -c "python3 '$work/notify.py' '$work/notify.sock' '$work/notify.ini' '$work/notify.log' || { cat '$work/notify.log'; exit 1; }"

if dpkg -P pfswitch >"$work/purge.log" 2>&1; then
	installed=0
	check "purge removes the binary and /etc/pfswitch" \
		bash -c "! test -e /usr/sbin/pfswitchd && ! test -e /etc/pfswitch/pfswitch.ini"
else
	echo "FAIL: dpkg -P pfswitch"
	cat "$work/purge.log"
	failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
	echo "package: $failures check(s) failed"
	exit 1
fi
echo "package: all checks passed"
