#!/bin/bash
# Integration test for pfs-ofctl against a private Open vSwitch (userspace "netdev"
# bridge, OpenFlow 1.3 only) that runs in its own network namespace with its own
# rundir/dbdir under a temporary directory. Every pfs-ofctl command runs at least once;
# results are checked against ovs-ofctl -O OpenFlow13 (flows added with one tool and
# dumped with the other agree field by field, both ways), and bad syntax, refused
# requests and unreachable targets must give the documented messages and exit codes.
#
# usage: test_ofctl.sh PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failures, 77 skipped (not root, or Open vSwitch / ip missing).
set -u

PFS=${1:?usage: $0 PATH/TO/pfs-ofctl}
PFS=$(readlink -f "$PFS")

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (network namespace, Open vSwitch)"
for tool in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ip python3; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (Debian: openvswitch-switch, iproute2)"
done
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
[ -r "$SCHEMA" ] || skip "$SCHEMA missing (Debian: openvswitch-common)"

TMP=$(mktemp -d /tmp/pfs-ofctl-test.XXXXXX)
NS=pfsofctl$$
RUN=$TMP/run
SW=unix:$RUN/br0.mgmt
PIDS=()

cleanup() {
	local pidfile pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pidfile in "$RUN/ovs-vswitchd.pid" "$RUN/ovsdb-server.pid"; do
		[ -r "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

NSX="ip netns exec $NS"
VSCTL="$NSX ovs-vsctl --db=unix:$RUN/db.sock --timeout=10"
OFCTL="ovs-ofctl -O OpenFlow13"

# ---- start Open vSwitch ----
mkdir -p "$RUN"
ip netns add "$NS" || skip "cannot create a network namespace"
$NSX ip link set lo up
ovsdb-tool create "$RUN/conf.db" "$SCHEMA" >/dev/null || exit 1
$NSX ovsdb-server "$RUN/conf.db" --remote="punix:$RUN/db.sock" --pidfile="$RUN/ovsdb-server.pid" \
	--unixctl="$RUN/ovsdb-server.ctl" --log-file="$RUN/ovsdb-server.log" --detach --no-chdir 2>>"$RUN/daemons.err" || exit 1
$VSCTL --no-wait init || exit 1
$NSX env OVS_RUNDIR="$RUN" ovs-vswitchd "unix:$RUN/db.sock" --pidfile="$RUN/ovs-vswitchd.pid" \
	--unixctl="$RUN/ovs-vswitchd.ctl" --log-file="$RUN/ovs-vswitchd.log" --detach --no-chdir 2>>"$RUN/daemons.err" || exit 1
$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev protocols=OpenFlow13 fail_mode=secure \
	-- add-port br0 p1 -- set interface p1 type=internal ofport_request=1 \
	-- add-port br0 p2 -- set interface p2 type=internal ofport_request=2 || exit 1
for _ in $(seq 50); do [ -S "$RUN/br0.mgmt" ] && break; sleep 0.1; done
[ -S "$RUN/br0.mgmt" ] || { echo "FAIL: ovs-vswitchd did not create $RUN/br0.mgmt"; exit 1; }

# ---- helpers ----
FAILS=0
PASSES=0
OUT=$TMP/out
ERR=$TMP/err

pass() { PASSES=$((PASSES + 1)); }
fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*"
	[ -s "$OUT" ] && sed 's/^/  stdout: /' "$OUT" | head -20
	[ -s "$ERR" ] && sed 's/^/  stderr: /' "$ERR" | head -5
}

# run EXPECTED_RC DESCRIPTION pfs-ofctl-args...: runs pfs-ofctl, checks its exit code.
run() {
	local want=$1 what=$2 rc
	shift 2
	"$PFS" "$@" >"$OUT" 2>"$ERR"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$what: exit $rc, expected $want (pfs-ofctl $*)"
		return 1
	fi
	pass
	return 0
}

# expect_err RC PATTERN DESCRIPTION args...: exit code and a one-line stderr matching PATTERN.
expect_err() {
	local want=$1 pat=$2 what=$3
	shift 3
	run "$want" "$what" "$@" || return 1
	if ! grep -q -- "$pat" "$ERR"; then
		fail "$what: stderr lacks \"$pat\""
		return 1
	fi
	if [ "$(wc -l <"$ERR")" != 1 ]; then
		fail "$what: error is not one line"
		return 1
	fi
	return 0
}

# contains FILE PATTERN DESCRIPTION
contains() {
	if grep -q -- "$2" "$1"; then pass; else fail "$3: no \"$2\" in output"; fi
}

# Field by field: every line split at commas and blanks into a sorted token list, the
# reply header and volatile values (durations, xids) dropped, the lines sorted.
fields() {
	python3 -c '
import re, sys
out = []
for line in sys.stdin:
    if line.startswith(("OFPST_", "NXST_")):
        continue
    line = re.sub(r"duration[=:][0-9.]*s,?|xid=0x[0-9a-f]*", "", line)
    out.append(" ".join(sorted(re.split(r"[,\s]+", line.strip()))))
print("\n".join(sorted(out)))'
}

# same_fields DESCRIPTION FILE1 FILE2
same_fields() {
	if diff <(fields <"$2") <(fields <"$3") >"$TMP/diff"; then
		pass
	else
		fail "$1: outputs differ field by field"
		sed 's/^/  /' "$TMP/diff" | head -20
	fi
}

# JSON check: json_ok DESCRIPTION PYTHON-EXPRESSION (on d = the parsed stdout)
json_ok() {
	if python3 -c "import json,sys; d = json.load(open('$OUT')); sys.exit(0 if ($2) else 1)" 2>"$TMP/pyerr"; then
		pass
	else
		fail "$1: JSON check failed: $2 $(head -c 300 "$TMP/pyerr")"
	fi
}

ARP=ffffffffffff00000000000108060001080006040001000000000001c0a80001000000000000c0a80002

# ---- flows written by pfs-ofctl, read by ovs-ofctl, and the reverse ----
cat >"$TMP/flows" <<'EOF'
# a comment, then every kind of match and instruction both tools know
table=0,priority=100,in_port=1,tcp,tp_dst=80,actions=output:2
priority=200,ip,nw_src=10.0.0.0/8,nw_dst=192.168.1.1,actions=dec_ttl,output:2
priority=300,dl_src=00:11:22:33:44:55,dl_dst=ff:ff:ff:ff:ff:ff,actions=drop

cookie=0x1234,priority=400,arp,arp_tpa=10.0.0.1,actions=CONTROLLER:128
table=1,priority=10,udp,tp_src=53,actions=set_field:10.1.1.1->ip_dst,output:1
table=2,priority=5,ipv6,ipv6_dst=2001:db8::1,actions=output:1
idle_timeout=300,hard_timeout=600,priority=7,dl_vlan=10,actions=pop_vlan,output:2
priority=8,in_port=2,actions=write_actions(output:1),goto_table:3
priority=9,metadata=0x5/0xff,actions=write_metadata:0x10/0xff,goto_table:4
priority=11,icmp,icmp_type=8,actions=meter:1,output:1
priority=12,actions=group:1
send_flow_rem,priority=13,tcp6,tp_src=22,actions=output:LOCAL
priority=14,mpls,mpls_label=5,actions=pop_mpls:0x0800,output:1
priority=15,ip,nw_tos=32,nw_ecn=1,actions=set_field:4->ip_dscp,output:in_port
priority=16,dl_type=0x88cc,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:1
priority=17,ip,nw_proto=17,actions=set_queue:1,output:1
priority=18,udp6,ipv6_src=fe80::/64,udp_dst=546,actions=clear_actions
priority=19,icmp6,icmpv6_type=135,nd_target=fe80::1,actions=output:1
priority=20,arp,arp_op=1,arp_sha=00:00:00:00:00:01,actions=ALL
priority=21,tun_id=0x64,actions=NORMAL
EOF

# Groups and meters first: flows refer to them.
run 0 "add-meter" add-meter "$SW" "meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100"
run 0 "add-group" add-group "$SW" "group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,actions=output:2"

run 0 "add-flows FILE" add-flows "$SW" "$TMP/flows"
$OFCTL --no-stats dump-flows "$SW" >"$TMP/ovs.dump"
run 0 "dump-flows --no-stats" --no-stats dump-flows "$SW"
same_fields "pfs-ofctl add-flows, dumped by both" "$OUT" "$TMP/ovs.dump"
[ "$(grep -c priority= "$TMP/ovs.dump")" = 20 ] && pass || fail "ovs-ofctl sees $(grep -c priority= "$TMP/ovs.dump") of 20 flows"
# The exact text too: the line shape is ovs-ofctl's.
if diff "$OUT" "$TMP/ovs.dump" >/dev/null; then pass; else fail "dump-flows --no-stats text differs from ovs-ofctl"; fi

$OFCTL del-flows "$SW"
$OFCTL add-flows "$SW" "$TMP/flows"
run 0 "dump-flows of ovs-ofctl's flows" dump-flows "$SW"
cp "$OUT" "$TMP/pfs.dump"
$OFCTL dump-flows "$SW" >"$TMP/ovs.dump"
same_fields "ovs-ofctl add-flows, dumped by both" "$TMP/pfs.dump" "$TMP/ovs.dump"
contains "$TMP/pfs.dump" "^OFPST_FLOW reply (OF1.3)" "dump-flows header"
contains "$TMP/pfs.dump" " cookie=0x1234, duration=" "dump-flows stats"

# Filters, aggregate, sorting.
run 0 "dump-flows FLOW" dump-flows "$SW" "table=1"
[ "$(grep -c 'table=1' "$OUT")" = 1 ] && pass || fail "dump-flows table=1 shows $(grep -c table= "$OUT") flows"
run 0 "dump-flows match filter" --no-stats dump-flows "$SW" "tcp"
$OFCTL --no-stats dump-flows "$SW" tcp >"$TMP/ovs.dump"
same_fields "dump-flows tcp" "$OUT" "$TMP/ovs.dump"
run 0 "dump-aggregate" dump-aggregate "$SW"
contains "$OUT" "flow_count=20" "dump-aggregate"
run 0 "dump-aggregate FLOW" dump-aggregate "$SW" "table=2"
contains "$OUT" "flow_count=1" "dump-aggregate table=2"
for s in --sort --rsort --sort=priority --rsort=in_port --sort=in_port; do
	run 0 "dump-flows $s" --no-stats "$s" dump-flows "$SW"
	$OFCTL --no-stats "$s" dump-flows "$SW" >"$TMP/ovs.dump"
	if diff "$OUT" "$TMP/ovs.dump" >/dev/null; then pass; else fail "dump-flows $s: order differs from ovs-ofctl"; fi
done
# Counters: a packet-out through the tables hits the arp flow; --rsort=n_bytes puts it first.
run 0 "packet-out (table)" packet-out "$SW" "in_port=1 packet=$ARP actions=table"
run 0 "packet-out (old form)" packet-out "$SW" 1 table "$ARP"
run 0 "dump-flows --rsort=n_bytes" --rsort=n_bytes dump-flows "$SW"
head -1 "$OUT" | grep -q "n_packets=2, n_bytes=84,.*arp,arp_op=1" && pass ||
	fail "--rsort=n_bytes: first line is not the arp flow with 2 packets"
run 0 "dump-flows --sort=n_packets" --sort=n_packets dump-flows "$SW"
tail -1 "$OUT" | grep -q "n_packets=2" && pass || fail "--sort=n_packets: last line is not the busiest flow"
expect_err 4 "unknown field" "--sort=bogus" --sort=bogus dump-flows "$SW"

# JSON for dumps.
run 0 "dump-flows --json" --json dump-flows "$SW"
json_ok "dump-flows --json" "len(d['flows']) == 20 and any(f['match'].get('tcp_dst') == '80' and f['actions'] == 'output:2' and f['priority'] == 100 for f in d['flows']) and any(f['cookie'] == '0x1234' for f in d['flows'])"
json_ok "dump-flows --json counters" "any(f['n_packets'] == 2 and f['n_bytes'] == 84 for f in d['flows'])"
json_ok "dump-flows --json flags" "any(f['flags'] == ['send_flow_rem'] for f in d['flows'])"
run 0 "dump-aggregate --json" --json dump-aggregate "$SW"
json_ok "dump-aggregate --json" "d['flow_count'] == 20 and d['packet_count'] == 2"

# --names: port names on output and input.
run 0 "dump-flows --names" --names --no-stats dump-flows "$SW" "in_port=1"
$OFCTL --names --no-stats dump-flows "$SW" in_port=1 >"$TMP/ovs.dump"
same_fields "dump-flows --names" "$OUT" "$TMP/ovs.dump"
contains "$OUT" "in_port=p1" "dump-flows --names"
run 0 "add-flow with port names" add-flow "$SW" "priority=50,in_port=p2,actions=output:p1"
$OFCTL --no-stats dump-flows "$SW" in_port=2 >"$TMP/ovs.dump"
contains "$TMP/ovs.dump" "priority=50,in_port=2 actions=output:1" "port names in add-flow"

# mod-flows, del-flows (strict and not).
run 0 "mod-flows" mod-flows "$SW" "tcp,actions=output:1"
$OFCTL --no-stats dump-flows "$SW" tcp >"$TMP/ovs.dump"
contains "$TMP/ovs.dump" "priority=100,tcp,in_port=1,tp_dst=80 actions=output:1" "mod-flows"
run 0 "mod-flows --strict (no exact match: no change)" --strict mod-flows "$SW" "tcp,actions=output:2"
$OFCTL --no-stats dump-flows "$SW" tcp >"$TMP/ovs.dump"
contains "$TMP/ovs.dump" "tp_dst=80 actions=output:1" "mod-flows --strict without a match"
run 0 "mod-flows --strict" --strict mod-flows "$SW" "priority=100,in_port=1,tcp,tp_dst=80,actions=output:2"
$OFCTL --no-stats dump-flows "$SW" tcp >"$TMP/ovs.dump"
contains "$TMP/ovs.dump" "tp_dst=80 actions=output:2" "mod-flows --strict"
run 0 "del-flows --strict (wrong priority: nothing)" --strict del-flows "$SW" "priority=1,in_port=1,tcp,tp_dst=80"
[ "$($OFCTL dump-flows "$SW" tcp | grep -c tp_dst=80)" = 1 ] && pass || fail "del-flows --strict deleted a flow of another priority"
run 0 "del-flows --strict" --strict del-flows "$SW" "priority=100,in_port=1,tcp,tp_dst=80"
[ "$($OFCTL dump-flows "$SW" tcp | grep -c tp_dst=80)" = 0 ] && pass || fail "del-flows --strict did not delete"
run 0 "del-flows FLOW (all tables)" del-flows "$SW" "udp"
[ "$($OFCTL dump-flows "$SW" | grep -c 'udp,')" = 0 ] && pass || fail "del-flows udp left udp flows (table 1?)"
run 0 "del-flows" del-flows "$SW"
[ "$($OFCTL dump-flows "$SW" | grep -c priority)" = 0 ] && pass || fail "del-flows left flows"

# add-flows from stdin with commands; a bad line adds nothing and names file:line:token.
printf 'priority=1,actions=drop\nadd priority=2,ip,actions=drop\ndelete_strict priority=1\n' |
	"$PFS" add-flows "$SW" - >"$OUT" 2>"$ERR" && pass || fail "add-flows -"
[ "$($OFCTL --no-stats dump-flows "$SW")" = " priority=2,ip actions=drop" ] && pass ||
	fail "add-flows - with add/delete_strict: $($OFCTL --no-stats dump-flows "$SW")"
printf 'priority=3,actions=drop\npriority=4,bogus_field=1,actions=drop\n' >"$TMP/bad"
expect_err 4 "$TMP/bad:2: .*bogus_field" "add-flows bad line" add-flows "$SW" "$TMP/bad"
[ "$($OFCTL dump-flows "$SW" | grep -c priority=3)" = 0 ] && pass || fail "add-flows with a bad line added flows"

# ---- refused requests and syntax errors ----
expect_err 1 "OFPET_BAD_ACTION/OFPBAC_BAD_OUT_GROUP" "refused flow" add-flow "$SW" "actions=group:99"
printf 'priority=5,actions=drop\npriority=6,actions=group:77\n' >"$TMP/refused"
expect_err 1 "$TMP/refused:2: switch refused the flow: OFPET_BAD_ACTION/OFPBAC_BAD_OUT_GROUP" \
	"add-flows refused line" add-flows "$SW" "$TMP/refused"
expect_err 4 "frobnicate" "bad flow syntax" add-flow "$SW" "priority=1,frobnicate=3,actions=drop"
expect_err 4 "action" "flow without actions" add-flow "$SW" "priority=1"
expect_err 4 "\"nosuchport\": no such port" "unknown port" dump-ports "$SW" nosuchport
expect_err 4 "unknown command \"frob\"" "unknown command" frob "$SW"
expect_err 4 "add-flow: expected SWITCH FLOW" "missing argument" add-flow "$SW"
expect_err 4 "unknown or incomplete option" "unknown option" --frob show "$SW"
expect_err 4 "only OpenFlow13" "-O OpenFlow10" -O OpenFlow10 show "$SW"
expect_err 4 "expected tcp:IP\[:PORT\]" "bad target" show udp:1.2.3.4
expect_err 4 "no OpenFlow 1.3 port flag\|has no port flag" "mod-port flood" mod-port "$SW" 1 no-flood
expect_err 4 "unknown mod-port action" "mod-port bogus" mod-port "$SW" 1 sideways
expect_err 4 "role must be" "role bogus" role "$SW" boss
run 0 "--help" --help
contains "$OUT" "dump-flows" "--help"
run 0 "--version" --version

# ---- unreachable targets ----
expect_err 3 "cannot connect to unix:$TMP/nothing.mgmt" "missing unix socket" show "unix:$TMP/nothing.mgmt"
expect_err 3 "cannot connect to unix:$TMP/none/br9.mgmt" "bridge name in --rundir" --rundir="$TMP/none" show br9
PFSWITCH_RUNDIR=$TMP/env expect_err 3 "$TMP/env/br9.mgmt" "bridge name in PFSWITCH_RUNDIR" show br9
expect_err 3 "Connection refused" "closed tcp port" show tcp:127.0.0.1:1
# A socket that accepts and never speaks: the HELLO wait times out.
python3 -c "
import socket, time, sys
s = socket.socket(socket.AF_UNIX); s.bind('$TMP/mute.sock'); s.listen(4)
c = s.accept()[0]; time.sleep(10)" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$TMP/mute.sock" ] && break; sleep 0.05; done
expect_err 3 "no HELLO from switch (timed out)" "silent switch" --timeout=1 show "unix:$TMP/mute.sock"

