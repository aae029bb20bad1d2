#!/bin/bash
# Per-bridge quotas: a hostile tenant on one bridge cannot hurt the tenant on the other.
#
# One pfswitchd, two bridges, both fail_mode secure, each with its own controller on a
# ptcp: port and two hosts in namespaces (veth, net_af_packet):
#   brA (ports a1, a2): max_total_flows = 1000, max_groups = 50, max_meters = 50,
#       bridge_packet_in_rate = 200 (burst 50). Its controller (hostile_quota.py
#       hostile) installs table-miss -> CONTROLLER, then 1500 flow adds over tables 0-3,
#       80 group adds and 80 meter adds, then floods adds of all three kinds for FLOOD_S
#       seconds; host a1 floods table misses (raw frames, FLOOD_PPS) meanwhile.
#   brB (ports b1, b2): default quotas. Its controller (hostile_quota.py tenant) installs
#       forwarding flows b1 <-> b2 and table-miss -> CONTROLLER, then adds a flow and waits
#       for its BARRIER_REPLY every 20 ms throughout, timing each; b1 sends 50 frames/s
#       that miss (ethertype 0x88b6).
# The hostile clients run at nice 10: the test is about what the switch shares between its
# bridges, not about the test's own processes taking the switch's CPUs. brB's
# connection allows bursts of 1000 packet-ins, so that a stall of the whole machine (one
# that holds b1's frames back and then lets them through at once) is not counted as a
# loss of isolation.
# Checks:
#  - brA's GROUP_FEATURES / METER_FEATURES advertise 50; exactly 999 of its flow adds are
#    taken (1000 with the table-miss flow) and 501 refused with TABLE_FULL; 50 groups and
#    50 meters are taken and 30 of each refused with OUT_OF_GROUPS / OUT_OF_METERS; in the
#    flood every add is refused with its error and nothing else comes back;
#  - controller A gets packet-ins, at most bridge_packet_in_rate (+ burst) per second;
#  - brB during the flood: every flow-mod + barrier answered, none refused, p99 < 500 ms;
#    >= 95% of b1's table misses reach controller B as packet-ins; two
#    `ping -c 50 -i 0.01` between b1 and b2 lose < 5%; five fresh connections on brB's
#    mgmt socket get their ECHO_REPLY within 1 s; pfswitchd is alive at the end.
#
# usage: hostile_quota.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, or tools missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init hostile-quota "$1" ss ethtool
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"
/usr/bin/python3 -c 'import scapy' 2>/dev/null || pfs_skip "scapy missing (of_raw.py)"

CPA=$((30000 + TAG % 20000))
CPB=$((CPA + 1))
PFS="timeout 20 $OFCTL --rundir $RUN"
PY="/usr/bin/python3 $DIR/hostile_quota.py"
FLOOD_S=12
# a1's table misses per second: 100 times brA's packet-in cap, 20 times a controller
# connection's default packet_in_rate; bounded so that the sender itself does not take
# the CPUs the switch needs (an unbounded sender eats a core on a 2-core machine)
FLOOD_PPS=20000
PIN_RATE_A=200
PIN_BURST_A=50

# host B I: namespace pfs{a,b}I-TAG with eth0 (MAC 02:0{a,b}:00:00:00:0I, 10.N.0.I/24),
# root-side veth pf{a,b}I-TAG (the bridge port's iface). Both bridges use the same IPs.
mkhost() {
	local b=$1 i=$2 ns=pfs$1$2-$TAG v=pf$1$2-$TAG
	ip netns add "$ns" || pfs_skip "cannot create network namespaces"
	PFS_NS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "$v" type veth peer name eth0 netns "$ns" || exit 1
	PFS_LINKS+=("$v")
	sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	ip link set "$v" up
	ip -n "$ns" link set eth0 address "02:0$b:00:00:00:0$i"
	ip -n "$ns" addr add "10.$NET.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1
}
ns() { echo "pfs$1-$TAG"; }
for h in a1 a2 b1 b2; do mkhost "${h:0:1}" "${h:1:1}"; done

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
controller = ptcp:$CPA:127.0.0.1
max_total_flows = 1000
max_groups = 50
max_meters = 50
bridge_packet_in_rate = $PIN_RATE_A
bridge_packet_in_burst = $PIN_BURST_A
[bridge brB]
datapath_id = 0xb
fail_mode = secure
controller = ptcp:$CPB:127.0.0.1
packet_in_burst = 1000
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

