#!/bin/bash
# pfs-ofctl against a running pfswitchd (bridge br0, fail_mode secure, three hosts
# h1..h3 on net_af_packet ports 1..3, a passive controller port ptcp:PORT:127.0.0.1),
# cross-checked with `ovs-ofctl -O OpenFlow13` on the same mgmt socket wherever
# ovs-ofctl has the command: show, dump-desc, dump-tables, dump-ports-desc agree; flows
# added with one tool and dumped with the other agree (add-flow, add-flows); mod-flows,
# del-flows --strict, replace-flows, diff-flows, dump-flows --json and counters after
# pings, dump-ports, mod-port down/up (ping through the port stops and resumes),
# get-config/set-config (seen by ovs-ofctl get-frags and the other way round),
# packet-out (the frame reaches the host: tcpdump), monitor --max (PACKET_IN on the
# controller connection), snoop (a copy of that traffic), probe, role.
#
# usage: ofctl_pfswitchd.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root, or ovs-ofctl/tcpdump missing).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTLBIN=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init ofctl-pfswitchd "$1" ovs-ofctl tcpdump ss python3 ethtool

CPORT=$((30000 + TAG % 20000))
SW=unix:$RUN/br0.mgmt
PFS="timeout 20 $OFCTLBIN --rundir $RUN"
OVS="timeout 20 ovs-ofctl -O OpenFlow13"
pfs_hosts 3
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = ptcp:$CPORT:127.0.0.1
inactivity_probe = 0
description = pfs-ofctl test bridge"
pfs_start "$TMP/sw.ini"

# same_lines DESC FILE1 FILE2: equal once xid= and durations are dropped and lines sorted
norm() { sed -e 's/ (xid=0x[0-9a-f]*)//' -e 's/duration=[0-9.]*s, //' "$1" | sort; }
same() {
	if diff <(norm "$2") <(norm "$3") >"$TMP/diff"; then pass "$1"; else
		fail "$1"
		sed 's/^/    /' "$TMP/diff"
	fi
}
# flows DUMP: the flow lines of a --no-stats dump, sorted, leading blanks dropped
flows() { grep 'actions=' "$1" | sed -e 's/^ *//' -e 's/, /,/g' | sort; }
same_flows() {
	if diff <(flows "$2") <(flows "$3") >"$TMP/diff"; then pass "$1"; else
		fail "$1"
		sed 's/^/    /' "$TMP/diff"
	fi
}

# ---- switch description: pfs-ofctl and ovs-ofctl print the same ----
check "show" $PFS show br0
cp "$TMP/out" "$TMP/pfs.show"
$OVS show "$SW" >"$TMP/ovs.show" 2>&1
same "show agrees with ovs-ofctl" "$TMP/pfs.show" "$TMP/ovs.show"
grep -q "dpid:$(printf %016x "0x$NET")" "$TMP/pfs.show" && pass "show: dpid" || fail "show: dpid"
for i in 1 2 3; do grep -q "^ $i(p$i): addr:" "$TMP/pfs.show" && pass "show: port $i" || fail "show: port $i"; done
check "dump-desc" $PFS dump-desc br0
cp "$TMP/out" "$TMP/pfs.desc"
$OVS dump-desc "$SW" >"$TMP/ovs.desc" 2>&1
same "dump-desc agrees with ovs-ofctl" "$TMP/pfs.desc" "$TMP/ovs.desc"
grep -q "DP Description: *pfs-ofctl test bridge" "$TMP/pfs.desc" && pass "dump-desc: description" || fail "dump-desc: description"
check "dump-ports-desc" $PFS dump-ports-desc br0
cp "$TMP/out" "$TMP/pfs.pd"
$OVS dump-ports-desc "$SW" >"$TMP/ovs.pd" 2>&1
same "dump-ports-desc agrees with ovs-ofctl" "$TMP/pfs.pd" "$TMP/ovs.pd"

