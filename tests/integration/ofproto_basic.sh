#!/bin/bash
# Integration test of pfswitchd's OpenFlow agent with the real datapath: two
# network namespaces, each with one end of a veth pair whose other end is a
# net_af_packet port of bridge br0 (fail_mode secure). Stock Open vSwitch tools drive
# the switch over its mgmt socket (`ovs-ofctl -O OpenFlow13 ... unix:RUNDIR/br0.mgmt`):
# show, dump-ports-desc, add-flow, dump-flows, del-flows; ping goes through the switch
# only while the flows installed by ovs-ofctl are there. Also checked: a bad config
# file is refused with FILE:LINE, SIGUSR1 logs memory use, and SIGTERM shuts the daemon
# down cleanly (exit 0, sockets removed, every mbuf back in the pool).
#
# usage: ofproto_basic.sh PATH/TO/pfswitchd
# Exit: 0 pass, 1 failure, 77 skipped (not root, or ip/ovs-ofctl/ping missing).
# Everything it creates (namespaces, veths, the daemon, its rundir) is removed on exit.
set -u

PFSWITCHD=${1:?usage: $0 PATH/TO/pfswitchd}
PFSWITCHD=$(readlink -f "$PFSWITCHD")

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veth, af_packet)"
for tool in ip ovs-ofctl ping timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (Debian: iproute2, openvswitch-common, iputils-ping)"
done
[ -x "$PFSWITCHD" ] || { echo "FAIL: $PFSWITCHD is not executable"; exit 1; }

TAG=$$
TMP=$(mktemp -d /tmp/pfs-ofproto-basic.XXXXXX)
RUN=$TMP/run
NS1=pfsob1-$TAG
NS2=pfsob2-$TAG
V1=pob1-$TAG
V2=pob2-$TAG
SW=unix:$RUN/br0.mgmt
OFCTL="timeout 20 ovs-ofctl -O OpenFlow13"
PID=

cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PID" 2>/dev/null
	fi
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	ip link del "$V1" 2>/dev/null
	ip link del "$V2" 2>/dev/null
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # description command...
	local what=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/    /' "$TMP/out"; fi
}
check_not() {
	local what=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then fail "$what"; sed 's/^/    /' "$TMP/out"; else pass "$what"; fi
}

# ---- command line ----
"$PFSWITCHD" --version | grep -q "^pfswitchd (pfswitch) " && pass "--version" || fail "--version"
"$PFSWITCHD" --help | grep -q -- "--pidfile" && pass "--help" || fail "--help"
"$PFSWITCHD" --bogus >/dev/null 2>&1 && fail "unknown option accepted" || pass "unknown option refused"

# ---- a bad config is refused with FILE:LINE ----
mkdir -p "$RUN"
printf '[switch]\nrundir = %s\n[bridge br0]\nfail_mode = sometimes\n' "$RUN" >"$TMP/bad.ini"
if "$PFSWITCHD" --config "$TMP/bad.ini" >"$TMP/out" 2>&1; then
	fail "bad config accepted"
elif grep -q "bad.ini:4: fail_mode" "$TMP/out"; then
	pass "bad config refused with file:line"
else
	fail "bad config message"; cat "$TMP/out"
fi

# ---- network: ns1 [v1p] <-> [v1] pfswitchd [v2] <-> [v2p] ns2 ----
ip netns add "$NS1" || skip "cannot create network namespaces"
ip netns add "$NS2" || exit 1
ip link add "$V1" type veth peer name "${V1}p" || exit 1
ip link add "$V2" type veth peer name "${V2}p" || exit 1
ip link set "${V1}p" netns "$NS1"
ip link set "${V2}p" netns "$NS2"
ip -n "$NS1" addr add 10.77.0.1/24 dev "${V1}p"
ip -n "$NS2" addr add 10.77.0.2/24 dev "${V2}p"
for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
ip -n "$NS1" link set "${V1}p" up
ip -n "$NS2" link set "${V2}p" up
ip link set "$V1" up
ip link set "$V2" up
# No IPv6 chatter (router solicitations) on the test links.
for ns in "$NS1" "$NS2"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done

cat >"$TMP/pfswitch.ini" <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error -m 256
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 200
[bridge br0]
datapath_id = 0x77
fail_mode = secure
[port p1]
bridge = br0
ofport = 1
devargs = net_af_packet0,iface=$V1
[port p2]
bridge = br0
ofport = 2
devargs = net_af_packet1,iface=$V2
EOC

