#!/usr/bin/env bash
# Runs the whole pfswitch test suite as CI does: installs dependencies, builds a normal
# and an AddressSanitizer/UBSan tree, runs every meson suite, and ends with one line
# "N passed, N failed[, N skipped]" counted from meson's test logs.
#
#   tools/run-tests.sh            everything (as root: needs apt, namespaces)
#   PFS_SKIP_DEPS=1 ...           do not call apt
#   PFS_SUITES="unit fuzz-replay" run only these meson suites
#   PFS_NO_ASAN=1 ...             skip the sanitizer build
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

if [ -z "${PFS_SKIP_DEPS:-}" ]; then
	tools/install-deps.sh || { echo "run-tests: dependency install failed" >&2; exit 2; }
fi

jobs=$(nproc 2>/dev/null || echo 2)
read -r -a suites <<<"${PFS_SUITES:-}"
suite_args=()
for s in "${suites[@]}"; do suite_args+=(--suite "$s"); done

# setup_build DIR [meson options...]: configure (or reconfigure) a build tree.
setup_build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || { cat "$dir.setup.log"; return 1; }
}

logs=()
status=0

run_tree() {
	local dir=$1 name=$2
	shift 2
	echo "== $name: build ($dir)"
	setup_build "$dir" "$@" || return 1
	ninja -C "$dir" -j "$jobs" || return 1
	echo "== $name: test"
	meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "${suite_args[@]}" \
		--logbase "testlog-$name"
	logs+=("$dir/meson-logs/testlog-$name.json")
}

run_tree build default || status=1

if [ -z "${PFS_NO_ASAN:-}" ]; then
	# halt_on_error makes a sanitizer report fail its test instead of scrolling past.
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	PFS_SUITES_ASAN=${PFS_SUITES:-"unit dp fuzz-replay"}
	suite_args=()
	for s in $PFS_SUITES_ASAN; do suite_args+=(--suite "$s"); done
	# Without link-time optimization: it finds nothing more there and doubles the link.
	run_tree build-asan asan -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false ||
		status=1
fi

/usr/bin/python3 tools/test-summary.py "${logs[@]}"
summary=$?
[ $status -ne 0 ] && [ $summary -eq 0 ] && { echo "run-tests: a build step failed" >&2; exit 1; }
exit $summary