"$PFSWITCHD" --config "$TMP/sw.ini" --log-level info >>"$TMP/daemon.log" 2>&1 &
PID=$!
if ! pfs_wait 20 test -S "$RUN/brA.mgmt" -a -S "$RUN/brB.mgmt"; then
	fail "pfswitchd did not create brA.mgmt and brB.mgmt"
	cat "$TMP/daemon.log"
	pfs_done
fi
listening() { ss -Htln "( sport = :$1 )" | grep -q .; }
pfs_wait 10 listening "$CPA" && pfs_wait 10 listening "$CPB" || { fail "ptcp listeners"; pfs_done; }

# ---- the well-behaved tenant on brB ----
pfs_bg $PY tenant "127.0.0.1:$CPB" $((FLOOD_S + 6)) >"$TMP/tenant.out" 2>&1
TENANT=$BGPID
pfs_wait 20 grep -q '^ready' "$TMP/tenant.out" || { fail "tenant not ready"; cat "$TMP/tenant.out"; pfs_done; }
check "brB before the flood: b1 -> b2" ip netns exec "$(ns b1)" ping -c 3 -i 0.2 -W 2 -q "10.$NET.0.2"

# ---- the flood on brA, brB watched meanwhile ----
T0=$SECONDS
pfs_bg nice -n 10 $PY hostile "127.0.0.1:$CPA" "$FLOOD_S" >"$TMP/hostile.out" 2>&1
HOSTILE=$BGPID
pfs_bg nice -n 10 ip netns exec "$(ns a1)" $PY send eth0 $((FLOOD_S + 3)) "$FLOOD_PPS" 0x88b5 >"$TMP/flood.out" 2>&1
FLOODER=$BGPID
pfs_bg ip netns exec "$(ns b1)" $PY send eth0 "$FLOOD_S" 50 0x88b6 >"$TMP/bmiss.out" 2>&1
BMISS=$BGPID
sleep 2
# loss_ok FILE: ping summary with < 5% loss
loss_ok() {
	local loss
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$1")
	grep -E 'packet loss|rtt' "$1"
	[ -n "$loss" ] && awk -v l="$loss" 'BEGIN { exit !(l < 5) }'
}
ip netns exec "$(ns b1)" ping -c 50 -i 0.01 -W 5 -q "10.$NET.0.2" >"$TMP/ping1" 2>&1
check "brB during the flood: ping -c 50 -i 0.01 b1 -> b2, < 5% loss" loss_ok "$TMP/ping1"
for i in 1 2 3 4 5; do
	check "brB during the flood: ECHO on brB.mgmt within 1 s ($i)" \
		timeout 10 /usr/bin/python3 "$DIR/of_health.py" "$RUN/brB.mgmt" 1
	sleep 0.3
done
ip netns exec "$(ns b2)" ping -c 50 -i 0.01 -W 5 -q "10.$NET.0.1" >"$TMP/ping2" 2>&1
check "brB during the flood: ping -c 50 -i 0.01 b2 -> b1, < 5% loss" loss_ok "$TMP/ping2"
kill -0 "$HOSTILE" 2>/dev/null && pass "the flood was still on during the brB checks" ||
	fail "the flood ended before the brB checks (took $((SECONDS - T0)) s)"

wait "$HOSTILE"
TA=$((SECONDS - T0))
wait "$FLOODER" "$BMISS"
wait "$TENANT"
echo "--- hostile (brA, ${TA} s) ---"; cat "$TMP/hostile.out"
echo "--- host flood a1 ---"; cat "$TMP/flood.out"
echo "--- tenant (brB) ---"; cat "$TMP/tenant.out"
echo "--- b1 misses ---"; cat "$TMP/bmiss.out"
echo "--- brB ports ---"; $PFS dump-ports brB

