#!/usr/bin/env bash
# tests/bench/run.sh: pfswitch against Open vSwitch-DPDK, side by side, over net_memif
# (or vhost-user: --transport vhost).
#
# Usage: tests/bench/run.sh [OPTIONS]          (as root, from anywhere)
#   --smoke            CI: every scenario once, 0.5 s of traffic, 1k-rule sets, 1 round
#   --rounds N         rounds; in each, every variant runs on both switches, the order
#                      alternating A/B, B/A... (default 5)
#   --duration S       measured seconds of traffic per run (default 10)
#   --warmup S         traffic before the measurement (default 2)
#   --scenarios LIST   comma-separated subset of s0..s10 (default: all)
#   --sides LIST       pfs,ovs (default both; s0 runs the bare forwarder tests/bench/fwd)
#   --build DIR        meson build dir with tools/pfs-pktgen, tests/bench/fwd and, when
#                      built, tools/pfswitchd, tools/pfs-ofctl (default: ./build)
#   --out DIR          results directory (default: BUILD/bench-results/DATE-TIME)
#   --no-huge          no hugepages (EAL --no-huge; ~2.7x slower: compare only runs alike)
#   --hugepages-mb N   2 MiB hugepages to make available, in MiB (default 1536)
#   --dut-cpu N        CPU of the switch under test (default 1)
#   --gen-cpu N        CPU of pfs-pktgen (default 0)
#   --pktin-rate PPS   S7 offered packet-in rate (default 1000)
#   --churn-rate N     S8 flow-mods per second (default 10000)
#   --ofctl pfs|ovs    client that loads pfswitchd's rules: pfs-ofctl (default) or
#                      ovs-ofctl over the bridge's mgmt socket
#   --transport T      memif (default) or vhost: the switch's ports are vhost-user clients
#                      (pfswitchd: type = vhost; Open vSwitch: dpdkvhostuserclient;
#                      fwd: net_vhost client=1) and pfs-pktgen is the guest, its
#                      net_virtio_user ports the vhost-user servers, as QEMU is for a
#                      VM. Only s0, s1 and s5 (ids suffixed -vhu)
#   --zero-copy        pfs-pktgen's memif ports in zero-copy mode (hugepages only);
#                      off by default: in DPDK 22.11 with --in-memory it now and then
#                      fails the handshake ("mmap failed: No such device" on the
#                      server) or the server dies of SIGBUS
#
# Scenarios (rules and traffic from gen_rules.py; see its --help):
#   s0 bare forwarder (the memif ceiling)      s1 in_port=1 -> 2, 1 and 10k flows
#   s2 10k and 100k exact 5-tuple rules        s3 1M flows over 1k rules on 20 masks
#   s4 mask-explosion rule set                 s5 4-table pipeline with set_field, dec_ttl
#   s6 100k flow-mods: time to barrier reply and until their traffic flows
#   s7 packet-in round trip to an os-ken controller at --pktin-rate
#   s8 s2 traffic while --churn-rate flow-mods/s modify, add and delete rules
#   s10 Faucet-shaped pipeline: 8 tables, one VLAN, 1000 learned hosts, 10k flows
#   s9 Tuple Space Explosion: a 40-rule allow/deny ACL, 10k legitimate flows, run clean
#      (s9-clean) and with 1% random-header attack packets (s9-attack); the summary
#      gives each switch's legitimate throughput under attack in % of its clean one
#
# Every run starts a fresh switch pinned to --dut-cpu with memif server ports, loads the
# rules, and runs pfs-pktgen (memif client) on --gen-cpu. Open vSwitch runs as a private
# instance (own rundir and database, one PMD on --dut-cpu, ports type=dpdk with
# net_memif devargs) of Debian's openvswitch-switch-dpdk binary, called by its path, so
# the system's ovs-vswitchd alternative is never changed. Results: OUT/runs.jsonl (one
# line per run), OUT/results.json (runs + median/min/max per variant and side, median
# of per-round pfs/ovs ratios), OUT/summary.txt, OUT/chart.png. Everything started is
# stopped, and hugepages reserved are given back, on any exit.
# A --smoke run takes about 40 s; the default (5 rounds of 2 + 10 s) about 35 min.
# On a shared or virtual machine the figures move with the neighbours: compare the
# per-round ratios, and read the CPU share and cycles per packet of each run.
# Exit status: 0 done, 1 error, 77 skipped (not root, missing tools, or another
# benchmark run holding the lock for too long).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3