# ---- switch-level commands ----
run 0 "show" show "$SW"
$OFCTL show "$SW" >"$TMP/ovs.dump"
contains "$OUT" "$(grep -o 'dpid:[0-9a-f]*' "$TMP/ovs.dump")" "show dpid"
contains "$OUT" "^ 1(p1): addr:" "show ports"
contains "$OUT" "^ LOCAL(br0): addr:" "show LOCAL"
if diff <(grep -v 'xid=' "$OUT") <(grep -v 'xid=' "$TMP/ovs.dump") >/dev/null; then pass; else fail "show differs from ovs-ofctl"; fi
run 0 "show --json" --json show "$SW"
json_ok "show --json" "d['n_tables'] == 254 and sorted(p['name'] for p in d['ports']) == ['br0', 'p1', 'p2'] and 'FLOW_STATS' in d['capabilities']"
run 0 "dump-desc" dump-desc "$SW"
$OFCTL dump-desc "$SW" >"$TMP/ovs.dump"
if diff "$OUT" "$TMP/ovs.dump" >/dev/null; then pass; else fail "dump-desc differs from ovs-ofctl"; fi
run 0 "dump-desc --json" --json dump-desc "$SW"
json_ok "dump-desc --json" "d['hw_desc'] == 'Open vSwitch' and d['mfr_desc'] == 'Nicira, Inc.'"
$OFCTL del-flows "$SW"
$OFCTL add-flow "$SW" "priority=1,actions=drop"
run 0 "dump-tables" dump-tables "$SW"
contains "$OUT" "^  table 0:" "dump-tables"
contains "$OUT" "active=1" "dump-tables active count"
contains "$OUT" "tables .*: ditto" "dump-tables ditto"
run 0 "dump-tables --json" --json dump-tables "$SW"
json_ok "dump-tables --json" "len(d['tables']) == 254 and d['tables'][0]['active_count'] == 1"
run 0 "dump-table-features" dump-table-features "$SW"
contains "$OUT" "^OFPST_TABLE_FEATURES reply" "dump-table-features"
contains "$OUT" "max_entries=" "dump-table-features"
run 0 "dump-table-features --json" --json dump-table-features "$SW"
json_ok "dump-table-features --json" "len(d['tables']) == 254 and any(p['type'] == 'instructions' and 'goto_table' in p['instructions'] for p in d['tables'][0]['properties'])"