check "--check-config" "$PFSWITCHD" --config "$TMP/pfswitch.ini" --check-config
"$PFSWITCHD" --config "$TMP/pfswitch.ini" --pidfile "$RUN/pfswitchd.pid" >"$TMP/daemon.log" 2>&1 &
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
pass "pfswitchd started"
check "mgmt socket mode 0600" test "$(stat -c %a "$RUN/br0.mgmt")" = 600
check "pidfile" test "$(cat "$RUN/pfswitchd.pid")" = "$PID"

# ---- ovs-ofctl against the mgmt socket ----
check "show" $OFCTL show "$SW"
grep -q "dpid:0000000000000077" "$TMP/out" && pass "show: dpid" || fail "show: dpid"
$OFCTL show "$SW" >"$TMP/show" 2>&1
grep -q "1(p1)" "$TMP/show" && grep -q "2(p2)" "$TMP/show" && pass "show: ports" || { fail "show: ports"; cat "$TMP/show"; }
check "dump-ports-desc" $OFCTL dump-ports-desc "$SW"
grep -q "2(p2)" "$TMP/out" && pass "dump-ports-desc: p2" || fail "dump-ports-desc: p2"

ping_ok() { ip netns exec "$NS1" ping -c 3 -i 0.2 -W 2 10.77.0.2; }
ping_once() { ip netns exec "$NS1" ping -c 2 -i 0.2 -W 1 10.77.0.2; }

check_not "secure mode, no flows: ping blocked" ping_once
check "add-flow 1->2" $OFCTL add-flow "$SW" "in_port=1,actions=output:2"
check "add-flow 2->1" $OFCTL add-flow "$SW" "priority=100,in_port=2,actions=output:1"
$OFCTL dump-flows "$SW" >"$TMP/flows" 2>&1
[ "$(grep -c 'actions=output' "$TMP/flows")" = 2 ] && pass "dump-flows: 2 flows" || { fail "dump-flows"; cat "$TMP/flows"; }
check "ping through flows" ping_ok
$OFCTL dump-flows "$SW" >"$TMP/flows" 2>&1
grep -q "in_port=1 actions=output:2" "$TMP/flows" && pass "dump-flows: text" || { fail "dump-flows text"; cat "$TMP/flows"; }
if grep "in_port=1" "$TMP/flows" | grep -q "n_packets=0,"; then fail "counters: n_packets"; cat "$TMP/flows"; else pass "counters: n_packets > 0"; fi
check "dump-ports" $OFCTL dump-ports "$SW"
check "dump-tables" $OFCTL dump-tables "$SW"
check "dump-desc" $OFCTL dump-desc "$SW"
check "del-flows (strict)" $OFCTL --strict del-flows "$SW" "priority=100,in_port=2"
[ "$($OFCTL dump-flows "$SW" | grep -c actions=)" = 1 ] && pass "del-flows --strict left 1" || fail "del-flows --strict"
check "del-flows" $OFCTL del-flows "$SW"
[ "$($OFCTL dump-flows "$SW" | grep -c actions=)" = 0 ] && pass "del-flows: none left" || fail "del-flows"
check_not "ping blocked again" ping_once
# A refused flow gets its OpenFlow error and the switch lives on.
if $OFCTL add-flow "$SW" "table=3,actions=goto_table:1" >"$TMP/out" 2>&1; then
	fail "backward goto_table accepted"
else
	grep -q "OFPBIC_BAD_TABLE_ID" "$TMP/out" && pass "goto_table backward: BAD_TABLE_ID" || { fail "goto_table error text"; cat "$TMP/out"; }
fi
check "switch alive after errors" $OFCTL show "$SW"

# ---- flow expiry: idle timeout through the datapath's last-used time ----
check "add-flow idle_timeout=1" $OFCTL add-flow "$SW" "priority=5,idle_timeout=1,actions=drop"
gone=0
for _ in $(seq 40); do
	if [ "$($OFCTL dump-flows "$SW" | grep -c idle_timeout)" = 0 ]; then gone=1; break; fi
	sleep 0.1
done
[ "$gone" = 1 ] && pass "idle flow expired" || fail "idle flow still there after 4 s"