SMOKE=0 ROUNDS=5 DURATION=10 WARMUP=2 SCENARIOS="s0,s1,s2,s3,s4,s5,s6,s7,s8" SIDES="pfs,ovs"
BUILD="$ROOT/build" OUT="" NOHUGE=0 HUGE_MB=1536 DUT_CPU=1 GEN_CPU=0 PKTIN_RATE=1000
CHURN_RATE=10000 OFCTL=pfs ZEROCOPY=0 TRANSPORT=memif
ROUNDS_SET=0 DURATION_SET=0 WARMUP_SET=0
SCENARIOS+=",s10" # S10: the Faucet-shaped pipeline (gen_rules.py s10)
SCENARIOS+=",s9" # S9 (Tuple Space Explosion): see the variants

die() { echo "run.sh: $*" >&2; exit 1; }
skip() { echo "run.sh: SKIP: $*" >&2; exit 77; }
log() { echo "[$(date +%T)] $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1 ;;
	--rounds) ROUNDS=$2; ROUNDS_SET=1; shift ;;
	--duration) DURATION=$2; DURATION_SET=1; shift ;;
	--warmup) WARMUP=$2; WARMUP_SET=1; shift ;;
	--scenarios) SCENARIOS=$2; shift ;;
	--sides) SIDES=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--no-huge) NOHUGE=1 ;;
	--hugepages-mb) HUGE_MB=$2; shift ;;
	--dut-cpu) DUT_CPU=$2; shift ;;
	--gen-cpu) GEN_CPU=$2; shift ;;
	--pktin-rate) PKTIN_RATE=$2; shift ;;
	--churn-rate) CHURN_RATE=$2; shift ;;
	--ofctl) OFCTL=$2; shift ;;
	--zero-copy) ZEROCOPY=1 ;;
	--transport) TRANSPORT=$2; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done
case $TRANSPORT in
memif) ;;
vhost) [ $ZEROCOPY = 0 ] || die "--zero-copy is for memif" ;;
*) die "--transport: memif or vhost" ;;
esac
if [ $SMOKE = 1 ]; then
	[ $ROUNDS_SET = 1 ] || ROUNDS=1
	[ $DURATION_SET = 1 ] || DURATION=0.5
	[ $WARMUP_SET = 1 ] || WARMUP=0.2
fi
[ "$(id -u)" = 0 ] || skip "needs root (hugepages, memif sockets, apt)"

# One benchmark at a time on this machine: two would share the CPUs they each pin.
LOCK=/run/lock/pfs-bench.lock
[ -d /run/lock ] || LOCK=/tmp/pfs-bench.lock
exec 9>"$LOCK"
if ! flock -n 9; then
	echo "run.sh: waiting for another benchmark run to finish ($LOCK)" >&2
	flock -w "$([ $SMOKE = 1 ] && echo 240 || echo 3600)" 9 ||
		skip "another benchmark run holds $LOCK"
fi

PKTGEN="$BUILD/tools/pfs-pktgen"
FWD="$BUILD/tests/bench/fwd"
PFSWITCHD="$BUILD/tools/pfswitchd"
PFS_OFCTL="$BUILD/tools/pfs-ofctl"
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
[ -x "$PKTGEN" ] || skip "$PKTGEN not built (DPDK missing?)"
[ -x "$FWD" ] || skip "$FWD not built"
[ -n "$OUT" ] || OUT="$BUILD/bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
RUNS="$OUT/runs.jsonl"
: >"$RUNS"
NOTES="$OUT/notes.txt"
: >"$NOTES"
note() { log "$*"; echo "$*" >>"$NOTES"; }
FAILED=0
fail() { note "$*"; FAILED=$((FAILED + 1)); } # a run that went wrong: exit status 1
phase() { echo "$(date +%T.%N | cut -c1-12) $*" >>"$OUT/phases.log"; } # where time goes

# ---- state for the cleanup trap ----
WORK=$(mktemp -d /tmp/pfs-bench.XXXXXX)
PIDS=()
HUGE_ORIG=""
OVS_DIR=""
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	stop_ovs
	if [ -n "$HUGE_ORIG" ]; then
		echo "$HUGE_ORIG" >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Whether a pid runs (a zombie does not: a --detach'ed daemon's parent is init, which
# here may be slow to reap it).
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# Start "$@" in the background, recorded for the trap; sets BG_PID.
bg() {
	"$@" 9>&- &
	BG_PID=$!
	PIDS+=("$BG_PID")
}

# Stop one recorded pid (TERM, then KILL after 5 s); sets STOP_RC to its exit status.
stop_pid() {
	local p=$1 i
	STOP_RC=0
	kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; STOP_RC=$?; return; }
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 50); do alive "$p" || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	STOP_RC=$?
}

