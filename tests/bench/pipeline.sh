#!/usr/bin/env bash
# tests/bench/pipeline.sh: the single-core, single-process datapath figures, S1-S5, S10.
#
# For each scenario, gen_rules.py gives the rule set and the pfs-pktgen arguments of its
# traffic; pfs-pktgen writes that traffic (one packet per flow, up to --max-frames) to a
# pcap file through a net_pcap port; tests/bench/bench_pipeline loads the rules through
# the datapath API and runs the frames through the real worker pipeline on one lcore,
# beside the bare rx->tx loop (S0) and key extraction alone. Nothing crosses cores, so
# these are the figures to watch for regressions on a noisy machine.
#
# Usage: tests/bench/pipeline.sh [OPTIONS]
#   --build DIR        meson build dir (default: ./build)
#   --out DIR          results directory (default: BUILD/bench-results/pipeline-DATE)
#   --runs N           runs per mode, median reported (default 7)
#   --scenarios LIST   subset of s1,s1-10k,s2,s2-100k,s3,s4,s5,s9-clean,s9,s10 (default: all)
#   --max-frames N     frames per pcap, i.e. distinct flows replayed (default 1000000)
#   --smoke            CI: 1k-rule sets, 2 runs of 200k packets, all scenarios (~15 s)
#   --cpu N            CPU to pin to (default: none)
#   --huge             reserve 2 MiB hugepages (given back on exit) and run on them, as
#                      figures to publish should (root); without, EAL --no-huge
#   -- EAL args        passed to bench_pipeline (default -l 0-1 --no-pci --no-huge
#                      --no-shconf -m 1024; use hugepages for figures to publish)
# Output: a table on stdout, OUT/pipeline.json (every mode of every scenario) and
# OUT/pipeline.txt. Exit status: 0, 1 (a run failed), 77 (not built).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
BUILD="$ROOT/build" OUT="" RUNS=7 SCENARIOS="s1,s1-10k,s2,s2-100k,s3,s4,s5,s10" MAXF=1000000
SMOKE=0 CPU="" EAL=() HUGE=0
# S9 (Tuple Space Explosion): the ACL with its legitimate traffic alone (s9-clean), then
# with 1% random-header attack packets (s9); 1M frames each, so that an attack packet
# comes back only after a million others (the microflow cache cannot keep it).
SCENARIOS+=",s9-clean,s9"
declare -A FRAMES=([s9-clean]=1000000 [s9]=1000000)

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--scenarios) SCENARIOS=$2; shift ;;
	--max-frames) MAXF=$2; shift ;;
	--smoke) SMOKE=1 ;;
	--cpu) CPU=$2; shift ;;
	--huge) HUGE=1 ;;
	--) shift; EAL=("$@"); break ;;
	-h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "pipeline.sh: unknown option $1" >&2; exit 1 ;;
	esac
	shift
done
BENCH="$BUILD/tests/bench/bench_pipeline"
PKTGEN="$BUILD/tools/pfs-pktgen"
for x in "$BENCH" "$PKTGEN"; do
	[ -x "$x" ] || { echo "pipeline.sh: $x not built" >&2; exit 77; }
