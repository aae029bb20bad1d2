#!/usr/bin/env bash
# tests/bench/power.sh: what idle power saving costs and saves, pfswitch beside Open
# vSwitch-DPDK, over net_memif (issue #16).
#
# Usage: tests/bench/power.sh [OPTIONS]          (as root, from anywhere)
#   --build DIR        meson build dir with tools/pfswitchd, pfs-ofctl, pfs-pktgen
#                      (default: ./build)
#   --out DIR          results directory (default: BUILD/bench-results/power-DATE-TIME)
#   --sides LIST       pfs,ovs (default both; ovs is skipped if Open vSwitch-DPDK cannot
#                      be installed or started)
#   --idle S           seconds over which idle CPU is measured (default 10)
#   --duration S       seconds of traffic per latency and throughput run (default 5)
#   --wake S           seconds of the wake-up run (100 pps: each packet finds the worker
#                      idle for 10 ms; default 10)
#   --ovs-sleep-max US Open vSwitch's other_config:pmd-sleep-max (3.1: pmd-maxsleep) in
#                      its power mode (default 100, pfswitch's idle_sleep_us default)
#   --quick            CI: 2 s idle, 1 s runs, 2 s wake-up run
#   --no-huge          no hugepages (EAL --no-huge; slower: compare only runs alike)
#   --dut-cpu N        CPU of the switch under test (default 1)
#   --gen-cpu N        CPU of pfs-pktgen (default 0)
#   --nice N           run the switch and pfs-pktgen at this nice value (default 0; on a
#                      shared machine, e.g. -10 keeps neighbours from skewing the
#                      figures, at their expense)
#
# For each side and mode (poll: always busy polling; power: pfswitch's defaults, or Open
# vSwitch with pmd-sleep-max; power-1g: pfswitch with idle_link_speed_mbps = 1000 and
# idle_sleep_us = 1000, sleeps up to 344 us) a fresh switch (one worker/PMD pinned to --dut-cpu, two
# memif server ports, rule in_port=1 -> 2) is measured for:
#   idle      CPU share of the worker thread (utime+stime of /proc/PID/task/TID/stat) over
#             --idle seconds while pfs-pktgen is connected and sends 1 packet/s
#   wake      latency of packets at 100 pps (each the first after a 10 ms idle period),
#             p50/p99, from pfs-pktgen's per-frame TSC timestamps
#   lat-1k, lat-10k, lat-100k   latency p50/p99 at those rates
#   s1, s5    full-load throughput (Mpps received) of run.sh's S1 (1 flow, 1 rule) and S5
#             (4-table pipeline, 10k flows)
# Results: OUT/runs.jsonl (one line per measurement), OUT/summary.md (the table), and the
# conditions (CPUs, load average, hugepages) in OUT/conditions.txt.
# Exit status: 0 done, 1 error, 77 skipped (not root, not built).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3

BUILD="$ROOT/build" OUT="" SIDES="pfs,ovs" IDLE=10 DURATION=5 WAKE=10 OVS_SLEEP=100
NOHUGE=0 DUT_CPU=1 GEN_CPU=0 QUICK=0 NICE=0

die() { echo "power.sh: $*" >&2; exit 1; }
skip() { echo "power.sh: SKIP: $*" >&2; exit 77; }
log() { echo "[$(date +%T)] $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--sides) SIDES=$2; shift ;;
	--idle) IDLE=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--wake) WAKE=$2; shift ;;
	--ovs-sleep-max) OVS_SLEEP=$2; shift ;;
	--quick) QUICK=1 ;;
	--no-huge) NOHUGE=1 ;;
	--dut-cpu) DUT_CPU=$2; shift ;;
	--gen-cpu) GEN_CPU=$2; shift ;;
	--nice) NICE=$2; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done
[ $QUICK = 1 ] && IDLE=2 DURATION=1 WAKE=2
[ "$(id -u)" = 0 ] || skip "needs root (hugepages, memif sockets, apt)"

PKTGEN="$BUILD/tools/pfs-pktgen"
PFSWITCHD="$BUILD/tools/pfswitchd"
PFS_OFCTL="$BUILD/tools/pfs-ofctl"
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
for f in "$PKTGEN" "$PFSWITCHD" "$PFS_OFCTL"; do
	[ -x "$f" ] || skip "$f not built"
done

