#!/usr/bin/python3
"""Results of the pfswitch benchmarks (tests/bench/run.sh).

    report.py record --runs RUNS.jsonl --variant ID --scenario S --side SIDE ...
        reduce one run (pfs-pktgen JSON, ofclient JSON, the switch's CPU share) to one
        JSON line appended to RUNS.jsonl
    report.py summarize --runs RUNS.jsonl --out DIR [--notes F] [--conditions TEXT]
        median/min/max per variant and side, the median of per-round pfs/ovs ratios,
        cycles per packet; writes DIR/results.json, DIR/summary.txt, DIR/chart.png
        (gnuplot, when installed)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def num(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v


def timeline_rates(tl):
    """[(t_end, wall_end, tx_pps, rx_pps)] for each timeline interval."""
    out = []
    for a, b in zip(tl, tl[1:]):
        dt = b["t"] - a["t"]
        if dt <= 0:
            continue
        out.append((b["t"], b["wall"], (b["tx"] - a["tx"]) / dt, (b["rx"] - a["rx"]) / dt,
                    a["wall"]))
    return out


def s6_metrics(pg, of):
    """Flow setup: time to the barrier reply, and from the first flow-mod until the
    first packet of every flow came through (pfs-pktgen --first-seen; a flow's packets
    come once per cycle over all flows, so that is the resolution)."""
    res = {}
    if of:
        res["setup_s"] = of.get("secs")
        res["flow_mods_per_s"] = of.get("mods_per_s")
        res["of_errors"] = of.get("errors")
    if not pg or not of:
        return res
    fs = pg.get("first_seen")
    if fs:
        res["flows_seen"] = fs["flows"]
        if fs["flows"] and fs["flows"] == fs["of"]:
            res["flowing_s"] = fs["wall_last"] - of["t_start"]
            res["flowing_p50_s"] = fs["wall_p50"] - of["t_start"]
    if "timeline" in pg:
        before = [r for r in timeline_rates(pg["timeline"]) if r[1] < of["t_start"]]
        if before:
            res["rx_before_rules_pps"] = statistics.median(r[3] for r in before)
    return res


def s8_metrics(pg, of):
    res = {}
    if of:
        res["flow_mods"] = of.get("flow_mods")
        res["flow_mods_per_s"] = of.get("mods_per_s")
        res["of_errors"] = of.get("errors")
    if not pg or not of or "timeline" not in pg:
        return res
    rates = timeline_rates(pg["timeline"])
    t0, t1 = of["t_start"], of["t_end"]
    base = [r[3] for r in rates if r[1] < t0 and r[0] > 0.2 and r[3] > 0]
    during = [r[3] for r in rates if r[4] >= t0 and r[1] <= t1]
    if not base:  # traffic started late: compare with after the churn
        base = [r[3] for r in rates if r[4] > t1 and r[3] > 0][:-1]
    if base and during:
        b = statistics.median(base)
        res["baseline_mpps"] = b / 1e6
        res["churn_mean_mpps"] = statistics.mean(during) / 1e6
        res["churn_min_mpps"] = min(during) / 1e6
        res["dip_pct"] = 100.0 * (1 - min(during) / b) if b else None
        res["mean_drop_pct"] = 100.0 * (1 - statistics.mean(during) / b) if b else None
    return res


def dut_stats(path):
    """Port 1 rx, port 2 tx and tx drops, and the rules' packet count, from ovs-ofctl
    dump-ports and dump-aggregate text."""
    import re
    res = {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return res
    for m in re.finditer(r"port\s+(\S+): rx pkts=(\d+).*?\n\s+tx pkts=(\d+), bytes=\d+, "
                         r"drop=(\d+)", text):
        port, rx, tx, drop = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
        if port == "1":
            res["dut_rx_p1"] = rx
        elif port == "2":
            res["dut_tx_p2"] = tx
            res["dut_tx_drop_p2"] = drop
    m = re.search(r"packet_count=(\d+)", text)
    if m:
        res["dut_rule_pkts"] = int(m.group(1))
    return res


def ovs_dp_stats(path):
    """Open vSwitch's userspace datapath after the run (dpctl/show, pmd-stats-show)."""
    import re
    res = {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return res
    for key, pat in (("ovs_megaflows", r"flows: (\d+)"),
                     ("ovs_emc_hits", r"emc hits: (\d+)"),
                     ("ovs_megaflow_hits", r"megaflow hits: (\d+)"),
                     ("ovs_upcalls", r"miss with success upcall: (\d+)"),
                     ("ovs_subtables_per_hit",
                      r"avg. subtable lookups per megaflow hit: ([\d.]+)")):
        m = re.search(pat, text)  # the first: the PMD's, before the main thread's
        if m:
            res[key] = float(m.group(1))
    return res


def cmd_record(a):
    pg = load_json(a.pktgen)
    of = load_json(a.ofclient) if a.ofclient else None
    rec = {"variant": a.variant, "scenario": a.scenario, "n": a.n, "side": a.side,
           "round": a.round, "pktgen_rc": a.pktgen_rc, "dut_rc": a.dut_rc,
           "cpu_frac": num(a.cpu_frac), "load_s": num(a.load_s), "ok": pg is not None}
    if pg:
        lat = pg.get("latency_ns", {})
        rec.update({
            "tx_mpps": pg["tx_mpps"], "rx_mpps": pg["rx_mpps"], "seconds": pg["seconds"],
            "loss_pkts": pg["loss_pkts"], "loss_pct": pg["loss_pct"],
            "reordered": pg["reordered"], "interleaved": pg.get("interleaved"),
            "duplicates": pg.get("duplicates"), "link_downs": pg["link_downs"],
            "error": pg["error"], "tsc_hz": pg["tsc_hz"],
            "lat_p50_us": lat["p50"] / 1e3 if lat.get("p50") is not None else None,
            "lat_p99_us": lat["p99"] / 1e3 if lat.get("p99") is not None else None,
            "lat_p999_us": lat["p999"] / 1e3 if lat.get("p999") is not None else None,
        })
        if rec["cpu_frac"] and pg["rx_mpps"] > 0:
            rec["cycles_per_pkt"] = rec["cpu_frac"] * pg["tsc_hz"] / (pg["rx_mpps"] * 1e6)
    if a.scenario == "s6":
        rec.update(s6_metrics(pg, of))
    elif a.scenario == "s8":
        rec.update(s8_metrics(pg, of))
    if a.dpctl:
        rec.update(ovs_dp_stats(a.dpctl))
    if a.stats:
        rec.update(dut_stats(a.stats))
        if pg and "dut_rule_pkts" in rec:
            # What pfs-pktgen got into port 1's ring reached the switch (a memif
            # device's own counters reset when the client leaves, so not those):
            # what no rule counted was a table miss, dropped.
            rec["dut_miss_pkts"] = pg["tx_total"] - rec["dut_rule_pkts"]
    with open(a.runs, "a") as f:
        f.write(json.dumps(rec) + "\n")
    return 0 if pg else 1


# Metrics summarised per scenario: (key, unit, higher is better)
METRICS = {
    "s0": [("rx_mpps", "Mpps", True)],
    "s1": [("rx_mpps", "Mpps", True)],
    "s2": [("rx_mpps", "Mpps", True)],
    "s3": [("rx_mpps", "Mpps", True), ("ovs_megaflows", "OVS megaflows", False)],
    "s4": [("rx_mpps", "Mpps", True), ("ovs_megaflows", "OVS megaflows", False),
           ("ovs_subtables_per_hit", "OVS masks/hit", False)],
    "s5": [("rx_mpps", "Mpps", True)],
    "s6": [("setup_s", "s to barrier", False), ("flowing_s", "s until flowing", False)],
    "s7": [("lat_p50_us", "us p50", False), ("lat_p99_us", "us p99", False),
           ("loss_pct", "% lost", False)],
    "s8": [("churn_mean_mpps", "Mpps", True), ("dip_pct", "% dip", False),
           ("loss_pkts", "pkts lost", False), ("dut_miss_pkts", "table misses", False),
           ("dut_tx_drop_p2", "tx drops", False)],
}
METRICS["s10"] = [("rx_mpps", "Mpps", True)]  # S10: the Faucet-shaped pipeline
# S9 (Tuple Space Explosion): the clean and the attacked run of the same ACL.
METRICS.update({"s9": [("rx_mpps", "Mpps", True), ("ovs_megaflows", "OVS megaflows", False),
                       ("ovs_subtables_per_hit", "OVS masks/hit", False)],
                "s9clean": [("rx_mpps", "Mpps", True)]})
SIDE_NAMES = {"pfs": "pfswitch", "ovs": "OVS-DPDK", "fwd": "bare fwd"}


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals)}


