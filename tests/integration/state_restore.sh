#!/bin/bash
# Restart with the tables kept ([switch] state_file, issue #13 item 2): pfswitchd with two
# net_af_packet ports on veths to namespaces, fail_mode secure and no controller.
#  - flows (cookie, timeouts, send_flow_rem, a meter and a group instruction), a group
#    and a meter are installed with pfs-ofctl and ping traffic passes;
#  - SIGTERM writes the state file (exit 0); pfswitchd started again restores it with no
#    controller: dump-flows (without statistics), dump-groups and dump-meters are
#    identical to before, the flow, group, meter and port counters continue from their saved
#    values, a flow's duration continues, the MACs NORMAL learned are learned again, the
#    controllers' generation id is kept (a stale ROLE_REQUEST is refused);
#  - forwarding resumes fast: a ping every 10 ms runs across the restart; the time from
#    the exec of the new process to the first reply is printed and must be < 1 s;
#  - a truncated file and a file of a newer format version are each logged with the
#    file's name and the reason, and the switch starts with empty tables (and runs);
#  - pfs-ofctl save BRIDGE FILE / restore BRIDGE FILE: saved from the running switch,
#    tables deleted, restored: the same dump-flows/dump-groups/dump-meters; a restore
#    error names the failing entry.
#
# usage: state_restore.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl
# Exit: 0 pass, 1 failure, 77 skipped. Everything is removed on exit (pfs_testlib).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL}")
pfs_init state "$1" python3
PFS="timeout 20 $OFCTL --rundir $RUN"
STATE=$TMP/state
pfs_hosts 2
pfs_config "$TMP/sw.ini" "fail_mode = secure"
sed -i "s|^\[switch\]$|[switch]\nstate_file = $STATE|" "$TMP/sw.ini"

stop_daemon() {
	kill -TERM "$PID" 2>/dev/null
	wait "$PID"
	local rc=$?
	PID=
	return $rc
}

pfs_start "$TMP/sw.ini"
$PFS add-meter br0 "meter=1,pktps,bands=type=drop,rate=100000" || fail "add-meter"
$PFS add-group br0 "group_id=1,type=all,bucket=output:2" || fail "add-group"
$PFS add-group br0 "group_id=2,type=indirect,bucket=group:1" || fail "add-group 2"
$PFS add-flow br0 "table=0,priority=10,in_port=1,cookie=0x1234,actions=meter:1,goto_table:1" || fail "add-flow 1"
$PFS add-flow br0 "table=1,priority=10,in_port=1,send_flow_rem,actions=group:2" || fail "add-flow 2"
$PFS add-flow br0 "table=0,priority=10,in_port=2,hard_timeout=600,idle_timeout=300,actions=output:1" || fail "add-flow 3"
$PFS add-flow br0 "table=0,priority=0,actions=drop" || fail "add-flow 4"
$PFS add-flow br0 "table=0,priority=20,udp,actions=NORMAL" || fail "add-flow 5"
check "ping over installed flows" pfs_ping 1 2 5
# UDP both ways through NORMAL: both hosts' MACs learned.
ip netns exec "$NS1" bash -c "echo x >/dev/udp/$(pfs_ip 2)/9" 2>/dev/null
ip netns exec "$NS2" bash -c "echo x >/dev/udp/$(pfs_ip 1)/9" 2>/dev/null
sleep 0.2

check "role master, generation 7" $PFS role br0 master 7
$PFS dump-flows br0 --no-stats >"$TMP/flows.before"
$PFS dump-groups br0 >"$TMP/groups.before"
$PFS dump-meters br0 >"$TMP/meters.before"
$PFS dump-flows br0 >"$TMP/flows.stats.before"
$PFS dump-group-stats br0 >"$TMP/gstats.before"
$PFS meter-stats br0 >"$TMP/mstats.before"
$PFS dump-ports br0 1 >"$TMP/ports.before"
sleep 1
check "SIGTERM: clean exit" stop_daemon
check "SIGTERM: state file written" test -s "$STATE"
check "SIGTERM: no temporary file left" test ! -e "$STATE.tmp"
grep -q "state saved to $STATE" "$TMP/daemon.log" && pass "save logged" || fail "save not logged"