# One benchmark at a time (run.sh's lock): two would share the CPUs they pin.
LOCK=/run/lock/pfs-bench.lock
[ -d /run/lock ] || LOCK=/tmp/pfs-bench.lock
exec 9>"$LOCK"
flock -w 600 9 || skip "another benchmark holds $LOCK"

[ -n "$OUT" ] || OUT="$BUILD/bench-results/power-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
RUNS="$OUT/runs.jsonl"
: >"$RUNS"
WORK=$(mktemp -d /tmp/pfs-power.XXXXXX)
PIDS=() HUGE_ORIG="" OVS_DIR=""

alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do alive "$1" || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
stop_ovs() {
	[ -n "$OVS_DIR" ] || return 0
	local f p
	for f in ovs-vswitchd ovsdb-server; do
		p=$(cat "$OVS_DIR/$f.pid" 2>/dev/null) || continue
		stop_pid "$p"
	done
	OVS_DIR=""
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	stop_ovs
	[ -n "$HUGE_ORIG" ] && echo "$HUGE_ORIG" >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_for() { # TIMEOUT_S CMD...
	local t=$1 i
	shift
	for i in $(seq $((t * 20))); do "$@" && return 0; sleep 0.05; done
	return 1
}

# ---- Open vSwitch-DPDK (Debian's binary, by path, a private instance as in run.sh) ----
HAVE_OVS=0
if [[ ",$SIDES," == *,ovs,* ]]; then
	if [ ! -x "$OVS_VSWITCHD" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q openvswitch-switch-dpdk \
			>"$WORK/apt.log" 2>&1 ||
			log "openvswitch-switch-dpdk not installable: Open vSwitch side skipped"
	fi
	[ -x "$OVS_VSWITCHD" ] && command -v ovsdb-server >/dev/null && HAVE_OVS=1
fi

NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ $NOHUGE = 0 ] && [ -w "$NR" ]; then
	have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	if [ "$have" -lt 768 ]; then
		HUGE_ORIG=$(cat "$NR")
		echo $((HUGE_ORIG + 768 - have)) >"$NR" 2>/dev/null
		have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	fi
	[ "$have" -ge 512 ] || { log "too few hugepages: --no-huge"; NOHUGE=1; }
else
	NOHUGE=1
fi
if [ $NOHUGE = 0 ]; then
	EAL_MEM="--in-memory" GEN_MEM="--in-memory --single-file-segments" OVS_MEM="--in-memory"
else
	EAL_MEM="--no-huge --no-shconf -m 512" GEN_MEM="--no-huge --no-shconf -m 256"
	OVS_MEM="--no-huge --no-shconf -m 1024"
fi
EAL_LOG="--log-level=lib.eal:error --log-level=pmd.net.memif:error"

"$PY" "$HERE/gen_rules.py" rules s1 --n 1 >"$WORK/s1.rules" || die "gen_rules s1"
"$PY" "$HERE/gen_rules.py" pktgen s1 --n 1 >"$WORK/s1.pktgen" || die "gen_rules s1"
"$PY" "$HERE/gen_rules.py" rules s5 --n 10000 >"$WORK/s5.rules" || die "gen_rules s5"
"$PY" "$HERE/gen_rules.py" pktgen s5 --n 10000 >"$WORK/s5.pktgen" || die "gen_rules s5"

DUT_PID="" DUT_CTL="" DUT_RXQ=1 SOCK0="" SOCK1="" WORKER_RE=""

start_pfs() { # MODE
	local dir="$WORK/pfs" polls=1000 sleep=100 mbps=0
	rm -rf "$dir"
	mkdir -p "$dir"
	[ "$1" = poll ] && polls=0 sleep=0
	[ "$1" = power-1g ] && sleep=1000 mbps=1000
	SOCK0="$dir/p1.sock" SOCK1="$dir/p2.sock"
	cat >"$dir/pfswitch.ini" <<-EOF
		[dpdk]
		eal = --lcores 0@$DUT_CPU,1@$DUT_CPU --no-pci $EAL_MEM $EAL_LOG
		[switch]
		workers = 1
		rundir = $dir
		log_level = info
		idle_polls_before_sleep = $polls
		idle_sleep_us = $sleep
		idle_link_speed_mbps = $mbps
		[bridge br0]
		datapath_id = 0x1
		fail_mode = secure
		[port p1]
		bridge = br0
		ofport = 1
		devargs = net_memif0,role=server,socket=$SOCK0,socket-abstract=no,id=0
		[port p2]
		bridge = br0
		ofport = 2
		devargs = net_memif1,role=server,socket=$SOCK1,socket-abstract=no,id=0
	EOF
	nice -n "$NICE" taskset -c "$DUT_CPU" "$PFSWITCHD" --config "$dir/pfswitch.ini" >"$WORK/dut.log" 2>&1 9>&- &
	DUT_PID=$! DUT_CTL="unix:$dir/br0.mgmt" DUT_RXQ=1 WORKER_RE='^(rte-worker|lcore-worker)'
	PIDS+=("$DUT_PID")
	wait_for 20 test -S "$dir/br0.mgmt" && wait_for 5 test -S "$SOCK1" && alive "$DUT_PID"
}

start_ovs() { # MODE
	local d="$WORK/ovs" mask
	rm -rf "$d"
	mkdir -p "$d"
	OVS_DIR=$d
	mask=$(printf '0x%x' $((1 << DUT_CPU)))
	export OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	nice -n "$NICE" taskset -c "$DUT_CPU" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
		--log-file="$d/ovsdb-server.log" --detach >"$WORK/dut.log" 2>&1 9>&- || return 1
	VSCTL="ovs-vsctl --db=unix:$d/db.sock --timeout=20"
	$VSCTL --no-wait init &&
		$VSCTL --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			other_config:dpdk-lcore-mask="$mask" other_config:pmd-cpu-mask="$mask" \
			other_config:dpdk-extra="--no-pci $OVS_MEM $EAL_LOG" || return 1
	if [ "$1" = power ]; then # 3.1 calls it pmd-maxsleep, 3.2+ pmd-sleep-max
		$VSCTL --no-wait set Open_vSwitch . other_config:pmd-maxsleep="$OVS_SLEEP" \
			other_config:pmd-sleep-max="$OVS_SLEEP" || return 1
	fi
	nice -n "$NICE" taskset -c "$DUT_CPU" "$OVS_VSWITCHD" "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" \
		--unixctl="$d/ovs-vswitchd.ctl" --log-file="$d/ovs-vswitchd.log" --detach \
		>>"$WORK/dut.log" 2>&1 9>&- || return 1
	SOCK0="$d/p1.sock" SOCK1="$d/p2.sock"
	$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev protocols=OpenFlow13 \
		fail_mode=secure \
		-- add-port br0 p1 -- set Interface p1 type=dpdk ofport_request=1 \
		"options:dpdk-devargs=net_memif0,role=server,socket=$SOCK0,socket-abstract=no,id=0" \
		-- add-port br0 p2 -- set Interface p2 type=dpdk ofport_request=2 \
		"options:dpdk-devargs=net_memif1,role=server,socket=$SOCK1,socket-abstract=no,id=0" \
		>>"$WORK/dut.log" 2>&1 || return 1
	DUT_PID=$(cat "$d/ovs-vswitchd.pid") DUT_CTL="unix:$d/br0.mgmt" DUT_RXQ=2
	WORKER_RE='^pmd'
	wait_for 20 test -S "$d/br0.mgmt" && wait_for 10 test -S "$SOCK1"
}

stop_dut() {
	if [ "$1" = ovs ]; then stop_ovs; else stop_pid "$DUT_PID"; fi
	DUT_PID=""
}

load_rules() { # SIDE FILE
	"$PFS_OFCTL" del-flows "$DUT_CTL" >/dev/null 2>&1 ||
		ovs-ofctl -O OpenFlow13 del-flows "$DUT_CTL" >/dev/null 2>&1
	if [ "$1" = pfs ]; then
		"$PFS_OFCTL" add-flows "$DUT_CTL" "$2"
	else
		ovs-ofctl -O OpenFlow13 add-flows "$DUT_CTL" "$2"
	fi
}

# The worker (PMD) thread of the switch: its tid.
worker_tid() {
	local t
	for t in /proc/"$DUT_PID"/task/*; do
		if grep -Eq "$WORKER_RE" "$t/comm" 2>/dev/null; then
			basename "$t"
			return 0
		fi
	done
	return 1
}
ticks() { awk '{print $14 + $15}' "/proc/$DUT_PID/task/$1/stat" 2>/dev/null || echo 0; }

pktgen() { # TAG ARGS...: runs pfs-pktgen to the end; its report in WORK/TAG.json
	local tag=$1
	shift
	rm -f "$WORK/$tag.json"
	timeout 120 nice -n "$NICE" taskset -c "$GEN_CPU" "$PKTGEN" --rxq "$DUT_RXQ" \
		--tx "net_memif0,role=client,socket=$SOCK0,socket-abstract=no,id=0" \
		--rx "net_memif1,role=client,socket=$SOCK1,socket-abstract=no,id=0" \
		--link-timeout 10 "$@" --json "$WORK/$tag.json" \
		-- -l "$GEN_CPU" --no-pci $GEN_MEM $EAL_LOG >"$WORK/$tag.log" 2>&1 9>&-
}

record() { # SIDE MODE WHAT [key=value...] [--pktgen FILE]
	"$PY" - "$@" >>"$RUNS" <<-'EOF'
		import json, sys
		side, mode, what = sys.argv[1:4]
		rec = {"side": side, "mode": mode, "what": what}
		args = sys.argv[4:]
		i = 0
		while i < len(args):
		    if args[i] == "--pktgen":
		        try:
		            r = json.load(open(args[i + 1]))
		            lat = r.get("latency_ns", {})
		            rec.update(rx_mpps=r.get("rx_mpps"), tx_mpps=r.get("tx_mpps"),
		                       loss_pkts=r.get("loss_pkts"), p50_us=lat.get("p50", 0) / 1e3,
		                       p99_us=lat.get("p99", 0) / 1e3, max_us=lat.get("max", 0) / 1e3,
		                       samples=lat.get("samples"))
		        except (OSError, ValueError) as e:
		            rec["error"] = "no pktgen report: %s" % e
		        i += 2
		    else:
		        k, v = args[i].split("=", 1)
		        rec[k] = float(v)
		        i += 1
		print(json.dumps(rec))
	EOF
}

measure() { # SIDE MODE
	local side=$1 mode=$2 tid t0 t1 c0 c1 pg rate
	log "$side $mode: start"
	if ! start_"$side" "$mode"; then
		log "$side $mode: the switch did not start (log: $OUT/$side-$mode.dut.log)"
		cp "$WORK/dut.log" "$OUT/$side-$mode.dut.log"
		stop_dut "$side"
		return 1
	fi
	load_rules "$side" "$WORK/s1.rules" >"$WORK/load.log" 2>&1 || log "$side: rules not loaded"
	read -r -a pg <"$WORK/s1.pktgen"

	# Idle: connected, 1 packet/s.
	nice -n "$NICE" taskset -c "$GEN_CPU" "$PKTGEN" --rxq "$DUT_RXQ" \
		--tx "net_memif0,role=client,socket=$SOCK0,socket-abstract=no,id=0" \
		--rx "net_memif1,role=client,socket=$SOCK1,socket-abstract=no,id=0" \
		--link-timeout 10 "${pg[@]}" --rate 1 --duration $((IDLE + 4)) \
		-- -l "$GEN_CPU" --no-pci $GEN_MEM $EAL_LOG >"$WORK/idle.log" 2>&1 9>&- &
	local gen=$!
	PIDS+=("$gen")
	sleep 2
	tid=$(worker_tid) || log "$side $mode: no worker thread found"
	if [ -n "$tid" ]; then
		c0=$(ticks "$tid") t0=$(date +%s.%N)
		sleep "$IDLE"
		c1=$(ticks "$tid") t1=$(date +%s.%N)
		record "$side" "$mode" idle \
			cpu_pct="$(awk "BEGIN { print 100 * ($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0) }")" \
			loadavg="$(cut -d' ' -f1 /proc/loadavg)"
	fi
	wait "$gen" 2>/dev/null

	pktgen wake "${pg[@]}" --rate 100 --duration "$WAKE"
	record "$side" "$mode" wake --pktgen "$WORK/wake.json"
	for rate in 1000 10000 100000; do
		pktgen "lat$rate" "${pg[@]}" --rate "$rate" --warmup 0.5 --duration "$DURATION"
		record "$side" "$mode" "lat-$((rate / 1000))k" --pktgen "$WORK/lat$rate.json"
	done
	pktgen s1 "${pg[@]}" --warmup 1 --duration "$DURATION"
	record "$side" "$mode" s1 --pktgen "$WORK/s1.json"
	load_rules "$side" "$WORK/s5.rules" >"$WORK/load.log" 2>&1 || log "$side: s5 rules not loaded"
	read -r -a pg <"$WORK/s5.pktgen"
	pktgen s5 "${pg[@]}" --warmup 1 --duration "$DURATION"
	record "$side" "$mode" s5 --pktgen "$WORK/s5.json"
	alive "$DUT_PID" || log "$side $mode: the switch died"
	cp "$WORK"/*.log "$OUT/" 2>/dev/null
	for f in "$WORK"/*.log; do mv "$OUT/$(basename "$f")" "$OUT/$side-$mode-$(basename "$f")"; done
	stop_dut "$side"
}

{
	echo "date: $(date -u +%FT%TZ)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) ($(nproc) online)"
	echo "switch on CPU $DUT_CPU, pfs-pktgen on CPU $GEN_CPU"
	echo "hugepages: $([ $NOHUGE = 0 ] && echo yes || echo no); nice $NICE"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "idle ${IDLE}s at 1 pps; wake-up ${WAKE}s at 100 pps; latency and throughput ${DURATION}s"
	echo "ovs power mode: pmd-sleep-max (pmd-maxsleep) = $OVS_SLEEP us"
} >"$OUT/conditions.txt"

# What a spinning thread gets of the switch's CPU meanwhile (on a shared or virtual
# machine, less than 100%): the scale for the idle figures.
nice -n "$NICE" taskset -c "$DUT_CPU" sh -c 'while :; do :; done' &
SPIN=$!
PIDS+=("$SPIN")
sleep 0.5
c0=$(awk '{print $14 + $15}' "/proc/$SPIN/stat") t0=$(date +%s.%N)
sleep "$IDLE"
c1=$(awk '{print $14 + $15}' "/proc/$SPIN/stat") t1=$(date +%s.%N)
stop_pid "$SPIN"
SPIN_PCT=$(awk "BEGIN { print 100 * ($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0) }")
echo "a spinning thread on CPU $DUT_CPU got ${SPIN_PCT}% of it" >>"$OUT/conditions.txt"
record spin - idle cpu_pct="$SPIN_PCT" loadavg="$(cut -d' ' -f1 /proc/loadavg)"

FAILED=0
for side in pfs ovs; do
	[[ ",$SIDES," == *,$side,* ]] || continue
	if [ $side = ovs ] && [ $HAVE_OVS = 0 ]; then
		echo "ovs: Open vSwitch-DPDK not available" >>"$OUT/conditions.txt"
		continue
	fi
	modes="poll power"
	[ $side = pfs ] && modes="poll power power-1g"
	for mode in $modes; do
		measure $side $mode || FAILED=$((FAILED + 1))
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/conditions.txt"

"$PY" - "$RUNS" >"$OUT/summary.md" <<-'EOF'
	import json, sys
	runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	get = {(r["side"], r["mode"], r["what"]): r for r in runs}
	sides = sorted({r["side"] for r in runs if r["side"] != "spin"}, key=lambda s: s != "pfs")
	spin = get.get(("spin", "-", "idle"))
	cols = [(s, m) for s in sides for m in ("poll", "power", "power-1g")
	        if any(r["side"] == s and r["mode"] == m for r in runs)]
	def cell(r, what):
	    if r is None:
	        return "-"
	    if "error" in r:
	        return "failed"
	    if what == "idle":
	        if spin and spin["cpu_pct"] > 0:
	            return "%.1f%% (%.1f%% of a spinning thread's)" % (
	                r["cpu_pct"], 100 * r["cpu_pct"] / spin["cpu_pct"])
	        return "%.1f%%" % r["cpu_pct"]
	    if what in ("s1", "s5"):
	        return "%.2f Mpps" % r["rx_mpps"]
	    return "%.0f / %.0f us" % (r["p50_us"], r["p99_us"])
	names = {"idle": "idle CPU of the worker", "wake": "wake-up p50 / p99 (100 pps)",
	         "lat-1k": "latency p50 / p99 at 1k pps", "lat-10k": "latency at 10k pps",
	         "lat-100k": "latency at 100k pps", "s1": "S1 full-load throughput",
	         "s5": "S5 full-load throughput"}
	print("| | " + " | ".join("%s %s" % c for c in cols) + " |")
	print("|---|" + "---|" * len(cols))
	for what in ("idle", "wake", "lat-1k", "lat-10k", "lat-100k", "s1", "s5"):
	    print("| %s | " % names[what] +
	          " | ".join(cell(get.get((s, m, what)), what) for s, m in cols) + " |")
EOF
cat "$OUT/conditions.txt" "$OUT/summary.md"
log "results in $OUT"
[ $FAILED = 0 ] || exit 1