wait_for() { # TIMEOUT_S CMD...: poll CMD every 50 ms
	local t=$1 i
	shift
	for i in $(seq $((t * 20))); do "$@" && return 0; sleep 0.05; done
	return 1
}

# ---- tools ----
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$WORK/apt.log" 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$WORK/apt.log" 2>&1; }
}
[ -x "$PY" ] || die "$PY missing"
command -v ss >/dev/null || apt_install iproute2
command -v gnuplot >/dev/null || apt_install gnuplot-nox || note "gnuplot-nox not installable: no chart"
HAVE_OVS=0
if [[ ",$SIDES," == *,ovs,* ]]; then
	[ -x "$OVS_VSWITCHD" ] || apt_install openvswitch-switch-dpdk ||
		note "openvswitch-switch-dpdk not installable: Open vSwitch side skipped"
	[ -x "$OVS_VSWITCHD" ] && command -v ovsdb-server >/dev/null && HAVE_OVS=1
fi
HAVE_OSKEN=0
"$PY" -c 'import os_ken' 2>/dev/null || apt_install python3-os-ken
"$PY" -c 'import os_ken' 2>/dev/null && command -v osken-manager >/dev/null && HAVE_OSKEN=1
HAVE_PFS=0
if [[ ",$SIDES," == *,pfs,* ]]; then
	if [ -x "$PFSWITCHD" ]; then
		HAVE_PFS=1
	else
		note "pfswitchd not built ($PFSWITCHD): pfswitch side skipped"
	fi
fi
if [ $HAVE_PFS = 1 ] && [ "$OFCTL" = pfs ] && [ ! -x "$PFS_OFCTL" ]; then
	note "pfs-ofctl not built: loading pfswitchd's rules with ovs-ofctl"
	OFCTL=ovs
fi
if [ "$OFCTL" = ovs ] || [ $HAVE_OVS = 1 ]; then
	command -v ovs-ofctl >/dev/null || apt_install openvswitch-common
fi

# ---- hugepages ----
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ $NOHUGE = 0 ]; then
	if [ -w "$NR" ]; then
		have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
		want=$((HUGE_MB / 2))
		if [ "$have" -lt "$want" ]; then
			HUGE_ORIG=$(cat "$NR")
			echo $((HUGE_ORIG + want - have)) >"$NR" 2>/dev/null
			have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
		fi
		if [ "$have" -lt 512 ]; then
			note "WARNING: only $have free 2 MiB hugepages (need 512+): running with --no-huge (~2.7x slower)"
			NOHUGE=1
		fi
	else
		note "WARNING: no 2 MiB hugepage support: running with --no-huge (~2.7x slower)"
		NOHUGE=1
	fi
fi
# EAL memory: --in-memory takes hugepages through memfd, so no hugetlbfs mount is needed.
if [ $NOHUGE = 0 ]; then
	EAL_MEM="--in-memory"
	GEN_MEM="--in-memory --single-file-segments"
	ZC=""
	[ $ZEROCOPY = 1 ] && ZC=",zero-copy=yes"
	OVS_MEM="--in-memory"
else
	EAL_MEM="--no-huge --no-shconf -m 512"
	GEN_MEM="--no-huge --no-shconf -m 256"
	ZC=""
	OVS_MEM="--no-huge --no-shconf -m 1024"
fi
EAL_LOG="--log-level=lib.eal:error --log-level=pmd.net.memif:error"
[ "$TRANSPORT" = vhost ] &&
	EAL_LOG+=" --log-level=*vhost*:error --log-level=*virtio*:error"

# ---- the variants ----
# id:scenario:n (smoke sizes keep every scenario but shrink the big sets)
if [ $SMOKE = 1 ]; then
	ALL_VARIANTS="s0:s0:1 s1-1k:s1:1000 s2-1k:s2:1000 s3-1k:s3:1000 s4-1k:s4:1000
		s5-1k:s5:1000 s6-1k:s6:1000 s7:s7:1 s8-1k:s8:1000"
	[ "$CHURN_RATE" = 10000 ] && CHURN_RATE=2000
else
	ALL_VARIANTS="s0:s0:1 s1-1:s1:1 s1-10k:s1:10000 s2-10k:s2:10000 s2-100k:s2:100000
		s3-1m:s3:1000000 s4-100k:s4:100000 s5:s5:10000 s6-100k:s6:100000 s7:s7:1
		s8-10k:s8:10000"