# ---- restart: forwarding resumes before any controller, counters continue ----
ip netns exec "$NS1" ping -D -i 0.01 -W 1 -c 1000 "$(pfs_ip 2)" >"$TMP/ping.out" 2>&1 &
PINGER=$!
PFS_PIDS+=("$PINGER")
sleep 0.3
T0=$(date +%s.%N)
pfs_start "$TMP/sw.ini"
for _ in $(seq 50); do
	grep -q "^\[[0-9.]*\] .*bytes from" "$TMP/ping.out" && break
	sleep 0.1
done
T1=$(sed -n 's/^\[\([0-9.]*\)\] .*bytes from.*/\1/p' "$TMP/ping.out" | head -1)
kill "$PINGER" 2>/dev/null
if [ -n "$T1" ]; then
	MS=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%d", (b - a) * 1000 }')
	echo "forwarding resumed ${MS} ms after the process was started (exec to first ping reply)"
	[ "$MS" -lt 1000 ] && pass "forwarding resumes < 1 s after start (${MS} ms)" ||
		fail "forwarding resumed only after ${MS} ms"
else
	fail "no ping reply after the restart"
fi
grep -q "restored 5 flow(s), 2 group(s), 1 meter(s)" "$TMP/daemon.log" && pass "restore logged" ||
	fail "restore not logged"
grep -q "restored 2 of 2 learned MAC address(es)" "$TMP/daemon.log" && pass "learned MACs restored" ||
	fail "learned MACs not restored"

check_not "generation id kept: a stale master (3 < 7) is refused" $PFS role br0 master 3
check "generation id kept: a newer master (8) is accepted" $PFS role br0 master 8
$PFS dump-flows br0 --no-stats >"$TMP/flows.after"
$PFS dump-groups br0 >"$TMP/groups.after"
$PFS dump-meters br0 >"$TMP/meters.after"
check "dump-flows identical after restart" diff "$TMP/flows.before" "$TMP/flows.after"
check "dump-groups identical after restart" diff "$TMP/groups.before" "$TMP/groups.after"
check "dump-meters identical after restart" diff "$TMP/meters.before" "$TMP/meters.after"

# n_packets of the in_port=1 table 0 flow, of group 1 and meter 1 before and after.
flow_pkts() { sed -n 's/.*table=0,.*n_packets=\([0-9]*\),.*priority=10,in_port=1.*/\1/p' "$1" | head -1; }
dur() { sed -n 's/.*duration=\([0-9.]*\)s.*in_port=2.*/\1/p' "$1" | head -1; }
$PFS dump-flows br0 >"$TMP/flows.stats.after"
$PFS dump-group-stats br0 >"$TMP/gstats.after"
$PFS meter-stats br0 >"$TMP/mstats.after"
$PFS dump-ports br0 1 >"$TMP/ports.after"
B=$(flow_pkts "$TMP/flows.stats.before")
A=$(flow_pkts "$TMP/flows.stats.after")
[ -n "$B" ] && [ -n "$A" ] && [ "$B" -ge 5 ] && [ "$A" -gt "$B" ] &&
	pass "flow counter continues ($B before, $A after)" || fail "flow counter: before '$B', after '$A'"
gpk() { sed -n 's/.*group_id=1,.*packet_count=\([0-9]*\),.*/\1/p' "$1" | head -1; }
B=$(gpk "$TMP/gstats.before")
A=$(gpk "$TMP/gstats.after")
[ -n "$B" ] && [ -n "$A" ] && [ "$B" -ge 5 ] && [ "$A" -gt "$B" ] &&
	pass "group counter continues ($B before, $A after)" || fail "group counter: before '$B', after '$A'"
mpk() { sed -n 's/^meter:1 .*packet_in_count:\([0-9]*\) .*/\1/p' "$1" | head -1; }
B=$(mpk "$TMP/mstats.before")
A=$(mpk "$TMP/mstats.after")
[ -n "$B" ] && [ -n "$A" ] && [ "$B" -ge 5 ] && [ "$A" -gt "$B" ] &&
	pass "meter counter continues ($B before, $A after)" || fail "meter counter: before '$B', after '$A'"
