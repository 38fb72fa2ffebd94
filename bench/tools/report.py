#!/usr/bin/env python3
"""Turns one bench/run.sh run directory into a Markdown table, a CSV and an SVG chart.

    report.py <run-dir> <output-prefix>     writes <prefix>.md, <prefix>.csv, <prefix>.svg

Standard library only. Layout read: <run-dir>/machine.txt and
<run-dir>/<workload>/<broker>/round-<n>/{status, hwm.kib, rss.samples, <phase>.csv, <phase>.out, ...}.
"""
import csv
import html
import math
import os
import re
import statistics
import sys
from dataclasses import dataclass, field

BROKER_LABEL = {"warren": "Warren", "rabbitmq": "RabbitMQ"}
BROKER_COLOUR = {"warren": "#d9822b", "rabbitmq": "#5b7fa6"}
WORKLOAD_ORDER = ["transient", "persistent", "fanout", "many-queues", "backlog", "cluster"]


@dataclass
class Run:
    workload: str
    broker: str
    round: int
    status: str
    published: float | None = None   # msg/s (backlog: publish phase)
    delivered: float | None = None   # msg/s (backlog: drain phase)
    p50_us: float | None = None
    p99_us: float | None = None
    peak_rss_kib: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ok(self):
        return self.status == "ok"


def read_kv(path):
    result = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    result[k] = v
    return result


