#!/usr/bin/python3
"""Sums meson test logs (testlog*.json) into one closing line.

A Check executable counts as its individual checks (its "N%: Checks: C, Failures: F,
Errors: E" line); any other test counts as one. A test that crashed before Check could
print its summary counts as one failure. Prints per-suite figures, then exactly
"N passed, N failed" (plus ", N skipped" when some skipped). Exit 1 if anything failed
or no log was found.
"""
import json
import os
import re
import subprocess
import sys

CHECK_RE = re.compile(r"^\d+%: Checks: (\d+), Failures: (\d+), Errors: (\d+)", re.M)


def suites_of(log_path):
    """Maps test name -> suite names, from `meson introspect` of the log's build dir."""
    builddir = os.path.dirname(os.path.dirname(os.path.abspath(log_path)))
    try:
        out = subprocess.run(["meson", "introspect", "--tests", builddir],
                             capture_output=True, text=True, check=True).stdout
        return {t["name"]: [s.split(":")[-1] for s in t.get("suite", [])]
                for t in json.loads(out)}
    except (OSError, subprocess.CalledProcessError, ValueError):
        return {}


def main(paths):
    passed = failed = skipped = 0
    per_suite = {}
    failures = []
    seen = 0
    for path in paths:
        try:
            lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError as e:
            print(f"test-summary: {path}: {e}", file=sys.stderr)
            failed += 1
            continue
        suite_map = suites_of(path)
        for line in lines:
            if not line.strip():
                continue
            seen += 1
            t = json.loads(line)
            result = t.get("result", "")
            tree = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
            name = t.get("name", "")
            if " / " in name:  # "project:suite / test", as meson writes it for suites
                suites = [name.split(" / ")[0].split(":")[-1]]
            else:
                suites = suite_map.get(name, [])
            suite = tree + ":" + (",".join(suites) or "-")
            p = f = s = 0
            m = CHECK_RE.findall(t.get("stdout", "") or "")
            if result == "SKIP":
                s = 1
            elif m:
                checks, fails, errs = (int(x) for x in m[-1])
                p, f = checks - fails - errs, fails + errs
                if result not in ("OK", "EXPECTEDFAIL") and f == 0:
                    f = 1  # exited badly after its checks (e.g. a leak report)
            elif result in ("OK", "EXPECTEDFAIL"):
                p = 1
            else:
                f = 1
            if f:
                failures.append(f"{path}: {t.get('name')} ({result})")
            sp = per_suite.setdefault(suite, [0, 0, 0])
            sp[0] += p
            sp[1] += f
            sp[2] += s
            passed, failed, skipped = passed + p, failed + f, skipped + s
    for suite, (p, f, s) in sorted(per_suite.items()):
        print(f"  {suite:28s} {p:6d} passed {f:4d} failed {s:4d} skipped")
    for x in failures:
        print(f"  FAILED {x}")
    if not seen:
        print("test-summary: no test results found", file=sys.stderr)
        failed += 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