fi
# S10: the Faucet-shaped pipeline, 1000 learned hosts; 10k flows (1k in a smoke run)
if [ $SMOKE = 1 ]; then ALL_VARIANTS+=" s10-1k:s10:1000"; else ALL_VARIANTS+=" s10:s10:10000"; fi
VARIANTS=()
for v in $ALL_VARIANTS; do
	s=${v#*:}; s=${s%%:*}
	if [ "$TRANSPORT" = vhost ]; then
		case $s in s0|s1|s5) v="${v%%:*}-vhu:${v#*:}" ;; *) continue ;; esac
	fi
	[[ ",$SCENARIOS," == *,$s,* ]] && VARIANTS+=("$v")
done
# S9 (Tuple Space Explosion): the clean baseline and the attack run, one after the other.
if [[ ",$SCENARIOS," == *,s9,* ]]; then
	if [ $SMOKE = 1 ]; then
		VARIANTS+=("s9-clean-1k:s9clean:1000" "s9-attack-1k:s9:1000")
	else
		VARIANTS+=("s9-clean:s9clean:10000" "s9-attack:s9:10000")
	fi
fi
[ ${#VARIANTS[@]} -gt 0 ] || die "no scenario selected"
if [ $HAVE_OSKEN = 0 ] && [[ ",$SCENARIOS," == *,s7,* ]]; then
	note "os-ken missing: s7 skipped"
fi

mkdir -p "$OUT/rules" "$OUT/raw"
for v in "${VARIANTS[@]}"; do
	id=${v%%:*}; rest=${v#*:}; s=${rest%%:*}; n=${rest#*:}
	"$PY" "$HERE/gen_rules.py" rules "$s" --n "$n" >"$OUT/rules/$id.txt" || die "gen_rules $s"
	"$PY" "$HERE/gen_rules.py" pktgen "$s" --n "$n" >"$OUT/rules/$id.pktgen" || die "gen_rules $s"
done

# ---- switches under test ----
DUT_PID="" DUT_CTL="" DUT_RXQ=1 DUT_SOCK0="" DUT_SOCK1=""

# The devargs of the switch's port I (0, 1) on socket SOCK: a memif server, or a
# vhost-user client of the guest's socket.
dut_devargs() { # I SOCK
	if [ "$TRANSPORT" = vhost ]; then
		echo "net_vhost$1,iface=$2,client=1"
	else
		echo "net_memif$1,role=server,socket=$2,socket-abstract=no,id=0"
	fi
}
# The switch is up: its memif server sockets exist (vhost: the guest creates them).
dut_sockets_up() { [ "$TRANSPORT" = vhost ] || wait_for "$1" test -S "$DUT_SOCK1"; }

start_fwd() {
	DUT_SOCK0="$WORK/fwd-0.sock" DUT_SOCK1="$WORK/fwd-1.sock"
	rm -f "$DUT_SOCK0" "$DUT_SOCK1"
	bg taskset -c "$DUT_CPU" "$FWD" -l "$DUT_CPU" --no-pci $EAL_MEM $EAL_LOG \
		--vdev "$(dut_devargs 0 "$DUT_SOCK0")" --vdev "$(dut_devargs 1 "$DUT_SOCK1")" \
		-- --json "$WORK/fwd.json" >"$WORK/dut.log" 2>&1
	DUT_PID=$BG_PID DUT_CTL="" DUT_RXQ=1
	dut_sockets_up 20
}

# $1: controller target or ""
start_pfs() {
	local dir="$WORK/pfs"
	rm -rf "$dir"
	mkdir -p "$dir"
	DUT_SOCK0="$dir/p1.sock" DUT_SOCK1="$dir/p2.sock"
	cat >"$dir/pfswitch.ini" <<-EOF
		; generated by tests/bench/run.sh
		[dpdk]
		eal = --lcores 0@$DUT_CPU,1@$DUT_CPU --no-pci $EAL_MEM $EAL_LOG
		[switch]
		workers = 1
		rundir = $dir
		log_level = warn
		idle_polls_before_sleep = 0
		idle_sleep_us = 0
		[bridge br0]
		datapath_id = 0x1
		fail_mode = secure
		packet_in_rate = 0
		bridge_packet_in_rate = 0
		max_backoff = 1
		${1:+controller = $1}
		[port p1]
		bridge = br0
		ofport = 1
		$([ "$TRANSPORT" = vhost ] && echo "type = vhost" || echo "devargs = $(dut_devargs 0 "$DUT_SOCK0")")
		$([ "$TRANSPORT" = vhost ] && echo "vhost_socket = $DUT_SOCK0")
		[port p2]
		bridge = br0
		ofport = 2
		$([ "$TRANSPORT" = vhost ] && echo "type = vhost" || echo "devargs = $(dut_devargs 1 "$DUT_SOCK1")")
		$([ "$TRANSPORT" = vhost ] && echo "vhost_socket = $DUT_SOCK1")
	EOF
	bg taskset -c "$DUT_CPU" "$PFSWITCHD" --config "$dir/pfswitch.ini" >"$WORK/dut.log" 2>&1
	DUT_PID=$BG_PID DUT_CTL="unix:$dir/br0.mgmt" DUT_RXQ=1
	wait_for 20 test -S "$dir/br0.mgmt" && dut_sockets_up 5 && alive "$DUT_PID"
}

stop_ovs() {
	[ -n "$OVS_DIR" ] || return 0
	local f p
	for f in ovs-vswitchd ovsdb-server; do
		p=$(cat "$OVS_DIR/$f.pid" 2>/dev/null) || continue
		kill -TERM "$p" 2>/dev/null
		for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	OVS_DIR=""
}

# $1: controller target or ""
start_ovs() {
	local d="$WORK/ovs" mask
	rm -rf "$d"
	mkdir -p "$d"
	: >"$WORK/dut.log"
	OVS_DIR=$d
	mask=$(printf '0x%x' $((1 << DUT_CPU)))
	export OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	taskset -c "$DUT_CPU" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
		--log-file="$d/ovsdb-server.log" --detach 2>>"$WORK/dut.log" 9>&- || return 1
	VSCTL="ovs-vsctl --db=unix:$d/db.sock --timeout=20"
	$VSCTL --no-wait init &&
	$VSCTL --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-lcore-mask="$mask" other_config:pmd-cpu-mask="$mask" \
		other_config:dpdk-extra="--no-pci $OVS_MEM $EAL_LOG" || return 1
	taskset -c "$DUT_CPU" "$OVS_VSWITCHD" "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" \
		--unixctl="$d/ovs-vswitchd.ctl" --log-file="$d/ovs-vswitchd.log" --detach \
		>>"$WORK/dut.log" 2>&1 9>&- || return 1
	DUT_SOCK0="$d/p1.sock" DUT_SOCK1="$d/p2.sock"
	local if1=(type=dpdk "options:dpdk-devargs=$(dut_devargs 0 "$DUT_SOCK0")")
	local if2=(type=dpdk "options:dpdk-devargs=$(dut_devargs 1 "$DUT_SOCK1")")
	if [ "$TRANSPORT" = vhost ]; then
		if1=(type=dpdkvhostuserclient "options:vhost-server-path=$DUT_SOCK0")
		if2=(type=dpdkvhostuserclient "options:vhost-server-path=$DUT_SOCK1")
	fi
	$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev protocols=OpenFlow13 \
		fail_mode=secure \
		-- add-port br0 p1 -- set Interface p1 ofport_request=1 "${if1[@]}" \
		-- add-port br0 p2 -- set Interface p2 ofport_request=2 "${if2[@]}" \
		>>"$WORK/dut.log" 2>&1 || return 1
	if [ -n "$1" ]; then
		$VSCTL set-controller br0 "$1" -- set controller br0 connection-mode=out-of-band ||
			return 1
	fi
	DUT_PID=$(cat "$d/ovs-vswitchd.pid") DUT_CTL="unix:$d/br0.mgmt"
	# One PMD: the main thread's queue 0 and the PMD's queue 1 (see pfs-pktgen --rxq);
	# a guest's virtio device has the one queue pair it asked for.
	DUT_RXQ=2
	[ "$TRANSPORT" = vhost ] && DUT_RXQ=1
	wait_for 20 test -S "$d/br0.mgmt" && dut_sockets_up 10
}

# side variant-scenario controller
start_dut() {
	case $1 in
	fwd) start_fwd ;;
	pfs) start_pfs "$2" ;;
	ovs) start_ovs "$2" ;;
	esac
}