def read_text(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def samples(csv_path):
    """PerfTest's per-second rows, one per distinct timestamp (it sometimes repeats a row)."""
    rows, seen = [], set()
    if not os.path.exists(csv_path):
        return rows
    with open(csv_path, encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            return rows
        idx = {name.strip(): i for i, name in enumerate(header)}

        def col(row, prefix):
            for name, i in idx.items():
                if name.startswith(prefix) and i < len(row):
                    return num(row[i])
            return None

        for row in reader:
            t = col(row, "time")
            if t is None or t in seen:
                continue
            seen.add(t)
            rows.append({
                "time": t,
                "published": col(row, "published"),
                "received": col(row, "received"),
                "p50": col(row, "median consumer latency"),
                "p99": col(row, "99th p. consumer latency"),
            })
    return rows


SUMMARY_PATTERNS = {
    "sent_avg": re.compile(r"sending rate avg:\s*([\d.]+)"),
    "received_avg": re.compile(r"receiving rate avg:\s*([\d.]+)"),
    "latency": re.compile(r"consumer latency min/median/75th/95th/99th\s+([\d./]+)\s*µs"),
    "confirm_latency": re.compile(r"confirm latency min/median/75th/95th/99th\s+([\d./]+)\s*µs"),
}


def summary(out_path):
    """PerfTest's end-of-run summary (whole run, warm-up included)."""
    text = read_text(out_path)
    result = {}
    for key, pattern in SUMMARY_PATTERNS.items():
        matches = pattern.findall(text)
        if not matches:
            continue
        value = matches[-1]
        if "latency" in key:
            parts = [num(p) for p in value.split("/")]
            if len(parts) == 5:
                result[key + "_p50"] = parts[1]
                result[key + "_p99"] = parts[4]
        else:
            result[key] = num(value)
    return result


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def peak_rss(run_dir):
    """Peak resident memory of the broker: per process the larger of VmHWM and the sampled VmRSS,
    summed over processes (the nodes of a cluster; a single broker is one process)."""
    per_pid = {}

    def note(pid, kib):
        per_pid[pid] = max(per_pid.get(pid, 0), kib)

    for line in read_text(os.path.join(run_dir, "hwm.kib")).splitlines():
        parts = line.split()
        if len(parts) == 1 and parts[0].isdigit():          # older single-process format: "kib"
            note("broker", int(parts[0]))
        elif len(parts) == 2 and parts[1].isdigit():         # "pid kib"
            note(parts[0], int(parts[1]))
    for line in read_text(os.path.join(run_dir, "rss.samples")).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():           # older: "epoch kib"
            note("broker", int(parts[1]))
        elif len(parts) == 3 and parts[2].isdigit():         # "epoch pid kib"
            note(parts[1], int(parts[2]))
    if "broker" in per_pid and len(per_pid) > 1:
        # mixed formats cannot happen within one run; keep the single-process reading if they do
        return per_pid["broker"]
    return sum(per_pid.values()) if per_pid else None


def load_run(run_dir, workload, broker, rnd, warmup):
    status = read_text(os.path.join(run_dir, "status"), "failed: no status (interrupted?)")
    run = Run(workload, broker, rnd, status, peak_rss_kib=peak_rss(run_dir))
    load = num(read_text(os.path.join(run_dir, "loadavg")))
    if load is not None:
        run.extra["loadavg_1m_at_end"] = load
    if workload == "backlog":
        pub = summary(os.path.join(run_dir, "publish.out"))
        drain = summary(os.path.join(run_dir, "drain.out"))
        run.published = pub.get("sent_avg")
        run.delivered = drain.get("received_avg")
        for phase in ("publish", "drain"):
            start = num(read_text(os.path.join(run_dir, phase + ".start")))
            end = num(read_text(os.path.join(run_dir, phase + ".end")))
            if start is not None and end is not None:
                run.extra[phase + "_seconds"] = round((end - start) / 1000, 1)
        run.extra["confirm_p99_us"] = pub.get("confirm_latency_p99")
        return run
    rows = samples(os.path.join(run_dir, "main.csv"))
    steady = [r for r in rows if r["time"] > warmup] or rows
    run.published = mean(r["published"] for r in steady)
    run.delivered = mean(r["received"] for r in steady)
    # Latency per second only where something was received; the p99 reported is the median of the
    # per-second p99s ("the p99 of a typical second"), robust to one GC or start-up hiccup.
    with_latency = [r for r in steady if (r["received"] or 0) > 0]
    run.p50_us = median(r["p50"] for r in with_latency)
    run.p99_us = median(r["p99"] for r in with_latency)
    s = summary(os.path.join(run_dir, "main.out"))
    run.extra.update({
        "whole_run_sent": s.get("sent_avg"),
        "whole_run_received": s.get("received_avg"),
        "whole_run_p50_us": s.get("latency_p50"),
        "whole_run_p99_us": s.get("latency_p99"),
        "confirm_p99_us": s.get("confirm_latency_p99"),
    })
    if run.ok and not rows:
        run.status = "failed: PerfTest wrote no samples"
    return run


def load(run_root):
    machine = read_kv(os.path.join(run_root, "machine.txt"))
    seconds = num(machine.get("seconds")) or 30
    warmup = min(num(machine.get("warmup")) or 5, seconds / 3)
    # What the Markdown shows is what was applied: at most a third of a short run is discarded.
    machine["warmup"] = f"{warmup:.3g}"
    runs = []
    for workload in sorted(os.listdir(run_root)):
        wdir = os.path.join(run_root, workload)
        if not os.path.isdir(wdir):
            continue
        for broker in sorted(os.listdir(wdir)):
            bdir = os.path.join(wdir, broker)
            for rdir in sorted(os.listdir(bdir)):
                m = re.fullmatch(r"round-(\d+)", rdir)
                if m:
                    runs.append(load_run(os.path.join(bdir, rdir), workload, broker, int(m.group(1)), warmup))
    return machine, runs


@dataclass
class Row:
    workload: str
    broker: str
    rounds: int
    ok_rounds: int
    status: str
    published: float | None
    delivered: float | None
    p50_us: float | None
    p99_us: float | None
    peak_rss_kib: float | None
    extra: dict


def aggregate(runs, workloads, brokers):
    rows = []
    for w in workloads:
        for b in brokers:
            mine = [r for r in runs if r.workload == w and r.broker == b]
            if not mine:
                continue
            ok = [r for r in mine if r.ok]
            failures = sorted({r.status for r in mine if not r.ok})
            extra_keys = sorted({k for r in ok for k in r.extra})
            rows.append(Row(
                w, b, len(mine), len(ok),
                "ok" if len(ok) == len(mine) else ("failed" if not ok else "partial") ,
                median(r.published for r in ok), median(r.delivered for r in ok),
                median(r.p50_us for r in ok), median(r.p99_us for r in ok),
                median(r.peak_rss_kib for r in ok),
                {**{k: median(r.extra.get(k) for r in ok) for k in extra_keys}, "failures": failures},
            ))
    return rows


def ordered(names, order):
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


# ------------------------------------------------------------------------------------------ formatting

def fmt_rate(v):
    return "—" if v is None else f"{v:,.0f}"


def fmt_ms(us):
    if us is None:
        return "—"
    ms = us / 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:,.0f} ms"


def fmt_mib(kib):
    return "—" if kib is None else f"{kib / 1024:,.0f} MiB"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(v):
    return "—" if v is None else f"{v:.2f}×"


def cell(v):
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) < 1e6 else f"{v:.0f}"
    return "" if v is None else v


