#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The nicflow authors
"""Render bench/compare's results.json as the comparison section of
docs/performance.md (tables per P-1) and PNG plots (matplotlib).

The section between the markers
    <!-- bench/report.py begin -->  ...  <!-- bench/report.py end -->
is replaced (appended when missing); the plots go to docs/img/:
compare-flows.png (Mpps vs flows, 88 B L2 forward), compare-sizes.png
(Mpps vs frame size, 1K flows) and compare-latency.png (latency vs load
per frame size, from the latency runs). Nothing here is measured: every figure
comes from results.json, with its date, CPU model, command and how busy
the machine was. Every configuration of bench/compare that ran has its
throughput rows and curves: testpmd io, OVS-DPDK, testpmd + net_snic, OVS
hw-offload, and nicflowd same-node L2 (nfd), L2 with a stateful security
group (nfdsg) and L3 (nfdl3), with notes under the first table that has
nicflowd rows on what they count (latency: io, ovs and snic, the
configurations bench/compare measures there).

Usage: bench/report.py RESULTS [MORE ...] [--doc docs/performance.md]
       [--img docs/img] [--print]
RESULTS: a results.json, or bench/compare's --out DIR (its results.json);
a later one's figures replace an earlier one's for the same (scenario,
flows, size, configuration). To re-render a run without touching the
committed report: --print (the section to stdout, no file changed), or
--doc /tmp/perf.md --img /tmp/img (that file, created when missing, and
the plots there).
"""
import argparse
import json
import os
import re
import sys

BEGIN = "<!-- bench/report.py begin -->"
END = "<!-- bench/report.py end -->"
# bench/compare's configurations, in the order of the rows and curves
CONFIGS = ("io", "ovs", "snic", "hwol", "nfd", "nfdsg", "nfdl3")
NAMES = {"io": "testpmd io (ceiling)", "ovs": "OVS-DPDK",
         "snic": "testpmd + net_snic", "hwol": "OVS-DPDK hw-offload → net_snic",
         "nfd": "nicflowd L2", "nfdsg": "nicflowd L2+SG",
         "nfdl3": "nicflowd L3"}
NFD = ("nfd", "nfdsg", "nfdl3")
# ratio rows (numerator / denominator), where both configurations ran
RATIOS = (("snic", "io"), ("snic", "ovs"), ("ovs", "io"), ("hwol", "ovs"),
          ("nfd", "io"), ("nfd", "ovs"), ("nfdsg", "io"), ("nfdsg", "ovs"),
          ("nfdl3", "io"), ("nfdl3", "ovs"), ("nfdsg", "nfd"),
          ("nfdl3", "nfd"))
# what a nicflowd row counts (a note under each table that has the row);
# {flows}: pcap flows -> nicflowd flows in the NIC, from the runs' checks
NOTES = {
    "nfd": "nicflowd L2 (`nfd`): nicflowd over net_snic, the pcap VM 1 "
           "sending to VM 2 in the same network; its slow path learns "
           "every flow and offloads a §7.2 rule per flow (MACs, EtherType, "
           "destination IP), and the rate is what those rules counted "
           "(pcap flows → nicflowd flows in the NIC: {flows}).",
    "nfdsg": "nicflowd L2+SG (`nfdsg`): the same with a stateful security "
             "group on VM 1 (§7.7): every flow is a lib/ct connection and "
             "its rule matches the 5-tuple (pcap flows → nicflowd flows in "
             "the NIC: {flows}).",
    "nfdl3": "nicflowd L3 (`nfdl3`, §7.4): VM 2 in a second network of VM "
             "1's router, from a pcap of its own (the column's size and "
             "flow count, to the gateway's MAC and VM 2's address). Its "
             "flows differ only in the UDP port, which nicflowd's L3 flow "
             "key does not include: **at any flow count they are one "
             "nicflowd flow and one NIC rule** (pcap flows → nicflowd "
             "flows in the NIC: {flows}): its flows column counts the "
             "pcap's flows, not nicflowd's.",
}
SHORT = {"l2": "L2 IPv4", "l2v6": "L2 IPv6", "l2mix": "L2 IPv4:IPv6 3:1",
         "l2tcp": "L2 IPv4/TCP", "l2tcpmix": "L2 TCP IPv4:IPv6 3:1",
         "p2": "P-2 VM model", "encap": "VXLAN encap", "decap": "VXLAN decap",
         "acl": "ACL-heavy (32 rules)"}
