#!/usr/bin/python3
"""Checks config/pfswitch-grafana.json against a scrape of the metrics endpoint.

usage: grafana_check.py DASHBOARD.json SCRAPE.txt RULES_OUT.yml

Every pfswitch_ metric a panel queries must be in the scrape (so renamed metrics do
not leave dead panels), and every panel query, with the dashboard variables
substituted, is written as a recording rule to RULES_OUT.yml for `promtool check
rules` to parse. Exit 0 when all names are found, 1 otherwise."""
import json
import re
import sys

dash = json.load(open(sys.argv[1]))
scrape = open(sys.argv[2]).read()
exprs = []


def walk(panels):
    for p in panels:
        walk(p.get("panels", []))
        for t in p.get("targets", []):
            exprs.append(t["expr"])


walk(dash["panels"])
have = set(re.findall(r"^(pfswitch_\w+)", scrape, re.M))
missing = set()
for e in exprs:
    for name in re.findall(r"\b(pfswitch_\w+)", e):
        if name not in have:
            missing.add(name)
with open(sys.argv[3], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "1m").replace("$bridge", ".*").replace("$port", ".*")
        f.write("      - record: dashboard:q%d\n        expr: %s\n" % (i, json.dumps(e)))
print("%d panel queries, %d metric names missing from the scrape: %s"
      % (len(exprs), len(missing), " ".join(sorted(missing))))
sys.exit(1 if missing else 0)