# Ports.
run 0 "dump-ports" dump-ports "$SW"
contains "$OUT" "OFPST_PORT reply (OF1.3) (xid=0x2): 3 ports" "dump-ports"
run 0 "dump-ports PORT" dump-ports "$SW" 1
contains "$OUT" "1 ports" "dump-ports 1"
contains "$OUT" "port  1: rx pkts=" "dump-ports 1"
run 0 "dump-ports --names NAME" --names dump-ports "$SW" p2
contains "$OUT" "port  p2: rx" "dump-ports --names"
run 0 "dump-ports --json" --json dump-ports "$SW"
json_ok "dump-ports --json" "sorted(p['port_no'] for p in d['ports']) == [1, 2, 4294967294] and all('rx_packets' in p for p in d['ports'])"
run 0 "dump-ports-desc" dump-ports-desc "$SW"
$OFCTL dump-ports-desc "$SW" >"$TMP/ovs.dump"
if diff <(grep -v xid= "$OUT") <(grep -v xid= "$TMP/ovs.dump") >/dev/null; then pass; else fail "dump-ports-desc differs from ovs-ofctl"; fi
run 0 "dump-ports-desc PORT" dump-ports-desc "$SW" p1
[ "$(grep -c '^ [0-9L]' "$OUT")" = 1 ] && pass || fail "dump-ports-desc p1 shows other ports"
run 0 "dump-ports-desc --json" --json dump-ports-desc "$SW"
json_ok "dump-ports-desc --json" "all(len(p['hw_addr']) == 17 for p in d['ports']) and len(d['ports']) == 3"
run 0 "mod-port up" mod-port "$SW" p1 up
$OFCTL dump-ports-desc "$SW" 1 | grep -A1 '(p1)' | grep -q "config:     0" && pass || fail "mod-port up: p1 still down"
run 0 "mod-port down no-packet-in" mod-port "$SW" 1 down no-packet-in
$OFCTL dump-ports-desc "$SW" 1 | grep -A1 '(p1)' | grep -q "PORT_DOWN NO_PACKET_IN" && pass || fail "mod-port down no-packet-in"
expect_err 4 "no such port" "mod-port unknown port" mod-port "$SW" p9 up

