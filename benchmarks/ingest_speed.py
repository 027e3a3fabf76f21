"""Ingest speed and memory on a generated corpus of report files.

Builds N report files (default 1,000) by recombining paragraphs and headings of the
embedded seeds — in UTF-8, GB18030 and UTF-16, with hard wraps and captions like the
seeds have — then times ``drafter ingest`` on them in a fresh process and prints a
table: files/s, characters/s, peak memory (RSS of the ingesting process).

    python benchmarks/ingest_speed.py [--files 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.corpus import Corpus  # noqa: E402

CN = "一二三四五六七八九十"


def make_files(folder: Path, n: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    corpus = Corpus.load(folder / "_unused", include_embedded=True)
    sections = [(s.heading, [p.text for p in s.passages]) for d in corpus.documents for a in d.articles for s in a.sections if s.passages and s.level == 1]
    captions = ["市总工会举办职工运动会开幕式现场", "劳模工匠宣讲活动现场", "记者 张三", "（本版部分图片为资料片）"]
    total_chars = 0
    for i in range(n):
        parts = [f"某某{rng.choice('市县区')}总工会{rng.randint(2018, 2025)}年工作总结", ""]
        parts.append("　　" + rng.choice(sections)[1][0])
        for k in range(rng.randint(3, 6)):
            heading, paras = rng.choice(sections)
            heading = heading.split("、", 1)[-1]
            parts += ["", f"{CN[k]}、{heading}", ""]
            for p in rng.sample(paras, min(len(paras), rng.randint(1, 4))):
                if rng.random() < 0.3:  # hard-wrapped like a PDF extraction
                    parts += [p[j : j + 24] + "  " for j in range(0, len(p), 24)]
                else:
                    parts.append("　　" + p)
                if rng.random() < 0.1:
                    parts += ["", "", "", rng.choice(captions), "", "", ""]
                parts.append("")
        text = "\n".join(parts)
        total_chars += len(text)
        enc = rng.choice(["utf-8", "utf-8", "gb18030", "utf-16"])
        (folder / f"report_{i:04d}.txt").write_bytes(text.encode(enc, errors="ignore"))
    return n, total_chars


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "src"
        src.mkdir()
        n, chars = make_files(src, args.files, args.seed)
        code = (
            "import json,resource,sys,time;"
            "from drafter.cli import main;"
            "t=time.perf_counter();"
            "rc=0\n"
            "try:\n main(['ingest', sys.argv[1], '--corpus', sys.argv[2], '--json', *sys.argv[3:]], standalone_mode=False)\n"
            "except SystemExit as e:\n rc=e.code\n"
            "print(json.dumps({'seconds': time.perf_counter()-t, 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}), file=sys.stderr)"
        )
        rows = []
        for label, extra in (("ingest only (--no-index)", ["--no-index"]), ("ingest + search index", [])):
            env = {**os.environ, "DRAFTER_HOME": str(tmp / f"home-{len(rows)}")}
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", code, str(src), str(tmp / f"corpus-{len(rows)}"), *extra],
                capture_output=True, text=True, cwd=ROOT, env=env,
            )
            wall = time.perf_counter() - t0
            stats = json.loads(out.stderr.strip().splitlines()[-1])
            report = json.loads(out.stdout[: out.stdout.rindex("}") + 1])
            rows.append((label, report, stats, wall))
    print("| run | files | characters | added | failed | time (s) | wall incl. start-up (s) | files/s | chars/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, report, stats, wall in rows:
        print(
            f"| {label} | {n} | {chars:,} | {len(report['added'])} | {len(report['failed'])} | {stats['seconds']:.1f} | {wall:.1f} "
            f"| {n / stats['seconds']:.0f} | {chars / stats['seconds']:,.0f} | {stats['rss_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
