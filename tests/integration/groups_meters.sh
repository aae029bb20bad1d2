#!/bin/bash
# Groups and meters with real traffic through pfswitchd.
#
# Part 1, memif (pfs-pktgen as the memif client of the switch's two server ports, one
# pfs-pktgen run at a fixed offered rate, 30000 UDP flows of 128-byte frames: 124 bytes
# as the meter counts them, no FCS). Table 0 sends port 1's traffic through a meter, then
# to table 1, which outputs to port 2 under one rule per IP DSCP value (0, 2) and a
# catch-all, so the flow counters tell the DSCPs apart. One phase per setting, switched
# with mod-flows; each phase settles (the meter's burst allowance, 100 ms, drains) and
# then measures a window:
#  - drop meters at 3 pktps and 3 kbps rates: the rate pfs-pktgen receives over the
#    window (its timeline, TSC-timed) is within +-5% of the configured rate (kbps: from
#    packets x 124 bytes x 8); the meter's own pass rate (meter-stats in - band count)
#    is printed next to it;
#  - a dscp_remark meter (prec_level 1): packets under the rate arrive unchanged (DSCP 0)
#    at the meter's rate +-5%, those over it with DSCP 2 (drop precedence raised), none
#    is dropped;
#  - a select group of weights 1:2:3 (every bucket output:2): the per-bucket packet
#    counters of dump-group-stats split 1:2:3 within +-5% of each share;
#  - meter OFPM_CONTROLLER (1000 pps) with every packet sent to the controller: its
#    meter-stats count them all in and pass 1000/s +-5%.
# Part 2, fast failover (a second pfswitchd, net_af_packet ports on veths to namespaces
# pfs-gm-{a,b,c}-N): pfs-pktgen sends a steady 20000 pps into port 1, whose flow goes to
# FF group 1 (bucket watch_port 2 output:2, bucket watch_port 3 output:3). Port
# 2's peer (eth0 in pfs-gm-b-N) goes down, later up; pfswitch reads the kernel's operstate
# (af_packet never reports link changes) every 200 ms. Counted at the receiving
# namespaces' interfaces: traffic moves to port 3 and back to port 2; lost = sent -
# (received on 2 + received on 3); detection time = lost / rate. Fails only on gross
# errors (never moves, loss beyond 1 s of traffic): the VM is noisy. The times from the
# ip commands to the daemon's link-change log lines are printed too: af_packet may keep
# frames the kernel refused in its tx ring and send them late, so loss can understate.
#
# usage: groups_meters.sh PATH/TO/pfswitchd PATH/TO/pfs-ofctl PATH/TO/pfs-pktgen
# Exit: 0 pass, 1 failure, 77 skipped (not root, tools missing).
# Processes, namespaces and veths are removed on exit, also on failure; the switch
# always stops before pfs-pktgen lets go of its memif ports (DPDK 22.11 memif crash).
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/pfs_testlib.sh"
OFCTL=$(readlink -f "${2:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
PKTGEN=$(readlink -f "${3:?usage: $0 PFSWITCHD PFS_OFCTL PFS_PKTGEN}")
pfs_init gm "$1"
[ -x /usr/bin/python3 ] || pfs_skip "/usr/bin/python3 missing"
[ -x "$PKTGEN" ] || pfs_skip "pfs-pktgen not built"

SFX=$((TAG % 100000))
PFS="timeout 20 $OFCTL --rundir $RUN"
EAL_LOG="--log-level=lib.eal:error --log-level=pmd.net.memif:error"
PG_EAL="--no-pci --no-huge --no-shconf -m 256 $EAL_LOG"
PG_PID=

# The switch first, then pfs-pktgen (it holds its ports until the switch is gone).
stop_switch() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PID" 2>/dev/null
	fi
	[ -n "$PID" ] && wait "$PID" 2>/dev/null
	PID=
}
stop_pktgen() { pfs_pktgen_stop 5; }
gm_cleanup() {
	stop_switch
	stop_pktgen
	pfs_cleanup
}
trap gm_cleanup EXIT