# Switch configuration.
run 0 "get-config" get-config "$SW"
contains "$OUT" "frags=normal miss_send_len=" "get-config"
run 0 "set-config" set-config "$SW" frags=drop miss_send_len=200
[ "$($OFCTL get-frags "$SW")" = drop ] && pass || fail "set-config frags=drop not seen by ovs-ofctl"
run 0 "get-frags" get-frags "$SW"
contains "$OUT" "^drop$" "get-frags"
run 0 "set-frags" set-frags "$SW" normal
[ "$($OFCTL get-frags "$SW")" = normal ] && pass || fail "set-frags normal"
run 0 "get-config --json" --json get-config "$SW"
json_ok "get-config --json" "d['frags'] == 'normal' and isinstance(d['miss_send_len'], int)"
expect_err 4 "frags must be" "set-config bad" set-config "$SW" frags=sometimes

# Groups.
$OFCTL add-group "$SW" "group_id=2,type=all,bucket=actions=output:2"
run 0 "dump-groups" dump-groups "$SW"
$OFCTL dump-groups "$SW" >"$TMP/ovs.dump"
same_fields "dump-groups" "$OUT" "$TMP/ovs.dump"
if diff "$OUT" "$TMP/ovs.dump" >/dev/null; then pass; else fail "dump-groups text differs from ovs-ofctl"; fi
run 0 "dump-group-stats (text)" dump-group-stats "$SW"
$OFCTL dump-group-stats "$SW" >"$TMP/ovs.dump"
same_fields "dump-group-stats" "$OUT" "$TMP/ovs.dump"
run 0 "mod-group" mod-group "$SW" "group_id=1,type=select,bucket=weight:5,actions=output:2"
$OFCTL dump-groups "$SW" 1 >"$TMP/ovs.dump"
contains "$TMP/ovs.dump" "group_id=1,type=select,bucket=weight:5,actions=output:2" "mod-group"
run 0 "dump-groups GROUP" dump-groups "$SW" 2
[ "$(grep -c group_id= "$OUT")" = 1 ] && contains "$OUT" "group_id=2,type=all" "dump-groups 2" || fail "dump-groups 2"
run 0 "dump-groups --json" --json dump-groups "$SW"
json_ok "dump-groups --json" "sorted(g['group_id'] for g in d['groups']) == [1, 2] and any(g['type'] == 'select' and g['buckets'][0]['weight'] == 5 for g in d['groups'])"
run 0 "dump-group-stats" dump-group-stats "$SW"
contains "$OUT" "group_id=1,duration=" "dump-group-stats"
run 0 "dump-group-stats GROUP" dump-group-stats "$SW" group_id=2
[ "$(grep -c group_id= "$OUT")" = 1 ] && pass || fail "dump-group-stats 2"
run 0 "dump-group-stats --json" --json dump-group-stats "$SW"
json_ok "dump-group-stats --json" "len(d['groups']) == 2 and all('ref_count' in g for g in d['groups'])"
run 0 "dump-group-features" dump-group-features "$SW"
contains "$OUT" "OFPST_GROUP_FEATURES reply" "dump-group-features"
run 0 "dump-group-features --json" --json dump-group-features "$SW"
json_ok "dump-group-features --json" "d['types'] == ['all', 'select', 'indirect', 'ff'] and 'OUTPUT' in [a.upper() for a in d['actions']['all']]"
expect_err 1 "OFPET_GROUP_MOD_FAILED/OFPGMFC_GROUP_EXISTS" "add-group twice" add-group "$SW" "group_id=2,type=all,bucket=actions=output:1"
expect_err 4 "sometimes" "add-group bad syntax" add-group "$SW" "group_id=3,type=sometimes"
run 0 "del-groups GROUP" del-groups "$SW" group_id=2
[ "$($OFCTL dump-groups "$SW" | grep -c group_id=)" = 1 ] && pass || fail "del-groups group_id=2"
run 0 "del-groups" del-groups "$SW"
[ "$($OFCTL dump-groups "$SW" | grep -c group_id=)" = 0 ] && pass || fail "del-groups"

