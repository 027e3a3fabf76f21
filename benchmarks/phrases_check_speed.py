"""Speed of the phrasing bank and the draft check on the embedded corpus, and of the copy
index as the corpus grows.

    python benchmarks/phrases_check_speed.py [--sizes 1,10,100] [--repeat 3]

1. In process, on the embedded corpus: mine_headings / mine_formulations / mine_patterns
   for each main chapter (jieba already loaded), and check_file on the annual example
   draft (.md and .docx) with its figures, copy index built and then cached.
2. Cold processes: `drafter phrases --chapter 建功` (all three types),
   `drafter check 初稿.docx --figures 例.yaml`, and the same check of a 10-page draft (the
   example's body written four times, 10 A4 pages in LibreOffice) with the full
   formulation bank, usage rules and the near-copy index; wall time including start-up.
3. The copy index over ×N the embedded passages (every sentence given a generated place
   name and fresh figures so nothing repeats), each size in its own process: build time,
   lookup time per sentence (p50/p95 over 50 corpus sentences pasted in and the example
   draft's own sentences), how many pasted sentences were found, how many of the draft's
   own sentences were wrongly taken for copies, and peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_NAME_CHARS = "东西南北中安平和兴华宁泰昌盛丰永新长青白云山河湖江海林阳城川峰源清远定武文德福康"


def _example_yaml() -> Path:
    return next(p for p in sorted((ROOT / "examples").glob("*.yaml")) if "年度" in p.name)


def _write_example(folder: Path) -> tuple[Path, Path]:
    from drafter.docx_writer import write_docx
    from drafter.draft import build_draft
    from drafter.figures import load_figures
    from drafter.markdown_writer import draft_markdown

    draft = build_draft(load_figures(_example_yaml()), refs=0)
    md, docx = folder / "初稿.md", folder / "初稿.docx"
    md.write_text(draft_markdown(draft), encoding="utf-8")
    write_docx(draft, docx)
    return md, docx


def _write_ten_pages(folder: Path) -> Path:
    """The annual example with its body four times over: 10 A4 pages in LibreOffice."""
    from drafter.docx_writer import write_docx
    from drafter.draft import build_draft
    from drafter.figures import load_figures

    draft = build_draft(load_figures(_example_yaml()), refs=0)
    head, body = draft.blocks[:1], draft.blocks[1:]
    tail = [b for b in body if b.kind in ("sign", "date")]
    body = [b for b in body if b.kind not in ("sign", "date")]
    draft.blocks = head + body * 4 + tail
    return write_docx(draft, folder / "十页稿.docx")


def in_process(repeat: int) -> list[tuple[str, float]]:
    from drafter.check import check_file, copy_index
    from drafter.corpus import Corpus
    from drafter.model import MAIN_CHAPTERS
    from drafter.phrases import mine_formulations, mine_headings, mine_patterns

    corpus = Corpus.load()
    import jieba

    jieba.initialize()
    rows = []
    for name, fn in (("headings", mine_headings), ("formulations", mine_formulations), ("patterns", mine_patterns)):
        for ch in MAIN_CHAPTERS:
            best = min(_timed(lambda: fn(corpus, ch)) for _ in range(repeat))
            rows.append((f"phrases {name} {ch}", best))
    rows.append(("copy index build (embedded corpus)", _timed(lambda: copy_index(corpus))))
    with tempfile.TemporaryDirectory() as tmp:
        md, docx = _write_example(Path(tmp))
        figures = _example_yaml()
        ten = _write_ten_pages(Path(tmp))
        for label, path in (("check example .md (index cached)", md), ("check example .docx (index cached)", docx),
                            ("check 10-page .docx (index cached)", ten)):
            best = min(_timed(lambda: check_file(path, figures=figures, corpus=corpus)) for _ in range(repeat))
            rows.append((label, best))
    return rows


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def cold(repeat: int) -> list[tuple[str, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        md, docx = _write_example(Path(tmp))
        ten = _write_ten_pages(Path(tmp))
        commands = {
            "drafter phrases --chapter 建功 (all types)": ["phrases", "--chapter", "建功"],
            "drafter phrases --chapter 建功 --type patterns": ["phrases", "--chapter", "建功", "--type", "patterns"],
            "drafter check 初稿.docx --figures": ["check", str(docx), "--figures", str(_example_yaml())],
            "drafter check 十页稿.docx --figures (10 pages)": ["check", str(ten), "--figures", str(_example_yaml())],
        }
        for label, args in commands.items():
            walls = []
            for _ in range(repeat):
                t = time.perf_counter()
                proc = subprocess.run([sys.executable, "-m", "drafter.cli", *args], capture_output=True, cwd=ROOT)
                walls.append(time.perf_counter() - t)
                if proc.returncode not in (0, 1):
                    raise SystemExit(f"{label} failed: {proc.stderr.decode()}")
            rows.append((label, min(walls)))
    return rows


def _synthetic_records(times: int):
    from drafter.corpus import Corpus
    from drafter.model import PassageRecord

    seeds = Corpus.load().passages()
    if times == 1:
        return seeds
    rng = random.Random(times)
    out = []
    for k in range(times):
        for rec in seeds:
            place = "".join(rng.choice(_NAME_CHARS) for _ in range(2)) + rng.choice("县区市")
            text = re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), rec.text)
            text = place + re.sub(r"(?<=[。；])(?=.)", place, text)  # every sentence becomes new text
            out.append(PassageRecord(text, rec.chapters, f"{k}_{rec.file}", rec.article, rec.heading))
    return out


def scale_one(times: int) -> dict:
    from drafter.check import CopyIndex, _norm, read_paragraphs
    from drafter.phrases import sentences

    records = _synthetic_records(times)
    chars = sum(len(r.text) for r in records)
    before = _rss_mb()
    t = time.perf_counter()
    index = CopyIndex().fit(records)
    build = time.perf_counter() - t
    index_mb = _rss_mb() - before
    with tempfile.TemporaryDirectory() as tmp:
        md, _ = _write_example(Path(tmp))
        own = [s for p in read_paragraphs(md) for s in sentences(p)]
    rng = random.Random(0)
    # Pasted sentences: long enough to count as copies, one from each of 50 random passages.
    long_enough = [r for r in records if any(len(_norm(x)) >= 20 for x in sentences(r.text))]
    pasted = [next(x for x in sentences(r.text) if len(_norm(x)) >= 20) for r in rng.sample(long_enough, 50)]
    lat = []
    found = sum(_lookup(index, s, lat) is not None for s in pasted)
    false_hits = sum(_lookup(index, s, lat) is not None for s in own)
    lat.sort()
    # Near copies: each pasted sentence with two characters changed (one in each half).
    edited = [_edit_two(s, rng) for s in pasted]
    near_lat: list[float] = []
    near_found = sum(_near(index, s, near_lat) is not None for s in edited)
    near_false = sum(_near(index, s, near_lat) is not None for s in own)
    near_lat.sort()
    return {
        "times": times,
        "passages": len(records),
        "chars": chars,
        "build_s": build,
        "p50_ms": statistics.median(lat),
        "p95_ms": lat[int(0.95 * (len(lat) - 1))],
        "pasted_found": f"{found}/{len(pasted)}",
        "near_p50_ms": statistics.median(near_lat),
        "near_p95_ms": near_lat[int(0.95 * (len(near_lat) - 1))],
        "edited_found": f"{near_found}/{len(edited)}",
        "near_false": f"{near_false}/{len(own)}",
        "false_hits": f"{false_hits}/{len(own)}",
        "index_mb": index_mb,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _edit_two(sentence: str, rng: random.Random) -> str:
    """Two characters changed, one in each half (a word swapped for a near word)."""
    chars = list(sentence)
    cjk = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    half = len(cjk) // 2
    for i in (rng.choice(cjk[:half]), rng.choice(cjk[half:])):
        chars[i] = "甲" if chars[i] != "甲" else "乙"
    return "".join(chars)


def _near(index, sentence: str, lat: list[float]):
    t = time.perf_counter()
    hit = index.near(sentence)
    lat.append((time.perf_counter() - t) * 1000)
    return hit


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _lookup(index, sentence: str, lat: list[float]):
    t = time.perf_counter()
    hit = index.lookup(sentence)
    lat.append((time.perf_counter() - t) * 1000)
    return hit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,10,100", help="multiples of the embedded corpus for the copy index")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is shown")
    ap.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one)))
        return

    print("| step (embedded corpus, in process) | time (s) |\n|---|---:|")
    for label, sec in in_process(args.repeat):
        print(f"| {label} | {sec:.3f} |")
    print("\n| command (cold process, wall) | time (s) |\n|---|---:|")
    for label, sec in cold(args.repeat):
        print(f"| {label} | {sec:.2f} |")
    print(
        "\n| corpus | passages | characters | index build (s) | lookup p50 (ms) | lookup p95 (ms) | pasted found | false hits in example "
        "| near p50 (ms) | near p95 (ms) | two chars changed, found | near false hits in example | index memory (MB) | peak RSS (MB) |"
        "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for times in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--scale-one", str(times)], capture_output=True, text=True, check=True
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| ×{r['times']} | {r['passages']:,} | {r['chars']:,} | {r['build_s']:.2f} | {r['p50_ms']:.3f} | "
            f"{r['p95_ms']:.3f} | {r['pasted_found']} | {r['false_hits']} | {r['near_p50_ms']:.3f} | {r['near_p95_ms']:.3f} | "
            f"{r['edited_found']} | {r['near_false']} | {r['index_mb']:.0f} | {r['peak_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
