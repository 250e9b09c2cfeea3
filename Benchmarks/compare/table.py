#!/usr/bin/env python3
"""Turns a compare.sh run directory into Markdown tables: per size, both servers' figures and the
ratio Roster/slapd; with two sizes, Roster's server CPU per operation at each.

  table.py RUN_DIR SIZE [SIZE ...]
"""
import re
import sys
from pathlib import Path

PY = re.compile(
    r"^(?P<label>py:\S+)\s+\S+\s+clients=(?P<c>\d+)\s+ops=(?P<ops>\d+)\s+ops/s=\s*(?P<rate>[\d.]+)\s+err=(?P<err>\d+)"
    r"\s+p50=(?P<p50>[\d.na]+)ms\s+p95=[\d.na]+ms\s+p99=(?P<p99>[\d.na]+)ms.*?server_cpu=(?P<cpu>[\d.]+)s")
LDCLT = re.compile(r"^(?P<label>ldclt:\S+).*?\((?P<rate>[\d.]+)/sec\), total:\s*(?P<ops>\d+).*?server_cpu=(?P<cpu>[\d.]+)s")
RSS = re.compile(r"rss=(\d+)MB")

NAMES = {
    "uid": "uid equality",
    "substr": "address-book substring",
    "bind": "bind on an open connection ({SSHA})",
    "modify": "modify telephoneNumber (durable)",
    "bindconn": "connect + bind + unbind",
    "bind-pbkdf2": "bind, Roster's default hash (PBKDF2-SHA512, 100 000)",
}


def parse(path):
    """{(driver, workload, clients): figures}, and the RSS at the end."""
    rows, rss = {}, None
    if not path.exists():
        return rows, rss
    for line in path.read_text(errors="replace").splitlines():
        m = PY.search(line) or LDCLT.search(line)
        if m:
            driver, rest = m["label"].split(":", 1)
            workload, c = rest.rsplit("/c", 1)
            ops = int(m["ops"])
            row = {"rate": float(m["rate"]), "ops": ops, "cpu_us": 1e6 * float(m["cpu"]) / max(1, ops)}
            if driver == "py":
                row.update(p50=m["p50"], p99=m["p99"], err=int(m["err"]))
            rows[(driver, workload, int(c))] = row
        if line.startswith("# end"):
            r = RSS.search(line)
            rss = int(r.group(1)) if r else None
    return rows, rss


def load_facts(path):
    text = path.read_text(errors="replace") if path.exists() else ""
    seconds = re.search(r"(?:slapadd|roster import) \d+ members: ([\d.]+) s", text)
    rss = re.search(r"rss_after_load=(\d+)MB", text)
    return (seconds.group(1) if seconds else "?"), (int(rss.group(1)) if rss else None)


def ratio(r, s):
    return f"**{r / s:.2f}**" if r and s else "–"


def lat(row):
    return f"{row['p50']} / {row['p99']}" if row and "p50" in row else "–"


def table(run, size):
    out = [f"### {size:,} members".replace(",", " "), ""]
    s_load, s_rss = load_facts(run / f"{size}-slapd-load.txt")
    r_load, r_rss = load_facts(run / f"{size}-roster-load.txt")
    out.append("| workload | driver, clients | slapd ops/s | Roster ops/s | Roster/slapd | slapd p50/p99 ms | Roster p50/p99 ms | slapd CPU µs/op | Roster CPU µs/op |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rss_end = {}
    for who in ("admin", "member"):
        s_rows, s_end = parse(run / f"{size}-slapd-{who}.txt")
        r_rows, r_end = parse(run / f"{size}-roster-{who}.txt")
        rss_end[who] = (s_end, r_end)
        for key in sorted(set(s_rows) | set(r_rows), key=lambda k: (k[0] != "py", k[2], list(NAMES).index(k[1]) if k[1] in NAMES else 99)):
            s, r = s_rows.get(key), r_rows.get(key)
            driver, workload, c = key
            name = NAMES.get(workload, workload) + (" — as a member (scope department)" if who == "member" else "")
            errs = "".join(f" ({x['err']} errors)" for x in (s, r) if x and x.get("err"))
            out.append(
                f"| {name}{errs} | {driver}, {c} | {s['rate']:.0f} | {r['rate']:.0f} | {ratio(r['rate'], s['rate'])} | {lat(s)} | {lat(r)} |"
                f" {s['cpu_us']:.0f} | {r['cpu_us']:.0f} |" if s and r else
                f"| {name} | {driver}, {c} | {s['rate'] if s else '–'} | {r['rate'] if r else '–'} | – | | | | |")
    d_rows, _ = parse(run / f"{size}-roster-defaulthash.txt")
    for (driver, workload, c), r in d_rows.items():
        out.append(f"| {NAMES.get(workload, workload)} (200 members) | {driver}, {c} | – | {r['rate']:.0f} | – | – | {lat(r)} | – | {r['cpu_us']:.0f} |")
    out.append("")
    s_end, r_end = rss_end.get("admin", (None, None))
    out.append(f"Loading: slapadd {s_load} s, `roster import` (LDIF) {r_load} s. RSS after loading: slapd {s_rss} MB, Roster {r_rss} MB"
               f" (Roster/slapd {ratio(r_rss, s_rss) if s_rss and r_rss else '–'}; target ≤ 1); after the admin runs: slapd {s_end} MB, Roster {r_end} MB.")
    out.append("")
    return out


def scaling(run, sizes):
    small, large = sizes[0], sizes[-1]
    a, _ = parse(run / f"{small}-roster-admin.txt")
    b, _ = parse(run / f"{large}-roster-admin.txt")
    out = [f"### Roster's server CPU per operation, {small} against {large} members", "",
           f"| workload | driver, clients | µs/op at {small} | µs/op at {large} | change |", "|---|---|---:|---:|---:|"]
    for key in sorted(set(a) & set(b)):
        x, y = a[key]["cpu_us"], b[key]["cpu_us"]
        out.append(f"| {NAMES.get(key[1], key[1])} | {key[0]}, {key[2]} | {x:.0f} | {y:.0f} | {100 * (y - x) / x:+.0f}% |")
    out.append("")
    return out


def main():
    run = Path(sys.argv[1])
    sizes = [int(s) for s in sys.argv[2:]]
    lines = []
    for size in sizes:
        lines += table(run, size)
    if len(sizes) > 1:
        lines += scaling(run, sizes)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
