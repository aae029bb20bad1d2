#!/bin/bash
# Upgrade without an outage (pfswitchd --takeover) on net_af_packet ports.
#
# Two veth pairs in the root namespace: pfv1/pfv2 are the switch's ports 1 and 2,
# pga/pgb the ends pfs-pktgen sends on and receives from (net_af_packet too). Flows
# (with a group and a meter) forward port 1 -> 2. While pfs-pktgen sends 100k pps of
# sequence-numbered UDP, a second pfswitchd takes over with the same configuration:
#  - no sequence number of the installed flow is lost (copies delivered by both
#    processes during the overlap are counted and reported);
#  - the old process exits, the new one answers on the same mgmt socket and rewrote
#    the pidfile;
#  - dump-flows/dump-groups/dump-meters are the same before and after (durations and
#    counters aside) and flow, port and group counters continue;
#  - the ptcp: controller listener and the metrics endpoint are handed over, the
#    generation id comes along, an active controller (takeover_ctl.py) is connected
#    again by the new process at once (the delay is reported);
#  - a refused handover (a handover format the old process does not speak) and a
#    failed one (the new process cannot open a port) leave the old process forwarding,
#    and the new one exits non-zero saying why.
# usage: takeover.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl PATH/TO/pfs-pktgen
. "$(dirname "$0")/pfs_testlib.sh"
pfs_init takeover "$1" python3
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
PKTGEN=$(readlink -f "${3:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
[ -x "$PKTGEN" ] || pfs_skip "pfs-pktgen not built"
RATE=${TAKEOVER_RATE:-100000}

for i in 1 2; do
	ip link add "pfv$i-$TAG" type veth peer name "pg$i-$TAG" || exit 1
	PFS_LINKS+=("pfv$i-$TAG")
	for l in "pfv$i-$TAG" "pg$i-$TAG"; do
		sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1"
		ip link set "$l" up
	done
done
CPORT=$((20000 + TAG % 20000))
MPORT=$((CPORT + 1))
APORT=$((CPORT + 2)) # an active controller: takeover_ctl.py
/usr/bin/python3 "$(dirname "$0")/takeover_ctl.py" "$APORT" "$TMP/ctl.log" &
PFS_PIDS+=($!)
pfs_wait 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$APORT" || fail "takeover_ctl.py did not start"
: >"$TMP/ctl.log" # the probe's connection
CONF=$TMP/pfswitch.ini
cat >"$CONF" <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-pci --log-level=lib.eal:error -m 256 --file-prefix pfs$TAG
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 50
metrics = tcp:127.0.0.1:$MPORT
[bridge br0]
datapath_id = 0x1
fail_mode = secure
controller = ptcp:$CPORT:127.0.0.1
controller = tcp:127.0.0.1:$APORT
[port p1]
bridge = br0
ofport = 1
devargs = net_af_packet0,iface=pfv1-$TAG,framecnt=16384
[port p2]
bridge = br0
ofport = 2
devargs = net_af_packet1,iface=pfv2-$TAG,framecnt=16384
EOC
PIDFILE=$TMP/pfswitchd.pid
"$PFSWITCHD" --config "$CONF" --pidfile "$PIDFILE" >>"$TMP/daemon.log" 2>&1 &
PID=$!
pfs_wait 20 test -S "$RUN/br0.mgmt" || { fail "pfswitchd did not start"; pfs_done; }
ofc() { local c=$1; shift; "$OFCTL" "$c" "unix:$RUN/br0.mgmt" "$@"; }
pfs_wait 10 grep -q connect "$TMP/ctl.log" || fail "the active controller was not connected"
check "role master, generation id 7" ofc role master 7
ofc add-group "group_id=1,type=all,bucket=output:2" || fail "add-group"
ofc add-meter "meter=1,pktps,bands=type=drop,rate=10000000" || fail "add-meter"
ofc add-flow "priority=10,udp,in_port=1,actions=meter:1,group:1" || fail "add-flow udp"
ofc add-flow "priority=5,in_port=1,actions=output:2" || fail "add-flow"
ofc add-flow "priority=5,in_port=2,idle_timeout=600,hard_timeout=900,cookie=0x42,actions=output:1" ||
	fail "add-flow timeouts"

# Normalised dumps: durations, counters and remaining times dropped.
norm() { sed -E 's/(duration|n_packets|n_bytes|packet_count|byte_count|flow_count|idle_age|hard_age)=[^, ]*,? ?//g; s/duration:[^ ]* ?//g' | sort; }
dumps() { { ofc dump-flows; ofc dump-groups; ofc dump-meters; } 2>&1 | grep -v '^OFPST\|reply' | norm; }
udp_packets() { ofc dump-flows 2>/dev/null | sed -n 's/.*n_packets=\([0-9]*\).*udp.*/\1/p' | head -1; }
PG_EAL="--no-pci --no-huge --no-shconf -m 256 --log-level=lib.eal:error --file-prefix pg$TAG"

# ---- 1: a refused handover and a failed one leave the old process forwarding ---------
"$PFSWITCHD" --config "$CONF" --takeover --handover-version 99 >"$TMP/refused.log" 2>&1
rc=$?
check "refused handover: the new process exits non-zero" test "$rc" -ne 0
check "refused handover: it says why" grep -q "refused the handover.*format 1" "$TMP/refused.log"
check "refused handover: the old process runs on" kill -0 "$PID"
sed "s/iface=pfv2-$TAG/iface=nosuch$TAG/" "$CONF" >"$TMP/badport.ini"
"$PFSWITCHD" --config "$TMP/badport.ini" --takeover >"$TMP/badport.log" 2>&1
rc=$?
check "failed handover (a port cannot open): the new process exits non-zero" test "$rc" -ne 0
check "failed handover: the new process says why" grep -q "takeover failed.*port p2" "$TMP/badport.log"
check "failed handover: the old process logs why and keeps forwarding" \
	grep -q "aborted by the new process.*still forwarding" "$TMP/daemon.log"
check "failed handover: the old process runs on" kill -0 "$PID"
check "failed handover: the mgmt socket still answers" ofc dump-flows

# ---- 2: the takeover under 100k pps -------------------------------------------------
"$PKTGEN" --tx "net_af_packet0,iface=pg1-$TAG,framecnt=16384" --rx "net_af_packet1,iface=pg2-$TAG,framecnt=16384" \
	--rate "$RATE" --duration 12 --size 64 --drain-ms 500 --timeline 20 --ready-file "$TMP/pg.ready" \
	--json "$TMP/pg.json" -- -l 0 $PG_EAL >"$TMP/pg.log" 2>&1 &
PG_PID=$!
PFS_PIDS+=("$PG_PID")
pfs_wait 20 test -e "$TMP/pg.ready" || { fail "pfs-pktgen did not start"; cat "$TMP/pg.log"; pfs_done; }
sleep 3
before=$(dumps)
pk_before=$(udp_packets)
ppk() { ofc dump-ports 1 2>/dev/null | sed -n 's/^ *port *1: rx pkts=\([0-9]*\),.*/\1/p' | head -1; }
gpk() { ofc dump-group-stats 2>/dev/null | sed -n 's/.*group_id=1,.*packet_count=\([0-9]*\),.*/\1/p' | head -1; }
pp_before=$(ppk)
gp_before=$(gpk)
OLD=$PID
t0=$(date +%s.%N)
echo "$t0" >"$TMP/t0"
# As systemd's ExecReload does it: --detach returns once the new process runs.
# (TAKEOVER_CONTROL=1: no takeover, the same run through one process, for comparing
# the machine's background loss.)
if [ -n "${TAKEOVER_CONTROL:-}" ]; then
	sleep 1.5
	echo "control run: no takeover"
	pfs_wait 20 test -s "$TMP/pg.json"
	json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$TMP/pg.json"; }
	echo "pfs-pktgen: $(json '"tx %d, received %d distinct, missing %d (longest run %d), runs %s" % (d["tx_total"], d["seq_received"], d["seq_missing"], d["seq_longest_missing_run"], d["seq_missing_runs"][:8])')"
	pfs_done
fi
"$PFSWITCHD" --config "$CONF" --pidfile "$PIDFILE" --takeover --detach >>"$TMP/new.log" 2>&1
rc=$?
check "takeover --detach returns 0" test "$rc" = 0
NEW=$(cat "$PIDFILE" 2>/dev/null)
PID=$NEW
PFS_PIDS+=("$OLD")
gone=0
for _ in $(seq 300); do
	kill -0 "$OLD" 2>/dev/null || { gone=1; break; }
	kill -0 "$NEW" 2>/dev/null || break
	sleep 0.1
done
t1=$(date +%s.%N)
echo "$t1" >"$TMP/t1"
check "takeover: the old process exited" test "$gone" = 1
check "takeover: the new process runs" kill -0 "$NEW"
echo "takeover took $(echo "$t1 - $t0" | bc) s (start of the new process to exit of the old)"
check "takeover: the pidfile names the new process" test "$(cat "$PIDFILE" 2>/dev/null)" = "$NEW"
pfs_wait 10 ofc dump-flows || fail "takeover: the mgmt socket does not answer"
after=$(dumps)
if [ "$before" = "$after" ]; then
	pass "dump-flows/groups/meters identical apart from durations and counters"
else
	fail "dumps differ"
	diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
fi
pk_after=$(udp_packets)
# The listening sockets were handed over (binding them anew would have failed while
# the old process held them) and the controllers' generation id came along.
hello_ok() { # PORT: a HELLO answered with an OpenFlow 1.3 HELLO
	/usr/bin/python3 -c "
import socket, struct, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
s.sendall(struct.pack('!BBHI', 4, 0, 8, 1))
h = s.recv(8)
sys.exit(0 if len(h) == 8 and h[0] == 4 and h[1] == 0 else 1)" "$1"
}
check "the ptcp: controller listener answers in the new process" hello_ok "$CPORT"
check "the metrics endpoint answers in the new process" \
	/usr/bin/python3 -c "import urllib.request,sys; sys.exit(0 if b'pfswitch' in urllib.request.urlopen('http://127.0.0.1:$MPORT/metrics', timeout=5).read() else 1)"
check_not "generation id kept: a stale master (3 < 7) is refused" ofc role master 3
check "generation id kept: a newer master (8) is accepted" ofc role master 8
# The active controller: the old process's connection closed, the new one's opened
# at once.
pfs_wait 5 test "$(grep -c connect "$TMP/ctl.log")" -ge 2
n_conn=$(grep -c connect "$TMP/ctl.log")
check "the active controller is connected again by the new process ($n_conn connections)" \
	test "$n_conn" -ge 2
echo "active controller: $(/usr/bin/python3 -c "
import sys
ev = [l.split() for l in open(sys.argv[1])]
closes = [float(t) for k, t in ev if k == 'close']
conns = [float(t) for k, t in ev if k == 'connect']
if closes and len(conns) >= 2:
    print('old connection closed at %+.1f ms, new one opened at %+.1f ms (from the takeover command)' % ((closes[0] - float(sys.argv[2])) * 1e3, (conns[1] - float(sys.argv[2])) * 1e3))
else:
    print('events %s' % ev)" "$TMP/ctl.log" "$(cat "$TMP/t0")")"
check "flow counters continue ($pk_before before, $pk_after after)" test "${pk_after:-0}" -ge "${pk_before:-1}"
pp_after=$(ppk)
gp_after=$(gpk)
check "port counters continue ($pp_before before, $pp_after after)" test "${pp_after:-0}" -ge "${pp_before:-1}"
check "group counters continue ($gp_before before, $gp_after after)" test "${gp_after:-0}" -ge "${gp_before:-1}"
wait "$PG_PID"
pfs_wait 5 test -s "$TMP/pg.json"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$TMP/pg.json"; }
if [ -s "$TMP/pg.json" ]; then
	# Each run of missing numbers, placed in time (from the sender's timeline) relative
	# to the start of the new process.
	/usr/bin/python3 - "$TMP/pg.json" "$(cat "$TMP/t0")" "$(cat "$TMP/t1")" >"$TMP/runs" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1])); t0, t1 = float(sys.argv[2]), float(sys.argv[3])