of() { # COMMAND ARG...: pfs-ofctl COMMAND br0 ARG...
	local c=$1
	shift
	$PFS "$c" br0 "$@" 2>"$TMP/ofctl.err" || {
		fail "pfs-ofctl $c $*: $(cat "$TMP/ofctl.err")"
		return 1
	}
}
now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
# within V REF PCT: |V - REF| <= PCT% of REF
within() { awk -v v="$1" -v r="$2" -v p="$3" 'BEGIN { d = v - r; if (d < 0) d = -d; exit !(d <= r * p / 100) }'; }

# json_get FILE EXPR: evaluates a Python expression over the JSON document d.
json_get() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

start_switch() { # CONFIG
	rm -f "$RUN/br0.mgmt"
	pfs_start "$1"
}

# ---- Part 1: meters and select over memif ------------------------------------------
SOCK1=$RUN/gm-p1.sock
SOCK2=$RUN/gm-p2.sock
cat >"$TMP/memif.ini" <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci $EAL_LOG -m 512
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 100
[bridge br0]
datapath_id = 0x$NET
fail_mode = secure
$(pfs_memif_ports "$SOCK1" "$SOCK2")
EOC
start_switch "$TMP/memif.ini"
pfs_wait 10 test -S "$SOCK2" || { fail "memif sockets not created"; pfs_done; }

OFFER=200000 # pps offered
FRAME=124    # bytes the meter counts per packet (128 with FCS)
SETTLE=1
WINDOW=2
PPS_RATES="20000 50000 100000"
KBPS_RATES="20000 50000 100000"
REMARK_RATE=50000

# meters: 1..3 pktps drop, 11..13 kbps drop, 21 pktps dscp_remark
i=1
for r in $PPS_RATES; do
	of add-meter "meter=$i,pktps,stats,bands=type=drop,rate=$r"
	i=$((i + 1))
done
i=11
for r in $KBPS_RATES; do
	of add-meter "meter=$i,kbps,stats,bands=type=drop,rate=$r"
	i=$((i + 1))
done
of add-meter "meter=21,pktps,stats,bands=type=dscp_remark,rate=$REMARK_RATE,prec_level=1"
of add-group "group_id=1,type=select,bucket=weight:1,actions=output:2,bucket=weight:2,actions=output:2,bucket=weight:3,actions=output:2"
of add-flow "table=1,priority=20,ip,ip_dscp=0,actions=output:2"
of add-flow "table=1,priority=20,ip,ip_dscp=2,actions=output:2"
of add-flow "table=1,priority=1,actions=output:2"
of add-flow "table=0,priority=10,in_port=1,actions=drop"

# 30000 flows (250 source addresses x 120 source ports) for the select spread.
NPHASES=9
DUR=$(((SETTLE + WINDOW + 1) * NPHASES + 4))
"$PKTGEN" --tx "net_memif0,role=client,socket=$SOCK1,socket-abstract=no,id=0" \
	--rx "net_memif1,role=client,socket=$SOCK2,socket-abstract=no,id=0" \
	--link-timeout 10 --rate "$OFFER" --size 128 --src-ip 10.0.0.1-10.0.0.250 \
	--sport 1000-1119 --duration "$DUR" --timeline 50 --ready-file "$TMP/pg.ready" \
	--json "$TMP/pg.json" --hold 60 -- -l 0 $PG_EAL >"$TMP/pg.log" 2>&1 &
PG_PID=$!
if ! pfs_wait 15 test -e "$TMP/pg.ready"; then
	fail "pfs-pktgen did not start"
	cat "$TMP/pg.log"
	pfs_done
fi

WINDOWS=$TMP/windows
: >"$WINDOWS"
# flow_pkts TABLE DSCP: n_packets of table 1's rule for ip_dscp=DSCP
flow_pkts() {
	$PFS dump-flows br0 "table=1,ip,ip_dscp=$1" 2>/dev/null |
		sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' | head -1
}
# meter_counts ID: "in N band M": packets into meter ID and over its first band
meter_counts() {
	$PFS meter-stats br0 "$1" 2>/dev/null |
		sed -n 's/.*packet_in_count:\([0-9]*\).*/in \1/p; s/^0: packet_count:\([0-9]*\).*/band \1/p' |
		tr '\n' ' '
}
# phase NAME METER: table 0 sends port 1 through METER, then settle and a window.
phase() {
	local name=$1 meter=$2 t0 t1 m0 m1 d0 d2
	of mod-flows "table=0,in_port=1,actions=meter:$meter,goto_table:1"
	sleep "$SETTLE"
	# the same reads in the same order at both ends: their delays cancel out
	t0=$(now)
	m0=$(meter_counts "$meter")
	d0="$(flow_pkts 0) $(flow_pkts 2)"
	sleep "$WINDOW"
	t1=$(now)
	m1=$(meter_counts "$meter")
	d2="$(flow_pkts 0) $(flow_pkts 2)"
	echo "$name $t0 $t1 $m0 $m1 $d0 $d2" >>"$WINDOWS"
}
i=1
for r in $PPS_RATES; do
	phase "pktps:$r" $i
	i=$((i + 1))