# val FILE PREFIX KEY: the value of KEY= on FILE's line starting with PREFIX
val() { sed -n "s/^$2 .*\\b$3=\\([-0-9.]*\\).*/\\1/p" "$1" | head -1; }
# is NAME VALUE EXPR: check that awk expression EXPR holds for v=VALUE
is() { awk -v v="${2:-x}" "BEGIN { exit !(v != \"x\" && ($3)) }"; }
H=$TMP/hostile.out
check "brA GROUP_FEATURES max_groups = 50" is g "$(val "$H" features max_groups)" 'v == 50'
check "brA METER_FEATURES max_meter = 50" is m "$(val "$H" features max_meter)" 'v == 50'
check "brA: phase 1 answered (barrier)" is b "$(val "$H" phase1 barrier)" 'v == 1'
check "brA: 501 of 1500 flow adds refused, all TABLE_FULL (999 + table-miss = 1000)" \
	sh -c "[ '$(val "$H" phase1 flows_refused)' = 501 ] && [ '$(val "$H" phase1 table_full)' = 501 ]"
check "brA: 30 of 80 group adds refused, all OUT_OF_GROUPS" \
	sh -c "[ '$(val "$H" phase1 groups_refused)' = 30 ] && [ '$(val "$H" phase1 out_of_groups)' = 30 ]"
check "brA: 30 of 80 meter adds refused, all OUT_OF_METERS" \
	sh -c "[ '$(val "$H" phase1 meters_refused)' = 30 ] && [ '$(val "$H" phase1 out_of_meters)' = 30 ]"
FM=$(val "$H" flood flow_mods)
check "brA flood: answered (barrier), $FM flow adds all TABLE_FULL" \
	sh -c "[ '$(val "$H" flood barrier)' = 1 ] && [ '${FM:-0}' -gt 100 ] && [ '$(val "$H" flood table_full)' = '$FM' ]"
check "brA flood: every group add OUT_OF_GROUPS, every meter add OUT_OF_METERS" \
	sh -c "[ '$(val "$H" flood out_of_groups)' = '$(val "$H" flood group_mods)' ] && [ '$(val "$H" flood out_of_meters)' = '$(val "$H" flood meter_mods)' ]"
check "brA flood: no other error" is o "$(val "$H" flood other_errors)" 'v == 0'
PIN_A=$(val "$H" flood packet_ins)
check "brA: packet-ins capped by bridge_packet_in_rate ($PIN_A in ${TA} s <= $PIN_RATE_A/s + burst)" \
	is p "$PIN_A" "v > 0 && v <= $PIN_RATE_A * ($TA + 1) + $PIN_BURST_A"
NA=$($PFS dump-flows brA | grep -c 'actions=')
[ "$NA" = 1000 ] && pass "brA holds 1000 flows" || fail "brA holds $NA flows, want 1000"

T=$TMP/tenant.out
check "brB: flow-mods answered through the flood (>= 100, no timeout)" \
	sh -c "[ '$(val "$T" tenant flow_mods)' -ge 100 ] && [ '$(val "$T" tenant timeouts)' = 0 ]"
check "brB: no flow-mod refused" is e "$(val "$T" tenant errors)" 'v == 0'
check "brB: flow-mod + barrier p99 $(val "$T" tenant p99_ms) ms < 500 ms" \
	is p "$(val "$T" tenant p99_ms)" 'v < 500'
SENT=$(val "$TMP/bmiss.out" send sent)
GOT=$(val "$T" tenant packet_ins_88b6)
check "brB: $GOT of ${SENT:-?} table misses of b1 reached controller B (>= 95%)" \
	is g "$GOT" "${SENT:-0} > 0 && v >= 0.95 * ${SENT:-0}"
check "brB after the flood: b1 -> b2" ip netns exec "$(ns b1)" ping -c 3 -i 0.2 -W 2 -q "10.$NET.0.2"
kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
echo "runtime ${SECONDS}s"
pfs_done
