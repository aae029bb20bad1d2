#!/usr/bin/env bash
# tests/bench/mem-soak.sh: memory and mbuf soak of the real pfswitchd under churn.
#
# Usage: tests/bench/mem-soak.sh [OPTIONS]          (as root; not run by CI)
#   --time SECS          soak time (default 3600)
#   --build DIR          meson build with tools/pfswitchd (default ./build)
#   --out DIR            results (default DIR/mem-soak/DATE-TIME)
#   --flows N            flows per churn round (default 2000)
#   --pps R              frames/s each host sends (default 1000)
#   --mbuf-slack N       mbufs in use after may exceed before by N (default 32)
#   --rss-slack-kb N     RSS after may exceed before by N KiB (default 16384)
#
# Starts pfswitchd (bridge br0, fail_mode secure, a passive controller listener
# ptcp:PORT:127.0.0.1, three net_af_packet ports on veths whose other ends sit in
# network namespaces it creates) and, for --time seconds, runs at once (soakctl.py):
#   churn     rounds of --flows flow adds with idle/hard timeouts and flow-removed,
#             modifies and deletes by cookie, on the mgmt socket;
#   flap x2   two controllers that connect, install the table-miss-to-controller flow
#             and forwarding flows, answer packet-ins with packet-outs, and disconnect
#             (clean close or reset) every 0.2-2 s;
#   pktout    bursts of 500 PACKET_OUTs to ports, FLOOD, ALL, TABLE, IN_PORT, LOCAL,
#             CONTROLLER, on the mgmt socket;
#   traffic   UDP frames from every host (--pps each): table misses to the controllers,
#             forwarded flows, expiries.
# Memory is read from the daemon's own report (SIGUSR1: "memory (...): mbufs_in_use=N
# mbufs_total=N rss_kb=N") and /proc: "before" after a 20 s warm-up of all the loops,
# then every flow deleted and the traffic stopped for 3 s; "after" the same way at the
# end. Then SIGTERM (the stop time is reported; if the daemon is not gone within 10 s
# the stacks of its threads go to OUT/stuck-stacks.txt, with gdb), and the daemon's own
# "stopped" report.
# Fails (exit 1) if a loop hit a fatal error, the daemon died or did not answer ECHO,
# mbufs in use after > before + --mbuf-slack, the stopped count > the started count +
# --mbuf-slack, or RSS after > before + --rss-slack-kb. Results: OUT/summary.txt,
# OUT/summary.json, OUT/samples.csv (RSS and mbufs every 10 s), OUT/daemon.log.
# Everything it creates (namespaces, veths, processes) is removed on any exit.
# Exit status: 0 pass, 1 fail, 77 skipped (not root or tools missing).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
CTL="$HERE/soakctl.py"
TIME=3600 BUILD="$ROOT/build" OUT="" FLOWS=2000 PPS=1000 MBUF_SLACK=32 RSS_SLACK=16384
WARMUP=20

die() { echo "mem-soak.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--time) TIME=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--flows) FLOWS=$2; shift ;;
	--pps) PPS=$2; shift ;;
	--mbuf-slack) MBUF_SLACK=$2; shift ;;
	--rss-slack-kb) RSS_SLACK=$2; shift ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done
for v in "$TIME" "$FLOWS" "$PPS" "$MBUF_SLACK" "$RSS_SLACK"; do
	case "$v" in ''|*[!0-9]*) die "option values are whole numbers" ;; esac
done
[ "$TIME" -lt $((WARMUP + 5)) ] && WARMUP=$((TIME / 2))

# pfs_testlib: root and tool checks, hosts in namespaces, config, the EXIT trap that
# removes everything it made.
. "$ROOT/tests/integration/pfs_testlib.sh"
pfs_init mem-soak "$BUILD/tools/pfswitchd" "$PY"
"$PY" -c 'import socket; socket.AF_PACKET' 2>/dev/null || pfs_skip "$PY without AF_PACKET"
[ -n "$OUT" ] || OUT="$BUILD/mem-soak/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)

