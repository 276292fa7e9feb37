"""Prints the benchmark results as a Markdown table (bench/RESULTS.md format)."""
import json
import re
import statistics
import sys
from pathlib import Path

out = Path(sys.argv[1])


def hyper(name, label=None):
    data = json.loads((out / f"{name}.json").read_text())["results"]
    return {r.get("command") if label is None else label: r for r in data}


rows = []
single = list(hyper("single").values())[0]
times = single["times"]
rows.append(("single cold PKCE run, median", f"{statistics.median(times) * 1000:.1f} ms",
             f"min {min(times) * 1000:.1f} / max {max(times) * 1000:.1f} ms, σ {statistics.pstdev(times) * 1000:.1f} ms, {len(times)} runs"))
rows.append(("single run, peak RSS", f"{int((out / 'single.rss').read_text()) / 1024:.1f} MiB", "GNU time %M"))
suite = list(hyper("suite").values())[0]
med = statistics.median(suite["times"])
rows.append(("1,000-scenario suite", f"{1000 / med:.0f} scenarios/s", f"median {med:.2f} s over {len(suite['times'])} runs, default --jobs"))
if (out / "suite-openid.json").exists():
    openid = list(hyper("suite-openid").values())[0]
    med = statistics.median(openid["times"])
    rows.append(("1,000-scenario suite, default scopes (with `openid`)", f"{1000 / med:.0f} scenarios/s",
                 f"median {med:.2f} s over {len(openid['times'])} runs; an RS256 id_token per scenario"))
rows.append(("1,000-scenario suite, peak RSS", f"{int((out / 'suite.rss').read_text()) / 1024:.1f} MiB", "GNU time %M"))
for name, label in (("wrk-token", "mock: token endpoint (password grant)"), ("wrk-query", "mock: REST query")):
    runs = []
    for path in sorted(out.glob(f"{name}-*.txt")):
        text = path.read_text()
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        p99 = re.search(r"99%\s+([\d.]+\w+)", text).group(1)
        runs.append((rps, p99))
    runs.sort()
    rps, p99 = runs[len(runs) // 2]
    spread = ", ".join(f"{r:,.0f}" for r, _ in runs)
    rows.append((label, f"{rps:,.0f} req/s", f"median of {len(runs)} runs ({spread}); p99 {p99}; wrk -t2 -c64 -d10s"))
if (out / "hurl.json").exists():
    results = json.loads((out / "hurl.json").read_text())["results"]
    med = {r["command"]: statistics.median(r["times"]) for r in results}
    ratio = med["hurl"] / med["sfscenario"]
    rows.append(("same flow: Hurl 8.0.1, median", f"{med['hurl'] * 1000:.1f} ms", ""))
    rows.append(("same flow: sfscenario, median", f"{med['sfscenario'] * 1000:.1f} ms", ""))
    rows.append(("Hurl / sfscenario", f"{ratio:.2f}×", "ratio of medians, one hyperfine session"))
print("| measure | result | notes |\n|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} |")
