#!/bin/bash
# Faucet (../shared/faucet) drives pfswitchd as an L2 switch. Five hosts h1..h5 in
# network namespaces on af_packet ports 1..5 of br0 (fail_mode secure, controller
# Faucet). The hardware type is $FAUCET_HW ("Open vSwitch" by default).
#  A. one VLAN: every host reaches every other; the pipeline Faucet installs (flows per
#     table) is there.
#  B. Faucet restarted with: VLAN 100 on h1, h2; VLAN 200 on h3, h4; h5 a tagged trunk
#     port of both; group_table: true; packetin_pps (an OFPM_CONTROLLER meter); ACLs on
#     h1's port: drop TCP 5001, allow TCP 5002 (their counters), UDP 5353 rewritten to
#     h2's MAC and output to port 2, UDP 5454 output to the trunk with VLAN 300 pushed;
#     on h2's port an ICMP meter (10 pps).
#     Checks: pings inside each VLAN and over the trunk, no ping across VLANs, ARP
#     broadcasts flooded (through groups) only inside their VLAN, TCP blocked/carried by
#     the ACL with its flow counters, the rewritten and the VLAN-pushed packets seen at
#     their hosts, ping flood rate limited by the ACL meter, packet-ins to Faucet rate
#     limited by the controller meter.
# Every phase ends with a check that Faucet logged no OFPT_ERROR.
# usage: faucet_l2.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, no ../shared/faucet, tools missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
. "$DIR/faucet_lib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init faucet-l2 "$1" tcpdump ethtool
faucet_init
faucet_ports
T0=$SECONDS

pfs_hosts 5
faucet_switch_config "$TMP/sw.ini"
H2MAC=$(pfs_mac 2)
# h5 is a trunk host in user space (faucet_trunk.py: no 802.1Q in the test kernel)
trunk_host() {
	ip -n "$NS5" addr flush dev eth0
	pfs_bg ip netns exec "$NS5" /usr/bin/python3 "$DIR/faucet_trunk.py" eth0 \
		"100:10.$NET.0.5:0e:00:00:00:05:64" "200:10.$NET.0.55:0e:00:00:00:05:c8"
}
# pingip FROM IP
pingip() { ip netns exec "pfsh$1-$TAG" ping -c 2 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1; }

# ---- A. one VLAN ----
{
	printf 'vlans:\n    office:\n        vid: 100\n'
	faucet_dp
	for i in 1 2 3 4 5; do printf '            %d:\n                native_vlan: office\n' "$i"; done
} >"$TMP/one.yaml"
pfs_start "$TMP/sw.ini"
faucet_up one "$TMP/one.yaml" || pfs_done
all_pairs() {
	local i j bad=0
	for i in 1 2 3 4 5; do
		for j in 1 2 3 4 5; do
			[ "$i" = "$j" ] && continue
			pfs_ping "$i" "$j" 2 || { echo "h$i -> h$j failed"; bad=1; }
		done
	done
	return $bad
}
check "one VLAN: all hosts reach each other" all_pairs
faucet_flows >"$TMP/flows-one.txt"
tables=$(grep -o 'table=[0-9]*' "$TMP/flows-one.txt" | sort | uniq -c | tr '\n' ' ')
echo "   flows per table: $tables"
nt=$(grep -o 'table=[0-9]*' "$TMP/flows-one.txt" | sort -u | wc -l)
[ "$nt" -ge 4 ] && pass "one VLAN: Faucet's pipeline has flows in $nt tables" ||
	fail "one VLAN: flows in only $nt tables"
for i in 1 2 3 4 5; do
	grep -qi "$(pfs_mac "$i")" "$TMP/flows-one.txt" || { fail "one VLAN: h$i's MAC not learned"; continue; }
done
pass "one VLAN: every host MAC in a learned flow"
faucet_no_errors "one VLAN" one
faucet_stop one
trunk_host

# ---- B. two VLANs, trunk, group flooding, ACLs, meters ----
cat >"$TMP/l2.yaml" <<EOY
vlans:
    v100:
        vid: 100
    v200:
        vid: 200
meters:
    icmp-meter:
        meter_id: 1
        entry:
            flags: [PKTPS]
            bands:
                - {type: DROP, rate: 10}
