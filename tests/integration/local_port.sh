#!/bin/bash
# The bridge's LOCAL port: a kernel tap interface for the host (local_port = true).
#
# pfswitchd with bridge br0, two hosts on af_packet ports 1 and 2, and local_port = true
# with local_port_name lp$TAG (the tap interface in the root namespace). Checks:
#  - the tap interface exists while pfswitchd runs, with the MAC that PORT_DESC reports
#    for port LOCAL (dump-ports-desc), and is gone once pfswitchd has exited;
#  - standalone: with 10.N.0.254/24 on the tap, the root namespace pings both hosts
#    (NORMAL floods to LOCAL and learns the host's MAC on it);
#  - secure with flows in_port=LOCAL -> output:1 and in_port=1 -> output:LOCAL: the root
#    namespace pings host 1 and not host 2; the flows' counters and dump-ports' LOCAL
#    counters move; packet-ins are not needed;
#  - mod-port LOCAL down is reported in dump-ports-desc and stops the traffic;
#  - FLOOD and ALL from port 1 include LOCAL.
#
# usage: local_port.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped. Everything is removed on exit, also on failure.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init local-port "$1" ethtool
[ -e /dev/net/tun ] || pfs_skip "/dev/net/tun missing"

PFS="timeout 20 $OFCTL --rundir $RUN"
LP=lp$TAG
LIP=10.$NET.0.254

pfs_hosts 2

# host_ping I [COUNT]: the root namespace pings host I through the LOCAL port
host_ping() { ping -c "${2:-2}" -i 0.2 -W 2 -q -I "$LP" "10.$NET.0.$1" >/dev/null 2>&1; }
tap_up() {
	pfs_wait 10 ip link show "$LP" || return 1
	sysctl -qw "net.ipv6.conf.$LP.disable_ipv6=1"
	ip addr add "$LIP/24" dev "$LP" && ip link set "$LP" up
}
tap_gone() { ! ip link show "$LP" >/dev/null 2>&1; }
stop() {
	if pfs_stop_within 10; then pass "$1: pfswitchd exits on SIGTERM"; else fail "$1: exit"; fi
	check "$1: tap $LP removed with pfswitchd" pfs_wait 5 tap_gone
}
# lp_counter rx|tx: the LOCAL port's packet counter from dump-ports ("rx pkts=N" -> N)
lp_counter() {
	$PFS dump-ports br0 LOCAL | sed -n "s/.*$1 pkts=\([0-9]*\).*/\1/p" | head -1
}

# ---- standalone ----------------------------------------------------------------------
pfs_config "$TMP/sa.ini" "fail_mode = standalone
local_port = true
local_port_name = $LP"
pfs_start "$TMP/sa.ini"
check "standalone: tap $LP appears" tap_up
$PFS dump-ports-desc br0 >"$TMP/desc" 2>&1
cat "$TMP/desc"
check "dump-ports-desc lists LOCAL($LP)" grep -q "LOCAL($LP)" "$TMP/desc"
MAC=$(ip -o link show "$LP" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
check "PORT_DESC's LOCAL MAC is the tap's ($MAC)" grep -q "LOCAL($LP): addr:$MAC" "$TMP/desc"
check "tap MAC $MAC is locally administered unicast" \
	bash -c "[ \$(( 0x${MAC:0:2} & 3 )) = 2 ]"
check "standalone: root pings host 1 over LOCAL" pfs_wait 10 host_ping 1
check "standalone: root pings host 2 over LOCAL" host_ping 2 3
check "standalone: hosts still ping each other" pfs_ping 1 2
rx=$(lp_counter rx)
check "dump-ports LOCAL counts rx ($rx)" test "${rx:-0}" -gt 0
stop standalone

# ---- secure with flows ---------------------------------------------------------------
pfs_config "$TMP/sec.ini" "fail_mode = secure
local_port = true
local_port_name = $LP"
pfs_start "$TMP/sec.ini"
check "secure: tap $LP appears" tap_up
check "secure: add in_port=LOCAL -> output:1" $PFS add-flow br0 "in_port=LOCAL,actions=output:1"
check "secure: add in_port=1 -> output:LOCAL" $PFS add-flow br0 "in_port=1,actions=output:LOCAL"
check "secure: root pings host 1 through the flows" pfs_wait 10 host_ping 1
check_not "secure: host 2 is not reachable (no flow)" host_ping 2 2
$PFS dump-flows br0 >"$TMP/flows" 2>&1
cat "$TMP/flows"
check "flow in_port=LOCAL matched packets" grep -Eq "n_packets=[1-9].*in_port=LOCAL" "$TMP/flows"
check "flow output:LOCAL matched packets" grep -Eq "n_packets=[1-9].*in_port=1 actions=(output:)?LOCAL" "$TMP/flows"
$PFS dump-ports br0 LOCAL >"$TMP/ports" 2>&1
cat "$TMP/ports"
rx=$(lp_counter rx)
tx=$(lp_counter tx)
check "dump-ports LOCAL rx ($rx) and tx ($tx) count" test "${rx:-0}" -gt 0 -a "${tx:-0}" -gt 0
check "mod-port LOCAL down" $PFS mod-port br0 LOCAL down
check "dump-ports-desc shows LOCAL PORT_DOWN" \
	bash -c "$PFS dump-ports-desc br0 | grep -A3 'LOCAL($LP)' | grep -q PORT_DOWN"
check_not "secure: LOCAL down stops the ping" host_ping 1 2
check "mod-port LOCAL up" $PFS mod-port br0 LOCAL up
check "secure: ping again after LOCAL up" pfs_wait 10 host_ping 1
# FLOOD and ALL include LOCAL (as in Open vSwitch): host 1's replies still reach it.
check "mod-flows in_port=1 -> FLOOD" $PFS mod-flows br0 "in_port=1,actions=FLOOD"
check "secure: FLOOD from port 1 reaches LOCAL" host_ping 1 3
check "mod-flows in_port=1 -> ALL" $PFS mod-flows br0 "in_port=1,actions=ALL"
check "secure: ALL from port 1 reaches LOCAL" host_ping 1 3
stop secure

pfs_done
