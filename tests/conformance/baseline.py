#!/usr/bin/python3
"""Compares a conformance run (run-of13.sh's results.json) with the cases pfswitch is
expected to pass. Exit 1 if an expected case did not pass (a regression); newly passing
cases are listed so expected-pass.txt can be updated (--update rewrites it)."""
import json
import sys


def case_id(r):
    return f"{r['file']}#{r['index']}"


def main(argv):
    results, expected_path = argv[0], argv[1]
    update = "--update" in argv[2:]
    records = json.load(open(results))["records"]
    passed = {case_id(r) for r in records if r["status"] == "pass"}
    try:
        expected = {l.strip() for l in open(expected_path) if l.strip() and l[0] != "#"}
    except FileNotFoundError:
        expected = set()
    regressions = sorted(expected - passed)
    new = sorted(passed - expected)
    by_cat = {}
    for r in records:
        c = by_cat.setdefault(r["category"], [0, 0])
        c[0 if r["status"] == "pass" else 1] += 1
    for cat, (p, f) in sorted(by_cat.items()):
        print(f"  conformance {cat:8s} {p:4d} passed {f:4d} failed")
    print(f"  conformance total {len(passed)} of {len(records)} cases pass; "
          f"{len(expected)} expected, {len(regressions)} regressed, {len(new)} newly passing")
    for c in regressions:
        print(f"  REGRESSION {c}")
    if update:
        with open(expected_path, "w") as fh:
            fh.write("# Conformance cases pfswitch passes (file#index); a regression fails CI.\n")
            fh.write("# Regenerate: PFS_CONFORMANCE_UPDATE=1 meson test -C build conformance\n")
            for c in sorted(passed):
                fh.write(c + "\n")
        print(f"  wrote {len(passed)} cases to {expected_path}")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