acls:
    h1-acl:
        - rule:
            dl_type: 0x800
            nw_proto: 6
            tcp_dst: 5001
            actions: {allow: 0}
        - rule:
            dl_type: 0x800
            nw_proto: 6
            tcp_dst: 5002
            actions: {allow: 1}
        - rule:
            dl_type: 0x800
            nw_proto: 17
            udp_dst: 5353
            actions:
                output:
                    set_fields:
                        - eth_dst: "$H2MAC"
                    port: 2
        - rule:
            dl_type: 0x800
            nw_proto: 17
            udp_dst: 5454
            actions:
                output:
                    vlan_vid: 300
                    port: 5
        - rule:
            actions: {allow: 1}
    h2-acl:
        - rule:
            dl_type: 0x800
            nw_proto: 1
            actions:
                meter: icmp-meter
                allow: 1
        - rule:
            actions: {allow: 1}
$(faucet_dp "        group_table: true
        packetin_pps: 20")
            1: {native_vlan: v100, acls_in: [h1-acl]}
            2: {native_vlan: v100, acls_in: [h2-acl]}
            3: {native_vlan: v200}
            4: {native_vlan: v200}
            5: {tagged_vlans: [v100, v200]}
EOY
faucet_up l2 "$TMP/l2.yaml" || pfs_done
check "VLAN 100: h1 <-> h2" pfs_ping 1 2 3
check "VLAN 200: h3 <-> h4" pfs_ping 3 4 3
check "trunk: h1 <-> h5 tagged 100" pingip 1 "10.$NET.0.5"
check "trunk: h2 <-> h5 tagged 100" pingip 2 "10.$NET.0.5"
check "trunk: h3 <-> h5 tagged 200" pingip 3 "10.$NET.0.55"
check_not "trunk: h3 -/-> h5's VLAN 100 address" pingip 3 "10.$NET.0.5"
check_not "isolation: h1 -/-> h3 (other VLAN, same subnet)" pfs_ping 1 3 2
check_not "isolation: h4 -/-> h2" pfs_ping 4 2 2

# ARP broadcasts for an absent address from h1 reach h2 and the trunk (VLAN 100), not h3/h4
faucet_capture 2 eth0 "arp"
faucet_capture 3 eth0 "arp"
faucet_capture 5 eth0 "vlan"
ip netns exec "$NS1" ping -c 3 -i 0.3 -W 1 "10.$NET.0.77" >/dev/null 2>&1
n2=$(faucet_captured 2 "arp and host 10.$NET.0.77")
n5=$(faucet_captured 5 "vlan 100 and arp and host 10.$NET.0.77")
n3=$(faucet_captured 3 "arp and host 10.$NET.0.77")
echo "   ARP requests seen: h2 $n2, h3 $n3, trunk (vlan 100) $n5"
[ "$n2" -ge 1 ] && [ "$n5" -ge 1 ] && pass "flooding: broadcast reaches its VLAN (h2, trunk)" ||
	fail "flooding: broadcast did not reach h2 ($n2) or the trunk ($n5)"
[ "$n3" = 0 ] && pass "flooding: broadcast stays out of VLAN 200" || fail "flooding: h3 saw $n3"
faucet_flows >"$TMP/flows-l2.txt"
groups=$(timeout 20 "$OFCTL" --rundir "$RUN" dump-groups br0)
ng=$(echo "$groups" | grep -c "group_id=")
nf=$(grep -c "group:" "$TMP/flows-l2.txt")
[ "$ng" -ge 2 ] && [ "$nf" -ge 1 ] && pass "group_table: $ng groups, $nf flows flood through them" ||
	{ fail "group_table: $ng groups, $nf flows using them"; echo "$groups" | head; }

# ACLs on h1's port
faucet_tcp_server 2 5001
faucet_tcp_server 2 5002
check_not "ACL drop: TCP h1 -> h2:5001 blocked" faucet_tcp 1 "10.$NET.0.2" 5001
check "ACL allow: TCP h1 -> h2:5002 carried" faucet_tcp 1 "10.$NET.0.2" 5002
check "ACL: TCP h3 -> h4 in VLAN 200 unaffected" pfs_ping 3 4 1
acl_count() { faucet_flows | grep "$1" | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' | head -1; }
c1=$(acl_count "tp_dst=5001"); c2=$(acl_count "tp_dst=5002")
echo "   ACL counters: drop 5001 n_packets=${c1:-?}, allow 5002 n_packets=${c2:-?}"
[ "${c1:-0}" -ge 1 ] && pass "ACL drop rule counted $c1 packets" || fail "ACL drop counter ${c1:-none}"
[ "${c2:-0}" -ge 3 ] && pass "ACL allow rule counted $c2 packets" || fail "ACL allow counter ${c2:-none}"

ip -n "$NS1" neigh replace "10.$NET.0.99" lladdr 0e:00:00:00:00:99 dev eth0
faucet_capture 2 eth0 "udp"
faucet_capture 5 eth0 "vlan"
for _ in 1 2 3; do
	ip netns exec "$NS1" bash -c "echo rw >/dev/udp/10.$NET.0.99/5353; echo push >/dev/udp/10.$NET.0.99/5454"
	sleep 0.1
done
nrw=$(faucet_captured 2 "udp dst port 5353 and ether dst $H2MAC" 3)
npush=$(faucet_captured 5 "vlan 300 and udp dst port 5454" 3)
[ "$nrw" -ge 3 ] && pass "ACL rewrite: UDP 5353 reached h2 with eth_dst rewritten ($nrw)" ||
	{ fail "ACL rewrite: $nrw packets at h2"; faucet_flows | grep "5353\|5454"; }
[ "$npush" -ge 3 ] && pass "ACL push VLAN: UDP 5454 on the trunk tagged 300 ($npush)" ||
	fail "ACL push VLAN: $npush packets tagged 300 on the trunk"

# ACL meter: 200 pings in ~2 s from h2 through a 10 pps meter
t=$SECONDS
got=$(ip netns exec "$NS2" ping -c 200 -i 0.01 -W 1 -q "10.$NET.0.1" 2>/dev/null |
	sed -n 's/.* \([0-9]*\) received.*/\1/p')
el=$((SECONDS - t + 1))
echo "   ACL meter: ${got:-?} of 200 echo requests answered in ~${el} s (meter 10 pps)"
[ -n "$got" ] && [ "$got" -ge 5 ] && [ "$got" -le $((10 * el + 30)) ] &&
	pass "ACL meter: rate limited to ~10 pps ($got in ${el} s)" || fail "ACL meter: ${got:-?} answered"

# packet-in meter: 600 frames from new source MACs in ~2 s from h4
p0=$(faucet_metric l2 of_packet_ins_total)
t=$SECONDS
ip netns exec "$NS4" /usr/bin/python3 -c '
import socket, time, os
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
for i in range(600):
    src = bytes([0x0e, 0x42, 0, 0, i >> 8, i & 255])
    s.send(b"\xff" * 6 + src + b"\x08\x06" + bytes(46))
    time.sleep(0.003)
'
sleep 1
p1=$(faucet_metric l2 of_packet_ins_total)
el=$((SECONDS - t))
pin=$((${p1:-0} - ${p0:-0}))
echo "   packet-in meter: $pin packet-ins at Faucet for 600 new-MAC frames in ~${el} s (meter 20 pps)"
[ -n "$p1" ] && [ "$pin" -ge 5 ] && [ "$pin" -le $((20 * el + 60)) ] &&
	pass "packet-in meter: $pin packet-ins in ${el} s (<= 20 pps + burst)" ||
	fail "packet-in meter: $pin packet-ins (from ${p0:-?} to ${p1:-?})"
timeout 20 "$OFCTL" --rundir "$RUN" meter-stats br0 >"$TMP/meters.txt" 2>&1
band_drops() { awk -v m="meter:$1" '$1 == m {f = 1; next} f && /packet_count/ {sub(/.*packet_count:/, ""); print $1 + 0; exit}' "$TMP/meters.txt"; }
d1=$(band_drops 1); dc=$(band_drops controller)
[ "${d1:-0}" -gt 0 ] && pass "ACL meter band dropped $d1 packets (meter-stats)" ||
	{ fail "ACL meter band count ${d1:-none}"; cat "$TMP/meters.txt"; }
[ "${dc:-0}" -gt 0 ] && pass "OFPM_CONTROLLER meter band dropped $dc packet-ins (meter-stats)" ||
	{ fail "controller meter band count ${dc:-none}"; cat "$TMP/meters.txt"; }
check "after the bursts: h1 <-> h2 still" pfs_ping 1 2 2
faucet_no_errors "two VLANs/ACLs/meters" l2
echo "   run time $((SECONDS - T0)) s"
pfs_done
