#!/bin/bash
# Two bridges in one pfswitchd are isolated from each other.
#
# One pfswitchd with bridge brA (dpid 0xa, ports a1, a2) and bridge brB (dpid 0xb, ports
# b1, b2), both fail_mode secure, each with its own controller: two independent
# instances of two_bridges_ctl.py (a recording controller: table-miss -> CONTROLLER, every
# frame comes up as PACKET_IN and goes back as PACKET_OUT with MAC learning, no other
# flows) on two TCP ports. Each port is a veth (net_af_packet) to its own host namespace;
# the hosts behind brA and brB use the SAME addresses 10.N.0.1 and 10.N.0.2 (fixed MACs
# 02:0a:..:0i on brA, 02:0b:..:0i on brB; brB's second host also has 10.N.0.99).
# Checks:
#  - each controller's FEATURES_REPLY carries its own bridge's dpid (0xa / 0xb), and only
#    that one; `pfs-ofctl show` reports each bridge's dpid and only its own ports;
#  - pings work within each bridge, and the ARP entry learned is the same-bridge host's
#    MAC; 10.N.0.99 (only on brB) is reachable from brB's host, not from brA's;
#  - every PACKET_IN recorded by controller A came from dpid 0xa with a brA host's source
#    MAC on port 1 or 2 (and likewise for B); both saw traffic;
#  - tcpdump on every host: brB's hosts never see a frame from brA's MACs, and the other
#    way round (while their own traffic is captured);
#  - a flow added with `pfs-ofctl add-flow brA` is in brA's dump-flows and not in
#    brB's (and the other way round); del-flows brA leaves brB's flows alone;
#  - killing controller A (kill -9) while brB's hosts ping: no loss on brB, controller
#    B's connection stays up (no close, no second handshake), B still gets PACKET_INs,
#    while brA (secure, no controller, table-miss only) stops forwarding.
#
# usage: two_bridges.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, or tcpdump/ss/ethtool missing).
# Namespaces, veths and processes are removed on exit, also on failure.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init two-bridges "$1" tcpdump ss ethtool
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"

CPA=$((30000 + TAG % 20000))
CPB=$((CPA + 1))
PFS="timeout 20 $OFCTL --rundir $RUN"
IP1=10.$NET.0.1
IP2=10.$NET.0.2
IPX=10.$NET.0.99

# host B I: namespace pfs{a,b}I-TAG, eth0 with MAC 02:0{a,b}:00:00:00:0I and 10.N.0.I/24,
# root-side veth pf{a,b}I-TAG (the bridge port's iface)
mkhost() {
	local b=$1 i=$2 ns=pfs$1$2-$TAG v=pf$1$2-$TAG
	ip netns add "$ns" || pfs_skip "cannot create network namespaces"
	PFS_NS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "$v" type veth peer name eth0 netns "$ns" || exit 1
	PFS_LINKS+=("$v")
	# no IPv6 chatter (MLD, DAD) from either end: the controllers must see only the
	# hosts' own frames (af_packet also hands the root side's outgoing frames to the port)
	sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	ip link set "$v" up
	ip -n "$ns" link set eth0 address "02:0$b:00:00:00:0$i"
	ip -n "$ns" addr add "10.$NET.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1
}
ns() { echo "pfs$1-$TAG"; }
# hping HOST IP [COUNT]: HOST (a1, a2, b1, b2) pings IP
hping() { ip netns exec "$(ns "$1")" ping -c "${3:-2}" -i 0.2 -W 2 -q "$2" >/dev/null 2>&1; }

for h in a1 a2 b1 b2; do mkhost "${h:0:1}" "${h:1:1}"; done
ip -n "$(ns b2)" addr add "$IPX/24" dev eth0

cat >"$TMP/sw.ini" <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci --log-level=lib.eal:error -m 512
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 200
[bridge brA]
datapath_id = 0xa
fail_mode = secure
controller = tcp:127.0.0.1:$CPA
max_backoff = 2
[bridge brB]
datapath_id = 0xb
fail_mode = secure
controller = tcp:127.0.0.1:$CPB
max_backoff = 2
[port a1]
bridge = brA
ofport = 1
devargs = net_af_packet0,iface=pfa1-$TAG
[port a2]
bridge = brA
ofport = 2
devargs = net_af_packet1,iface=pfa2-$TAG
[port b1]
bridge = brB
ofport = 1
devargs = net_af_packet2,iface=pfb1-$TAG
[port b2]
bridge = brB
ofport = 2
devargs = net_af_packet3,iface=pfb2-$TAG
EOC