stop_dut() {
	STOP_RC=0
	case $1 in
	ovs) stop_ovs ;;
	*) [ -n "$DUT_PID" ] && stop_pid "$DUT_PID" ;;
	esac
	DUT_PID=""
}

load_rules() { # side file
	local f=$2
	[ -s "$f" ] || return 0
	if [ "$1" = pfs ] && [ "$OFCTL" = pfs ]; then
		"$PFS_OFCTL" add-flows "$DUT_CTL" "$f"
	else
		ovs-ofctl -O OpenFlow13 add-flows "$DUT_CTL" "$f"
	fi
}

cpu_ticks() { # pid: utime+stime of all its threads, in clock ticks
	awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

now() { date +%s.%N; }

calc() { awk "BEGIN { print $* }"; }

# pfs-pktgen with the DUT's sockets; extra arguments follow. With vhost it is the guest:
# its virtio-user ports create the sockets (server=1) and the switch connects.
pktgen_cmd() {
	local tx="net_memif0,role=client,socket=$DUT_SOCK0,socket-abstract=no,id=0$ZC"
	local rx="net_memif1,role=client,socket=$DUT_SOCK1,socket-abstract=no,id=0$ZC"
	if [ "$TRANSPORT" = vhost ]; then
		tx="net_virtio_user0,path=$DUT_SOCK0,server=1,queues=1"
		rx="net_virtio_user1,path=$DUT_SOCK1,server=1,queues=1"
	fi
	PG=(taskset -c "$GEN_CPU" "$PKTGEN" --rxq "$DUT_RXQ" --tx "$tx" --rx "$rx"
		--link-timeout 10 "$@" -- -l "$GEN_CPU" --no-pci $GEN_MEM $EAL_LOG)
}
# pg_start TAG ARGS...: pfs-pktgen in the background (PG_PID), report to TAG.pktgen.json,
# holding its ports after the report until the switch has gone.
pg_start() {
	local tag=$1
	shift
	rm -f "$tag.pktgen.json"
	pktgen_cmd "$@" --json "$tag.pktgen.json" --hold 30
	"${PG[@]}" >"$tag.pktgen.log" 2>&1 9>&- &
	PG_PID=$!
	PIDS+=("$PG_PID")
}
pg_wait_report() { # TAG TIMEOUT_S: until the report is written or pfs-pktgen is gone
	local i
	for i in $(seq "$(calc "int($2 * 20)")"); do
		[ -e "$1.pktgen.json" ] && return 0
		alive "$PG_PID" || return 1
		sleep 0.05
	done
	return 1
}
pg_reap() { # sets PG_RC
	local i
	for i in $(seq 100); do alive "$PG_PID" || break; sleep 0.05; done
	if alive "$PG_PID"; then # signal 1 ends the traffic, signal 2 the hold
		kill -TERM "$PG_PID" 2>/dev/null
		sleep 0.3
		kill -TERM "$PG_PID" 2>/dev/null
	fi
	for i in $(seq 100); do alive "$PG_PID" || break; sleep 0.05; done
	kill -KILL "$PG_PID" 2>/dev/null
	wait "$PG_PID" 2>/dev/null
	PG_RC=$?
}

# ---- one run ----
# side variant round
run_one() {
	local side=$1 v=$2 round=$3 id s n tag ctl="" osken_pid="" t0 t1 c0 c1 rc extra=()
	local pg_args load_s="null" of_json="" cpu_frac="null" port
	id=${v%%:*}; rest=${v#*:}; s=${rest%%:*}; n=${rest#*:}
	tag="$OUT/raw/$id-$side-r$round"
	read -r -a pg_args <"$OUT/rules/$id.pktgen"
	if [ "$s" = s7 ]; then
		port=$((16653 + round))
		# Not pinned: both CPUs busy-poll, the scheduler places it.
		bg osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$port" \
			"$HERE/pktin_app.py" >"$tag.osken.log" 2>&1
		osken_pid=$BG_PID
		ctl="tcp:127.0.0.1:$port"
		wait_for 15 bash -c "ss -ltn | grep -q ':$port '" ||
			{ fail "$id $side r$round: os-ken did not start"; stop_pid "$osken_pid"; return 1; }
	fi
	phase "$id $side r$round: start"
	if ! start_dut "$side" "$ctl"; then
		fail "$id $side r$round: the switch did not start (log: $tag.dut.log)"
		cp "$WORK/dut.log" "$tag.dut.log" 2>/dev/null
		[ -n "$OVS_DIR" ] && cp "$OVS_DIR/ovs-vswitchd.log" "$tag.ovs.log" 2>/dev/null
		stop_dut "$side"
		[ -n "$osken_pid" ] && stop_pid "$osken_pid"
		return 1
	fi
	phase "$id $side r$round: switch up"
	if [ "$s" != s6 ]; then
		t0=$(now)
		if ! load_rules "$side" "$OUT/rules/$id.txt" >"$tag.load.log" 2>&1; then
			fail "$id $side r$round: loading the rules failed (log: $tag.load.log)"
		fi
		t1=$(now)
		load_s=$(calc "$t1 - $t0")
	fi
	if [ "$s" = s7 ]; then
		if ! wait_for 15 bash -c "ss -tn state established '( dport = :$port )' | grep -q $port"; then
			fail "$id $side r$round: the switch did not connect to os-ken"
		fi
		sleep 0.5
	fi
	phase "$id $side r$round: rules loaded"
	c0=$(cpu_ticks "$DUT_PID")
	t0=$(now)
	case $s in
	s6)
		# Traffic for the rules to come, then the flow-mods; stop once they flow.
		rm -f "$WORK/ready"
		pg_start "$tag" "${pg_args[@]}" --rate 500000 --duration 0 --timeline 10 \
			--first-seen --ready-file "$WORK/ready"
		wait_for 20 test -e "$WORK/ready"
		sleep 0.3
		"$PY" "$HERE/ofclient.py" setup "$DUT_CTL" --n "$n" >"$tag.ofclient.json" \
			2>"$tag.ofclient.log" || fail "$id $side r$round: ofclient failed"
		sleep "$( [ $SMOKE = 1 ] && echo 0.5 || echo 3 )"
		kill -TERM "$PG_PID" 2>/dev/null # ends the traffic; the report follows
		of_json="$tag.ofclient.json"
		;;
	s7)
		pg_start "$tag" "${pg_args[@]}" --rate "$PKTIN_RATE" --warmup "$WARMUP" \
			--duration "$DURATION" --drain-ms 1000
		;;
	s8)
		# Churn from the end of the warm-up + 0.5 s to 0.5 s before the traffic ends;
		# the timeline gives the rate before and during.
		rm -f "$WORK/ready"
		pg_start "$tag" "${pg_args[@]}" --warmup "$WARMUP" \
			--duration "$(calc "$DURATION + 1")" --timeline 50 --ready-file "$WORK/ready"
		wait_for 20 test -e "$WORK/ready"
		sleep "$(calc "$WARMUP + 0.5")"
		"$PY" "$HERE/ofclient.py" churn "$DUT_CTL" --n "$n" --rate "$CHURN_RATE" \
			--duration "$DURATION" >"$tag.ofclient.json" \
			2>"$tag.ofclient.log" || fail "$id $side r$round: ofclient failed"
		of_json="$tag.ofclient.json"
		;;
	*)
		pg_start "$tag" "${pg_args[@]}" --warmup "$WARMUP" --duration "$DURATION"
		;;
	esac
	pg_wait_report "$tag" "$(calc "$WARMUP + $DURATION + 60")"
	phase "$id $side r$round: traffic done"
	t1=$(now)
	c1=$(cpu_ticks "$DUT_PID")
	if [ "$c1" -gt 0 ] 2>/dev/null; then
		cpu_frac=$(calc "($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0)")
	fi
	if [ "$s" = s8 ]; then
		# Where the lost packets went: the switch's own counters, read the same way on
		# both (Open vSwitch pushes flow counters from its revalidators: wait for them).
		sleep 1.2
		{ ovs-ofctl -O OpenFlow13 dump-ports "$DUT_CTL"
		  ovs-ofctl -O OpenFlow13 dump-aggregate "$DUT_CTL"; } >"$tag.stats.txt" 2>&1
		extra+=(--stats "$tag.stats.txt")
	fi
	if [ "$side" = pfs ] && [ "$s" != s6 ] && [ "$s" != s8 ]; then
		"$PFS_OFCTL" dump-flows "$DUT_CTL" >"$tag.flows.txt" 2>&1 || true
	elif [ "$side" = ovs ]; then
		ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" dpctl/show >"$tag.dpctl.txt" 2>&1
		ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" dpif-netdev/pmd-stats-show >>"$tag.dpctl.txt" 2>&1
		extra+=(--dpctl "$tag.dpctl.txt")
	fi
	alive "$DUT_PID" || fail "$id $side r$round: the switch died during the run"
	# The switch stops first, while pfs-pktgen holds its memif ports without polling
	# them (see pfs-pktgen --hold); then pfs-pktgen sees the link go and exits.
	stop_dut "$side"
	phase "$id $side r$round: switch stopped"
	[ "$STOP_RC" = 0 ] || [ "$side" = ovs ] ||
		fail "$id $side r$round: the switch exited with status $STOP_RC (log: $tag.dut.log)"
	cp "$WORK/dut.log" "$tag.dut.log" 2>/dev/null
	pg_reap
	rc=$PG_RC
	phase "$id $side r$round: pfs-pktgen gone"
	[ "$rc" = 0 ] || fail "$id $side r$round: pfs-pktgen exit status $rc (log: $tag.pktgen.log)"
	[ -n "$osken_pid" ] && stop_pid "$osken_pid"
	"$PY" "$HERE/report.py" record --runs "$RUNS" --variant "$id" --scenario "$s" --n "$n" \
		--side "$side" --round "$round" --pktgen "$tag.pktgen.json" --pktgen-rc "$rc" \
		--cpu-frac "$cpu_frac" --load-s "$load_s" ${of_json:+--ofclient "$of_json"} \
		--dut-rc "$STOP_RC" "${extra[@]}" || fail "$id $side r$round: no result"
}