SCEN = {"l2": "plain L2 forward (one rule on the destination MAC)",
        "encap": "VXLAN encap (one rule: dst MAC → vxlan_encap → uplink)"}


def fmt(r):
    return f"{r['mpps']:.2f} ({r['min']:.2f}–{r['max']:.2f})"


def ratio(num, den):
    """num / den in Mpps; † when they come from different results files,
    i.e. were not measured in turns (main() tags each result's file)."""
    return (f"{num['mpps'] / den['mpps']:.2f}"
            + (" †" if num.get("file") != den.get("file") else ""))


def nic_flows(r):
    """nicflowd's flows in a result's runs, from their checks ("flows=N
    in_nic=N ..."): "1", "1,000", or "990–1,000" when the runs differ."""
    ns = sorted({int(m.group(1)) for x in r.get("runs", [])
                 for m in [re.search(r"\bin_nic=(\d+)", x.get("check", ""))]
                 if m})
    if not ns:
        return "?"
    return f"{ns[0]:,}" + (f"–{ns[-1]:,}" if ns[-1] != ns[0] else "")


def notes(sel, cfgs, said):
    """The notes of the nicflowd configurations among cfgs, for the
    results sel; once per section (said: the configurations noted)."""
    out = []
    for c in (c for c in NFD if c in cfgs and c not in said):
        said.add(c)
        fl = {}
        for r in sorted((r for r in sel if r["config"] == c),
                        key=lambda r: r["flows"]):
            fl.setdefault(f"{r['flows']:,}", set()).add(nic_flows(r))
        out += ["", NOTES[c].format(flows=", ".join(
            f"{k} → {' / '.join(sorted(v))}" for k, v in fl.items()))]
    return out


def table(res, scen, key, values, label, unit, said):
    """Rows: configurations; columns: values of key (flows or size)."""
    sel = [r for r in res if r["scen"] == scen]
    cols = [v for v in values if any(r[key] == v for r in sel)]
    return grid([(f"{c:,}{unit}", [r for r in sel if r[key] == c])
                 for c in cols], label, said)


def grid(columns, label, said):
    """columns: [(heading, results of that column)]; the nicflowd rows'
    notes below, those not in said (a set, updated)."""
    columns = [(h, rs) for h, rs in columns if rs]
    if not columns:
        return []
    cols = [h for h, _ in columns]
    out = ["| " + label + " | " + " | ".join(cols) + " |",
           "|---" * (len(cols) + 1) + "|"]
    sel = [r for _, rs in columns for r in rs]
    cfgs = [c for c in CONFIGS if any(r["config"] == c for r in sel)]
    get = {}
    for h, rs in columns:
        for r in rs:
            get[(r["config"], h)] = r
    for c in cfgs:
        out.append(f"| {NAMES[c]} Mpps | " + " | ".join(
            fmt(get[(c, v)]) if (c, v) in get else "–" for v in cols) + " |")
    for c in cfgs:
        out.append(f"| {NAMES[c]} Gbps | " + " | ".join(
            f"{get[(c, v)]['gbps']:.1f}" if (c, v) in get else "–"
            for v in cols) + " |")
    for num, den in RATIOS:
        if num in cfgs and den in cfgs:
            out.append(f"| {num} / {den} | " + " | ".join(
                ratio(get[(num, v)], get[(den, v)])
                if (num, v) in get and (den, v) in get else "–"
                for v in cols) + " |")
    out.append("| max CPU of others (cores) | " + " | ".join(
        f"{max(get[(c, v)]['max_others'] for c in cfgs if (c, v) in get):.2f}"
        for v in cols) + " |")
    if any("max_load1" in r for r in sel):
        load = [max(get[(c, v)].get("max_load1", 0) for c in cfgs
                    if (c, v) in get) for v in cols]
        out.append("| max load average (1 min) | "
                   + " | ".join(f"{x:.1f}" for x in load) + " |")
    if any("†" in x for x in out):
        out += ["", "†: the two configurations come from different results "
                "files, i.e. different runs, not measured in turns: the "
                "ratio also carries how the machine changed between them."]
    return out + notes(sel, cfgs, said)