done
i=11
for r in $KBPS_RATES; do
	phase "kbps:$r" $i
	i=$((i + 1))
done
phase "remark:$REMARK_RATE" 21
of mod-flows "table=0,in_port=1,actions=group:1"
sleep $((SETTLE + WINDOW))
$PFS dump-group-stats br0 1 >"$TMP/gstats" 2>&1
# Meter OFPM_CONTROLLER: every packet goes to the controller (none is connected: the
# agent discards them), the meter passes CTL_RATE pps and drops the rest.
CTL_RATE=1000
of add-meter "meter=controller,pktps,stats,bands=type=drop,rate=$CTL_RATE"
of mod-flows "table=0,in_port=1,actions=CONTROLLER:64"
sleep "$SETTLE"
ct0=$(now)
cm0=$(meter_counts 4294967294)
sleep "$WINDOW"
ct1=$(now)
cm1=$(meter_counts 4294967294)
$PFS meter-stats br0 4294967294 >"$TMP/ctlstats" 2>&1
pfs_wait $((DUR + 20)) test -e "$TMP/pg.json" || fail "no pfs-pktgen report"
$PFS dump-ports br0 >"$TMP/ports" 2>&1
stop_switch
stop_pktgen

# rx rate of pfs-pktgen over a wall-clock window, from its timeline
rx_rate() {
	/usr/bin/python3 - "$TMP/pg.json" "$1" "$2" <<-'EOP'
		import json, sys
		d = json.load(open(sys.argv[1]))
		w0, w1 = float(sys.argv[2]), float(sys.argv[3])
		pts = [p for p in d.get("timeline", []) if w0 <= p["wall"] <= w1]
		if len(pts) < 2 or pts[-1]["t"] <= pts[0]["t"]:
		    print(0)
		else:
		    print((pts[-1]["rx"] - pts[0]["rx"]) / (pts[-1]["t"] - pts[0]["t"]))
	EOP
}
echo "--- meters (offered $OFFER pps of $FRAME-byte frames) ---"
while read -r name t0 t1 _ in0 _ band0 _ in1 _ band1 u0 r0 u1 r1; do
	kind=${name%%:*} rate=${name#*:}
	rx=$(rx_rate "$t0" "$t1")
	dt=$(calc "$t1 - $t0")
	mpass=$(calc "(($in1 - $band1) - ($in0 - $band0)) / $dt")
	case $kind in
	pktps)
		echo "meter pktps rate=$rate: received $(calc "int($rx)") pps ($(calc "int(($rx / $rate - 1) * 1000) / 10")%), meter passed $(calc "int($mpass)") pps"
		within "$rx" "$rate" 5 && pass "pktps $rate within 5%" || fail "pktps $rate: received $rx pps"
		;;
	kbps)
		kb=$(calc "$rx * $FRAME * 8 / 1000")
		echo "meter kbps rate=$rate: received $(calc "int($kb)") kbps ($(calc "int(($kb / $rate - 1) * 1000) / 10")%), meter passed $(calc "int($mpass * $FRAME * 8 / 1000)") kbps"
		within "$kb" "$rate" 5 && pass "kbps $rate within 5%" || fail "kbps $rate: received $kb kbps"
		;;
	remark)
		under=$(calc "($u1 - $u0) / $dt")
		over=$(calc "($r1 - $r0) / $dt")
		echo "meter dscp_remark rate=$rate pps: DSCP 0 (under) $(calc "int($under)") pps ($(calc "int(($under / $rate - 1) * 1000) / 10")%), DSCP 2 (over) $(calc "int($over)") pps, received $(calc "int($rx)") pps, band count $(calc "int(($band1 - $band0) / $dt)") pps"
		within "$under" "$rate" 5 && pass "remark: under-rate packets keep DSCP 0 at the rate" ||
			fail "remark: DSCP 0 at $under pps"
		within "$over" "$(calc "$rx - $rate")" 10 && pass "remark: over-rate packets arrive with DSCP 2" ||
			fail "remark: DSCP 2 at $over pps, expected $rx - $rate"
		within "$(calc "$under + $over")" "$rx" 5 && pass "remark: nothing dropped" ||
			fail "remark: $under + $over pps of $rx"
		;;
	esac
