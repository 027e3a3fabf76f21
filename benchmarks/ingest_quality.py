"""How well reports are read, against gold headings.

1. The seeds against ../shared/gold/seed_headings.tsv: articles found, first-level
   headings (recall, precision) and the chapter of first-level headings (a two-label
   gold heading counts when drafter's top chapter is one of them), matched by line.
2. The dev set ../shared/dev/ (real report openings no rule was written from) against
   its gold.tsv, when the folder is there: titles found, headings of any level found
   (recall, precision) and chapter right on the found headings, per file and in total.
   A gold heading is an exact substring of the file; it counts as found when one of
   drafter's headings has the same text up to spaces, punctuation and bracket width
   (``clean.title_key``), each drafter heading matching at most one gold heading. A
   title counts when drafter's article title (alone or with its subtitle) matches.

3. Speed on run-together text: the seeds' compilation pasted as one line of about 200 KB
   (no line breaks; once with three-space paragraph gaps), segmented in process and read
   by `drafter sections --json` in a fresh process (start-up and imports included).
   Target: under a second.

    python benchmarks/ingest_quality.py [--gold PATH] [--dev DIR] [--misses]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.clean import title_key  # noqa: E402
from drafter.ingest import parse_file, parse_text  # noqa: E402


def _read_tsv(path: Path) -> dict[str, list[dict]]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    by_file = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)
    return by_file


def seeds(gold_path: Path) -> None:
    by_file = _read_tsv(gold_path)
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


def score_dev_file(path: Path, gold: list[dict]) -> dict:
    """Counts for one dev file, plus the misses and the extra headings (for --misses)."""
    doc = parse_file(path)
    titles = set()
    for a in doc.articles:
        if a.title:
            titles.add(title_key(a.title))
            titles.add(title_key(a.title + a.subtitle))
    found = [s for a in doc.articles for s in a.sections if s.heading]
    free = {i: title_key(s.heading) for i, s in enumerate(found)}
    g_titles = [r for r in gold if r["kind"] == "title"]
    g_heads = [r for r in gold if r["kind"] == "h"]
    out = {"titles": 0, "g_titles": len(g_titles), "g_h": len(g_heads), "found": len(found), "tp": 0, "chap": 0,
           "missed": [], "wrong_chapter": [], "extra": []}
    for r in g_titles:
        if title_key(r["heading"]) in titles:
            out["titles"] += 1
        else:
            out["missed"].append(("title", r["heading"]))
    for r in g_heads:
        key = title_key(r["heading"])
        hit = next((i for i, k in free.items() if k == key), None)
        if hit is None:
            out["missed"].append(("h", r["heading"]))
            continue
        del free[hit]
        out["tp"] += 1
        if found[hit].chapters and found[hit].chapters[0] in r["chapters"].split("|"):
            out["chap"] += 1
        else:
            out["wrong_chapter"].append((r["heading"], r["chapters"], "|".join(found[hit].chapters)))
    out["extra"] = [found[i].heading for i in sorted(free)]
    return out


def dev(dev_dir: Path, misses: bool) -> None:
    by_file = _read_tsv(dev_dir / "gold.tsv")
    totals = defaultdict(int)
    print("| file | titles found | headings gold | headings found | recall | precision | chapter right (of found) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    for name in sorted(p.name for p in dev_dir.glob("*.txt")):
        s = score_dev_file(dev_dir / name, by_file.get(name, []))
        for k in ("titles", "g_titles", "g_h", "found", "tp", "chap"):
            totals[k] += s[k]
        rec = f"{s['tp'] / s['g_h']:.2f}" if s["g_h"] else "–"
        prec = f"{s['tp'] / s['found']:.2f}" if s["found"] else "–"
        print(f"| {name[:40]} | {s['titles']}/{s['g_titles']} | {s['g_h']} | {s['found']} | {rec} | {prec} | {s['chap']}/{s['tp']} |")
        if misses:
            notes.append((name, s))
    t = totals
    print(
        f"| **all** | {t['titles']}/{t['g_titles']} = {t['titles'] / max(t['g_titles'], 1):.3f} | {t['g_h']} | {t['found']} "
        f"| {t['tp'] / max(t['g_h'], 1):.3f} | {t['tp'] / max(t['found'], 1):.3f} "
        f"| {t['chap']}/{t['tp']} = {t['chap'] / max(t['tp'], 1):.3f} |"
    )
    for name, s in notes:
        if s["missed"] or s["wrong_chapter"] or s["extra"]:
            print(f"\n{name}")
            for kind, h in s["missed"]:
                print(f"  missed {kind}: {h}")
            for h, g, d in s["wrong_chapter"]:
                print(f"  chapter: {h}  gold {g}  drafter {d}")
            for h in s["extra"]:
                print(f"  extra: {h}")


def paste_speed() -> None:
    text = (ROOT / "corpus" / "004_5b471ee912e3ac09.txt").read_text("utf-8")
    print("| paste | bytes | headings found | segment in process (s) | `drafter sections --json` wall (s) | its CPU (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, sep in (("one line", ""), ("one line, 3-space gaps", "   ")):
        one = text.replace("\n", sep)
        while len(one.encode("utf-8")) > 200_000:
            one = one[: int(len(one) * 0.95)]
        t0 = time.perf_counter()
        doc = parse_text(one)
        inproc = time.perf_counter() - t0
        heads = sum(1 for a in doc.articles for s in a.sections if s.heading)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "paste.txt"
            path.write_text(one, "utf-8")
            env = dict(os.environ, DRAFTER_HOME=tmp)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "drafter.cli", "sections", str(path), "--json"], check=True,
                           stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"| {label} | {len(one.encode('utf-8')):,} | {heads} | {inproc:.2f} | {wall:.2f} | {cpu:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "gold" / "seed_headings.tsv")
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "dev")
    ap.add_argument("--misses", action="store_true", help="list missed and extra headings of the dev set")
    args = ap.parse_args()
    print("Seeds\n")
    seeds(args.gold)
    if (args.dev / "gold.tsv").exists():
        print("\nDev set\n")
        dev(args.dev, args.misses)
    else:
        print(f"\n(no dev set at {args.dev})")
    print("\nOne-line paste\n")
    paste_speed()


if __name__ == "__main__":
    main()