def lat_cell(x):
    loss = x["lost"] / max(x["sent"], 1) * 100
    # the histogram's last bucket (1999.99 µs) holds everything beyond
    p99 = (f"{x['p99_ns'] / 1e3:.1f}" if x["p99_ns"] < 1999990
           else "> 2000")
    notes = ([f"{loss:.2g} % lost"] if loss >= 0.01 else []) + [
        f"{int(x[k])} {k}" for k in ("dup", "bad_len") if x.get(k)]
    return (f"{x['mean_ns'] / 1e3:.1f} / {x['p50_ns'] / 1e3:.1f} / {p99} / "
            f"{x['max_ns'] / 1e3:.0f}"
            + (f" ({', '.join(notes)})" if notes else ""))


def lat_section(lat, h):
    """P-1's latency table: per frame size and load, mean / p99 / max."""
    cfgs = [c for c in ("io", "ovs", "snic") if any(r["config"] == c
                                                   for r in lat)]
    rows = sorted({(r["scen"], r["size"]) for r in lat},
                  key=lambda k: (k[0] != "l2", k[0], k[1]))
    get = {(r["scen"], r["size"], r["config"]): r for r in lat}
    out = ["### Latency at 10 %, 50 % and 90 % of the measured maximum "
           "(P-1)", "",
           f"`bench/bench_latency` (one lcore, CPU 0) sends the pcap's "
           f"frames with a TSC stamp in their last 16 bytes into the DUT's "
           f"input memif port and times them out of its output memif port; "
           f"the DUT is the same process as above with memif ports instead "
           f"of pcap/null, its datapath on CPU 1. First the loop's maximum "
           f"(as fast as the generator goes), then 10/50/90 % of that rate, "
           f"evenly paced; {h.get('lat_warm', '?')} s warm-up and "
           f"{h.get('lat_dur', '?')} s recorded per load, one run per "
           f"figure. The median (p50) is the typical frame's latency; the "
           f"mean, p99 and max also carry every preemption of the DUT or "
           f"the generator by other processes. "
           f"testpmd io's row is the harness's own share (two memif "
           f"copies, two poll loops); subtract it to estimate a DUT's own "
           f"latency. Percentiles from a 10 ns histogram up to 2 ms (a p99 "
           f"of 2000 µs means beyond); max is exact.", "",
           "Loop maximum (Mpps) and the machine during the runs:", "",
           "| scenario, frame | " + " | ".join(NAMES[c] for c in cfgs)
           + " | others (cores) | load avg |",
           "|---" * (len(cfgs) + 3) + "|"]
    for sc, sz in rows:
        rs = [get[(sc, sz, c)] for c in cfgs if (sc, sz, c) in get]
        out.append(f"| {SHORT.get(sc, sc)}, {sz} B | " + " | ".join(
            f"{get[(sc, sz, c)]['loads'][0]['rate_mpps']:.2f}"
            if (sc, sz, c) in get else "–" for c in cfgs)
            + f" | {max(x['others'] for r in rs for x in r['loads']):.2f}"
            f" | {max(r['load1'] for r in rs):.1f} |")
    out += ["", "Latency, µs: mean / p50 / p99 / max (loss when any; dup and "
            "bad_len: copies and pieces of frames memif delivered, left "
            "out of the figures):", "",
            "| scenario, frame | load | " + " | ".join(NAMES[c] for c in cfgs)
            + " |", "|---" * (len(cfgs) + 2) + "|"]
    for sc, sz in rows:
        for k, load in enumerate(h.get("loads", [0.1, 0.5, 0.9])):
            out.append(f"| {SHORT.get(sc, sc)}, {sz} B | {load * 100:.0f} % | "
                       + " | ".join(
                           lat_cell(get[(sc, sz, c)]["loads"][k + 1])
                           if (sc, sz, c) in get else "–" for c in cfgs)
                       + " |")
    out += ["", "![latency vs load](img/compare-latency.png)", ""]
    return out


