#!/bin/bash
# pfs-ofctl trace against a running pfswitchd (fail_mode = secure, two hosts).
#
# A 3-table pipeline with a meter and a group:
#   table 0: in_port=1,udp -> meter:1, goto_table:1        (cookie 0x1)
#   table 1: udp,tp_dst=53 -> write_actions(output:2), goto_table:2   (cookie 0x2)
#   table 2: any -> write_actions(group:7)                  (cookie 0x3)
#   group 7 (all): bucket output:2
# Checks:
#  - a UDP packet given in flow syntax: the text names every table with its rule,
#    priority and cookie, the meter (pass), the action set (the group wins over
#    output:2), the group's bucket and the final output to port 2;
#  - --json: the same steps, parsed with python3; outputs == ["2"];
#  - the same frame given as hex bytes (packet_hex of the JSON) traces the same way;
#  - a UDP packet to port 54 misses table 1: "table 1: no match", "drop: table_miss";
#  - nothing was counted: every flow, the group and the meter still show 0 packets,
#    and the switch sent nothing on port 2 (host noise does not match udp rules);
#  - a connection that is not the mgmt socket (a ptcp: controller listener) answers
#    BAD_EXPERIMENTER: pfs-ofctl says "trace needs pfswitchd" and exits 1.
#
# usage: trace.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped. Everything is removed on exit, also on failure.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init trace "$1"
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"

PFS="timeout 20 $OFCTL --rundir $RUN"
CPORT=$((30000 + TAG % 20000))
pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = ptcp:$CPORT
inactivity_probe = 0"
pfs_start "$TMP/sw.ini"

check "add-meter" $PFS add-meter br0 "meter=1,pktps,stats,bands=type=drop,rate=1000"
check "add-group" $PFS add-group br0 "group_id=7,type=all,bucket=output:2"
check "add-flow table 0" $PFS add-flow br0 \
	"table=0,priority=100,cookie=0x1,in_port=1,udp,actions=meter:1,goto_table:1"
check "add-flow table 1" $PFS add-flow br0 \
	"table=1,priority=10,cookie=0x2,udp,tp_dst=53,actions=write_actions(output:2),goto_table:2"
check "add-flow table 2" $PFS add-flow br0 \
	"table=2,priority=5,cookie=0x3,actions=write_actions(group:7)"

A=$(pfs_ip 1)
B=$(pfs_ip 2)
FLOW="in_port=1,udp,eth_src=02:00:00:00:00:01,eth_dst=02:00:00:00:00:02,nw_src=$A,nw_dst=$B,tp_src=1000,tp_dst=53"
# port 2's tx packets as the switch counts them
tx2() { $PFS dump-ports br0 2 | sed -n 's/.*tx pkts=\([0-9]*\).*/\1/p' | head -1; }
B_RX0=$(tx2)

# ---- text ----------------------------------------------------------------------------
$PFS trace br0 "$FLOW" >"$TMP/text" 2>&1
echo "--- trace br0 '$FLOW'"
cat "$TMP/text"
expect() { # expect WHAT FIXED-STRING: a line of the text trace
	if grep -qF -- "$2" "$TMP/text"; then pass "$1"; else fail "$1: no line with \"$2\""; fi
}
expect "header" "bridge br0, in_port 1, packet: eth 02:00:00:00:00:01 > 02:00:00:00:00:02 ipv4 $A > $B udp 1000 > 53"
expect "table 0 rule" "table 0: priority=100,udp,in_port=1 cookie=0x1 -> meter:1,goto_table:1"
expect "meter passes" "  meter 1: pass"
expect "table 1 rule" "table 1: priority=10,udp,tp_dst=53 cookie=0x2 -> write_actions(output:2),goto_table:2"
expect "table 2 rule" "table 2: priority=5 cookie=0x3 -> write_actions(group:7)"
expect "action set" "action set: group:7"
expect "group bucket" "group 7 (all): bucket 0"
expect "bucket's action set" "  action set: output:2"
expect "final output" "  output: port 2"