# ---- flows: add with one tool, dump with the other ----
A=$((NET))
cat >"$TMP/flows1" <<EOF
priority=100,in_port=1 actions=output:2,output:3
priority=100,in_port=2 actions=output:1,output:3
priority=100,in_port=3 actions=output:1,output:2
cookie=0x42,priority=200,tcp,nw_dst=10.$A.0.3,tp_dst=80 actions=drop
priority=150,udp,tp_src=53 actions=set_field:00:00:00:00:00:01->eth_dst,goto_table:1
table=1,priority=10,dl_vlan=10 actions=pop_vlan,output:1
idle_timeout=300,hard_timeout=600,priority=5,arp,arp_op=2 actions=output:2
EOF
check "add-flows FILE" $PFS add-flows br0 "$TMP/flows1"
$OVS --no-stats dump-flows "$SW" >"$TMP/ovs.dump" 2>&1
sed 's/^/ /' "$TMP/flows1" >"$TMP/want"
same_flows "pfs-ofctl add-flows -> ovs-ofctl dump-flows" "$TMP/want" "$TMP/ovs.dump"
check "del-flows" $PFS del-flows br0
[ "$($OVS dump-flows "$SW" | grep -c actions=)" = 0 ] && pass "del-flows: empty for ovs-ofctl" || fail "del-flows left flows"
check "ovs-ofctl add-flows" $OVS add-flows "$SW" "$TMP/flows1"
check "dump-flows --no-stats" $PFS --no-stats dump-flows br0
same_flows "ovs-ofctl add-flows -> pfs-ofctl dump-flows" "$TMP/want" "$TMP/out"
$OVS --no-stats dump-flows "$SW" >"$TMP/ovs.dump" 2>&1
$PFS --no-stats dump-flows br0 >"$TMP/pfs.dump" 2>&1
same_flows "dump-flows: both tools print the same" "$TMP/ovs.dump" "$TMP/pfs.dump"
check "add-flow" $PFS add-flow br0 "priority=300,icmp,icmp_type=13 actions=drop"
$OVS dump-flows "$SW" icmp >"$TMP/ovs.dump" 2>&1
grep -q "priority=300,icmp,icmp_type=13 actions=drop" "$TMP/ovs.dump" && pass "add-flow seen by ovs-ofctl" || { fail "add-flow"; cat "$TMP/ovs.dump"; }