# Meters.
$OFCTL add-meter "$SW" "meter=2,pktps,bands=type=drop,rate=10"
run 0 "dump-meters" dump-meters "$SW"
contains "$OUT" "^meter=2 pktps bands=" "dump-meters"
contains "$OUT" "^type=drop rate=10" "dump-meters"
# Known difference (lib/ofp_meter.c): burst_size is printed whenever it is non-zero,
# ovs-ofctl prints it only for meters with the burst flag; compare a burst meter.
run 0 "dump-meters (burst meter)" dump-meters "$SW" 1
$OFCTL dump-meters "$SW" meter=1 >"$TMP/ovs.dump"
if diff "$OUT" "$TMP/ovs.dump" >/dev/null; then pass; else fail "dump-meters 1 differs from ovs-ofctl"; fi
run 0 "meter-stats (text)" meter-stats "$SW"
$OFCTL meter-stats "$SW" >"$TMP/ovs.dump"
same_fields "meter-stats" "$OUT" "$TMP/ovs.dump"
run 0 "mod-meter" mod-meter "$SW" "meter=1,kbps,bands=type=drop,rate=5000"
$OFCTL dump-meters "$SW" meter=1 >"$TMP/ovs.dump"
contains "$TMP/ovs.dump" "rate=5000" "mod-meter"
run 0 "dump-meters METER" dump-meters "$SW" meter=2
contains "$OUT" "meter=2 pktps" "dump-meters 2"
[ "$(grep -c '^meter=' "$OUT")" = 1 ] && pass || fail "dump-meters 2 shows more"
run 0 "dump-meters --json" --json dump-meters "$SW"
json_ok "dump-meters --json" "sorted(m['meter_id'] for m in d['meters']) == [1, 2] and any(m['flags'] == ['kbps'] and m['bands'][0]['rate'] == 5000 for m in d['meters'])"
run 0 "meter-stats" meter-stats "$SW"
contains "$OUT" "meter:1 flow_count:" "meter-stats"
run 0 "meter-stats METER" meter-stats "$SW" 2
contains "$OUT" "meter:2 " "meter-stats 2"
run 0 "meter-stats --json" --json meter-stats "$SW"
json_ok "meter-stats --json" "len(d['meters']) == 2"
run 0 "meter-features" meter-features "$SW"
contains "$OUT" "max_meter:" "meter-features"
run 0 "meter-features --json" --json meter-features "$SW"
json_ok "meter-features --json" "d['max_meter'] > 0 and 'drop' in d['band_types']"
expect_err 1 "OFPET_METER_MOD_FAILED" "add-meter twice" add-meter "$SW" "meter=2,pktps,bands=type=drop,rate=10"
run 0 "del-meters METER" del-meters "$SW" meter=2
[ "$($OFCTL dump-meters "$SW" | grep -c '^meter=')" = 1 ] && pass || fail "del-meters meter=2"
run 0 "del-meters" del-meters "$SW"
[ "$($OFCTL dump-meters "$SW" | grep -c '^meter=')" = 0 ] && pass || fail "del-meters"

