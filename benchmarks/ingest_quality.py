"""How well the seeds are read, against ../shared/gold/seed_headings.tsv.

Prints one table: articles found, first-level headings (recall, precision) and the
chapter of first-level headings (a two-label gold heading counts when drafter's top
chapter is one of them), per seed and in total.

    python benchmarks/ingest_quality.py [--gold PATH]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.ingest import parse_file  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "gold" / "seed_headings.tsv")
    args = ap.parse_args()
    with open(args.gold, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    by_file = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)
    totals = defaultdict(int)
    print("| file | articles found | h1 gold | h1 found | h1 recall | h1 precision | chapter right |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, gold in sorted(by_file.items()):
        doc = parse_file(ROOT / "corpus" / name)
        titles = {a.line for a in doc.articles if a.title}
        sections = {s.line: s for a in doc.articles for s in a.sections if s.level == 1}
        g_art = [r for r in gold if r["kind"] == "article"]
        g_h1 = [r for r in gold if r["kind"] == "h1"]
        art = sum(int(r["line"]) in titles for r in g_art)
        tp = [r for r in g_h1 if int(r["line"]) in sections]
        chap = sum(sections[int(r["line"])].chapters[0] in r["chapters"].split("|") for r in tp)
        for k, v in (("art", art), ("g_art", len(g_art)), ("g_h1", len(g_h1)), ("found", len(sections)), ("tp", len(tp)), ("chap", chap)):
            totals[k] += v
        print(
            f"| {name} | {art}/{len(g_art)} | {len(g_h1)} | {len(sections)} | {len(tp) / max(len(g_h1), 1):.3f} "
            f"| {len(tp) / max(len(sections), 1):.3f} | {chap}/{len(g_h1)} |"
        )
    t = totals
    print(
        f"| **all** | {t['art']}/{t['g_art']} | {t['g_h1']} | {t['found']} | {t['tp'] / t['g_h1']:.3f} "
        f"| {t['tp'] / t['found']:.3f} | {t['chap']}/{t['g_h1']} = {t['chap'] / t['g_h1']:.3f} |"
    )


if __name__ == "__main__":
    main()