def write_csv(path, runs, rows):
    extra_keys = sorted({k for r in runs for k in r.extra})
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["workload", "broker", "round", "status", "published_msg_s", "delivered_msg_s",
                    "p50_latency_us", "p99_latency_us", "peak_rss_kib"] + extra_keys)
        for r in sorted(runs, key=lambda r: (r.workload, r.broker, r.round)):
            w.writerow([cell(v) for v in [r.workload, r.broker, r.round, r.status, r.published, r.delivered,
                        r.p50_us, r.p99_us, r.peak_rss_kib] + [r.extra.get(k) for k in extra_keys]])
        for row in rows:
            w.writerow([cell(v) for v in [row.workload, row.broker, "median",
                        f"{row.status} ({row.ok_rounds}/{row.rounds} rounds ok)",
                        row.published, row.delivered, row.p50_us, row.p99_us, row.peak_rss_kib]
                       + [row.extra.get(k) for k in extra_keys]])


def write_markdown(path, machine, rows, workloads, brokers, chart_name):
    lines = []
    date = os.path.basename(path)[:10]
    lines.append(f"# Warren vs RabbitMQ — {date}")
    lines.append("")
    lines.append("Produced by `bench/run.sh`; how to read it: `bench/README.md`. Same load tool (PerfTest "
                 f"{machine.get('perftest', '?')}) against both brokers on 127.0.0.1, each run with a freshly "
                 "started broker, brokers alternated within every round.")
    lines.append("")
    lines.append("## Machine and settings")
    lines.append("")
    lines.append("| | |")
    lines.append("|---|---|")
    for key, label in [("cpus", "CPUs (nproc)"), ("cpu", "CPU"), ("memory", "memory"), ("kernel", "kernel"),
                       ("jdk", "JDK"), ("rabbitmq", "RabbitMQ (Debian package)"), ("erlang", "Erlang/OTP"),
                       ("warren_commit", "Warren commit"), ("perftest", "PerfTest"),
                       ("loadavg", "load average when the run started"), ("rounds", "rounds"),
                       ("seconds", "seconds per run"), ("warmup", "warm-up excluded (s)"),
                       ("backlog", "backlog messages")]:
        if key in machine:
            lines.append(f"| {label} | {machine[key]} |")
    lines.append("")
    lines.append("Load generator and broker share the machine (PerfTest uses CPU too), so absolute numbers "
                 "are lower than on separate hosts; the ratios are the point.")
    lines.append("")
    lines.append("## Results (median across rounds)")
    lines.append("")
    lines.append("| workload | broker | rounds ok | published msg/s | delivered msg/s | p50 latency | p99 latency | peak RSS |")
    lines.append("|---|---|---|---:|---:|---:|---:|---:|")
    by_key = {(r.workload, r.broker): r for r in rows}
    for w in workloads:
        for b in brokers:
            r = by_key.get((w, b))
            if r is None:
                continue
            name = BROKER_LABEL.get(b, b)
            if r.ok_rounds == 0:
                reason = "; ".join(r.extra.get("failures", [])) or "failed"
                lines.append(f"| {w} | {name} | 0/{r.rounds} | failed: {html.escape(reason.removeprefix('failed: '))} "
                             "| — | — | — | — |")
                continue
            lat50 = "—" if w == "backlog" else fmt_ms(r.p50_us)
            lat99 = "—" if w == "backlog" else fmt_ms(r.p99_us)
            lines.append(f"| {w} | {name} | {r.ok_rounds}/{r.rounds} | {fmt_rate(r.published)} | "
                         f"{fmt_rate(r.delivered)} | {lat50} | {lat99} | {fmt_mib(r.peak_rss_kib)} |")
    lines.append("")
    if "warren" in brokers and "rabbitmq" in brokers:
        lines.append("## Warren / RabbitMQ")
        lines.append("")
        lines.append("Throughput ratios above 1 favour Warren; latency and memory ratios below 1 favour Warren.")
        lines.append("")
        lines.append("| workload | published msg/s | delivered msg/s | p50 latency | p99 latency | peak RSS |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for w in workloads:
            a, b = by_key.get((w, "warren")), by_key.get((w, "rabbitmq"))
            if a is None or b is None:
                continue
            if a.ok_rounds == 0 or b.ok_rounds == 0:
                lines.append(f"| {w} | n/a ({'Warren' if a.ok_rounds == 0 else 'RabbitMQ'} failed) | | | | |")
                continue
            lat = ("—", "—") if w == "backlog" else (fmt_ratio(ratio(a.p50_us, b.p50_us)), fmt_ratio(ratio(a.p99_us, b.p99_us)))
            lines.append(f"| {w} | {fmt_ratio(ratio(a.published, b.published))} | "
                         f"{fmt_ratio(ratio(a.delivered, b.delivered))} | {lat[0]} | {lat[1]} | "
                         f"{fmt_ratio(ratio(a.peak_rss_kib, b.peak_rss_kib))} |")
        lines.append("")
    lines.append("## Workloads")
    lines.append("")
    for w in workloads:
        desc = machine.get(f"workload.{w}")
        if desc:
            lines.append(f"- **{w}**: {desc}")
    lines.append("")
    if any(r.workload == "backlog" for r in rows):
        lines.append("For **backlog**, *published* is the publish-phase rate (with confirms, no consumer) and "
                     "*delivered* the drain rate; latency does not apply; peak RSS covers both phases. "
                     "Phase wall times are in the CSV.")
        lines.append("")
    lines.append(f"![chart]({chart_name})")
    lines.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def write_svg(path, runs, rows, workloads, brokers):
    metrics = [("published", "published msg/s", lambda v: v),
               ("delivered", "delivered msg/s", lambda v: v),
               ("p99_us", "p99 latency (ms)", lambda v: v / 1000),
               ("peak_rss_kib", "peak RSS (MiB)", lambda v: v / 1024)]
    cell_w, cell_h, left, top, legend_h = 190, 150, 120, 40, 30
    width = left + cell_w * max(len(workloads), 1) + 20
    height = top + legend_h + cell_h * len(metrics) + 20
    by_key = {(r.workload, r.broker): r for r in rows}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14" font-weight="bold">Warren vs RabbitMQ '
           f'(bars: median of rounds, dots: each round)</text>']
    lx = left
    for b in brokers:
        out.append(f'<rect x="{lx}" y="{top - 8}" width="12" height="12" fill="{BROKER_COLOUR.get(b, "#888")}"/>')
        out.append(f'<text x="{lx + 16}" y="{top + 2}">{html.escape(BROKER_LABEL.get(b, b))}</text>')
        lx += 100
    for ci, w in enumerate(workloads):
        x0 = left + ci * cell_w
        out.append(f'<text x="{x0 + cell_w / 2}" y="{top + legend_h}" text-anchor="middle" '
                   f'font-weight="bold">{html.escape(w)}</text>')
    for ri, (key, label, scale) in enumerate(metrics):
        y0 = top + legend_h + 10 + ri * cell_h
        out.append(f'<text x="{left - 10}" y="{y0 + cell_h / 2}" text-anchor="end">{html.escape(label)}</text>')
        for ci, w in enumerate(workloads):
            x0 = left + ci * cell_w
            plot_h = cell_h - 50
            base_y = y0 + 25 + plot_h
            out.append(f'<rect x="{x0 + 5}" y="{y0}" width="{cell_w - 10}" height="{cell_h - 10}" '
                       f'fill="none" stroke="#ddd"/>')
            if w == "backlog" and key == "p99_us":
                out.append(f'<text x="{x0 + cell_w / 2}" y="{y0 + cell_h / 2}" text-anchor="middle" fill="#999">n/a</text>')
                continue
            values = []
            for b in brokers:
                r = by_key.get((w, b))
                v = getattr(r, key) if r and r.ok_rounds else None
                values.append(None if v is None else scale(v))
            per_round = [[scale(getattr(r, key)) for r in runs
                          if r.workload == w and r.broker == b and r.ok and getattr(r, key) is not None]
                         for b in brokers]
            top_value = max([v for v in values if v is not None] + [v for vs in per_round for v in vs] + [0])
            if top_value <= 0:
                top_value = 1
            bar_w = (cell_w - 40) / max(len(brokers), 1)
            for bi, b in enumerate(brokers):
                bx = x0 + 20 + bi * bar_w
                v = values[bi]
                if v is None:
                    out.append(f'<text x="{bx + bar_w / 2}" y="{base_y - 5}" text-anchor="middle" '
                               f'fill="#b00">failed</text>')
                    continue
                h = plot_h * v / top_value
                out.append(f'<rect x="{bx + 4}" y="{base_y - h:.1f}" width="{bar_w - 8:.1f}" height="{h:.1f}" '
                           f'fill="{BROKER_COLOUR.get(b, "#888")}"/>')
                out.append(f'<text x="{bx + bar_w / 2}" y="{base_y - h - 3:.1f}" text-anchor="middle">'
                           f'{short(v)}</text>')
                for pv in per_round[bi]:
                    py = base_y - plot_h * pv / top_value
                    # at the bar's right edge, clear of the value label centred above the bar
                    out.append(f'<circle cx="{bx + bar_w - 8}" cy="{py:.1f}" r="2.5" fill="black" fill-opacity="0.6"/>')
            out.append(f'<line x1="{x0 + 15}" y1="{base_y}" x2="{x0 + cell_w - 15}" y2="{base_y}" stroke="#444"/>')
            if brokers[:2] == ["warren", "rabbitmq"] and None not in values[:2] and values[1] > 0:
                out.append(f'<text x="{x0 + cell_w / 2}" y="{base_y + 12}" text-anchor="middle" fill="#555">'
                           f'Warren/RabbitMQ {values[0] / values[1]:.2f}×</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def short(v):
    if v >= 1e6:
        return f"{v / 1e6:.1f}M"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    if v >= 1e3:
        return f"{v / 1e3:.1f}k"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.2f}"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    run_root, prefix = argv[1], argv[2]
    machine, runs = load(run_root)
    if not runs:
        print(f"no runs found under {run_root}", file=sys.stderr)
        return 1
    workloads = ordered({r.workload for r in runs}, WORKLOAD_ORDER)
    brokers = ordered({r.broker for r in runs}, ["warren", "rabbitmq"])
    rows = aggregate(runs, workloads, brokers)
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    write_csv(prefix + ".csv", runs, rows)
    write_svg(prefix + ".svg", runs, rows, workloads, brokers)
    write_markdown(prefix + ".md", machine, rows, workloads, brokers, os.path.basename(prefix) + ".svg")
    with open(prefix + ".md", encoding="utf-8") as f:
        print(f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