done <"$WINDOWS"

echo "--- meter OFPM_CONTROLLER (pktps $CTL_RATE, every packet to the controller) ---"
sed 's/^/    /' "$TMP/ctlstats"
read -r _ cin0 _ cband0 <<<"$cm0"
read -r _ cin1 _ cband1 <<<"$cm1"
if [ -n "${cband1:-}" ] && [ -n "${cband0:-}" ]; then
	dt=$(calc "$ct1 - $ct0")
	cin=$(calc "($cin1 - $cin0) / $dt")
	cpass=$(calc "(($cin1 - $cband1) - ($cin0 - $cband0)) / $dt")
	echo "controller meter: $(calc "int($cin)") packet-ins/s in, $(calc "int($cpass)") passed ($(calc "int(($cpass / $CTL_RATE - 1) * 1000) / 10")%)"
	within "$cpass" "$CTL_RATE" 5 && within "$cin" "$OFFER" 10 &&
		pass "meter controller passes $CTL_RATE packet-ins/s" ||
		fail "meter controller: $cin in, $cpass passed per second"
else
	fail "no meter-stats for meter controller"
fi

echo "--- select group 1:2:3 ---"
sed 's/^/    /' "$TMP/gstats"
read -r -a bk < <(tr ',' '\n' <"$TMP/gstats" | sed -n 's/.*bucket\([0-9]*\):packet_count=\([0-9]*\).*/\2/p' | tr '\n' ' ')
if [ "${#bk[@]}" = 3 ]; then
	tot=$((bk[0] + bk[1] + bk[2]))
	echo "select buckets: ${bk[0]} ${bk[1]} ${bk[2]} packets of $tot: shares" \
		"$(calc "int(${bk[0]} / $tot * 10000) / 100")% $(calc "int(${bk[1]} / $tot * 10000) / 100")%" \
		"$(calc "int(${bk[2]} / $tot * 10000) / 100")% (expected 16.67% 33.33% 50%)"
	ok=1
	for k in 0 1 2; do
		within "${bk[$k]}" "$(calc "$tot * ($k + 1) / 6")" 5 || ok=0
	done
	[ "$tot" -gt 100000 ] || ok=0
	[ $ok = 1 ] && pass "select 1:2:3 within 5% of each share" || fail "select spread ${bk[*]}"
else
	fail "no bucket counters in dump-group-stats"
fi
echo "pfs-pktgen: $(json_get "$TMP/pg.json" '"tx %d rx %d" % (d["tx_total"], d["rx_total"])')"

# ---- Part 2: fast failover over af_packet ---------------------------------------------
for h in a b c; do
	ns=pfs-gm-$h-$SFX v=pfs-gm-$h$SFX
	ip netns add "$ns" || pfs_skip "cannot create network namespaces"
	PFS_NS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "$v" type veth peer name eth0 netns "$ns" || exit 1
	PFS_LINKS+=("$v")
	sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	ip link set "$v" up
	ip -n "$ns" link set eth0 up
done
cat >"$TMP/ff.ini" <<EOC
[dpdk]
eal = -l 0-1 --no-huge --no-shconf --no-pci $EAL_LOG -m 512
[switch]
workers = 1
rundir = $RUN
idle_polls_before_sleep = 100
idle_sleep_us = 100
[bridge br0]
datapath_id = 0x$NET
fail_mode = secure
EOC
i=1
for h in a b c; do
	printf '[port p%d]\nbridge = br0\nofport = %d\ndevargs = net_af_packet%d,iface=pfs-gm-%s%s\n' \
		"$i" "$i" "$((i - 1))" "$h" "$SFX" >>"$TMP/ff.ini"
	i=$((i + 1))
