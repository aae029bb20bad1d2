#!/bin/bash
# The datapath forwards real traffic: two network namespaces, each with one end of a
# veth pair; dp_forward opens the two host ends as net_af_packet ports 1 and 2 with
# in_port=1->output:2 and in_port=2->output:1, and ping must cross it both ways.
# Needs root (exit 77 otherwise). Cleans up namespaces, links and the process on exit.
#
# Usage: dp_veth_ping.sh PATH/TO/dp_forward
FWD=${1:?usage: dp_veth_ping.sh PATH/TO/dp_forward}
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for t in ip ping timeout; do
	command -v $t >/dev/null || { echo "skip: no $t"; exit 77; }
done

TAG=$$
NS1=pfsdp1-$TAG NS2=pfsdp2-$TAG
HA=pdpa$TAG HB=pdpb$TAG # host ends (the switch's ports)
LOG=$(mktemp)
PID=

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	ip link del "$HA" 2>/dev/null
	ip link del "$HB" 2>/dev/null
	rm -f "$LOG"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$LOG"; exit 1; }

ip netns add "$NS1" && ip netns add "$NS2" || fail "netns"
ip link add "$HA" type veth peer name "${HA}n" || fail "veth"
ip link add "$HB" type veth peer name "${HB}n" || fail "veth"
ip link set "${HA}n" netns "$NS1" && ip link set "${HB}n" netns "$NS2" || fail "move"
ip -n "$NS1" addr add 10.199.0.1/24 dev "${HA}n"
ip -n "$NS2" addr add 10.199.0.2/24 dev "${HB}n"
for ns in "$NS1:${HA}n" "$NS2:${HB}n"; do
	ip -n "${ns%%:*}" link set lo up
	ip -n "${ns%%:*}" link set "${ns#*:}" up
done
for h in "$HA" "$HB"; do
	sysctl -qw "net.ipv6.conf.$h.disable_ipv6=1" 2>/dev/null
	ip link set "$h" up
done

timeout 60 "$FWD" "$HA" "$HB" 50 >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 100); do
	grep -q '^ready' "$LOG" && break
	kill -0 "$PID" 2>/dev/null || fail "dp_forward exited"
	sleep 0.1
done
grep -q '^ready' "$LOG" || fail "dp_forward not ready"

ip netns exec "$NS1" ping -c 5 -i 0.2 -W 2 10.199.0.2 || fail "ping 1 -> 2"
ip netns exec "$NS2" ping -c 5 -i 0.2 -W 2 10.199.0.1 || fail "ping 2 -> 1"
# Near-MTU frames (1442 bytes). Not fragments: net_af_packet's socket fanout defragments,
# and the reassembled datagram does not fit its 2 KiB frames.
ip netns exec "$NS1" ping -c 3 -i 0.2 -s 1400 -W 2 10.199.0.2 || fail "1400-byte ping"
kill "$PID"
wait "$PID"
rc=$?
PID=
[ $rc = 0 ] || fail "dp_forward exit status $rc"
grep -q '^port 1: rx [1-9]' "$LOG" || fail "no packets counted on port 1"
grep -q '^port 2: rx [1-9]' "$LOG" || fail "no packets counted on port 2"
cat "$LOG"
echo "PASS"