# ---- replace-flows and diff-flows, checked with ovs-ofctl's diff-flows ----
$OFCTL del-flows "$SW"
$OFCTL add-group "$SW" "group_id=1,type=all,bucket=actions=output:1"
$OFCTL add-meter "$SW" "meter=1,kbps,bands=type=drop,rate=1000"
$OFCTL add-flow "$SW" "priority=999,actions=drop"              # not in the file: deleted
$OFCTL add-flow "$SW" "priority=400,arp,arp_tpa=10.0.0.1,actions=drop" # changed in the file
run 0 "replace-flows" replace-flows "$SW" "$TMP/flows"
$OFCTL diff-flows "$SW" "$TMP/flows" >"$TMP/ovs.dump"
[ $? = 0 ] && pass || fail "after replace-flows ovs-ofctl diff-flows finds: $(cat "$TMP/ovs.dump")"
run 0 "diff-flows switch file (equal)" diff-flows "$SW" "$TMP/flows"
run 0 "replace-flows again (no change)" replace-flows "$SW" "$TMP/flows"
$OFCTL mod-flows "$SW" "arp,arp_tpa=10.0.0.1,actions=drop"
$OFCTL add-flow "$SW" "priority=998,actions=drop"
run 2 "diff-flows switch file (different)" diff-flows "$SW" "$TMP/flows"
$OFCTL diff-flows "$SW" "$TMP/flows" >"$TMP/ovs.dump"
if diff <(sort "$OUT") <(sort "$TMP/ovs.dump") >/dev/null; then pass; else
	fail "diff-flows output differs from ovs-ofctl's"
	diff <(sort "$OUT") <(sort "$TMP/ovs.dump") | sed 's/^/  /'
