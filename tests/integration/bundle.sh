#!/bin/bash
# Bundles (ONF extension 230 in OpenFlow 1.3) against a running pfswitchd (bridge br0,
# fail_mode secure, two hosts on net_af_packet ports 1..2, bundle_idle_timeout = 2):
#   ovs-ofctl -O OpenFlow13 --bundle add-flows / replace-flows / del-flows apply, and
#   a bundle whose last flow fails (a group that does not exist) leaves the table as it
#   was and ovs-ofctl reports the failing flow's error; os-ken's ONFBundleCtrlMsg and
#   ONFBundleAddMsg (bundle_osken.py): open/add/commit, a failing commit (error names
#   the failing message by xid, then MSG_FAILED) with flows, group and port unchanged,
#   discard, closed-bundle and unknown-id refusals, idle expiry; traffic follows the
#   committed flows (ping).
#
# pfs-ofctl --bundle add-flows / replace-flows / del-flows do the same (a refused line is
# named and nothing applies).
#
# usage: bundle.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, or ovs-ofctl/os-ken missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTLBIN=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init bundle "$1" ovs-ofctl ping
/usr/bin/python3 -c 'import os_ken.ofproto.ofproto_v1_3_parser' 2>/dev/null ||
	pfs_skip "python3-os-ken missing"

SW=unix:$RUN/br0.mgmt
OVS="timeout 30 ovs-ofctl -O OpenFlow13"
PFS="timeout 30 $OFCTLBIN --rundir $RUN"
pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = secure
inactivity_probe = 0"
sed -i 's/^\[switch\]$/[switch]\nbundle_idle_timeout = 2/' "$TMP/sw.ini"
pfs_start "$TMP/sw.ini"

# flows DUMP: the flow lines of a --no-stats dump, sorted, leading blanks dropped
flows() { grep 'actions=' "$1" | sed -e 's/^ *//' -e 's/, /,/g' | sort; }
same_flows() {
	if diff <(flows "$2") <(flows "$3") >"$TMP/diff"; then pass "$1"; else
		fail "$1"
		sed 's/^/    /' "$TMP/diff"
	fi
}
dumpf() { $OVS --no-stats dump-flows "$SW" >"$1" 2>&1; }

# ---- ovs-ofctl --bundle ----
cat >"$TMP/flows1" <<EOF2
 priority=100,in_port=1 actions=output:2
 priority=100,in_port=2 actions=output:1
 priority=10,arp actions=FLOOD
 table=1,priority=5,ip actions=drop
EOF2
check "ovs-ofctl --bundle add-flows" $OVS --bundle add-flows "$SW" "$TMP/flows1"
dumpf "$TMP/d1"
same_flows "bundle add-flows: dump-flows shows them" "$TMP/flows1" "$TMP/d1"
check "ping over the committed flows" pfs_ping 1 2 3

cat >"$TMP/flows2" <<EOF2
 priority=200,ip,in_port=1 actions=output:2
 priority=200,ip,in_port=2 actions=output:1
 priority=10,arp actions=FLOOD
 cookie=0x5,table=2,priority=1 actions=drop
EOF2
check "ovs-ofctl --bundle replace-flows" $OVS --bundle replace-flows "$SW" "$TMP/flows2"
dumpf "$TMP/d2"
same_flows "bundle replace-flows: exactly the new set" "$TMP/flows2" "$TMP/d2"
check "ping after replace-flows" pfs_ping 2 1 3

# A bundle that fails on its last flow: nothing of it applies.
cat >"$TMP/flows3" <<EOF2
priority=300,in_port=1 actions=drop
priority=300,in_port=2 actions=drop
priority=10,arp actions=drop
priority=301,in_port=1 actions=group:99
EOF2
check_not "ovs-ofctl --bundle add-flows with a failing flow fails" \
	$OVS --bundle add-flows "$SW" "$TMP/flows3"
cp "$TMP/out" "$TMP/err3"
grep -q "OFPBAC_BAD_OUT_GROUP" "$TMP/err3" && pass "the failing flow's error is reported" ||
	{ fail "the failing flow's error is reported"; sed 's/^/    /' "$TMP/err3"; }
dumpf "$TMP/d3"
same_flows "failed bundle: flow table unchanged" "$TMP/flows2" "$TMP/d3"
check "ping still works after the failed bundle" pfs_ping 1 2 3

check "ovs-ofctl --bundle del-flows (strict)" $OVS --bundle --strict del-flows "$SW" \
	"priority=10,arp"
