"""Kill `drafter ingest` and `drafter index` at random moments and check the store after each kill.

Each run changes a few of the source files, starts `drafter ingest` (with its index build)
or `drafter index` on one corpus, and sends SIGKILL after a random delay between 0.05 s and
the time a whole run takes. Then it checks the store as it was left:

- lost: documents the manifest held before the kill and not after (must be 0);
- unreadable: manifest entries whose stored copy does not load (must be 0);
- then one complete `drafter ingest --no-index` (the "next run"), after which
  temp files must be 0 and `Corpus.check()` must find nothing to repair.

    python benchmarks/crash_store.py [--runs 60] [--files 30] [--seed 16] [--slow-disk 0.1]

Measured figures: docs/benchmarks.md, "Crash safety of the store".

``--slow-disk S`` makes every fsync of the drafter processes sleep S seconds (a slow USB
stick), so that more kills land while a temp file is being written; 0 for the real disk.

Prints a table per action and a total; exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.corpus import MANIFEST, Corpus  # noqa: E402
from drafter.fsutil import is_temp_name  # noqa: E402

TEXT = """{org}总工会2025年工作总结

2025年，{org}总工会团结带领广大职工奋发进取，各项工作取得新成效。

一、主要工作及成效

（一）强化思想政治引领。全年开展劳模工匠宣讲{n}场，覆盖职工{k}万人次。

（二）组织职工建功立业。开展劳动和技能竞赛{m}项，新建劳模创新工作室{w}个。

（三）维护职工合法权益。建成户外劳动者服务站点{w}个，走访慰问困难职工{n}户。

二、下一步工作打算

深化产业工人队伍建设改革，推进新就业形态劳动者入会。
"""


def write_source(path: Path, rng: random.Random) -> None:
    org = path.stem
    path.write_text(TEXT.format(org=org, n=rng.randrange(10, 999), k=rng.randrange(1, 9), m=rng.randrange(5, 60),
                                w=rng.randrange(2, 30)), encoding="utf-8")


SLOW_DISK = """
import os, time
_fsync = os.fsync
def _slow_fsync(fd, _delay={delay}):
    time.sleep(_delay)
    return _fsync(fd)
os.fsync = _slow_fsync
"""

_preamble = ""


def drafter(*args) -> list[str]:
    code = _preamble + "\nimport sys\nfrom drafter.cli import main\nsys.exit(main(sys.argv[1:], prog_name='drafter'))"
    return [sys.executable, "-c", code, *map(str, args)]


def manifest_names(corpus: Path) -> set[str]:
    try:
        data = json.loads((corpus / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return set()
    return {e["name"] for e in data["documents"].values()}


def unreadable(corpus: Path) -> int:
    if not (corpus / MANIFEST).exists():
        return 0
    store = Corpus(corpus, include_embedded=False)
    data = json.loads((corpus / MANIFEST).read_text("utf-8"))
    return sum(store._load_doc(i, e) is None for i, e in data["documents"].items())


def temp_files(corpus: Path) -> int:
    return sum(1 for p in corpus.rglob("*") if is_temp_name(p.name))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--files", type=int, default=30)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--slow-disk", type=float, default=0.1, metavar="S")
    args = ap.parse_args()
    global _preamble
    _preamble = SLOW_DISK.format(delay=args.slow_disk) if args.slow_disk else ""
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="drafter-crash-"))
    os.environ["DRAFTER_HOME"] = str(work / "home")
    src, corpus = work / "src", work / "corpus"
    src.mkdir()
    sources = [src / f"第{i:02d}县.txt" for i in range(args.files)]
    for path in sources:
        write_source(path, rng)

    # How long a whole run takes: the kills fall anywhere inside it.
    start = time.perf_counter()
    subprocess.run(drafter("ingest", src, "--corpus", corpus), check=True, capture_output=True)
    full = {"ingest": time.perf_counter() - start}
    start = time.perf_counter()
    subprocess.run(drafter("index", "--corpus", corpus), check=True, capture_output=True)
    full["index"] = time.perf_counter() - start

    rows: dict[str, dict[str, int]] = {}
    failures = 0
    for run in range(args.runs):
        action = "index" if run % 3 == 2 else "ingest"
        if action == "ingest":
            for path in rng.sample(sources, 5):
                write_source(path, rng)
            cmd = drafter("ingest", src, "--corpus", corpus)
        else:
            cmd = drafter("index", "--corpus", corpus)
        before = manifest_names(corpus)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.05, full[action]))
            killed = False
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
        lost = len(before - manifest_names(corpus))
        bad = unreadable(corpus)
        temps_after_kill = temp_files(corpus)
        # The next run, complete this time.
        subprocess.run(drafter("ingest", src, "--no-index", "--corpus", corpus), check=True, capture_output=True)
        temps_after_next = temp_files(corpus)
        report = Corpus(corpus, include_embedded=False).check()
        complete = manifest_names(corpus) == {p.name for p in sources}
        ok = not lost and not bad and not temps_after_next and report.clean and complete
        failures += not ok
        row = rows.setdefault(action, dict(runs=0, killed=0, lost=0, unreadable=0, temp_after_kill=0,
                                           temp_after_next=0, not_clean=0, incomplete=0))
        row["runs"] += 1
        row["killed"] += killed
        row["lost"] += lost
        row["unreadable"] += bad
        row["temp_after_kill"] += temps_after_kill
        row["temp_after_next"] += temps_after_next
        row["not_clean"] += not report.clean
        row["incomplete"] += not complete

    print(f"{args.runs} runs, {args.files} source files, fsync delayed {args.slow_disk} s; a whole run takes "
          f"ingest {full['ingest']:.1f} s, index {full['index']:.1f} s (kill delay uniform in 0.05 s … that)\n")
    cols = ["runs", "killed", "lost", "unreadable", "temp_after_kill", "temp_after_next", "not_clean", "incomplete"]
    print("| action | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    total = {c: sum(r[c] for r in rows.values()) for c in cols}
    for action, row in [*rows.items(), ("**all**", total)]:
        print(f"| {action} | " + " | ".join(str(row[c]) for c in cols) + " |")
    print(f"\nruns with a failed check: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