fi
contains "$OUT" "^-priority=998 actions=drop" "diff-flows removed line"
contains "$OUT" "^+cookie=\|^+priority=400,arp,arp_tpa=10.0.0.1 cookie=0x1234 actions=CONTROLLER:128" "diff-flows added line"
# Only the cookie differs (ADD with the same match replaces the flow).
run 0 "replace-flows (after mods)" replace-flows "$SW" "$TMP/flows"
$OFCTL add-flow "$SW" "cookie=0x99,priority=300,dl_src=00:11:22:33:44:55,dl_dst=ff:ff:ff:ff:ff:ff,actions=drop"
run 2 "diff-flows (cookie only)" diff-flows "$SW" "$TMP/flows"
contains "$OUT" "^-priority=300,.* cookie=0x99 actions=drop" "diff-flows cookie"
[ "$(wc -l <"$OUT")" = 2 ] && pass || fail "diff-flows cookie: expected 2 lines"
run 0 "replace-flows --readd" --readd replace-flows "$SW" "$TMP/flows"
$OFCTL diff-flows "$SW" "$TMP/flows" >"$TMP/ovs.dump" && pass || fail "replace-flows --readd left differences: $(cat "$TMP/ovs.dump")"
head -3 "$TMP/flows" >"$TMP/flows3"
run 2 "diff-flows file file" diff-flows "$TMP/flows" "$TMP/flows3"
[ "$(grep -c '^-' "$OUT")" = 18 ] && pass || fail "diff-flows file file: $(grep -c '^-' "$OUT") lines, expected 18"
run 0 "diff-flows file file (equal)" diff-flows "$TMP/flows" "$TMP/flows"
run 0 "replace-flows from stdin" replace-flows "$SW" - <"$TMP/flows3"
[ "$($OFCTL dump-flows "$SW" | grep -c priority=)" = 2 ] && pass || fail "replace-flows - left $($OFCTL dump-flows "$SW" | grep -c priority=) flows, expected 2"

# ---- monitor: PACKET_IN, PORT_STATUS, FLOW_REMOVED as they arrive ----
$OFCTL del-flows "$SW"
$OFCTL add-flow "$SW" "priority=5,in_port=1,actions=controller"
$OFCTL add-flow "$SW" "send_flow_rem,priority=6,in_port=2,actions=drop"
"$PFS" monitor "$SW" 65535 --timeout=30 >"$TMP/mon" 2>"$TMP/mon.err" &
MON=$!
PIDS+=($MON)
"$PFS" --json monitor "$SW" 65535 --timeout=30 >"$TMP/monj" 2>&1 &
MONJ=$!
PIDS+=($MONJ)
# await FILE PATTERN: up to 5 s for a line to appear (the monitors connect on their own).
await() {
	for _ in $(seq 50); do grep -q -- "$2" "$1" && return 0; sleep 0.1; done
	return 1
}
# The monitors set miss_send_len once connected: send packets until both saw one.
for _ in $(seq 50); do
	"$PFS" packet-out "$SW" "in_port=1 packet=$ARP actions=table" >/dev/null 2>&1
	grep -q PACKET_IN "$TMP/mon" && grep -q PACKET_IN "$TMP/monj" && break
	sleep 0.1
done
$VSCTL add-port br0 p3 -- set interface p3 type=internal ofport_request=3
run 0 "del-flows (flow_removed)" del-flows "$SW" "in_port=2"
await "$TMP/mon" FLOW_REMOVED && await "$TMP/mon" PORT_STATUS && await "$TMP/monj" FLOW_REMOVED &&
	await "$TMP/monj" PORT_STATUS
kill "$MON" "$MONJ" 2>/dev/null
wait "$MON" "$MONJ" 2>/dev/null
contains "$TMP/mon" "^OFPT_PACKET_IN (OF1.3) (xid=0x0): .*total_len=42 in_port=1" "monitor packet-in"
contains "$TMP/mon" "^OFPT_PORT_STATUS (OF1.3) (xid=0x0): ADD: 3(p3)" "monitor port-status"
contains "$TMP/mon" "^OFPT_FLOW_REMOVED (OF1.3) (xid=0x0): priority=6,in_port=2 reason=delete" "monitor flow-removed"
[ -s "$TMP/mon.err" ] && fail "monitor stderr: $(cat "$TMP/mon.err")" || pass
python3 -c "
import json, sys
m = [json.loads(l) for l in open('$TMP/monj')]
t = {x['type']: x for x in m}
assert t['PACKET_IN']['match']['in_port'] == '1' and len(t['PACKET_IN']['packet']) == 84, t
assert t['PORT_STATUS']['reason'] == 'ADD' and t['PORT_STATUS']['port']['name'] == 'p3', t
assert t['FLOW_REMOVED']['reason'] == 'delete' and t['FLOW_REMOVED']['priority'] == 6, t
" 2>"$TMP/pyerr" && pass || fail "monitor --json: $(tail -2 "$TMP/pyerr")"
# --max: the monitor stops by itself after N messages, with status 0.
"$PFS" monitor "$SW" 65535 --max=2 --timeout=20 >"$TMP/mon" 2>&1 &
MON=$!
PIDS+=($MON)
for _ in $(seq 50); do
	kill -0 "$MON" 2>/dev/null || break
	"$PFS" packet-out "$SW" "in_port=1 packet=$ARP actions=table" >/dev/null 2>&1
	sleep 0.1
done
wait "$MON"
rc=$?
[ $rc = 0 ] && pass || fail "monitor --max=2 exited $rc"
[ "$(grep -c '^OFPT_PACKET_IN' "$TMP/mon")" = 2 ] && pass || fail "monitor --max=2 printed $(grep -c '^OFPT_' "$TMP/mon") messages"
# --timeout ends a quiet monitor with status 0.
run 0 "monitor --timeout" --timeout=1 monitor "$SW"