done
[ -n "$OUT" ] || OUT="$BUILD/bench-results/pipeline-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd) || exit 1
WORK=$(mktemp -d /tmp/pfs-pipeline.XXXXXX)
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_ORIG=""
cleanup() {
	rm -rf "$WORK"
	[ -n "$HUGE_ORIG" ] && echo "$HUGE_ORIG" >"$NR" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if [ $HUGE = 1 ] && [ ${#EAL[@]} -eq 0 ]; then
	HUGE_ORIG=$(cat "$NR" 2>/dev/null) || { echo "pipeline.sh: no 2 MiB hugepages" >&2; exit 1; }
	echo $((HUGE_ORIG + 640)) >"$NR" 2>/dev/null
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	[ "$free" -ge 600 ] || { echo "pipeline.sh: only $free hugepages free" >&2; exit 1; }
	EAL=(-l 0-1 --no-pci --in-memory -m 1024 --log-level=lib.eal:error)
fi

PACKETS=() # default: max(2M, frames)
if [ $SMOKE = 1 ]; then
	RUNS=2 PACKETS=(--packets 200000) MAXF=20000
fi
PIN=()
[ -n "$CPU" ] && PIN=(taskset -c "$CPU")

# id -> "scenario n": the sizes of tests/bench/run.sh
declare -A SIZE=([s1]="s1 1" [s1-10k]="s1 10000" [s2]="s2 10000" [s2-100k]="s2 100000"
	[s3]="s3 1000000" [s4]="s4 100000" [s5]="s5 10000")
SIZE+=([s10]="s10 10000") # Faucet-shaped pipeline (gen_rules.py s10)
SIZE+=([s9-clean]="s9clean 10000" [s9]="s9 10000")
[ $SMOKE = 1 ] && SIZE+=([s2]="s2 1000" [s2-100k]="s2 2000" [s3]="s3 20000" [s4]="s4 5000")

: >"$OUT/pipeline.jsonl"
rc=0
IFS=, read -r -a IDS <<<"$SCENARIOS"
for id in "${IDS[@]}"; do
	[ -n "${SIZE[$id]:-}" ] || { echo "pipeline.sh: unknown scenario $id" >&2; exit 1; }
	read -r s n <<<"${SIZE[$id]}"
	"$PY" "$HERE/gen_rules.py" rules "$s" --n "$n" >"$WORK/$id.rules" || exit 1
	read -r -a pg <<<"$("$PY" "$HERE/gen_rules.py" pktgen "$s" --n "$n")" || exit 1
	frames=${FRAMES[$id]:-$n}
	[ "$frames" -gt "$MAXF" ] && frames=$MAXF
	# One packet per flow in pfs-pktgen's order (the rx port only satisfies its checks).
	if ! "$PKTGEN" --tx "net_pcap_w0,tx_pcap=$WORK/$id.pcap" --rx net_null_w0 \
		--count "$frames" --duration 0 --drain-ms 0 --link-timeout 2 "${pg[@]}" \
		-- -l 0 --no-pci --no-huge --no-shconf -m 512 --log-level=lib.eal:error \
		>"$WORK/$id.pktgen.log" 2>&1; then
		echo "pipeline.sh: $id: pfs-pktgen failed:" >&2
		tail -5 "$WORK/$id.pktgen.log" >&2
		rc=1
		continue
	fi
	echo "== $id: $("$PY" "$HERE/gen_rules.py" describe "$s" --n "$n")"
	if ! "${PIN[@]}" "$BENCH" --rules "$WORK/$id.rules" --pcap "$WORK/$id.pcap" \
		--runs "$RUNS" "${PACKETS[@]}" --label "$id" --json "$WORK/$id.json" \
		${EAL[@]+-- "${EAL[@]}"} 2>"$WORK/$id.err"; then
		echo "pipeline.sh: $id: bench_pipeline failed:" >&2
		grep -v TELEMETRY "$WORK/$id.err" | tail -5 >&2
		rc=1
		continue
	fi
	cat "$WORK/$id.json" >>"$OUT/pipeline.jsonl"
done

# Summary table: the S0 ceiling is each run's own bare loop.
"$PY" - "$OUT/pipeline.jsonl" <<'EOF' | tee "$OUT/pipeline.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if not rows:
    sys.exit(0)
print()
print("%-9s %7s %8s | %8s %8s %8s | %8s %8s %7s | %8s %7s" % (
    "scenario", "rules", "frames", "bare c/p", "key c/p", "fkey c/p", "cache c/p", "Mpps",
    "of S0", "nocache", "of S0"))
for r in rows:
    m = r["modes"]
    b = m.get("bare", {}).get("cycles")
    def cell(k):
        return m.get(k, {}).get("cycles")
    on, off = cell("cache-on"), cell("cache-off")
    print("%-9s %7d %8d | %8.1f %8.1f %8.1f | %8.1f %8.2f %6.0f%% | %8.1f %6.0f%%" % (
        r["label"], r["rules"], r["frames"], b or 0, cell("keys") or 0,
        cell("fast-keys") or 0, on or 0,
        r["tsc_hz"] / on / 1e6 if on else 0, 100 * b / on if b and on else 0,
        off or 0, 100 * b / off if b and off else 0))
print()
print("median burst, cycles/packet (barely moved by other tenants of a busy host):")
print("%-9s %8s %9s %9s %9s %9s" % ("scenario", "bare", "cache", "over bare", "nocache",
                                    "over bare"))
for r in rows:
    m = r["modes"]
    def bm(k):
        return m.get(k, {}).get("burst_median") or 0
    b, on, off = bm("bare"), bm("cache-on"), bm("cache-off")
    print("%-9s %8.1f %9.1f %9.1f %9.1f %9.1f" % (r["label"], b, on, on - b, off, off - b))
print("c/p: TSC cycles per packet, median of %d runs; Mpps on one core at %.2f GHz TSC;"
      % (rows[0]["runs"], rows[0]["tsc_hz"] / 1e9))
print("key: full key extraction; fkey: fast key + its hash (the cache's path); cache /")
print("nocache: the whole pipeline with the microflow cache on / off.")
print("of S0: packets/s as a share of the bare rx->tx loop measured in the same run.")
with open(sys.argv[1].replace(".jsonl", ".json"), "w") as f:
    json.dump(rows, f, indent=1)
EOF

# S9: legitimate packets/s under attack as a share of the clean run's packets/s (99% of
# the attack run's packets are legitimate), with the microflow cache on and off.
"$PY" - "$OUT/pipeline.jsonl" <<'EOF' | tee -a "$OUT/pipeline.txt"
import json, sys
rows = {r["label"]: r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip())}
if "s9" in rows and "s9-clean" in rows:
    cells = []
    for mode in ("cache-on", "cache-off"):
        clean = rows["s9-clean"]["modes"].get(mode, {}).get("cycles")
        att = rows["s9"]["modes"].get(mode, {}).get("cycles")
        if clean and att:
            cells.append("%s %.0f%%" % (mode, 100 * 0.99 * clean / att))
    print("S9 legitimate throughput under 1%% attack, of clean: %s" % ", ".join(cells))
EOF
exit $rc
