#!/usr/bin/env bash
# tests/bench/fuzz-soak.sh: every libFuzzer target of tests/fuzz for a given time each.
#
# Usage: tests/bench/fuzz-soak.sh [OPTIONS]          (from anywhere; not run by CI)
#   --time SECS        fuzzing time per target (default 3600)
#   --jobs N           parallel fuzzing processes per target (default 1)
#   --targets LIST     comma-separated subset (default: every tests/fuzz/corpus/* target)
#   --build DIR        the clang fuzz build (default ./build-fuzz; set up with
#                      CC=clang meson setup DIR -Dfuzz=true -Db_lto=false if missing, then built)
#   --out DIR          results (default DIR/fuzz-soak/DATE-TIME)
#   --update-corpus    copy the minimized new inputs into tests/fuzz/corpus/TARGET
#
# Each target starts from its corpus in tests/fuzz/corpus/TARGET (read only: new inputs
# go to a scratch directory under OUT, so the tree is not changed unless
# --update-corpus), runs for --time seconds under ASan/UBSan with leak detection, then
# the new inputs are minimized against the tree's corpus (libFuzzer -merge=1): what is
# left adds coverage the tree's corpus lacks. Per target it reports executions, exec/s,
# coverage (edges, features), corpus size, new inputs after minimizing, and findings.
# Any crash, leak, timeout or out-of-memory input is saved as OUT/TARGET/artifacts/*
# (add it to tests/fuzz/corpus/TARGET after fixing the bug: the fuzz-replay suite then
# replays it in every build). Results: OUT/summary.txt and OUT/summary.json.
# Exit status: 0 no findings, 1 findings or an error, 77 skipped (no clang).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TIME=3600 JOBS=1 TARGETS="" BUILD="$ROOT/build-fuzz" OUT="" UPDATE=0

die() { echo "fuzz-soak.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--time) TIME=$2; shift ;;
	--jobs) JOBS=$2; shift ;;
	--targets) TARGETS=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--update-corpus) UPDATE=1 ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done
case "$TIME" in ''|*[!0-9]*) die "--time: a whole number of seconds" ;; esac
case "$JOBS" in ''|*[!0-9]*|0) die "--jobs: a positive number" ;; esac
command -v clang >/dev/null || { echo "fuzz-soak.sh: SKIP: clang not installed" >&2; exit 77; }

CORPORA="$ROOT/tests/fuzz/corpus"
if [ -z "$TARGETS" ]; then
	TARGETS=$(cd "$CORPORA" && ls -d -- */ | tr -d / | paste -sd,)
fi
IFS=, read -r -a TLIST <<<"$TARGETS"

if [ ! -f "$BUILD/build.ninja" ]; then
	log "setting up $BUILD (clang, -Dfuzz=true)"
	CC=clang meson setup "$BUILD" "$ROOT" -Dfuzz=true -Db_lto=false >/dev/null || die "meson setup failed"
fi
grep -q "option('fuzz'" "$ROOT/meson_options.txt" || die "no fuzz option"
NINJA_T=()
for t in "${TLIST[@]}"; do NINJA_T+=("tests/fuzz/fuzz_$t"); done
log "building ${NINJA_T[*]}"
ninja -C "$BUILD" -j"$JOBS" "${NINJA_T[@]}" >/dev/null || die "build failed (is $BUILD a -Dfuzz=true -Db_lto=false clang build?)"

[ -n "$OUT" ] || OUT="$BUILD/fuzz-soak/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)