# ---- snoop: a controller's traffic mirrored on br0.snoop ----
# A minimal controller inside the namespace: HELLO, then an echo request every 0.2 s.
cat >"$TMP/ctl.py" <<'EOF'
import socket, struct, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(1)
c, _ = s.accept()
c.send(struct.pack('!BBHI', 4, 0, 8, 1))
c.settimeout(0.2)
xid = 100
end = time.time() + 30
try:
    while time.time() < end:
        try:
            if not c.recv(65536):
                break
        except socket.timeout:
            pass
        xid += 1
        c.send(struct.pack('!BBHI', 4, 2, 8, xid))
except OSError:
    pass
EOF
$NSX python3 "$TMP/ctl.py" 6699 &
PIDS+=($!)
sleep 0.3
$VSCTL set-controller br0 tcp:127.0.0.1:6699
run 0 "snoop" --timeout=10 --max=2 --rundir="$RUN" snoop br0
contains "$OUT" "^OFPT_ECHO_\(REQUEST\|REPLY\) (OF1.3)" "snoop shows the controller's echoes"
run 0 "snoop unix: --json" --json --timeout=10 --max=1 snoop "unix:$RUN/br0.snoop"
json_ok "snoop --json" "d['type'].startswith('ECHO_')"
$VSCTL del-controller br0

# ---- TCP targets: a passive controller address inside the namespace ----
$VSCTL set-controller br0 ptcp:6653:127.0.0.1
for _ in $(seq 50); do $NSX "$PFS" --timeout=1 probe tcp:127.0.0.1 2>/dev/null && break; sleep 0.1; done
$NSX "$PFS" dump-desc tcp:127.0.0.1 >"$OUT" 2>"$ERR" && pass || fail "dump-desc over tcp: (default port 6653)"
contains "$OUT" "Hardware: Open vSwitch" "dump-desc over tcp:"
$NSX "$PFS" dump-flows tcp:127.0.0.1:6653 >"$OUT" 2>"$ERR" && pass || fail "dump-flows over tcp:IP:PORT"
$VSCTL del-controller br0

# ---- save / restore: Open vSwitch's tables out and back in through OpenFlow ----
run 0 "del-flows (save)" del-flows "$SW"
run 0 "del-groups (save)" del-groups "$SW"
run 0 "del-meters (save)" del-meters "$SW"
run 0 "add-meter (save)" add-meter "$SW" "meter=4,pktps,burst,stats,bands=type=drop,rate=100,burst_size=10"
run 0 "add-group 5 (save)" add-group "$SW" "group_id=5,type=all,bucket=output:1,bucket=output:2"
run 0 "add-group 3 (save)" add-group "$SW" "group_id=3,type=indirect,bucket=group:5"
run 0 "add-flow (save)" add-flow "$SW" "table=0,priority=9,in_port=1,cookie=0x9,actions=meter:4,goto_table:2"
run 0 "add-flow (save)" add-flow "$SW" "table=2,priority=8,ip,nw_dst=10.0.0.0/8,idle_timeout=500,actions=group:3"
run 0 "add-flow (save)" add-flow "$SW" "priority=1,send_flow_rem,hard_timeout=900,actions=drop"
"$PFS" dump-flows --no-stats "$SW" >"$TMP/f.before"
"$PFS" dump-groups "$SW" >"$TMP/g.before"
"$PFS" dump-meters "$SW" >"$TMP/m.before"
run 0 "save" save "$SW" "$TMP/ovs.state"
run 0 "del-flows (restore)" del-flows "$SW"
run 0 "del-groups (restore)" del-groups "$SW"
run 0 "del-meters (restore)" del-meters "$SW"
run 0 "restore" restore "$SW" "$TMP/ovs.state"
"$PFS" dump-flows --no-stats "$SW" >"$TMP/f.after"
"$PFS" dump-groups "$SW" >"$TMP/g.after"
"$PFS" dump-meters "$SW" >"$TMP/m.after"
for k in f g m; do
	if diff "$TMP/$k.before" "$TMP/$k.after" >"$OUT"; then pass; else fail "restore into Open vSwitch changed $k dump"; fi
done
# Group 3 sends to group 5: restored in dependency order although 3 < 5.
expect_err 1 "switch refused group 5: OFPET_GROUP_MOD_FAILED/OFPGMFC_GROUP_EXISTS" \
	"restore names the refused entry" restore "$SW" "$TMP/ovs.state"
head -c 60 "$TMP/ovs.state" >"$TMP/bad.state"
expect_err 4 "truncated" "restore refuses a damaged file" restore "$SW" "$TMP/bad.state"
run 0 "del-flows (after restore)" del-flows "$SW"
run 0 "del-groups (after restore)" del-groups "$SW"
run 0 "del-meters (after restore)" del-meters "$SW"

# ---- probe and role ----
run 0 "probe" probe "$SW"
run 0 "probe --json" --json probe "$SW"
json_ok "probe --json" "d['alive'] is True and d['rtt_us'] >= 0"
run 0 "role" role "$SW"
contains "$OUT" "^OFPT_ROLE_REPLY (OF1.3) (xid=0x2): role=" "role"
run 0 "role master" role "$SW" master 7
contains "$OUT" "role=master generation_id=7" "role master"
run 0 "role --json" --json role "$SW" equal
json_ok "role --json" "d['role'] == 'equal'"
expect_err 1 "OFPET_ROLE_REQUEST_FAILED/OFPRRFC_STALE" "stale generation id" role "$SW" master 3

# Bridge-name targets with --rundir.
run 0 "bridge name target" --rundir="$RUN" dump-desc br0
contains "$OUT" "Open vSwitch" "bridge name target"

echo "pfs-ofctl integration: $PASSES checks passed, $FAILS failed"
[ "$FAILS" = 0 ]
