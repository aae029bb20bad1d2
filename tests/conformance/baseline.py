#!/usr/bin/python3
"""Compares a conformance run (run-of13.sh's results.json) with the cases pfswitch is
expected to pass. Exit 1 if an expected case that ran did not pass (a regression);
newly passing cases are counted so expected-pass.txt can be updated (--update rewrites
it). --regressions FILE writes the regressed case ids (for a re-run); --only FILE judges
just the case ids listed there (the re-run of those cases)."""
import json
import sys


def case_id(r):
    return f"{r['file']}#{r['index']}"


def main(argv):
    results, expected_path = argv[0], argv[1]
    opts = argv[2:]
    update = "--update" in opts
    regress_out = opts[opts.index("--regressions") + 1] if "--regressions" in opts else None
    only = opts[opts.index("--only") + 1] if "--only" in opts else None
    records = json.load(open(results))["records"]
    ran = {case_id(r) for r in records}
    passed = {case_id(r) for r in records if r["status"] == "pass"}
    try:
        expected = {l.strip() for l in open(expected_path) if l.strip() and l[0] != "#"}
    except FileNotFoundError:
        expected = set()
    if only:
        expected &= {l.strip() for l in open(only) if l.strip()}
    # A filtered run (or a re-run) judges only the cases it ran.
    regressions = sorted((expected & ran) - passed)
    if regress_out:
        with open(regress_out, "w") as fh:
            fh.writelines(c + "\n" for c in regressions)
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