ppk() { sed -n 's/^ *port *1: rx pkts=\([0-9]*\),.*/\1/p' "$1" | head -1; }
B=$(ppk "$TMP/ports.before")
A=$(ppk "$TMP/ports.after")
[ -n "$B" ] && [ -n "$A" ] && [ "$B" -ge 5 ] && [ "$A" -gt "$B" ] &&
	pass "port counter continues ($B before, $A after)" || fail "port counter: before '$B', after '$A'"
B=$(dur "$TMP/flows.stats.before")
A=$(dur "$TMP/flows.stats.after")
awk -v a="$A" -v b="$B" 'BEGIN { exit !(a != "" && b != "" && a + 0 >= b + 0) }' &&
	pass "flow duration continues (${B}s before, ${A}s after)" || fail "duration: before '$B', after '$A'"

# ---- a damaged or newer file: logged, started empty ----
check "SIGTERM again" stop_daemon
cp "$STATE" "$TMP/state.good"
head -c $(($(stat -c %s "$STATE") - 10)) "$TMP/state.good" >"$STATE"
: >"$TMP/daemon.log"
pfs_start "$TMP/sw.ini"
grep -q "state file $STATE: truncated.*starting with empty tables" "$TMP/daemon.log" &&
	pass "truncated file: logged with the file and the reason" || fail "truncated file not logged"
n=$($PFS dump-flows br0 | grep -c "priority=")
[ "$n" = 0 ] && pass "truncated file: started empty" || fail "truncated file: $n flows"
check "truncated file: switch answers" pfs_echo_ok 2
check "truncated file: kept as FILE.bad" cmp "$STATE.bad" <(head -c $(($(stat -c %s "$TMP/state.good") - 10)) "$TMP/state.good")
check "stop" stop_daemon
cp "$TMP/state.good" "$STATE"
printf '\x00\x00\x00\x63' | dd of="$STATE" bs=1 seek=8 conv=notrunc 2>/dev/null
: >"$TMP/daemon.log"
pfs_start "$TMP/sw.ini"
grep -q "state file $STATE: state format version 99 is not supported" "$TMP/daemon.log" &&
	pass "newer version: refused by name" || fail "newer version not refused clearly"
n=$($PFS dump-flows br0 | grep -c "priority=")
[ "$n" = 0 ] && pass "newer version: started empty" || fail "newer version: $n flows"

# ---- pfs-ofctl save / restore ----
if $OFCTL --help 2>&1 | grep -q "^  save "; then
	check "stop" stop_daemon
	cp "$TMP/state.good" "$STATE"
	pfs_start "$TMP/sw.ini"
	check "pfs-ofctl save" $PFS save br0 "$TMP/saved"
	$PFS del-flows br0
	$PFS del-groups br0
	$PFS del-meters br0
	check "tables emptied" sh -c "! $PFS dump-flows br0 | grep -q priority="
	check "pfs-ofctl restore" $PFS restore br0 "$TMP/saved"
	$PFS dump-flows br0 --no-stats >"$TMP/flows.r"
	$PFS dump-groups br0 >"$TMP/groups.r"
	$PFS dump-meters br0 >"$TMP/meters.r"
	check "restore: dump-flows identical" diff "$TMP/flows.before" "$TMP/flows.r"
	check "restore: dump-groups identical" diff "$TMP/groups.before" "$TMP/groups.r"
	check "restore: dump-meters identical" diff "$TMP/meters.before" "$TMP/meters.r"
	check "ping after pfs-ofctl restore" pfs_ping 1 2 3
	# Restoring onto a switch that holds the groups already: the error names the entry.
	if $PFS restore br0 "$TMP/saved" >"$TMP/out" 2>&1; then
		fail "restore over existing groups succeeded"
	else
		grep -q "group 1" "$TMP/out" && pass "restore error names the group" ||
			{ fail "restore error does not name the entry"; cat "$TMP/out"; }
	fi
	check "pfs-ofctl restore refuses a damaged file" sh -c "head -c 100 $TMP/saved >$TMP/bad; ! $PFS restore br0 $TMP/bad"
fi
pfs_done