# ---- two controllers, one switch ----
pfs_bg /usr/bin/python3 "$DIR/two_bridges_ctl.py" --port "$CPA" --log "$TMP/ctlA.log"
CTLA=$BGPID
pfs_bg /usr/bin/python3 "$DIR/two_bridges_ctl.py" --port "$CPB" --log "$TMP/ctlB.log"
pfs_wait 10 grep -q listening "$TMP/ctlA.log" &&
	pfs_wait 10 grep -q listening "$TMP/ctlB.log" || { fail "controllers not listening"; pfs_done; }

"$PFSWITCHD" --config "$TMP/sw.ini" --log-level dbg >>"$TMP/daemon.log" 2>&1 &
PID=$!
if ! pfs_wait 20 test -S "$RUN/brA.mgmt" -a -S "$RUN/brB.mgmt"; then
	fail "pfswitchd did not create brA.mgmt and brB.mgmt"
	pfs_done
fi

established() { [ -n "$(ss -Htn state established "( dport = :$1 )")" ]; }
pfs_wait 15 grep -q '^features' "$TMP/ctlA.log" && pfs_wait 5 grep -q '^features' "$TMP/ctlB.log" &&
	pass "both controllers completed the handshake" || fail "handshake (A: $(grep -c '^features' "$TMP/ctlA.log"), B: $(grep -c '^features' "$TMP/ctlB.log"))"
# only_dpid LOG DPID: every FEATURES_REPLY on that controller had DPID, and there was one
only_dpid() {
	grep '^features' "$1"
	[ "$(grep -c '^features' "$1")" = 1 ] && ! grep '^features' "$1" | grep -qv " dpid=$2\$"
}
check "controller A: FEATURES_REPLY dpid 0xa only" only_dpid "$TMP/ctlA.log" 0xa
check "controller B: FEATURES_REPLY dpid 0xb only" only_dpid "$TMP/ctlB.log" 0xb
pfs_wait 10 sh -c "$PFS dump-flows brA | grep -q 'priority=0 actions=CONTROLLER' && $PFS dump-flows brB | grep -q 'priority=0 actions=CONTROLLER'" &&
	pass "table-miss flows installed on both bridges" || fail "table-miss flows"
# show_ok BR DPID OWN OTHER: dpid and ports of BR, none of the other bridge's ports
show_ok() {
	local s
	s=$($PFS show "$1") || return 1
	echo "$s"
	echo "$s" | grep -q "dpid:$(printf %016x "$2")" &&
		echo "$s" | grep -q "^ 1(${3}1):" && echo "$s" | grep -q "^ 2(${3}2):" &&
		! echo "$s" | grep -q "(${4}[12])"
}
check "show brA: dpid 0xa, ports a1 a2 only" show_ok brA 0xa a b
check "show brB: dpid 0xb, ports b1 b2 only" show_ok brB 0xb b a

# ---- pings within each bridge, captures on every host ----
for h in a1 a2 b1 b2; do
	pfs_bg ip netns exec "$(ns "$h")" tcpdump -i eth0 -n -e -l -U >"$TMP/cap.$h" 2>"$TMP/cap.$h.err"
done
for h in a1 a2 b1 b2; do
	pfs_wait 5 grep -q "listening on" "$TMP/cap.$h.err" || fail "tcpdump on $h did not start"
done
check "brA: a1 -> $IP2 (a2)" hping a1 "$IP2"
check "brA: a2 -> $IP1 (a1)" hping a2 "$IP1"
check "brB: b1 -> $IP2 (b2)" hping b1 "$IP2"
check "brB: b2 -> $IP1 (b1)" hping b2 "$IP1"
# neigh_is HOST IP MAC: HOST's ARP entry for IP is MAC
neigh_is() { ip -n "$(ns "$1")" neigh show "$2" | tee /dev/stderr | grep -q "lladdr $3 "; }
check "a1 resolved $IP2 to a2's MAC (brA), not b2's" neigh_is a1 "$IP2" 02:0a:00:00:00:02
check "b1 resolved $IP2 to b2's MAC (brB), not a2's" neigh_is b1 "$IP2" 02:0b:00:00:00:02
check "brB: b1 -> $IPX (only on b2)" hping b1 "$IPX"
check_not "brA: a1 -> $IPX (only on brB) unreachable" hping a1 "$IPX" 3
sleep 0.5