def section(data, src):
    h, res, lat = data["head"], data["results"], data.get("latency", [])
    busy = max([r["max_others"] for r in res]
               + [x["others"] for r in lat for x in r["loads"]], default=0)
    nfd = any(r["config"] in NFD for r in res)
    lines = [BEGIN, "",
             "## Side by side: testpmd io, OVS-DPDK, net_snic"
             + (", nicflowd" if nfd else "") + " (bench/compare)", "",
             f"Generated by `bench/report.py {src}` from "
             f"`{h['command']}` on {h['date']}, CPU `{h['cpu']}` "
             f"(x{h['ncpu']}), {h['reps']} runs per figure "
             f"(warm-up {h['warm']} s, window {h['dur']} s): median "
             f"(min–max) Mpps; Gbps of the frames incl. FCS. Input: "
             f"bench/gen_traffic.py pcaps (IPv4/UDP unless the scenario says "
             f"otherwise), replayed by net_pcap "
             f"(infinite_rx) into net_null; datapath on CPU 1, control on "
             f"CPU 0; OVS with one PMD thread, snic in service mode on its "
             f"service lcore."
             + (" nicflowd runs net_snic in service mode too (the NIC's "
                "service lcore on CPU 1, nicflowd's datapath and control on "
                "CPU 0); its rows count the packets of the rules it "
                "offloaded, on the l2 scenario's rows only (notes under "
                "the tables)." if nfd else "")
             + (f" Load average (1, 5, 15 min) before the run: "
                f"{h['loadavg_before']}, after: {h.get('loadavg_after')}; "
                f"the DUT and the generator themselves add about 2."
                if "loadavg_before" in h else "")
             + (f" The run took {h['elapsed_s'] / 60:.1f} min."
                if "elapsed_s" in h else ""), ""]
    if busy > 0.05 or h.get("foreign_dpdk"):
        lines += [f"**Taken on a busy machine**: other processes used up "
                  f"to {busy:.2f} cores (of {h['ncpu']}) during the "
                  f"measurement windows"
                  + (f", and {len(h['foreign_dpdk'])} other DPDK "
                     f"process(es) ran" if h.get("foreign_dpdk") else "")
                  + " (last table row, per column). Treat the figures as "
                  "indicative; the ratios, measured in turns, hold "
                  "better than the absolute rates, and latency tails "
                  "(p99, max) show the other processes' scheduling more "
                  "than the DUT.", ""]
    else:
        lines += ["Other processes used at most "
                  f"{busy:.2f} cores during the windows.", ""]
    said = set()   # nicflowd notes: under the first table with the rows
    flows = sorted({r["flows"] for r in res})
    t = table([r for r in res if r["size"] == 88], "l2", "flows", flows,
              "flows (88 B)", "", said)
    if t:
        lines += [f"### {SCEN['l2']}: Mpps vs flows, 88-byte frames", ""] \
            + t + ["", "![Mpps vs flows](img/compare-flows.png)", ""]
    sizes = sorted({r["size"] for r in res})
    t = table([r for r in res if r["flows"] == 1000], "l2", "size", sizes,
              "frame size (1K flows)", " B", said)
    if t:
        lines += [f"### {SCEN['l2']}: Mpps vs frame size, 1,000 flows",
                  ""] + t + [""] + ([
                      "9000 B: testpmd io with 9 KB mbufs, OVS with "
                      "`mtu_request=9000`; testpmd + net_snic cannot be fed "
                      "by net_pcap at this size (infinite_rx wants one mbuf "
                      "per frame, the NIC's pool has 2 KB buffers): its "
                      "9000 B rate is the latency runs' loop maximum below."]
                      if 9000 in sizes else []) + ["",
                             "![Mpps vs frame size](img/compare-sizes.png)",
                             ""]
    t = table([r for r in res if r["size"] == 88], "encap", "flows", flows,
              "flows (88 B)", "", said)
    if t:
        lines += [f"### {SCEN['encap']}, 88-byte frames", ""] + t + [""]
    t = grid([(f"{SHORT[sc]}, {sz} B", [r for r in res if r["scen"] == sc
                                        and r["flows"] == 1000
                                        and r["size"] == sz])
              for sc, sz in (("l2", 88), ("l2v6", 88), ("l2mix", 88),
                             ("l2tcp", 88), ("l2tcpmix", 88), ("p2", 88),
                             ("encap", 88), ("decap", 138), ("acl", 88))],
             "scenario (1,000 flows)", said)
    if t:
        lines += ["### Scenarios side by side, 1,000 flows", "",
                  "L2: one rule on the destination MAC, UDP frames unless "
                  "TCP is said; P-2 VM model: 750 IPv4 and 250 IPv6 VMs "
                  "(the 1,000 flows), 20 % of them sending 80 % of the "
                  "frames; VXLAN "
                  "decap: 138-byte VXLAN frames in, 84-byte (+FCS 88) inner "
                  "frames out; ACL-heavy: L2 IPv4 plus 32 ACL drop rules no "
                  "packet matches, all checked for every packet.", ""] + t + [""]
    if lat:
        lines += lat_section(lat, h)
    lines += [END]
    return "\n".join(lines) + "\n"


