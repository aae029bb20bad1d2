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

# ---- Switches on memif/vhost ports, pfs-pktgen as the traffic ---------------------------
# The [port] sections of ports p1, p2... (ofport 1, 2...) on bridge br0: memif servers on
# the sockets given, for pfs-pktgen's memif clients (net_memif0, net_memif1...).
pfs_memif_ports() {
	local i=0 s
	for s in "$@"; do
		printf '[port p%d]\nbridge = br0\nofport = %d\n' $((i + 1)) $((i + 1))
		printf 'devargs = net_memif%d,role=server,socket=%s,socket-abstract=no,id=0\n' "$i" "$s"
		i=$((i + 1))
	done
}
# The [port] sections of vhost-user ports vm1, vm2... (ofport 1, 2...) on bridge br0, on
# the sockets given.
pfs_vhost_ports() {
	local i=0 s
	for s in "$@"; do
		i=$((i + 1))
		printf '[port vm%d]\nbridge = br0\nofport = %d\ntype = vhost\nvhost_socket = %s\n' \
			"$i" "$i" "$s"
	done
}
# pfs_ofc COMMAND ARGS...: pfs-ofctl ($OFCTL) on br0 of the switch under test.
pfs_ofc() {
	local c=$1
	shift
	timeout 20 "$OFCTL" "$c" "unix:$RUN/br0.mgmt" "$@"
}
# The packet count of br0's flow matching in_port=1 (empty if there is none).
pfs_in1_packets() {
	pfs_ofc dump-flows 2>/dev/null | sed -n 's/.*n_packets=\([0-9]*\).*in_port=1.*/\1/p' | head -1
}
# pfs_takeover CONF LOG: a second pfswitchd takes over from the one running ($PID, kept
# in OLD meanwhile); PID is the new one, PFS_T0/PFS_T1 when it started and when the old
# one had exited (or 30 s). Checks that the old one exited and the new one runs.
pfs_takeover() {
	local gone=0
	OLD=$PID
	PFS_T0=$(date +%s.%N)
	"$PFSWITCHD" --config "$1" --takeover >>"$2" 2>&1 &
	PID=$!
	for _ in $(seq 300); do
		kill -0 "$OLD" 2>/dev/null || { gone=1; break; }
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	PFS_T1=$(date +%s.%N)
	check "takeover: the old process exited" test "$gone" = 1
	check "takeover: the new process runs" kill -0 "$PID"
	OLD=
}
# pfs_pktgen_start ARGS...: starts pfs-pktgen ($PKTGEN) with ARGS (its options, then --
# and its EAL arguments), its ready file $TMP/pg.ready, report $TMP/pg.json and log
# $TMP/pg.log; PG_PID is its pid. Ends the test unless it is ready within 20 s.
pfs_pktgen_start() {
	"$PKTGEN" --ready-file "$TMP/pg.ready" --json "$TMP/pg.json" "$@" >"$TMP/pg.log" 2>&1 &
	PG_PID=$!
	pfs_wait 20 test -e "$TMP/pg.ready" || {
		fail "pfs-pktgen did not start"
		cat "$TMP/pg.log"
		pfs_done
	}
}
# pfs_pktgen_report SECONDS: waits for pfs-pktgen's report; ends the test without one.
pfs_pktgen_report() {
	pfs_wait "$1" test -s "$TMP/pg.json" || {
		fail "no pfs-pktgen report"
		cat "$TMP/pg.log"
		pfs_done
	}
}
# pfs_pg_json EXPR: the Python expression EXPR over the report d (pfs-pktgen's JSON).
pfs_pg_json() {
	/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$TMP/pg.json"
}
# pfs_pktgen_stop [SECONDS]: stops pfs-pktgen ($PG_PID, if any) after letting it end by
# itself for up to SECONDS (default 0): a SIGTERM ends its traffic, a second one its
# --hold, SIGKILL after 3 s more.
pfs_pktgen_stop() {
	[ -n "${PG_PID:-}" ] || return 0
	for _ in $(seq $((${1:-0} * 10))); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
	kill -TERM "$PG_PID" 2>/dev/null
	sleep 0.3
	kill -TERM "$PG_PID" 2>/dev/null
	for _ in $(seq 30); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$PG_PID" 2>/dev/null
	wait "$PG_PID" 2>/dev/null
	PG_PID=
}
# pfs_switch_head EAL_ARGS: the [dpdk], [switch] (one worker, rundir $RUN, a short idle
# sleep) and [bridge br0] sections of a test switch's config, for its [port] sections to
# follow.
pfs_switch_head() {
	printf '[dpdk]\neal = %s\n[switch]\nworkers = 1\nrundir = %s\n' "$1" "$RUN"
	printf 'idle_polls_before_sleep = 100\nidle_sleep_us = 50\n'
	printf '[bridge br0]\ndatapath_id = 0x1\nfail_mode = secure\n'
}
# An EXIT trap for tests with pfs-pktgen as the guest: the switch ($PID, and $OLD during
# a takeover) stops first (DPDK 22.11's memif crashes when a client leaves a polling
# server; a vhost-user client goes before its guest), then pfs-pktgen, then pfs_cleanup.
pfs_pktgen_cleanup() {
	local p
	for p in $PID ${OLD:-}; do
		kill -TERM "$p" 2>/dev/null
	done
	for _ in $(seq 50); do
		kill -0 "$PID" 2>/dev/null || kill -0 "${OLD:-}" 2>/dev/null || break
		sleep 0.1
	done
	PID=
	pfs_pktgen_stop
	pfs_cleanup
}