# Stop the fuzzers we started on any exit.
FPID=""
cleanup() { [ -n "$FPID" ] && kill -TERM "$FPID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# last_stat LOG KEY: the value of libFuzzer's "stat::KEY:" final line (summed over jobs).
last_stat() { awk -v k="stat::$2:" '$1 == k {s += $2} END {print s + 0}' "$1"; }
# last_field LOG NAME: NAME's value on the last status line ("#N ... cov: 123 ft: 456").
last_field() {
	grep -E '^#[0-9]+' "$1" | tail -1 |
		awk -v k="$2:" '{for (i = 1; i < NF; i++) if ($i == k) {print $(i + 1); exit}}'
}

FINDINGS=0
SUMMARY="$OUT/summary.txt"
JSON="$OUT/summary.json"
printf '%-12s %8s %12s %9s %7s %8s %7s %5s %s\n' target seconds execs exec/s cov ft corpus new findings >"$SUMMARY"
echo "[" >"$JSON"
first=1
for t in "${TLIST[@]}"; do
	bin="$BUILD/tests/fuzz/fuzz_$t"
	seeds="$CORPORA/$t"
	[ -x "$bin" ] || die "$bin not built"
	[ -d "$seeds" ] || die "no corpus $seeds"
	d="$OUT/$t"
	mkdir -p "$d/scratch" "$d/artifacts" "$d/new"
	log "$t: fuzzing for $TIME s with $JOBS job(s) from $(ls "$seeds" | wc -l) corpus files"
	t0=$SECONDS
	args=(-max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$d/artifacts/" -detect_leaks=1)
	if [ "$JOBS" -gt 1 ]; then
		# Each job stops at max_total_time; -jobs restarts a job after a finding, so
		# the whole run is bounded by a watchdog too.
		(cd "$d" && exec timeout --signal=INT $((TIME + 120)) "$bin" "${args[@]}" \
			-jobs="$JOBS" -workers="$JOBS" "$d/scratch" "$seeds" >"$d/fuzz.log" 2>&1) &
	else
		(exec timeout --signal=INT $((TIME + 120)) "$bin" "${args[@]}" "$d/scratch" "$seeds" \
			>"$d/fuzz.log" 2>&1) &
	fi
	FPID=$!
	wait "$FPID"
	rc=$?
	FPID=""
	secs=$((SECONDS - t0))
	[ "$JOBS" -gt 1 ] && cat "$d"/fuzz-*.log >>"$d/fuzz.log" 2>/dev/null
	execs=$(last_stat "$d/fuzz.log" number_of_executed_units)
	cov=$(last_field "$d/fuzz.log" cov)
	ft=$(last_field "$d/fuzz.log" ft)
	corp=$(last_field "$d/fuzz.log" corp)
	corp=${corp%%/*}

	# Minimize: inputs of the scratch dir that add features the tree's corpus lacks.
	mkdir -p "$d/merged"
	cp -- "$seeds"/* "$d/merged/"
	"$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 "$d/merged" "$d/scratch" >"$d/merge.log" 2>&1 ||
		log "$t: minimizing failed (see $d/merge.log)"
	for f in "$d/merged"/*; do
		[ -e "$seeds/$(basename "$f")" ] || mv -- "$f" "$d/new/"
	done
	rm -rf "$d/merged"
	new=$(ls "$d/new" | wc -l)
	[ "$UPDATE" = 1 ] && [ "$new" -gt 0 ] && cp -- "$d/new"/* "$seeds/"

	arts=$(ls "$d/artifacts" | wc -l)
	kinds=$(ls "$d/artifacts" | sed 's/-.*//' | sort | uniq -c | awk '{printf "%s%s x%d", s, $2, $1; s = ", "}')
	if [ "$arts" -gt 0 ] || { [ "$rc" != 0 ] && [ "$rc" != 124 ]; }; then
		FINDINGS=$((FINDINGS + 1))
		[ "$arts" -gt 0 ] || kinds="fuzzer exited $rc"
		log "$t: FINDING: $kinds (artifacts in $d/artifacts, log $d/fuzz.log)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*oracle:)' "$d/fuzz.log" | head -5 >&2
	fi
	rate=$((secs > 0 ? execs / secs : 0))
	printf '%-12s %8d %12d %9d %7s %8s %7s %5d %s\n' "$t" "$secs" "$execs" "$rate" "${cov:-?}" \
		"${ft:-?}" "${corp:-?}" "$new" "${kinds:-none}" >>"$SUMMARY"
	[ $first = 1 ] || echo "," >>"$JSON"
	first=0
	printf '  {"target": "%s", "seconds": %d, "jobs": %d, "execs": %d, "exec_per_s": %d, "cov": %s, "ft": %s, "corpus": %s, "new_inputs": %d, "artifacts": %d, "findings": "%s"}' \
		"$t" "$secs" "$JOBS" "$execs" "$rate" "${cov:-null}" "${ft:-null}" "${corp:-null}" "$new" \
		"$arts" "${kinds:-none}" >>"$JSON"
	log "$t: $execs execs in $secs s, cov ${cov:-?}, $new new inputs, findings: ${kinds:-none}"
done
echo "" >>"$JSON"
echo "]" >>"$JSON"
cat "$SUMMARY"
echo "results: $OUT"
[ "$FINDINGS" = 0 ] || { echo "fuzz-soak.sh: findings in $FINDINGS target(s)" >&2; exit 1; }
exit 0