CPORT=$((20000 + TAG % 20000))
pfs_hosts 3
pfs_config "$TMP/sw.ini" "fail_mode = secure
controller = ptcp:$CPORT:127.0.0.1"
MGMT="$RUN/br0.mgmt"
# Info level: a debug log of an hour of churn would be the biggest thing on the disk.
"$PFSWITCHD" --config "$TMP/sw.ini" --log-level info >"$OUT/daemon.log" 2>&1 &
PID=$!
for _ in $(seq 200); do
	[ -S "$MGMT" ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
[ -S "$MGMT" ] || { cat "$OUT/daemon.log"; die "pfswitchd did not start"; }
ln -sf "$OUT/daemon.log" "$TMP/daemon.log" # pfs_done shows its tail

# report: asks the daemon for a memory report and prints "MBUFS RSS_KB" (empty if none
# comes within 5 s). Runs in $(...), so it counts the reports in the log itself.
report() {
	local n0
	n0=$(grep -c "memory (SIGUSR1)" "$OUT/daemon.log")
	kill -USR1 "$PID" 2>/dev/null || return 1
	for _ in $(seq 50); do
		if [ "$(grep -c "memory (SIGUSR1)" "$OUT/daemon.log")" -gt "$n0" ]; then
			grep "memory (SIGUSR1)" "$OUT/daemon.log" | tail -1 |
				sed -n 's/.*mbufs_in_use=\([0-9]*\) .*rss_kb=\([0-9]*\).*/\1 \2/p'
			return 0
		fi
		sleep 0.1
	done
	return 1
}
# mem_line WHEN FIELD: a field of the daemon's last "memory (WHEN)" line.
mem_line() { grep "memory ($1)" "$OUT/daemon.log" | tail -1 | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }

LOOP_PIDS=()
# loops SECS: starts every load loop for SECS seconds; their JSON goes to OUT/loops.jsonl.
loops() {
	local secs=$1 i
	LOOP_PIDS=()
	pfs_bg "$PY" "$CTL" churn "$MGMT" --duration "$secs" --flows "$FLOWS" >>"$OUT/loops.jsonl"
	LOOP_PIDS+=("$BGPID")
	for i in 1 2; do
		pfs_bg "$PY" "$CTL" flap "tcp:127.0.0.1:$CPORT" --duration "$secs" >>"$OUT/loops.jsonl"
		LOOP_PIDS+=("$BGPID")
	done
	pfs_bg "$PY" "$CTL" pktout "$MGMT" --duration "$secs" >>"$OUT/loops.jsonl"
	LOOP_PIDS+=("$BGPID")
	for i in 1 2 3; do
		pfs_bg ip netns exec "pfsh$i-$TAG" "$PY" "$CTL" traffic eth0 --duration "$secs" \
			--pps "$PPS" >>"$OUT/loops.jsonl"
		LOOP_PIDS+=("$BGPID")
	done
}
# wait_loops: waits for the loops; false if one failed.
wait_loops() {
	local p ok=0
	for p in "${LOOP_PIDS[@]}"; do
		wait "$p" || ok=1
	done
	return $ok
}
# quiesce: deletes every flow, lets queues drain, then reports.
quiesce() {
	"$PY" -c "
import sys; sys.path.insert(0, '$HERE')
import soakctl as s
st = {}
c = s.Conn('$MGMT', st)
c.send(s.flow_mod(s.match(), b'', command=s.OFPFC_DELETE, xid=7))
c.barrier()
c.close()
" || return 1
	sleep 3
	report
}

: >"$OUT/loops.jsonl"
echo "t_s,rss_kb,mbufs_in_use" >"$OUT/samples.csv"
FAILURES=0
log "pfswitchd pid $PID; warm-up $WARMUP s"
loops "$WARMUP"
wait_loops || { log "a load loop failed in the warm-up"; FAILURES=$((FAILURES + 1)); }
read -r MB0 RSS0 <<<"$(quiesce)"
[ -n "${MB0:-}" ] || die "no memory report from the daemon"
log "before: mbufs in use $MB0, RSS $RSS0 KiB; soaking for $TIME s"

T0=$SECONDS
loops "$TIME"
RSS_PEAK=$RSS0 MB_PEAK=$MB0
while [ $((SECONDS - T0)) -lt "$TIME" ]; do
	sleep 10
	kill -0 "$PID" 2>/dev/null || break
	read -r mb rss <<<"$(report)"
	echo "$((SECONDS - T0)),${rss:-},${mb:-}" >>"$OUT/samples.csv"
	[ "${rss:-0}" -gt "$RSS_PEAK" ] && RSS_PEAK=$rss
	[ "${mb:-0}" -gt "$MB_PEAK" ] && MB_PEAK=$mb
done
wait_loops || { log "a load loop failed during the soak"; FAILURES=$((FAILURES + 1)); }

if kill -0 "$PID" 2>/dev/null; then
	pass "pfswitchd alive after $((SECONDS - T0)) s"
else
	fail "pfswitchd died during the soak"
fi
read -r MB1 RSS1 <<<"$(quiesce)"
check "ECHO answered within 1 s after the soak" pfs_echo_ok 1
log "after: mbufs in use ${MB1:-?}, RSS ${RSS1:-?} KiB"
if [ -n "${MB1:-}" ] && [ "$MB1" -le $((MB0 + MBUF_SLACK)) ]; then
	pass "mbufs in use: before $MB0, after $MB1 (slack $MBUF_SLACK)"
else
	fail "mbufs in use: before $MB0, after ${MB1:-?}: a leak (slack $MBUF_SLACK)"
fi
if [ -n "${RSS1:-}" ] && [ "$RSS1" -le $((RSS0 + RSS_SLACK)) ]; then
	pass "RSS: before $RSS0 KiB, after $RSS1 KiB (slack $RSS_SLACK KiB)"
else
	fail "RSS: before $RSS0 KiB, after ${RSS1:-?} KiB: grew by more than $RSS_SLACK KiB"
fi
T_STOP=$(date +%s%N)
if pfs_stop_within 10; then
	STOP_MS=$((($(date +%s%N) - T_STOP) / 1000000))
	pass "SIGTERM: stopped in $STOP_MS ms"
else
	STOP_MS=">10000"
	fail "pfswitchd did not stop within 10 s of SIGTERM"
	if command -v gdb >/dev/null; then
		timeout 60 gdb -p "$PID" -batch -ex "thread apply all bt" >"$OUT/stuck-stacks.txt" 2>&1
		log "stacks of the stuck daemon: $OUT/stuck-stacks.txt"
	fi
fi
MBS=$(mem_line started mbufs_in_use)
MBE=$(mem_line stopped mbufs_in_use)
if [ -n "$MBE" ] && [ "$MBE" -le $((${MBS:-0} + MBUF_SLACK)) ]; then
	pass "mbufs in use: started ${MBS:-?}, stopped $MBE"
else
	fail "mbufs in use: started ${MBS:-?}, stopped ${MBE:-?}"
fi
[ "$FAILURES" = 0 ] && pass "every load loop ran without a fatal error" ||
	fail "$FAILURES load loop phase(s) failed (see $OUT/loops.jsonl)"

# Totals of the loops' counts, and the summary.
TOTALS=$("$PY" -c '
import json, sys
tot = {}
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    for k, v in d.items():
        if isinstance(v, (int, float)):
            tot[k] = tot.get(k, 0) + v
        elif k == "fatal":
            tot.setdefault("fatal", []).append(v)
print(json.dumps(tot, sort_keys=True))' "$OUT/loops.jsonl")
{
	echo "soak: $TIME s (+ $WARMUP s warm-up), flows/round $FLOWS, $PPS frames/s per host"
	echo "mbufs in use: started ${MBS:-?}, before $MB0, peak $MB_PEAK, after ${MB1:-?}, stopped ${MBE:-?} (pool $(mem_line started mbufs_total))"
	echo "RSS KiB: started $(mem_line started rss_kb), before $RSS0, peak $RSS_PEAK, after ${RSS1:-?}"
	echo "stop after SIGTERM: $STOP_MS ms"
	echo "load (warm-up included): $TOTALS"
	echo "checks: $PASSES passed, $FAILS failed"
} | tee "$OUT/summary.txt"
printf '{"time_s": %d, "mbufs": {"started": %s, "before": %s, "peak": %s, "after": %s, "stopped": %s}, "rss_kb": {"before": %s, "peak": %s, "after": %s}, "stop_ms": "%s", "load": %s, "failed_checks": %d}\n' \
	"$TIME" "${MBS:-null}" "$MB0" "$MB_PEAK" "${MB1:-null}" "${MBE:-null}" "$RSS0" "$RSS_PEAK" \
	"${RSS1:-null}" "$STOP_MS" "$TOTALS" "$FAILS" >"$OUT/summary.json"
echo "results: $OUT"
pfs_done
