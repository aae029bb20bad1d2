#!/usr/bin/env bash
# Static checks: clang-format (the project's .clang-format decides) and cppcheck.
#   tools/lint.sh          check every tracked C file
#   tools/lint.sh --fix    reformat in place
set -uo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files '*.c' '*.h')
[ ${#files[@]} -eq 0 ] && exit 0
rc=0

if [ "${1:-}" = "--fix" ]; then
	clang-format -i "${files[@]}"
	exit 0
fi

if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/pfs-lint-format.$$; then
	echo "lint: clang-format disagrees (run tools/lint.sh --fix):"
	grep -o '^[^:]*' /tmp/pfs-lint-format.$$ | sort -u | sed 's/^/  /'
	rc=1
fi
rm -f /tmp/pfs-lint-format.$$

# cppcheck: real bugs only (style noise is clang-format's and the reviewers' job).
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	--inline-suppr --suppress=missingIncludeSystem -I lib -D_GNU_SOURCE \
	lib datapath ofproto tools tests/unit tests/fuzz 2>&1; then
	echo "lint: cppcheck found problems"
	rc=1
fi
exit $rc