def fmt(v, width=9):
    if v is None:
        return "-".rjust(width)
    if abs(v) >= 100:
        return ("%.0f" % v).rjust(width)
    if abs(v) >= 10:
        return ("%.1f" % v).rjust(width)
    return ("%.3f" % v).rjust(width)


def summarize(runs):
    variants = []
    for r in runs:
        if r["variant"] not in variants:
            variants.append(r["variant"])
    summary = []
    for v in variants:
        rs = [r for r in runs if r["variant"] == v and r.get("ok")]
        if not rs:
            continue
        scen = rs[0]["scenario"]
        for key, unit, higher in METRICS.get(scen, []):
            row = {"variant": v, "scenario": scen, "metric": key, "unit": unit,
                   "higher_is_better": higher, "sides": {}}
            for side in ("pfs", "ovs", "fwd"):
                st = stats(r.get(key) for r in rs if r["side"] == side)
                if st:
                    cpp = stats(r.get("cycles_per_pkt") for r in rs if r["side"] == side)
                    st["cycles_per_pkt"] = cpp["median"] if cpp else None
                    row["sides"][side] = st
            ratios = []
            for rnd in sorted({r["round"] for r in rs}):
                p = [r.get(key) for r in rs if r["round"] == rnd and r["side"] == "pfs"]
                o = [r.get(key) for r in rs if r["round"] == rnd and r["side"] == "ovs"]
                if p and o and p[0] is not None and o[0]:
                    ratios.append(p[0] / o[0])
            row["ratio_pfs_ovs_median"] = statistics.median(ratios) if ratios else None
            row["ratio_rounds"] = len(ratios)
            summary.append(row)
    return summary