def plot(res, img):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(img, exist_ok=True)
    made = []
    for name, sel, key, xlabel, logx in (
            ("compare-flows.png",
             [r for r in res if r["scen"] == "l2" and r["size"] == 88],
             "flows", "flows (88-byte frames, L2 forward)", True),
            ("compare-sizes.png",
             [r for r in res if r["scen"] == "l2" and r["flows"] == 1000],
             "size", "frame size, bytes (1,000 flows, L2 forward)", False)):
        if not sel:
            continue
        fig, ax = plt.subplots(figsize=(6, 4))
        for c in CONFIGS:
            pts = sorted((r[key], r["mpps"], r["min"], r["max"])
                         for r in sel if r["config"] == c)
            if not pts:
                continue
            x = [p[0] for p in pts]
            y = [p[1] for p in pts]
            err = [[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]]
            # nicflowd L3: the pcap's flows are one nicflowd flow (notes)
            one = c in NFD and any(r["flows"] > 1 for r in sel
                                   if r["config"] == c) and \
                {nic_flows(r) for r in sel if r["config"] == c} == {"1"}
            ax.errorbar(x, y, yerr=err, marker="o", capsize=3,
                        linestyle="--" if c in NFD else "-",
                        label=NAMES[c] + (" (one NIC rule)" if one else ""))
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Mpps (median, min–max)")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(img, name), dpi=100)
        plt.close(fig)
        made.append(name)
    return made


