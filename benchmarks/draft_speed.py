"""Cold-process `drafter draft` on the examples (and `drafter search`): time of the whole command.

Each run is a fresh `python -m drafter.cli …` (import time counts), on a fresh
DRAFTER_HOME for the first run of a case (the search index of the embedded corpus is
taken from the package then, or built when the shipped one is stale) and on the same
home afterwards (index loaded from disk). Prints a table: case, runs, first run (wall
and CPU = user + system of the child), median and best of the warm runs, warm CPU,
peak memory of the child. On a shared machine the CPU columns are the stable ones.

    python benchmarks/draft_speed.py [--runs 5]

Target on the 2-core machine: under 3 s wall, the first run on a fresh home included.
The load average of the machine is printed beside each row (other processes share the cores);
the child's CPU time (user + system) is printed too, as it depends much less on that load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "annual": ROOT / "examples" / "青禾县总工会2025年度.yaml",
    "five-year": ROOT / "examples" / "青禾县总工会五年工作综述.yaml",
    "half-year": ROOT / "examples" / "青禾县总工会2025年上半年.yaml",
}
CASES = [
    ("search 送温暖", None, ["search", "送温暖"], "docx"),
    ("annual, docx, --refs 3", "annual", ["--refs", "3"], "docx"),
    ("annual, docx, --no-refs", "annual", ["--no-refs"], "docx"),
    ("annual, md, --refs 3", "annual", ["--refs", "3"], "md"),
    ("five-year, docx, --refs 3", "five-year", ["--refs", "3"], "docx"),
    ("half-year, docx, --no-refs", "half-year", ["--no-refs"], "docx"),
]


def run_once(home: Path, example: Path | None, args: list[str], out: Path) -> tuple[float, float, float]:
    env = dict(os.environ, DRAFTER_HOME=str(home), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "drafter.cli"]
    cmd += args if example is None else ["draft", str(example), "-o", str(out), "--force", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"drafter failed: {proc.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="warm runs per case")
    opts = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, example, args, fmt in CASES:
            home = Path(tmp) / label.replace(" ", "").replace(",", "_")
            out = Path(tmp) / f"out.{fmt}"
            first, first_cpu, _ = run_once(home, EXAMPLES.get(example), args, out)
            warm, cpus, peaks = [], [], []
            for _ in range(opts.runs):
                wall, cpu, peak = run_once(home, EXAMPLES.get(example), args, out)
                warm.append(wall)
                cpus.append(cpu)
                peaks.append(peak)
            load = os.getloadavg()[0]
            rows.append((label, opts.runs, first, first_cpu, statistics.median(warm), min(warm),
                         statistics.median(cpus), max(peaks), load))
    print("| case | warm runs | first run, fresh home: wall (s) | CPU (s) | median warm (s) | best warm (s) "
          "| median warm CPU (s) | peak RSS (MB) | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, first, first_cpu, med, best, cpu, peak, load in rows:
        print(f"| {label} | {n} | {first:.2f} | {first_cpu:.2f} | {med:.2f} | {best:.2f} | {cpu:.2f} | {peak:.0f} "
              f"| {load:.1f} |")


if __name__ == "__main__":
    main()