tl = d.get("timeline", [])
def wall(seq):
    for p in tl:
        if p["tx"] > seq:
            return p["wall"] - t0
    return float("nan")
inside = outside = 0
for first, n in d.get("seq_missing_runs", []):
    w = wall(first)
    # From the new process's start until 0.5 s after the old one exited.
    near = -0.1 <= w <= (t1 - t0) + 0.5 or w != w
    inside += n if near else 0
    outside += 0 if near else n
    print("    missing %d from seq %d, sent %+.3f s after the takeover began (%s)"
          % (n, first, w, "during the takeover" if near else "elsewhere: the machine's load"))
print("inside %d outside %d" % (inside, outside))
EOP
	sed '$d' "$TMP/runs"
	read -r _ inside _ outside < <(tail -1 "$TMP/runs")
	echo "pfs-pktgen: $(json '"tx %d, received %d distinct, missing %d (longest run %d), copies %d, longest rx silence %.1f ms" % (d["tx_total"], d["seq_received"], d["seq_missing"], d["seq_longest_missing_run"], d["seq_copies"], d["max_rx_silence_ms"])')"
	grep -h "takeover:\|handover" "$TMP/new.log" "$TMP/daemon.log" | grep -v "^$" | tail -8 | sed 's/^/    /'
	echo "takeover window: $(echo "$(cat "$TMP/t1") - $(cat "$TMP/t0")" | bc) s; packets missing in it: $inside, elsewhere in the run: $outside"
	check "no packet of the installed flow lost over the takeover ($inside missing while it ran)" \
		test "$inside" -eq 0
else
	fail "no pfs-pktgen report"
	cat "$TMP/pg.log"
fi
cat "$TMP/new.log" >>"$TMP/daemon.log"
pfs_done