def text_table(summary, conditions, notes):
    lines = ["pfswitch vs Open vSwitch-DPDK (median [min..max] over rounds; ratio = median "
             "of per-round pfswitch/OVS)", conditions, ""]
    hdr = "%-10s %-16s %-30s %-30s %-30s %8s" % ("variant", "metric", "pfswitch", "OVS-DPDK",
                                                 "bare fwd", "ratio")
    lines += [hdr, "-" * len(hdr)]
    for row in summary:
        cells = []
        for side in ("pfs", "ovs", "fwd"):
            st = row["sides"].get(side)
            if not st:
                cells.append("-")
                continue
            c = "%s [%s..%s]" % (fmt(st["median"], 0), fmt(st["min"], 0), fmt(st["max"], 0))
            if row["unit"] == "Mpps" and st.get("cycles_per_pkt"):
                c += " %.0fc/p" % st["cycles_per_pkt"]
            cells.append(c)
        ratio = row["ratio_pfs_ovs_median"]
        lines.append("%-10s %-16s %-30s %-30s %-30s %8s" % (
            row["variant"], row["unit"], cells[0], cells[1], cells[2],
            "%.2f" % ratio if ratio is not None else "-"))
    lines.append("")
    lines.append("c/p: the switch's CPU cycles per forwarded packet (its CPU share x TSC Hz "
                 "/ rx pps)")
    if notes:
        lines.append("notes:")
        lines += ["  " + n for n in notes]
    return "\n".join(lines) + "\n"


def chart(summary, out):
    if not shutil.which("gnuplot"):
        return False
    rows = [r for r in summary if r["unit"] == "Mpps"]
    if not rows:
        return False
    dat = os.path.join(out, "chart.dat")
    with open(dat, "w") as f:
        f.write("# variant pfs(med min max) ovs(med min max) fwd(med min max)\n")
        for r in rows:
            vals = []
            for side in ("pfs", "ovs", "fwd"):
                st = r["sides"].get(side)
                vals += [st["median"], st["min"], st["max"]] if st else [0, 0, 0]
            f.write('"%s" %s\n' % (r["variant"], " ".join("%.4f" % v for v in vals)))
    gp = os.path.join(out, "chart.gp")
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo size 1000,520 noenhanced font ",10"
set output "%s"
set title "pfswitch vs Open vSwitch-DPDK over net_memif (median, min..max)"
set ylabel "Mpps (64-byte frames)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set yrange [0:*]
set grid ytics
set key top right
plot "%s" using 2:3:4:xtic(1) title "pfswitch" lc rgb "#1f77b4", \\
     "" using 5:6:7 title "OVS-DPDK" lc rgb "#ff7f0e", \\
     "" using 8:9:10 title "bare forwarder" lc rgb "#2ca02c"
""" % (os.path.join(out, "chart.png"), dat))
    r = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr)
    return r.returncode == 0


def cmd_summarize(a):
    runs = []
    with open(a.runs) as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    notes = []
    if a.notes and os.path.exists(a.notes):
        with open(a.notes) as f:
            notes = [line.rstrip("\n") for line in f if line.strip()]
    summary = summarize(runs)
    for r in runs:  # what a switch must never do, whatever the speed
        what = [k for k in ("reordered", "duplicates") if r.get(k)]
        if what:
            notes.append("%s %s r%d: %s" % (r["variant"], r["side"], r["round"], ", ".join(
                "%d packets %s within their flow" % (r[k], k) for k in what)))
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"conditions": a.conditions, "notes": notes, "summary": summary,
                   "runs": runs}, f, indent=1)
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write(text_table(summary, a.conditions, notes))
    chart(summary, a.out)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("record")
    p.add_argument("--runs", required=True)
    p.add_argument("--variant", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--side", required=True)
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--pktgen", required=True)
    p.add_argument("--pktgen-rc", type=int, default=0)
    p.add_argument("--dut-rc", type=int, default=0)
    p.add_argument("--ofclient")
    p.add_argument("--cpu-frac")
    p.add_argument("--load-s")
    p.add_argument("--stats")
    p.add_argument("--dpctl")
    p = sub.add_parser("summarize")
    p.add_argument("--runs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--notes")
    p.add_argument("--conditions", default="")
    a = ap.parse_args()
    return {"record": cmd_record, "summarize": cmd_summarize}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