check "ovs-ofctl --bundle mod-flows" $OVS --bundle mod-flows "$SW" "table=2,actions=output:1"
check "ovs-ofctl --bundle add-flow" $OVS --bundle add-flow "$SW" "priority=7,udp,actions=drop"
dumpf "$TMP/d4"
cat >"$TMP/want4" <<EOF2
 priority=200,ip,in_port=1 actions=output:2
 priority=200,ip,in_port=2 actions=output:1
 cookie=0x5,table=2,priority=1 actions=output:1
 priority=7,udp actions=drop
EOF2
same_flows "bundle del-flows/mod-flows/add-flow" "$TMP/want4" "$TMP/d4"
check "ovs-ofctl --bundle del-flows (all)" $OVS --bundle del-flows "$SW"
dumpf "$TMP/d5"
[ "$(flows "$TMP/d5" | wc -l)" -eq 0 ] && pass "bundle del-flows empties the tables" ||
	fail "bundle del-flows empties the tables"

# ---- 10k flows in one bundle: every one applies (a long bundle is not expired as idle
# while its messages are being handled) ----
/usr/bin/python3 -c '
for i in range(10000):
    print("priority=100,udp,tp_dst=%d actions=output:1" % (i + 1))
' >"$TMP/big1"
sed 's/output:1/output:2/' "$TMP/big1" >"$TMP/big2"
check "ovs-ofctl --bundle add-flows: 10k new flows" $OVS --bundle add-flows "$SW" "$TMP/big1"
n=$($OVS dump-flows "$SW" | grep -c 'tp_dst=.*actions=output:1')
[ "$n" -eq 10000 ] && pass "10k-flow bundle: all 10000 flows" || fail "10k-flow bundle: $n of 10000 flows"
t0=$(date +%s%N)
check "ovs-ofctl --bundle add-flows: 10k flows rewritten" $OVS --bundle add-flows "$SW" "$TMP/big2"
t1=$(date +%s%N)
n=$($OVS dump-flows "$SW" | grep -c 'tp_dst=.*actions=output:2')
[ "$n" -eq 10000 ] && pass "10k-flow bundle rewrite: all 10000 flows ($(((t1 - t0) / 1000000)) ms)" ||
	fail "10k-flow bundle rewrite: $n of 10000 flows"
check "ovs-ofctl --bundle del-flows udp" $OVS --bundle del-flows "$SW" udp

# ---- pfs-ofctl --bundle ----
check "pfs-ofctl --bundle add-flows" $PFS --bundle add-flows br0 "$TMP/flows1"
dumpf "$TMP/p1"
same_flows "pfs-ofctl --bundle add-flows: dump-flows shows them" "$TMP/flows1" "$TMP/p1"
check "pfs-ofctl --bundle replace-flows" $PFS --bundle replace-flows br0 "$TMP/flows2"
dumpf "$TMP/p2"
same_flows "pfs-ofctl --bundle replace-flows: exactly the new set" "$TMP/flows2" "$TMP/p2"
check_not "pfs-ofctl --bundle add-flows with a failing flow fails" \
	$PFS --bundle add-flows br0 "$TMP/flows3"
grep -q "flows3:4: switch refused the flow: OFPET_BAD_ACTION/OFPBAC_BAD_OUT_GROUP (the bundle was not committed: OFPBFC_MSG_FAILED)" "$TMP/out" &&
	pass "pfs-ofctl names the failing line" || { fail "pfs-ofctl names the failing line"; sed 's/^/    /' "$TMP/out"; }
dumpf "$TMP/p3"
same_flows "pfs-ofctl: failed bundle leaves the table unchanged" "$TMP/flows2" "$TMP/p3"
check "pfs-ofctl --bundle del-flows" $PFS --bundle del-flows br0
dumpf "$TMP/p4"
[ "$(flows "$TMP/p4" | wc -l)" -eq 0 ] && pass "pfs-ofctl --bundle del-flows empties the tables" ||
	fail "pfs-ofctl --bundle del-flows empties the tables"

# ---- os-ken's bundle classes ----
if timeout 60 /usr/bin/python3 "$DIR/bundle_osken.py" "$RUN/br0.mgmt" >"$TMP/osken" 2>&1; then
	pass "bundle_osken.py"
else
	fail "bundle_osken.py"
fi
sed 's/^/    /' "$TMP/osken"

grep -q "bundle .* idle for 2 s, discarded" "$TMP/daemon.log" && pass "idle bundle expiry logged" ||
	fail "idle bundle expiry logged"
kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
pfs_done