# ---- traffic: counters in dump-flows (text, --json) and dump-ports ----
all_pairs() {
	local i j
	for i in 1 2 3; do for j in 1 2 3; do
		[ "$i" = "$j" ] || pfs_ping "$i" "$j" 2 || { echo "h$i -> h$j failed"; return 1; }
	done; done
}
check "hosts reach each other through the hub flows" all_pairs
$PFS --json dump-flows br0 in_port=1 >"$TMP/pfs.json" 2>&1
$OVS dump-flows "$SW" in_port=1 >"$TMP/ovs.dump" 2>&1
ovs_n=$(sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' "$TMP/ovs.dump")
if python3 - "$TMP/pfs.json" "$ovs_n" <<'EOF'; then pass "dump-flows --json: n_packets = ovs-ofctl's ($ovs_n)"; else fail "dump-flows --json"; cat "$TMP/pfs.json"; fi
import json, sys
d = json.loads(open(sys.argv[1]).read())
fl = d["flows"] if isinstance(d, dict) else d
assert len(fl) == 1, fl
f = fl[0]
n = f.get("n_packets", f.get("packet_count"))
assert n == int(sys.argv[2]) and n >= 4, (n, sys.argv[2])
assert f["priority"] == 100
EOF
check "dump-ports" $PFS dump-ports br0 1
rx=$(sed -n 's/.*port  1: rx pkts=\([0-9]*\),.*/\1/p' "$TMP/out")
orx=$($OVS dump-ports "$SW" 1 | sed -n 's/.*port  1: rx pkts=\([0-9]*\),.*/\1/p')
[ -n "$rx" ] && [ "$rx" -ge 4 ] && [ "$rx" = "$orx" ] && pass "dump-ports: port 1 rx $rx (ovs-ofctl: $orx)" || fail "dump-ports: rx '$rx' vs '$orx'"
check "dump-tables" $PFS dump-tables br0
grep -q "table 0:" "$TMP/out" && grep -A3 "table 0:" "$TMP/out" | grep -q "active=7" && pass "dump-tables: table 0 active=7" ||
	{ fail "dump-tables active count"; head -8 "$TMP/out"; }
$OVS dump-tables "$SW" >"$TMP/ovs.tables" 2>&1
grep -A3 "table 0:" "$TMP/ovs.tables" | grep -q "active=7" && pass "ovs-ofctl dump-tables agrees" || fail "ovs-ofctl dump-tables"

# ---- mod-flows, del-flows --strict, replace-flows, diff-flows ----
check "mod-flows (loose)" $PFS mod-flows br0 "tcp actions=output:3"
$OVS --no-stats dump-flows "$SW" tcp >"$TMP/ovs.dump"
grep -q "cookie=0x42, priority=200,tcp,nw_dst=10.$A.0.3,tp_dst=80 actions=output:3" "$TMP/ovs.dump" && pass "mod-flows seen by ovs-ofctl (cookie kept)" ||
	{ fail "mod-flows"; cat "$TMP/ovs.dump"; }
check "mod-flows --strict" $PFS --strict mod-flows br0 "priority=5,arp,arp_op=2 actions=drop"
$OVS --no-stats dump-flows "$SW" arp | grep -q "arp_op=2 actions=drop" && pass "mod-flows --strict applied" || fail "mod-flows --strict"
check "del-flows --strict (wrong priority: no-op)" $PFS --strict del-flows br0 "priority=99,in_port=3"
[ "$($OVS dump-flows "$SW" in_port=3 | grep -c actions=)" = 1 ] && pass "del-flows --strict kept the flow" || fail "del-flows --strict wrong priority deleted"
check "del-flows --strict" $PFS --strict del-flows br0 "priority=100,in_port=3"
[ "$($OVS dump-flows "$SW" | grep -c in_port=3)" = 0 ] && [ "$($OVS dump-flows "$SW" | grep -c in_port=)" = 2 ] &&
	pass "del-flows --strict removed exactly in_port=3" || fail "del-flows --strict"
cat >"$TMP/flows2" <<EOF
priority=100,in_port=1 actions=output:2,output:3
priority=100,in_port=2 actions=output:1,output:3
priority=100,in_port=3 actions=output:1,output:2
priority=7,ip,nw_src=10.$A.0.9 actions=drop
EOF
check_not "diff-flows: differences found" $PFS diff-flows br0 "$TMP/flows2"
$PFS diff-flows br0 "$TMP/flows2" >/dev/null 2>&1
[ $? = 2 ] && pass "diff-flows exit 2 on differences" || fail "diff-flows exit status"
check "replace-flows" $PFS replace-flows br0 "$TMP/flows2"
$OVS --no-stats dump-flows "$SW" >"$TMP/ovs.dump"
sed 's/^/ /' "$TMP/flows2" >"$TMP/want"
same_flows "replace-flows: ovs-ofctl sees exactly the file" "$TMP/want" "$TMP/ovs.dump"
check "diff-flows: none after replace-flows" $PFS diff-flows br0 "$TMP/flows2"
check "ovs-ofctl diff-flows agrees" $OVS diff-flows "$SW" "$TMP/flows2"

# ---- mod-port down/up: traffic through port 3 stops and resumes ----
check "ping h1 -> h3" pfs_ping 1 3 2
check "mod-port p3 down" $PFS mod-port br0 p3 down
$OVS dump-ports-desc "$SW" 3 | grep -A1 "(p3)" | grep -q "config: *PORT_DOWN" && pass "ovs-ofctl sees p3 PORT_DOWN" || fail "mod-port down not seen"
check_not "port down: ping h1 -> h3 fails" pfs_ping 1 3 2
check "mod-port p3 up" $PFS mod-port br0 3 up
$OVS dump-ports-desc "$SW" 3 | grep -A1 "(p3)" | grep -q "config: *0" && pass "ovs-ofctl sees p3 up" || fail "mod-port up not seen"
check "port up: ping h1 -> h3 again" pfs_wait 5 pfs_ping 1 3 1
check "ovs-ofctl mod-port down" $OVS mod-port "$SW" p2 down
$PFS dump-ports-desc br0 p2 | grep -A1 "(p2)" | grep -q "PORT_DOWN" && pass "pfs-ofctl sees ovs-ofctl's PORT_DOWN" || fail "pfs-ofctl: p2 not down"
$OVS mod-port "$SW" p2 up

# ---- switch configuration ----
# (the datapath forwards fragments as they are: frags=drop/reasm are refused)
$PFS set-config br0 frags=drop >"$TMP/out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "OFPSCFC_BAD_FLAGS" "$TMP/out" && pass "set-config frags=drop refused: SWITCH_CONFIG_FAILED/BAD_FLAGS" ||
	{ fail "set-config frags=drop: exit $rc"; cat "$TMP/out"; }
check "set-config miss_send_len" $PFS set-config br0 frags=normal miss_send_len=300
[ "$($OVS get-frags "$SW")" = normal ] && pass "ovs-ofctl get-frags: normal" || fail "ovs-ofctl get-frags"
check "ovs-ofctl set-frags normal" $OVS set-frags "$SW" normal
check "get-config" $PFS get-config br0
# miss_send_len is per connection (as in Open vSwitch): a new one starts at 128.
grep -q "frags=normal miss_send_len=128" "$TMP/out" && pass "get-config: frags=normal miss_send_len=128" || { fail "get-config"; cat "$TMP/out"; }
check "get-config --json" $PFS --json get-config br0
grep -q '"frags": *"normal".*"miss_send_len": *128' "$TMP/out" && pass "get-config --json" || { fail "get-config --json"; cat "$TMP/out"; }

# ---- packet-out: the frame reaches h2 ----
# to h2's MAC from 02:00:00:00:00:77, local experimental ethertype 0x88b5, 46 bytes payload
PKT=$(pfs_mac 2 | tr -d :)02000000007788b5$(printf '%02x' $(seq 100 145))
pkt_cap() {
	ip netns exec "$NS2" timeout 8 tcpdump -i eth0 -n -l -c 1 -xx "ether src 02:00:00:00:00:77" >"$TMP/cap" 2>"$TMP/cap.err" &
	CAP=$!
	for _ in $(seq 50); do grep -q listening "$TMP/cap.err" && break; sleep 0.1; done
}
pkt_cap
check "packet-out" $PFS packet-out br0 "in_port=controller packet=$PKT actions=output:2"
wait "$CAP"
caphex() { sed -n 's/^[[:space:]]*0x[0-9a-f]*:[[:space:]]*//p' "$TMP/cap" | tr -d ' \n'; }
[ "$(caphex)" = "$PKT" ] && pass "packet-out frame captured on h2, byte for byte" ||
	{ fail "packet-out frame not captured"; cat "$TMP/cap" "$TMP/cap.err"; }
pkt_cap
check "ovs-ofctl packet-out" $OVS packet-out "$SW" "in_port=controller packet=$PKT actions=output:2"
wait "$CAP"
[ "$(caphex)" = "$PKT" ] && pass "ovs-ofctl packet-out frame captured" || fail "ovs-ofctl packet-out frame not captured"

# ---- monitor and snoop on the controller connection; probe; role ----
CTL=tcp:127.0.0.1:$CPORT
check "probe (mgmt)" $PFS probe br0
check "ovs-ofctl probe" $OVS probe "$SW"
check "add-flow to the controller" $PFS add-flow br0 "priority=500,icmp actions=CONTROLLER:65535"
$OFCTLBIN --rundir "$RUN" --max=1 --timeout=15 snoop br0 >"$TMP/snoop" 2>&1 &
SNOOP=$!
PFS_PIDS+=("$SNOOP")
sleep 0.3
$OFCTLBIN --max=2 --timeout=15 monitor "$CTL" >"$TMP/monitor" 2>&1 &
MON=$!
PFS_PIDS+=("$MON")
pfs_wait 5 ss -Htn state established "( dport = :$CPORT )"
ip netns exec "$NS1" ping -c 3 -i 0.3 -W 1 "10.$A.0.2" >/dev/null 2>&1
wait "$MON"
rc=$?
[ "$rc" = 0 ] && [ "$(grep -c OFPT_PACKET_IN "$TMP/monitor")" = 2 ] && pass "monitor --max=2: 2 PACKET_INs, exit 0" ||
	{ fail "monitor: exit $rc"; cat "$TMP/monitor"; }
grep -q "total_len=98 in_port=1 (via action) data_len=98" "$TMP/monitor" && pass "monitor: in_port=1, the whole 98-byte ping" || fail "monitor content"
wait "$SNOOP"
rc=$?
[ "$rc" = 0 ] && grep -q "OFPT_" "$TMP/snoop" && pass "snoop --max=1: mirrored a message, exit 0" || { fail "snoop: exit $rc"; cat "$TMP/snoop"; }
check "role master (controller)" $PFS role "$CTL" master 7
grep -qi "master" "$TMP/out" && grep -q "7" "$TMP/out" && pass "role reply: master, generation 7" || { fail "role reply"; cat "$TMP/out"; }
check "role nochange" $PFS role "$CTL"
check "role slave (generation 8)" $PFS role "$CTL" slave 8
grep -qi "slave" "$TMP/out" && pass "role reply: slave" || { fail "role slave reply"; cat "$TMP/out"; }
$PFS role "$CTL" slave 5 >"$TMP/out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "STALE" "$TMP/out" && pass "role with a stale generation refused (ROLE_REQUEST_FAILED/STALE)" || { fail "stale generation: exit $rc"; cat "$TMP/out"; }

# snoop shows echo requests on a controller connection (copies: not its to answer)
$OFCTLBIN --rundir "$RUN" --timeout=4 snoop br0 >"$TMP/snoop-echo" 2>&1 &
SNOOP=$!
PFS_PIDS+=("$SNOOP")
sleep 0.3
check "probe (controller connection)" $PFS probe "$CTL"
wait "$SNOOP"
grep -q "^OFPT_ECHO_REQUEST" "$TMP/snoop-echo" && grep -q "^OFPT_ECHO_REPLY" "$TMP/snoop-echo" &&
	pass "snoop shows the mirrored ECHO_REQUEST and its ECHO_REPLY" ||
	{ fail "snoop: echo request not shown"; cat "$TMP/snoop-echo"; }

# ---- set-table-features: dump --json, edit, set (the mgmt socket is master) ----
check "dump-table-features --json" $PFS --json dump-table-features br0
cp "$TMP/out" "$TMP/tf.json"
check "add-flow before the pipeline change" $PFS add-flow br0 "table=1,priority=3,actions=drop"
check "set-table-features, the dump unchanged" $PFS set-table-features br0 "$TMP/tf.json"
$PFS dump-flows br0 | grep -q "table=1, .*priority=3" && pass "unchanged features keep the flows" || fail "flows lost by an unchanged set"
/usr/bin/python3 - "$TMP/tf.json" "$TMP/tf2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = [x for x in d["tables"] if x["table_id"] in (0, 1)]
t[0]["name"] = "ingress"
t[1]["name"] = "egress"
for x in t:
    for p in x["properties"]:
        if "tables" in p:
            p["tables"] = [n for n in p["tables"] if n == 1]
        if x["table_id"] == 1 and p["type"] == "match":
            p["fields"] = ["in_port", "eth_dst/mask"]
json.dump({"tables": t}, open(sys.argv[2], "w"))
PY
check "set-table-features, two tables" $PFS set-table-features br0 "$TMP/tf2.json"
grep -q 'table 0 ("ingress")' "$TMP/out" && grep -q 'table 1 ("egress")' "$TMP/out" && pass "the reply gives the new tables" || { fail "set-table-features reply"; cat "$TMP/out"; }
check "dump-table-features after the set" $PFS dump-table-features br0
[ "$(grep -c '^  table ' "$TMP/out")" = 2 ] && grep -q "match: in_port,eth_dst/mask" "$TMP/out" && pass "dump-table-features: 2 tables, table 1's match list" || { fail "dump after set"; cat "$TMP/out"; }
$PFS dump-flows br0 | grep -q "table=1," && fail "flows of a changed table kept" || pass "flows of a changed table removed"
$PFS add-flow br0 "table=1,priority=3,ip,actions=drop" >"$TMP/out" 2>&1
[ $? = 1 ] && grep -q "BAD_FIELD" "$TMP/out" && pass "a field table 1 no longer matches: BAD_MATCH/BAD_FIELD" || { fail "enforcement"; cat "$TMP/out"; }
$PFS add-flow br0 "table=2,actions=drop" >"$TMP/out" 2>&1
[ $? = 1 ] && grep -q "BAD_TABLE_ID" "$TMP/out" && pass "a removed table: BAD_TABLE_ID" || { fail "removed table"; cat "$TMP/out"; }
echo '{"tables": [{"table_id": 255, "max_entries": 1}]}' >"$TMP/tf3.json"
$PFS set-table-features br0 "$TMP/tf3.json" >"$TMP/out" 2>&1
[ $? = 1 ] && grep -q "BAD_TABLE" "$TMP/out" && pass "set-table-features refused: TABLE_FEATURES_FAILED/BAD_TABLE, exit 1" || { fail "bad table"; cat "$TMP/out"; }
echo '{"tables": [' >"$TMP/tf4.json"
$PFS set-table-features br0 "$TMP/tf4.json" >"$TMP/out" 2>&1
[ $? = 4 ] && grep -q "JSON" "$TMP/out" && pass "set-table-features: a bad file, exit 4" || { fail "bad file"; cat "$TMP/out"; }

kill -0 "$PID" && pass "pfswitchd alive" || fail "pfswitchd died"
pfs_done