# ---- JSON ----------------------------------------------------------------------------
$PFS --json trace br0 "$FLOW" >"$TMP/json" 2>&1
echo "--- --json"
cat "$TMP/json"
check "--json: steps and outputs" /usr/bin/python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
kinds = [s["kind"] for s in t["steps"]]
assert kinds == ["table", "meter", "table", "table", "action_set", "group", "action_set",
                 "output"], kinds
tables = [(s["table"], s["priority"], s["cookie"]) for s in t["steps"] if s["kind"] == "table"]
assert tables == [(0, 100, "0x1"), (1, 10, "0x2"), (2, 5, "0x3")], tables
assert t["steps"][0]["rule"] == "priority=100,udp,in_port=1", t["steps"][0]
assert t["steps"][1] == {"kind": "meter", "depth": 0, "meter_id": 1, "band": None,
                         "result": "pass"}, t["steps"][1]
assert t["steps"][5]["group_id"] == 7 and t["steps"][5]["bucket"] == 0
assert t["outputs"] == ["2"], t["outputs"]
assert t["in_port"] == "1" and not t["truncated"]
' "$TMP/json"
HEX=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packet_hex"])' "$TMP/json" 2>/dev/null)

# ---- hex bytes -----------------------------------------------------------------------
$PFS trace br0 "in_port=1 packet=$HEX" >"$TMP/hex" 2>&1
if [ -n "$HEX" ] && diff <(tail -n +2 "$TMP/text") <(tail -n +2 "$TMP/hex") >"$TMP/out"; then
	pass "the same frame as hex bytes traces the same way"
else
	fail "hex trace differs"
	cat "$TMP/hex" "$TMP/out"
fi

# ---- a miss in table 1 ---------------------------------------------------------------
$PFS trace br0 "in_port=1,udp,nw_src=$A,nw_dst=$B,tp_dst=54" >"$TMP/text" 2>&1
echo "--- a miss"
cat "$TMP/text"
expect "udp 54: table 1 misses" "table 1: no match"
expect "udp 54: dropped as table_miss" "drop: table_miss"
expect "udp 54: no output" "final: dropped (no output)"
check_not "a trace without in_port is refused" $PFS trace br0 "udp,tp_dst=53"

# ---- nothing counted, nothing sent ----------------------------------------------------
$PFS dump-flows br0 >"$TMP/flows"
if [ "$(grep -c 'n_packets=0,' "$TMP/flows")" = 3 ]; then
	pass "flows' counters unchanged (n_packets=0)"
else
	fail "flow counters moved"
	cat "$TMP/flows"
fi
$PFS dump-group-stats br0 7 >"$TMP/gs"
if grep -q "packet_count=0" "$TMP/gs"; then pass "group counters unchanged"; else fail "group counters moved"; cat "$TMP/gs"; fi
$PFS meter-stats br0 1 >"$TMP/ms"
if grep -q "packet_in_count:0" "$TMP/ms"; then pass "meter counters unchanged"; else fail "meter counters moved"; cat "$TMP/ms"; fi
sleep 0.3
B_RX1=$(tx2)
if [ "$B_RX0" = "$B_RX1" ]; then pass "nothing sent to port 2"; else fail "port 2 sent $((B_RX1 - B_RX0)) packets"; fi

# ---- not the mgmt socket ----------------------------------------------------------------
pfs_wait 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CPORT" || fail "ptcp listener"
$OFCTL --timeout 10 trace "tcp:127.0.0.1:$CPORT" "$FLOW" >"$TMP/ctl" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q "trace needs pfswitchd" "$TMP/ctl"; then
	pass "a controller connection answers BAD_EXPERIMENTER: \"trace needs pfswitchd\""
else
	fail "controller connection: rc $rc"
	cat "$TMP/ctl"
fi
pfs_done
