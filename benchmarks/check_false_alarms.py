"""False alarms of `drafter check` on real report text: findings per 10,000 characters.

    python benchmarks/check_false_alarms.py [--show RULE[,RULE]] [--dev DIR]

The texts are published reports — the 5 seeds (corpus/) and the 25 report openings of
../shared/dev/ (read in place, never copied) — so nearly every finding on them is a false
alarm, or a slip of the original that a reviewer would also mark. The script prints, per
set, the findings per 10,000 characters by finding type and the share of each rule, and
with --show the hits of the named rules in context (to judge them one by one).

Not counted: structure (the dev files are cut openings without problem or plan sections)
and numbers (there is no figures file for these reports). Copies: each seed is checked
against an index of the other seeds; the dev texts against all seeds.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "dev"


def run(files: list[Path], index_for, show: set[str]) -> tuple[int, Counter, Counter]:
    from drafter.check import check_paragraphs, normalize
    from drafter.checks.paragraphs import split_raw_paragraphs
    from drafter.checks.timeliness import report_years
    from drafter.read import read_text

    chars, types, rules = 0, Counter(), Counter()
    for path in files:
        raw = split_raw_paragraphs(read_text(path))
        paras = [normalize(p) for p in raw]
        chars += sum(len(p) for p in paras)
        found = check_paragraphs(paras, index=index_for(path), raw=raw, years=report_years(paras),
                                 disabled={"structure", "number"})
        for f in found:
            types[f.type] += 1
            rules[f"{f.type}:{f.rule}"] += 1
            if f.rule in show or f.type in show:
                print(f"  {path.name[:28]:<28} {f.rule:<20} {f.found or ''!r:<14} {f.text}")
    return chars, types, rules


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", default="", help="rules or finding types whose hits to list")
    ap.add_argument("--dev", type=Path, default=DEV, help="folder of the dev texts (default ../shared/dev)")
    args = ap.parse_args()
    show = {x for x in args.show.split(",") if x}

    from drafter.checks.copies import CopyIndex
    from drafter.corpus import Corpus

    passages = Corpus.load(ROOT / ".bench-empty-corpus").passages()
    everything = CopyIndex().fit(passages)
    by_file: dict[str, CopyIndex] = {}

    def others(path: Path) -> CopyIndex:
        if path.name not in by_file:
            by_file[path.name] = CopyIndex().fit(p for p in passages if p.file != path.name)
        return by_file[path.name]

    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    sets = [("seeds (corpus/)", seeds, others)]
    if args.dev.is_dir():
        sets.append((f"dev ({len(list(args.dev.glob('*.txt')))} openings)", sorted(args.dev.glob("*.txt")), lambda p: everything))
    else:
        print(f"({args.dev} not found: dev set skipped)")
    for name, files, index_for in sets:
        chars, types, rules = run(files, index_for, show)
        total = sum(types.values())
        ascii_marks = rules["usage:ascii-punct"] + rules["usage:ascii-quotes"]
        print(f"\n### {name}: {len(files)} files, {chars:,} characters, {total} findings, "
              f"{total * 10_000 / chars:.1f} per 10,000 characters; without the two ASCII-mark rules "
              f"{(total - ascii_marks) * 10_000 / chars:.1f}\n")
        print("| finding type | findings | per 10,000 chars |\n|---|---:|---:|")
        for t, c in types.most_common():
            print(f"| {t} | {c} | {c * 10_000 / chars:.2f} |")
        print("\n| rule | findings | share |\n|---|---:|---:|")
        for r, c in rules.most_common():
            print(f"| {r} | {c} | {100 * c / total:.0f}% |")


if __name__ == "__main__":
    main()
