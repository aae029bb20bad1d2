#!/bin/bash
# pfs-ofctl's live views against a running pfswitchd (bridge br0, fail_mode secure, two
# hosts h1, h2 on ports 1, 2): a two-table pipeline (table 0 goes to table 1; table 1
# sends h1's traffic through group 1, which chains to group 2, and h2's straight out).
# While h1 pings h2: `top --json --iterations 2 --interval 1` prints two frames, the
# ping flow with a nonzero packet rate and port 1 with a nonzero receive rate, and the
# text frame lists the flow; --sort=bytes is accepted. `show-pipeline --dot` has the two
# tables with their rule counts and hit rates, the goto_table edge, the group nodes and
# edges (table -> group, group -> group), and dot -Tsvg parses it; --svg writes SVG.
#
# usage: ofctl_views.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped (not root).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTLBIN=$(readlink -f "${2:?usage: $0 PATH/TO/pfswitchd PATH/TO/pfs-ofctl}")
pfs_init ofctl-views "$1" python3
PFS="timeout 20 $OFCTLBIN --rundir $RUN"
pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = secure"
pfs_start "$TMP/sw.ini"

check "add-group 2" $PFS add-group br0 "group_id=2,type=indirect,bucket=actions=output:2"
check "add-group 1 (chains to 2)" $PFS add-group br0 "group_id=1,type=indirect,bucket=actions=group:2"
check "table 0 -> table 1" $PFS add-flow br0 "table=0,priority=10,actions=goto_table:1"
check "table 1: h1 -> group 1" $PFS add-flow br0 "table=1,priority=20,in_port=1,actions=group:1"
check "table 1: h2 -> port 1" $PFS add-flow br0 "table=1,priority=20,in_port=2,actions=output:1"
check "ping h1 -> h2 through the pipeline" pfs_ping 1 2 2

# ---- top: snapshot frames while h1 pings h2 every 0.1 s ----
ip netns exec "pfsh1-$TAG" ping -i 0.1 -c 60 -q "$(pfs_ip 2)" >/dev/null 2>&1 &
PINGER=$!
check "top --json --iterations 2 --interval 1" $PFS top br0 --json --iterations 2 --interval 1
cp "$TMP/out" "$TMP/top.json"
python3 - "$TMP/top.json" <<'PY' && pass "top --json: two frames, ping flow and port 1 rates" || fail "top --json frames"
import json, sys
frames = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(frames) == 2, frames
for f in frames:
    assert f["interval_ms"] >= 900, f
    flow = [x for x in f["flows"] if "in_port=1" in x["flow"] and "group:1" in x["flow"]]
    assert flow and flow[0]["packet_rate"] > 0 and flow[0]["byte_rate"] > 0, f
    assert f["flows"][0]["packet_rate"] >= flow[0]["packet_rate"], f  # busiest first
    port = [p for p in f["ports"] if p["port_no"] == 1]
    assert port and port[0]["rx_packet_rate"] > 0 and port[0]["name"] == "p1", f
PY
check "top --once --sort=bytes --count=2 (text frame)" $PFS top br0 --once --sort=bytes --count=2 --interval 0.5
grep -q "table=1, priority=20,in_port=[12] actions=" "$TMP/out" && grep -q "^p1 " "$TMP/out" && ! grep -q $'\033' "$TMP/out" &&
	pass "top text frame: flow and port rows, no ANSI codes off a terminal" || { fail "top text frame"; cat "$TMP/out"; }
[ "$(grep -c 'actions=' "$TMP/out")" = 2 ] && pass "top --count=2: two flow rows" || fail "top --count=2"
check_not "top --interval=0 is refused" $PFS top br0 --once --interval 0
kill "$PINGER" 2>/dev/null
wait "$PINGER" 2>/dev/null

# ---- show-pipeline ----
check "show-pipeline --dot" $PFS show-pipeline br0 --dot
cp "$TMP/out" "$TMP/pipe.dot"
grep -q '^digraph ' "$TMP/pipe.dot" && pass "show-pipeline: a digraph" || fail "show-pipeline: a digraph"
grep -q 't0 \[label="table 0.*1 rule\\nhit [0-9.]*% ([1-9]' "$TMP/pipe.dot" && pass "show-pipeline: table 0, its rule and hit rate" || { fail "show-pipeline: table 0 node"; cat "$TMP/pipe.dot"; }
grep -q 't1 \[label="table 1.*2 rules\\nhit ' "$TMP/pipe.dot" && pass "show-pipeline: table 1 with 2 rules" || fail "show-pipeline: table 1 node"
grep -q 't0 -> t1 \[label="1 rule"\]' "$TMP/pipe.dot" && pass "show-pipeline: goto_table edge" || fail "show-pipeline: goto edge"
grep -q 'g1 \[shape=ellipse, label="group 1\\nindirect, 1 bucket"\]' "$TMP/pipe.dot" && pass "show-pipeline: group node" || fail "show-pipeline: group node"
grep -q 't1 -> g1 \[label="1 rule", style=dashed\]' "$TMP/pipe.dot" && pass "show-pipeline: table -> group edge" || fail "show-pipeline: table -> group"
grep -q 'g1 -> g2 \[label="1 bucket"\]' "$TMP/pipe.dot" && pass "show-pipeline: group chaining edge" || fail "show-pipeline: group -> group"
if command -v dot >/dev/null 2>&1; then
	check "dot -Tsvg parses the graph" dot -Tsvg "$TMP/pipe.dot"
	check "show-pipeline --svg" $PFS show-pipeline br0 --svg
	grep -q '<svg' "$TMP/out" && pass "show-pipeline --svg writes SVG" || fail "show-pipeline --svg output"
else
	echo "skip: dot not installed (graphviz), SVG checks left out"
fi
check_not "show-pipeline --svg without dot on PATH fails" env PATH=/nonexistent "$OFCTLBIN" --rundir "$RUN" show-pipeline br0 --svg
grep -q "needs Graphviz's dot" "$TMP/out" && pass "show-pipeline --svg without dot: a clear error" || { fail "show-pipeline --svg without dot: message"; cat "$TMP/out"; }
pfs_done
