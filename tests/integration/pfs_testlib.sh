# Shared helpers for the pfswitchd integration tests (sourced, not run).
#
#   pfs_init NAME PFSWITCHD [TOOL...]   skip (77) unless root and the tools exist; sets
#                                       TMP, RUN, TAG, PFSWITCHD; installs the EXIT trap
#   pfs_hosts N                         hosts h1..hN: namespace $NSi with eth0 at
#                                       10.$NET.0.i/24, veth $Vi on the root side
#   pfs_config FILE BRIDGE_KEYS         writes a config with bridge br0 (keys given as
#                                       text) and one af_packet port per host (ofport i)
#   pfs_start FILE                      starts pfswitchd, waits for RUN/br0.mgmt
#   pfs_bg CMD...                       starts a background process killed at exit
#   pass/fail/check/check_not/pfs_done  counters and the final verdict
# Everything created (namespaces, veths, processes, TMP) is removed by the EXIT trap,
# also on failure and on SIGINT/SIGTERM.

pfs_skip() {
	echo "SKIP: $*"
	exit 77
}

PFS_PIDS=()
PFS_NS=()
PFS_LINKS=()
PID=
FAILS=0
PASSES=0

pfs_cleanup() {
	local p
	trap - EXIT
	for p in "${PFS_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PID" 2>/dev/null
	fi
	for p in "${PFS_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	for p in "${PFS_NS[@]}"; do ip netns del "$p" 2>/dev/null; done
	for p in "${PFS_LINKS[@]}"; do ip link del "$p" 2>/dev/null; done
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}

pfs_init() {
	local name=$1 tool
	PFSWITCHD=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd}")
	shift 2
	[ "$(id -u)" = 0 ] || pfs_skip "needs root (network namespaces, veth, af_packet)"
	for tool in ip ping timeout "$@"; do
		command -v "$tool" >/dev/null 2>&1 || pfs_skip "$tool not installed"
	done
	[ -x "$PFSWITCHD" ] || { echo "FAIL: $PFSWITCHD is not executable"; exit 1; }
	TAG=$$
	NET=$((100 + TAG % 150))
	TMP=$(mktemp -d "/tmp/pfs-$name.XXXXXX")
	RUN=$TMP/run
	mkdir -p "$RUN"
	export OVS_RUNDIR=$TMP
	trap pfs_cleanup EXIT
	trap 'exit 1' INT TERM
}

pfs_hosts() {
	local i n=$1 ns v
	for i in $(seq "$n"); do
		ns=pfsh$i-$TAG
		v=pfv$i-$TAG
		eval "NS$i=$ns V$i=$v"
		ip netns add "$ns" || pfs_skip "cannot create network namespaces"
		PFS_NS+=("$ns")
		ip link add "$v" type veth peer name eth0 netns "$ns" || exit 1
		PFS_LINKS+=("$v")
		ip link set "$v" up
		ip -n "$ns" addr add "10.$NET.0.$i/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1
		ip link set "$v" mtu 1500
	done
	PFS_NHOSTS=$n
}

# pfs_mac I: the MAC address of host I's eth0
pfs_mac() { ip -n "pfsh$1-$TAG" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
# pfs_ip I
pfs_ip() { echo "10.$NET.0.$1"; }
# pfs_ping FROM TO [COUNT]
pfs_ping() { ip netns exec "pfsh$1-$TAG" ping -c "${3:-2}" -i 0.2 -W 2 -q "10.$NET.0.$2" >/dev/null 2>&1; }

pfs_config() {
	local file=$1 keys=$2 i
	{
		cat <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error -m 512
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 200
[bridge br0]
datapath_id = 0x$NET
$keys
EOC
		for i in $(seq "$PFS_NHOSTS"); do
			printf '[port p%d]\nbridge = br0\nofport = %d\ndevargs = net_af_packet%d,iface=pfv%d-%s\n' \
				"$i" "$i" "$((i - 1))" "$i" "$TAG"
		done
	} >"$file"
}

pfs_start() {
	"$PFSWITCHD" --config "$1" --log-level dbg >>"$TMP/daemon.log" 2>&1 &
	PID=$!
	for _ in $(seq 200); do
		[ -S "$RUN/br0.mgmt" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -S "$RUN/br0.mgmt" ]; then
		echo "FAIL: pfswitchd did not create $RUN/br0.mgmt"
		cat "$TMP/daemon.log"
		exit 1
	fi
}

pfs_bg() {
	"$@" &
	PFS_PIDS+=($!)
	BGPID=$!
}

# pfs_wait SECS CMD...: retry CMD every 0.2 s until it succeeds or SECS pass.
pfs_wait() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
	return 0
}

pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() {
	local what=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/    /' "$TMP/out"; fi
}
check_not() {
	local what=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then fail "$what"; sed 's/^/    /' "$TMP/out"; else pass "$what"; fi
}

pfs_done() {
	echo "$PASSES passed, $FAILS failed"
	if [ "$FAILS" -gt 0 ]; then
		echo "--- daemon log (tail) ---"
		tail -40 "$TMP/daemon.log" 2>/dev/null
		exit 1
	fi
	exit 0
}

# ---- health checks for the hostile suite ---------------------------------------------------
#   pfs_rss_kb                 the daemon's resident set in KiB
#   pfs_echo_ok [SECS]         a new mgmt connection gets HELLO + ECHO_REPLY within SECS (1)
#   pfs_healthy LABEL RSS_KB [FROM TO]
#                              one check each: ECHO within 1 s, RSS <= RSS_KB, and (with
#                              FROM TO) a ping between those hosts over installed flows
#   pfs_stop_within SECS       SIGTERM; true if the daemon exited within SECS (PID cleared)
pfs_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0; }
pfs_echo_ok() { timeout 10 /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/of_health.py" "$RUN/br0.mgmt" "${1:-1}"; }
pfs_healthy() {
	local label=$1 max=$2 rss
	check "$label: ECHO answered within 1 s" pfs_echo_ok 1
	rss=$(pfs_rss_kb)
	if [ "${rss:-0}" -gt 0 ] && [ "$rss" -le "$max" ]; then
		pass "$label: RSS ${rss} KiB <= $max KiB"
	else
		fail "$label: RSS ${rss:-?} KiB (bound $max KiB)"
	fi
	[ $# -ge 4 ] && check "$label: traffic on installed flows" pfs_ping "$3" "$4" 3
	return 0
}
pfs_stop_within() {
	local t0=$SECONDS
	kill -TERM "$PID" 2>/dev/null
	while kill -0 "$PID" 2>/dev/null; do
		[ $((SECONDS - t0)) -ge "$1" ] && return 1
		sleep 0.1
	done
	PID=
	return 0
}