def plot_latency(lat, loads, img):
    """compare-latency.png: mean (solid) and median (dashed) latency vs
    load, one panel per L2 IPv4 frame size, log scale. The median is the
    DUT's typical latency; the mean carries the preemptions of a shared
    machine (p99 and max are in the table)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = sorted({r["size"] for r in lat if r["scen"] == "l2"})
    if not sizes:
        return []
    cols = min(3, len(sizes))
    nrows = (len(sizes) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4 * cols, 3.2 * nrows),
                             squeeze=False, sharey=True)
    x = [100 * v for v in loads]
    for k, sz in enumerate(sizes):
        ax = axes[k // cols][k % cols]
        for n, c in enumerate(("io", "ovs", "snic")):
            r = [r for r in lat if r["scen"] == "l2" and r["size"] == sz
                 and r["config"] == c]
            if not r:
                continue
            pts = r[0]["loads"][1:]
            color = f"C{n}"
            ax.plot(x, [p["mean_ns"] / 1e3 for p in pts], marker="o",
                    color=color, label=f"{NAMES[c]} mean")
            ax.plot(x, [p["p50_ns"] / 1e3 for p in pts], marker="x",
                    linestyle="--", color=color, label=f"{NAMES[c]} median")
        ax.set_yscale("log")
        ax.set_title(f"{sz} B")
        ax.set_xticks(x)
        ax.set_xlabel("load, % of the loop's maximum")
        ax.grid(True, alpha=0.3, which="both")
        if k % cols == 0:
            ax.set_ylabel("latency, µs")
    for k in range(len(sizes), nrows * cols):
        axes[k // cols][k % cols].axis("off")
    seen = {}
    for ax in axes.flat:   # a configuration may be missing from a panel
        for hd, lb in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lb, hd)
    fig.legend(list(seen.values()), list(seen.keys()), loc="lower center",
               ncol=3, fontsize="small")
    fig.tight_layout(rect=(0, 0.1 if nrows > 1 else 0.18, 1, 1))
    fig.savefig(os.path.join(img, "compare-latency.png"), dpi=100)
    plt.close(fig)
    return ["compare-latency.png"]


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("results", nargs="+",
                    help="results.json files or bench/compare --out "
                    "directories; a later one's figures replace an earlier "
                    "one's for the same scenario")
    ap.add_argument("--doc", default=os.path.join(
        os.path.dirname(__file__), "..", "docs", "performance.md"),
                    help="the document whose section is replaced")
    ap.add_argument("--img", help="the plots' directory (default: img/ "
                    "next to --doc)")
    ap.add_argument("--print", action="store_true",
                    help="the section to stdout, no file changed, no plots")
    a = ap.parse_args()
    data, spans = None, {}
    for n, path in enumerate(a.results):
        if os.path.isdir(path):   # bench/compare --out DIR
            path = os.path.join(path, "results.json")
        with open(path) as f:
            d = json.load(f)
        for r in d.get("results", []):
            r["file"] = n   # ratio(): measured in turns or not
        for k in ("reps", "warm", "dur"):   # "1–3 runs" when files differ
            spans.setdefault(k, set()).add(d["head"][k])
        if data is None:
            data = d
            continue
        h = data["head"]
        h["command"] += "` and `" + d["head"]["command"]
        h["date"] += ", " + d["head"]["date"]
        h["foreign_dpdk"] = h.get("foreign_dpdk", []) + \
            d["head"].get("foreign_dpdk", [])
        for k in ("lat_warm", "lat_dur", "loads", "loadavg_before",
                  "loadavg_after", "elapsed_s"):
            if k in d["head"] and k not in h:
                h[k] = d["head"][k]
        key = ("scen", "flows", "size", "config")
        for part in ("results", "latency"):
            new = {tuple(r[k] for k in key) for r in d.get(part, [])}
            data[part] = [r for r in data.get(part, [])
                          if tuple(r[k] for k in key) not in new] \
                + d.get(part, [])
    for k, v in spans.items():   # one value, or "min–max" across files
        v = sorted(v)
        data["head"][k] = str(v[0]) + (f"–{v[-1]}" if len(v) > 1 else "")
    if not data["results"] and not data.get("latency"):
        sys.exit("report: no results")
    text = section(data, " ".join(a.results))
    if a.print:
        sys.stdout.write(text)
        return
    doc = open(a.doc).read() if os.path.exists(a.doc) else ""   # new file
    if BEGIN in doc and END in doc:
        pre, rest = doc.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        doc = pre + text.rstrip("\n") + post
    else:
        doc = (doc.rstrip("\n") + "\n\n" if doc else "") + text
    with open(a.doc, "w") as f:
        f.write(doc)
    img = a.img or os.path.join(os.path.dirname(a.doc), "img")
    made = plot(data["results"], img)
    if data.get("latency"):
        made += plot_latency(data["latency"],
                             data["head"].get("loads", [0.1, 0.5, 0.9]), img)
    print(f"report: {a.doc} updated; plots: {', '.join(made) or 'none'}")


if __name__ == "__main__":
    main()