done
start_switch "$TMP/ff.ini"
of add-group "group_id=1,type=ff,bucket=watch_port:2,actions=output:2,bucket=watch_port:3,actions=output:3"
of add-flow "in_port=1,actions=group:1"

rxc() { ip netns exec "pfs-gm-$1-$SFX" cat /sys/class/net/eth0/statistics/rx_packets; }
# more HOST N: waits (10 s at most) until HOST's eth0 has received N more packets; each
# step waits for traffic rather than sleeping a fixed time: a stall must not fail it.
more() {
	local base end=$((SECONDS + 10))
	base=$(rxc "$1")
	while [ $(($(rxc "$1") - base)) -lt "$2" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}
FF_RATE=20000
b0=$(rxc b) c0=$(rxc c)
ip netns exec "pfs-gm-a-$SFX" "$PKTGEN" --tx "net_af_packet0,iface=eth0" --rate "$FF_RATE" \
	--duration 0 --ready-file "$TMP/ff.ready" --json "$TMP/ff.json" -- -l 0 $PG_EAL \
	>"$TMP/ff.log" 2>&1 &
PG_PID=$!
pfs_wait 15 test -e "$TMP/ff.ready" || fail "pfs-pktgen (af_packet) did not start"
more b 10000 && [ "$(rxc c)" = "$c0" ] && pass "FF: traffic on port 2 while it is up" ||
	fail "FF: before the failure port 2 got $(($(rxc b) - b0)), port 3 $(($(rxc c) - c0))"
tdown=$(now)
ip -n "pfs-gm-b-$SFX" link set eth0 down
more c 10000 && pass "FF: traffic moves to port 3 when port 2 goes down" ||
	fail "FF: port 2 down, port 3 got $(($(rxc c) - c0))"
tup=$(now)
ip -n "pfs-gm-b-$SFX" link set eth0 up
if more b 2000; then
	c4=$(rxc c)
	more b 5000
	c5=$(rxc c)
	[ "$c4" = "$c5" ] && pass "FF: traffic moves back to port 2 when it comes up" ||
		fail "FF: port 2 up again, port 3 still got $((c5 - c4))"
else
	fail "FF: port 2 up again, gets nothing"
fi
kill -TERM "$PG_PID" 2>/dev/null
pfs_wait 20 test -e "$TMP/ff.json" || fail "no pfs-pktgen report (af_packet)"
wait "$PG_PID" 2>/dev/null
PG_PID=
sleep 0.2
b6=$(rxc b) c6=$(rxc c)
sent=$(json_get "$TMP/ff.json" 'd["tx_total"]')
recv=$(((b6 - b0) + (c6 - c0)))
lost=$((sent - recv))
echo "--- fast failover at $FF_RATE pps ---"
# when the switch logged the change, from the moment the ip command started
logged() { # WHAT T: ms from T to the daemon's "port p2 (2) link WHAT" line
	local ts
	ts=$(sed -n "s/^\([0-9T:.-]*\)Z|info|bridge|br0: port p2 (2) link $1\$/\1/p" "$TMP/daemon.log" | tail -1)
	[ -n "$ts" ] && calc "int(($(date -d "${ts}Z" +%s.%N) - $2) * 1000)" || echo "?"
}
tx2=$($PFS dump-ports br0 2 2>/dev/null | sed -n 's/.*tx pkts=.*drop=\([0-9]*\),.*/\1/p')
echo "sent $sent, received $recv (port 2 $((b6 - b0)), port 3 $((c6 - c0))), lost $lost" \
	"($(calc "int($lost / $FF_RATE * 1000)") ms of traffic; the switch counted ${tx2:-?} tx drops on port 2)"
echo "link down logged $(logged down "$tdown") ms, link up $(logged up "$tup") ms after the" \
	"ip command started (port poll period 200 ms)"
[ "$sent" -gt 20000 ] && [ "$lost" -ge 0 ] && [ "$lost" -le "$FF_RATE" ] &&
	pass "FF: lost $lost packets (at most 1 s of traffic)" || fail "FF: sent $sent, lost $lost"
stop_switch
pfs_done