# only_own LOG DPID MACPREFIX: LOG has PACKET_INs, all from DPID, port 1/2, src MACPREFIX
only_own() {
	local n bad
	n=$(grep -c '^packet_in' "$1")
	bad=$(grep '^packet_in' "$1" | grep -v " dpid=$2 in_port=[12] src=$3")
	echo "$n packet_ins"
	[ -n "$bad" ] && echo "foreign: $bad"
	[ "$n" -gt 0 ] && [ -z "$bad" ]
}
check "controller A: PACKET_INs only from brA (dpid 0xa, ports 1-2, brA MACs)" only_own "$TMP/ctlA.log" 0xa 02:0a:
check "controller B: PACKET_INs only from brB (dpid 0xb, ports 1-2, brB MACs)" only_own "$TMP/ctlB.log" 0xb 02:0b:
# a1's broadcast ARP for IPX reached controller A and never controller B
check "a1's ARP for $IPX went up to controller A" grep -q "src=02:0a:00:00:00:01 dst=ff:ff:ff:ff:ff:ff type=0x0806" "$TMP/ctlA.log"
# capture_clean HOST OWNMAC FOREIGNPREFIX: HOST saw its own frames, none from the other bridge
capture_clean() {
	local own foreign
	own=$(grep -c "^[0-9:.]* $2 >" "$TMP/cap.$1")
	foreign=$(grep -c "^[0-9:.]* $3" "$TMP/cap.$1")
	echo "$1: $own frames from itself, $foreign from the other bridge"
	grep "^[0-9:.]* $3" "$TMP/cap.$1" | head -5
	[ "$own" -gt 0 ] && [ "$foreign" = 0 ]
}
check "capture on b1: none of brA's frames" capture_clean b1 02:0b:00:00:00:01 02:0a:
check "capture on b2: none of brA's frames" capture_clean b2 02:0b:00:00:00:02 02:0a:
check "capture on a1: none of brB's frames" capture_clean a1 02:0a:00:00:00:01 02:0b:
check "capture on a2: none of brB's frames" capture_clean a2 02:0a:00:00:00:02 02:0b:

# ---- flow tables are per bridge ----
check "add-flow brA" $PFS add-flow brA "cookie=0xa11,priority=300,udp,tp_dst=9 actions=drop"
check "add-flow brB" $PFS add-flow brB "cookie=0xb22,priority=300,tcp,tp_dst=7 actions=drop"
$PFS dump-flows brA >"$TMP/flowsA" 2>&1
$PFS dump-flows brB >"$TMP/flowsB" 2>&1
check "brA's flow in brA's dump-flows" grep -q "cookie=0xa11" "$TMP/flowsA"
check "brB's flow in brB's dump-flows" grep -q "cookie=0xb22" "$TMP/flowsB"
check_not "brA's flow not in brB's dump-flows" grep -Eq "cookie=0xa11|tp_dst=9 " "$TMP/flowsB"
check_not "brB's flow not in brA's dump-flows" grep -Eq "cookie=0xb22|tp_dst=7 " "$TMP/flowsA"
[ "$(grep -c 'actions=' "$TMP/flowsB")" = 2 ] && pass "brB: exactly 2 flows" ||
	{ fail "brB: $(grep -c 'actions=' "$TMP/flowsB") flows, want 2"; cat "$TMP/flowsB"; }

# ---- killing controller A does not disturb brB ----
NPI_B=$(grep -c '^packet_in' "$TMP/ctlB.log")
ip netns exec "$(ns b1)" ping -c 25 -i 0.2 -W 2 -q "$IP2" >"$TMP/ping.b" 2>&1 &
PINGB=$!
PFS_PIDS+=("$PINGB")
sleep 1
kill -9 "$CTLA"
wait "$CTLA" 2>/dev/null
pfs_wait 5 sh -c "! ss -Htn state established '( dport = :$CPA )' | grep -q ." &&
	pass "controller A's connection is gone" || fail "controller A's connection still established"
check_not "brA (secure, no controller, table-miss only): a1 -> $IP2 dropped" hping a1 "$IP2" 3
wait "$PINGB"
check "brB: 25 pings b1 -> $IP2 across the kill, no loss" grep -q " 0% packet loss" "$TMP/ping.b"
sed 's/^/    /' "$TMP/ping.b" | grep packets
check "brB: b2 -> $IP1 after the kill" hping b2 "$IP1"
check "controller B's connection still established" established "$CPB"
check_not "controller B: no connection closed" grep -q "^closed" "$TMP/ctlB.log"
check "controller B: still the one handshake" only_dpid "$TMP/ctlB.log" 0xb
n=$(grep -c '^packet_in' "$TMP/ctlB.log")
[ "$n" -gt "$NPI_B" ] && pass "controller B kept getting PACKET_INs ($NPI_B -> $n)" ||
	fail "controller B: no PACKET_IN after the kill ($NPI_B -> $n)"
check "controller B: PACKET_INs still only from brB" only_own "$TMP/ctlB.log" 0xb 02:0b:

# ---- del-flows on one bridge leaves the other's table alone ----
check "del-flows brA" $PFS del-flows brA
check "brA has no flows left" sh -c "! $PFS dump-flows brA | grep -q actions="
check "brB keeps its flows" sh -c "$PFS dump-flows brB | grep -c actions= | grep -qx 2"
check "brB still forwards: b1 -> $IP2" hping b1 "$IP2"

kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
echo "runtime ${SECONDS}s"
pfs_done
