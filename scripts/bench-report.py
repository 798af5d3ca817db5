#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise `make bench`: medians, spread and ratios from bench.csv.

usage: bench-report.py DIR    (reads DIR/bench.csv; writes DIR/summary.csv
                               and DIR/bench.png; prints the table)

Rows of bench.csv are round,mode,options,metric,value. Rounds 1..N
alternate plain routing, ip_gre and gretun; round 0 holds the one-off
measurements (gretun beside many tunnels, memory per tunnel).
"""
import csv
import statistics
import sys
from collections import defaultdict

METRICS = {"tcp": ("TCP, one stream", "Mbit/s", 1e6),
           "udp": ("UDP, 64-byte packets", "kpps", 1e3),
           "rr": ("TCP request/response", "trans/s", 1)}
SERIES = [("plain", "plain", "plain routing"),
          ("gre", "plain", "ip_gre"),
          ("gretun", "plain", "gretun"),
          ("gre", "kseqcsum", "ip_gre key seq csum"),
          ("gretun", "kseqcsum", "gretun key seq csum")]


def load(path):
    rounds = defaultdict(list)
    once = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            key = (r["mode"], r["options"], r["metric"])
            if r["round"] == "0":
                once[key] = float(r["value"])
            else:
                rounds[key].append(float(r["value"]))
    return rounds, once


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def main():
    out = sys.argv[1]
    rounds, once = load(f"{out}/bench.csv")
    med = {k: statistics.median(v) for k, v in rounds.items()}
    rows = []
    print(f"{'metric':22} {'series':22} {'median':>10} {'spread':>8} "
          f"{'n':>2} {'/ip_gre':>8} {'/plain':>8}")
    for metric, (label, unit, scale) in METRICS.items():
        for mode, opts, name in SERIES:
            values = rounds.get((mode, opts, metric))
            if not values:
                continue
            m = med[(mode, opts, metric)]
            spread = (max(values) - min(values)) / m if m else 0
            vs_gre = (ratio(m, med.get(("gre", opts, metric)))
                      if mode == "gretun" else None)
            vs_plain = (ratio(m, med.get(("plain", "plain", metric)))
                        if mode != "plain" else None)
            rows.append([metric, name, m, spread, len(values),
                         vs_gre or "", vs_plain or ""])
            print(f"{label:22} {name:22} {m / scale:10.1f} "
                  f"{100 * spread:7.0f}% {len(values):2} "
                  f"{fmt_ratio(vs_gre):>8} {fmt_ratio(vs_plain):>8}  {unit}")

    for metric in METRICS:
        one = once.get(("gretun", "plain", metric))
        many = once.get(("gretun-scaled", "plain", metric))
        if one and many:
            print(f"beside many tunnels, {metric}: {many / one:.3f}x "
                  f"the one-tunnel rate ({many:.0f} vs {one:.0f})")
            rows.append([metric, "gretun beside many / alone", many, "",
                         1, "", many / one])
    mem = {m: once.get((m, "plain", "mem_per_tunnel")) for m in ("gre", "gretun")}
    if mem["gre"] and mem["gretun"]:
        print(f"slab memory a tunnel: gretun {mem['gretun']:.0f} bytes, "
              f"ip_gre {mem['gre']:.0f} bytes "
              f"({mem['gretun'] / mem['gre']:.2f}x)")
        rows.append(["mem_per_tunnel", "gretun", mem["gretun"], "", 1,
                     mem["gretun"] / mem["gre"], ""])
        rows.append(["mem_per_tunnel", "ip_gre", mem["gre"], "", 1, "", ""])

    with open(f"{out}/summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "series", "median", "spread", "rounds",
                    "ratio_to_ip_gre", "ratio_to_plain"])
        w.writerows(rows)
    chart(med, rounds, f"{out}/bench.png")


def chart(med, rounds, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("bench-report: no chart without Debian's python3-matplotlib "
                 "(scripts/install-deps.sh installs it)")
    fig, axes = plt.subplots(1, len(METRICS), figsize=(14, 4.5))
    for ax, (metric, (label, unit, scale)) in zip(axes, METRICS.items()):
        names, values, errs = [], [], []
        for mode, opts, name in SERIES:
            v = rounds.get((mode, opts, metric))
            if not v:
                continue
            m = med[(mode, opts, metric)]
            names.append(name.replace(" key", "\nkey"))
            values.append(m / scale)
            errs.append([(m - min(v)) / scale, (max(v) - m) / scale])
        ax.bar(range(len(values)), values,
               yerr=list(zip(*errs)) if errs else None, capsize=3,
               color=["#999999", "#4477aa", "#ee6677", "#88aacc",
                      "#ffaabb"][:len(values)])
        ax.set_xticks(range(len(values)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        ax.set_title(label)
        ax.set_ylabel(unit)
    fig.suptitle("gretun vs ip_gre vs plain routing: medians, bars from "
                 "min to max")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"chart: {path}")


if __name__ == "__main__":
    main()