# ---- memory report: SIGUSR1 logs mbufs in use and RSS, the switch carries on ----
mem_field() { grep "memory ($1)" "$TMP/daemon.log" | tail -1 | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
kill -USR1 "$PID"
for _ in $(seq 30); do grep -q "memory (SIGUSR1)" "$TMP/daemon.log" && break; sleep 0.1; done
[ -n "$(mem_field SIGUSR1 mbufs_in_use)" ] && [ "$(mem_field SIGUSR1 rss_kb)" -gt 0 ] &&
	[ "$(mem_field SIGUSR1 mbufs_total)" -gt 0 ] && pass "SIGUSR1: memory logged" ||
	{ fail "SIGUSR1: no memory line"; grep memory "$TMP/daemon.log"; }
check "switch alive after SIGUSR1" $OFCTL show "$SW"

# ---- clean shutdown ----
kill -TERM "$PID"
for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
	fail "pfswitchd still running 10 s after SIGTERM"
else
	wait "$PID"
	rc=$?
	[ "$rc" = 0 ] && pass "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
	PID=
	[ ! -e "$RUN/br0.mgmt" ] && [ ! -e "$RUN/br0.snoop" ] && pass "sockets removed" || fail "sockets left behind"
	[ ! -e "$RUN/pfswitchd.pid" ] && pass "pidfile removed" || fail "pidfile left behind"
fi
grep -q "shutting down" "$TMP/daemon.log" && pass "shutdown logged" || fail "shutdown log"
# Every mbuf the traffic above took is back in the pool once the workers stop.
m0=$(mem_field started mbufs_in_use)
m1=$(mem_field stopped mbufs_in_use)
[ -n "$m0" ] && [ "$m0" = "$m1" ] && pass "mbufs in use at stop = at start ($m0)" ||
	{ fail "mbufs in use: started ${m0:-?}, stopped ${m1:-?}"; grep memory "$TMP/daemon.log"; }

# ---- second run: standalone fail mode, a controller, snoop, two bridges ----
export OVS_RUNDIR=$TMP # ovs-ofctl monitor/snoop put their control socket there
CPORT=$((20000 + TAG % 20000))
cat >"$TMP/standalone.ini" <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error -m 256
[switch]
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 200
[bridge br0]
datapath_id = 0x77
fail_mode = standalone
controller = ptcp:$CPORT:127.0.0.1
[bridge br1]
datapath_id = 0x78
fail_mode = secure
[port p1]
bridge = br0
ofport = 1
devargs = net_af_packet0,iface=$V1
[port p2]
bridge = br0
ofport = 2
devargs = net_af_packet1,iface=$V2
[port n1]
bridge = br1
ofport = 5
devargs = net_null0
EOC
"$PFSWITCHD" --config "$TMP/standalone.ini" >"$TMP/daemon2.log" 2>&1 &
PID=$!
for _ in $(seq 200); do [ -S "$RUN/br1.mgmt" ] && break; kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
[ -S "$RUN/br1.mgmt" ] || { echo "FAIL: second pfswitchd did not start"; cat "$TMP/daemon2.log"; exit 1; }
$OFCTL show "unix:$RUN/br1.mgmt" >"$TMP/out" 2>&1
grep -q "dpid:0000000000000078" "$TMP/out" && grep -q "5(n1)" "$TMP/out" && pass "second bridge: own dpid and port" || { fail "second bridge"; cat "$TMP/out"; }
check "standalone without controller: ping (NORMAL)" ping_ok
check "standalone: flows kept in the table" $OFCTL add-flow "$SW" "priority=10,actions=CONTROLLER:256"
timeout 30 ovs-ofctl -O OpenFlow13 snoop "unix:$RUN/br0.snoop" >"$TMP/snoop" 2>&1 &
SNOOP=$!
sleep 0.5
timeout 30 ovs-ofctl -O OpenFlow13 monitor "tcp:127.0.0.1:$CPORT" 65534 >"$TMP/monitor" 2>&1 &
MON=$!
sleep 1.5 # the controller connects; standalone mode ends, the flow table is used
check_not "controller connected: table in use, ping goes to the controller" ping_once
sleep 0.5
grep -q "OFPT_PACKET_IN" "$TMP/monitor" && pass "controller received PACKET_IN" || { fail "no PACKET_IN at the controller"; cat "$TMP/monitor"; }
grep -q "OFPT_PACKET_IN" "$TMP/snoop" && pass "snoop mirrored the controller's traffic" || { fail "snoop"; cat "$TMP/snoop"; }
kill "$MON" "$SNOOP" 2>/dev/null
wait "$MON" "$SNOOP" 2>/dev/null
sleep 0.5
check "controller gone: standalone again, ping" ping_ok
kill -TERM "$PID"
for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
wait "$PID" && pass "second run: SIGTERM exit 0" || fail "second run exit status"
PID=

echo "$PASSES passed, $FAILS failed"
if [ "$FAILS" -gt 0 ]; then
	echo "--- daemon log ---"
	cat "$TMP/daemon.log"
	exit 1
fi
exit 0