# ---- main ----
cond="cores: switch on CPU $DUT_CPU, pfs-pktgen on CPU $GEN_CPU ($(nproc) online);"
cond+=" hugepages: $([ $NOHUGE = 0 ] && echo "yes (2 MiB, --in-memory)" || echo "no (--no-huge)");"
if [ "$TRANSPORT" = vhost ]; then
	cond+=" vhost-user: switch ports vhost-user clients, pfs-pktgen net_virtio_user servers (1 queue pair);"
else
	cond+=" pfs-pktgen memif $([ -n "$ZC" ] && echo zero-copy || echo copy) mode;"
fi
cond+=" $ROUNDS round(s), ${WARMUP}s warm-up + ${DURATION}s per run; 64-byte UDP frames"
note "conditions: $cond"
note "variants: ${VARIANTS[*]}"
SIDE_LIST=()
[ $HAVE_PFS = 1 ] && SIDE_LIST+=(pfs)
[ $HAVE_OVS = 1 ] && SIDE_LIST+=(ovs)
[ ${#SIDE_LIST[@]} -gt 0 ] || note "neither pfswitchd nor Open vSwitch available: s0 only"
PFS_FAILS=0
for round in $(seq 1 "$ROUNDS"); do
	for v in "${VARIANTS[@]}"; do
		id=${v%%:*}; rest=${v#*:}; s=${rest%%:*}
		if [ "$s" = s0 ]; then
			log "round $round: $id on fwd"
			run_one fwd "$v" "$round"
			continue
		fi
		[ "$s" = s7 ] && [ $HAVE_OSKEN = 0 ] && continue
		order=("${SIDE_LIST[@]}")
		if [ $((round % 2)) = 0 ] && [ ${#order[@]} = 2 ]; then
			order=("${order[1]}" "${order[0]}")
		fi
		for side in "${order[@]}"; do
			[ "$side" = pfs ] && [ $HAVE_PFS = 0 ] && continue
			log "round $round: $id on $side"
			if ! run_one "$side" "$v" "$round" && [ "$side" = pfs ]; then
				PFS_FAILS=$((PFS_FAILS + 1))
				if [ $PFS_FAILS -ge 2 ]; then
					note "pfswitchd failed twice: pfswitch side skipped from here on"
					HAVE_PFS=0
				fi
			fi
		done
	done
done
"$PY" "$HERE/report.py" summarize --runs "$RUNS" --out "$OUT" --notes "$NOTES" \
	--conditions "$cond" || die "report failed"
cat "$OUT/summary.txt"
# S9: each switch's legitimate throughput under attack, in % of its clean throughput
# (attack packets are dropped by the ACL, so what comes back is the legitimate traffic).
"$PY" - "$OUT/results.json" <<'EOF' | tee -a "$OUT/summary.txt"
import json, sys
rows = {(r["variant"], r["metric"]): r for r in json.load(open(sys.argv[1]))["summary"]}
for clean, att in (("s9-clean", "s9-attack"), ("s9-clean-1k", "s9-attack-1k")):
    c, a = rows.get((clean, "rx_mpps")), rows.get((att, "rx_mpps"))
    if not c or not a:
        continue
    cells = []
    for side in ("pfs", "ovs"):
        cs, as_ = c["sides"].get(side), a["sides"].get(side)
        if cs and as_ and cs["median"]:
            cell = "%s %.0f%%" % (side, 100 * as_["median"] / cs["median"])
            # The switch's cycles per packet: steadier than Mpps on a shared machine.
            if cs.get("cycles_per_pkt") and as_.get("cycles_per_pkt"):
                cell += " (by cycles/packet %.0f%%)" % (
                    100 * cs["cycles_per_pkt"] / as_["cycles_per_pkt"])
            cells.append(cell)
    print("S9 legitimate throughput under 1%% attack, of clean (%s): %s"
          % (att, ", ".join(cells)))
EOF
log "results in $OUT"
if [ $FAILED -gt 0 ]; then
	echo "run.sh: $FAILED problem(s) in the runs (see the notes above)" >&2
	exit 1
fi
