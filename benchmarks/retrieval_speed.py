"""Retrieval speed and size as the corpus grows, and `drafter search` from a cold process.

    python benchmarks/retrieval_speed.py [--sizes 1,10,100,100000] [--queries 200] [--no-bm25s]

Sizes are multiples of the embedded corpus (×1, ×10, ×100) or, above 1,000, a number
of passages. The synthetic passages recombine sentences of real seed passages of the
same chapter, with a generated place name in each so that the vocabulary keeps growing
as it would with more reports, and fresh figures. Each size is built in a process of its own
and queried in another, so that each peak memory is its own. Query latency is
``Retriever.search`` on the stored index, as `drafter search` runs it (chapter filter
on three queries in four, highlighting, near-duplicate folding), with the thesaurus
expansion as shipped; then the paraphrase queries (no chapter, most of them expanded),
and the first set again with expansion turned off. Beside it, bm25s on the same passages
and tokens (in a process of its own), with the chapter filter as a weight mask.
"""

from __future__ import annotations

import argparse
import json
import os
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

QUERIES = Path(__file__).with_name("retrieval_queries.json")
PARAPHRASES = Path(__file__).with_name("paraphrase_queries.json")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")


class SyntheticCorpus:
    """A corpus-like object: passages(), fingerprint and dir, for the retriever."""

    def __init__(self, passages, folder: Path):
        self._passages = passages
        self.fingerprint = f"synthetic-{len(passages)}"
        self.dir = folder

    def passages(self):
        return self._passages


def seed_passages():
    from drafter.corpus import Corpus

    return Corpus.load().passages()


def synthesize(seeds, n: int, rng: random.Random):
    from drafter.model import PassageRecord

    if n <= len(seeds):
        return list(seeds[:n])
    # Place names drawn from the characters of the seeds: each new report brings new
    # names, so the vocabulary grows with the corpus (an upper bound on real growth).
    name_chars = sorted({ch for p in seeds for ch in p.text if "\u4e00" <= ch <= "\u9fff"})
    by_chapter: dict[tuple, list[str]] = {}
    for p in seeds:
        by_chapter.setdefault(p.chapters, []).extend(s for s in _SENTENCE.findall(p.text) if len(s) > 4)
    out = list(seeds)
    while len(out) < n:
        base = rng.choice(seeds)
        pool = by_chapter.get(base.chapters) or [base.text]
        place = "".join(rng.choice(name_chars) for _ in range(2)) + rng.choice("县区市")
        body = "".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
        body = re.sub(r"\d+(\.\d+)?", lambda _: str(rng.randint(2, 999)), body)
        out.append(
            PassageRecord(
                text=f"{place}总工会{body}",
                chapters=base.chapters,
                file=f"synthetic-{len(out) // 40:05d}.txt",
                article=f"{place}总工会工作总结",
                heading=base.heading,
                org=f"{place}总工会",
                year=rng.choice([2021, 2022, 2023, 2024]),
                kind=base.kind,
            )
        )
    return out


def peak_mb() -> float:
    """Peak resident memory of this process. VmHWM, unlike ru_maxrss, is not inherited
    through fork and exec from the (bigger) process that started this one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, n_queries: int) -> dict:
    from drafter.resources import user_home
    from drafter.search import Retriever

    seeds = seed_passages()
    target = n * len(seeds) if n <= 1000 else n
    passages = synthesize(seeds, target, random.Random(7))
    chars = sum(len(p.text) for p in passages)
    folder = user_home() / "synthetic-corpus"  # the home is a temporary folder of main()
    corpus = SyntheticCorpus(passages, folder)

    # One-off cost of any build, whatever the corpus size: jieba's dictionary. Timed
    # apart so that the build column shows the work that grows.
    start = time.perf_counter()
    from drafter.tokenize import words

    words("预热")
    startup = time.perf_counter() - start

    start = time.perf_counter()
    Retriever(corpus).rebuild()
    build = time.perf_counter() - start
    size = sum(f.stat().st_size for f in (folder / "index").iterdir())

    # Queries in a process of their own, as `drafter search` runs: it loads the stored
    # index and builds nothing, so its peak memory is the query-time one.
    out = subprocess.run(
        [sys.executable, __file__, "--query-index", str(folder), "--fingerprint", corpus.fingerprint,
         "--queries", str(n_queries)],
        check=True, capture_output=True, text=True,
    )
    return {
        "passages": len(passages),
        "chars": chars,
        "startup_s": startup,
        "build_s": build,
        "chars_per_s": chars / build,
        "index_mb": size / 1e6,
        "build_peak_mb": peak_mb(),
        **json.loads(out.stdout.strip().splitlines()[-1]),
    }


def run_queries(folder: Path, fingerprint: str, n_queries: int) -> dict:
    from drafter.search import Retriever

    corpus = SyntheticCorpus([], folder)
    corpus.fingerprint = fingerprint
    start = time.perf_counter()
    r = Retriever(corpus).load()
    load = time.perf_counter() - start
    assert r.index_status_ == "loaded", r.index_status_

    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    data = json.loads(PARAPHRASES.read_text(encoding="utf-8"))
    paraphrases = [(q["query"], None) for q in data["tune"] + data["heldout"]]
    r.search(queries[0]["query"], chapter=queries[0]["chapter"])  # the first query loads jieba
    main = [(q["query"], q["chapter"] if i % 4 else None) for i, q in enumerate(queries)]

    def timed(pairs) -> tuple[list[float], list[float]]:
        """Wall and CPU milliseconds per query, each sorted (CPU time is what the query
        costs when other processes share the cores)."""
        wall, cpu = [], []
        for i in range(n_queries):
            query, chapter = pairs[i % len(pairs)]
            start, start_cpu = time.perf_counter(), time.process_time()
            r.search(query, chapter=chapter, k=10)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        return sorted(wall), sorted(cpu)

    def p95(times):
        return times[int(0.95 * (len(times) - 1))]

    (times, cpu), (para, para_cpu) = timed(main), timed(paraphrases)
    thesaurus, r.thesaurus = r.thesaurus, None
    plain, plain_cpu = timed(main)
    r.thesaurus = thesaurus
    return {
        "terms": len(r.vocabulary_),
        "load_s": load,
        "p50_ms": statistics.median(times),
        "p95_ms": p95(times),
        "para_p50_ms": statistics.median(para),
        "para_p95_ms": p95(para),
        "plain_p95_ms": p95(plain),
        "cpu_p95_ms": p95(cpu),
        "para_cpu_p95_ms": p95(para_cpu),
        "plain_cpu_p95_ms": p95(plain_cpu),
        "query_peak_mb": peak_mb(),
    }


def run_bm25s(n: int, n_queries: int) -> dict:
    """bm25s (Lucene's BM25) on the same synthetic passages and the same tokens (drafter's
    default analyzer), in a process of its own: tokenising, indexing, then the main query
    set with the chapter filter as a weight mask (bm25s has no filter of its own)."""
    import bm25s
    import numpy as np

    from drafter.search import DEFAULT_ANALYZER
    from drafter.tokenize import make_analyzer

    seeds = seed_passages()
    passages = synthesize(seeds, n * len(seeds) if n <= 1000 else n, random.Random(7))
    analyze = make_analyzer(DEFAULT_ANALYZER)
    analyze("预热")  # jieba's dictionary, a one-off cost left out as in drafter's build column
    start = time.perf_counter()
    docs = [analyze(p.text) for p in passages]
    tokenize_s = time.perf_counter() - start
    start = time.perf_counter()
    model = bm25s.BM25()
    model.index(docs, show_progress=False)
    index_s = time.perf_counter() - start
    del docs
    vocab = model.vocab_dict
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    masks: dict[str, object] = {}
    times = []
    for i in range(n_queries):
        q = queries[i % len(queries)]
        chapter = q["chapter"] if i % 4 else None
        start = time.perf_counter()
        toks = [t for t in analyze(q["query"]) if t in vocab]
        if chapter and chapter not in masks:
            masks[chapter] = np.array([any(chapter in c for c in p.chapters) for p in passages], dtype=np.float32)
        if toks:
            model.retrieve([toks], k=10, show_progress=False, weight_mask=masks.get(chapter) if chapter else None)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"tokenize_s": tokenize_s, "index_s": index_s, "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))], "peak_mb": peak_mb()}


def cold_search(args: list[str], runs: int = 7) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of `drafter search` in a fresh process, index
    and caches already built."""
    cmd = [sys.executable, "-m", "drafter.cli", "search", *args, "-k", "10"]
    with tempfile.TemporaryDirectory(prefix="drafter-cold-") as home:
        env = dict(os.environ, DRAFTER_HOME=home)
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)  # builds index and caches
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,100,100000", help="×N of the seeds, or a passage count above 1000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # build one size in this process
    ap.add_argument("--query-index", type=Path, help=argparse.SUPPRESS)  # query a built index
    ap.add_argument("--fingerprint", help=argparse.SUPPRESS)
    ap.add_argument("--bm25s-one", type=int, help=argparse.SUPPRESS)  # bm25s on one size
    ap.add_argument("--no-bm25s", action="store_true", help="skip the bm25s comparison")
    args = ap.parse_args()
    if args.bm25s_one is not None:
        print(json.dumps(run_bm25s(args.bm25s_one, args.queries)))
        return
    if args.query_index is not None:
        print(json.dumps(run_queries(args.query_index, args.fingerprint, args.queries)))
        return
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.queries)))
        return

    print(
        "| 规模 | 段落 | 字符 | 词项 | 启动 s | 建索引 s | 字符/s | 建索引峰值内存 MB | 索引 MB "
        "| 载入 s | 查询 p50 ms | 查询 p95 ms | 改写查询 p50 ms | 改写查询 p95 ms | 不扩展 p95 ms "
        "| CPU p95 ms（查询/改写/不扩展） | 查询进程峰值内存 MB |"
    )
    print("|---" * 17 + "|")
    bm25_rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="drafter-speed-") as home:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--queries", str(args.queries)],
                check=True,
                capture_output=True,
                text=True,
                env=dict(os.environ, DRAFTER_HOME=home),
            )
        m = json.loads(out.stdout.strip().splitlines()[-1])
        label = f"×{size}" if size <= 1000 else f"{size:,}"
        print(
            f"| {label} | {m['passages']:,} | {m['chars']:,} | {m['terms']:,} | {m['startup_s']:.1f} | "
            f"{m['build_s']:.1f} | {m['chars_per_s']:,.0f} | {m['build_peak_mb']:.0f} | {m['index_mb']:.1f} | "
            f"{m['load_s']:.2f} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} | {m['para_p50_ms']:.1f} | "
            f"{m['para_p95_ms']:.1f} | {m['plain_p95_ms']:.1f} | {m['cpu_p95_ms']:.1f} / "
            f"{m['para_cpu_p95_ms']:.1f} / {m['plain_cpu_p95_ms']:.1f} | {m['query_peak_mb']:.0f} |",
            flush=True,
        )
        if not args.no_bm25s:
            out = subprocess.run([sys.executable, __file__, "--bm25s-one", str(size), "--queries", str(args.queries)],
                                 check=True, capture_output=True, text=True)
            bm25_rows.append((label, m, json.loads(out.stdout.strip().splitlines()[-1])))
    if bm25_rows:
        print("\n同样的段落和词（drafter 默认分词），bm25s 对照（bm25s 的建索引不含分词，分词另列；"
              "查询含分词，章节筛选用 weight_mask）：\n")
        print("| 规模 | drafter 建索引 s（含分词） | bm25s 分词 s | bm25s 建索引 s | drafter 查询 p50 ms | drafter 查询 p95 ms "
              "| bm25s 查询 p50 ms | bm25s 查询 p95 ms | bm25s 峰值内存 MB |")
        print("|---" * 9 + "|")
        for label, m, b in bm25_rows:
            print(f"| {label} | {m['build_s']:.1f} | {b['tokenize_s']:.1f} | {b['index_s']:.1f} | {m['p50_ms']:.1f} | "
                  f"{m['p95_ms']:.1f} | {b['p50_ms']:.1f} | {b['p95_ms']:.1f} | {b['peak_mb']:.0f} |", flush=True)
    for args in (["户外劳动者服务站点", "--chapter", "维权"], ["工会的钱怎么管"]):
        walls, cpus = cold_search(args)
        print(
            f"\n冷启动 `drafter search {' '.join(args)}`（内置语料，索引已建好，{len(walls)} 次）："
            f"中位 {statistics.median(walls):.2f} s，最慢 {max(walls):.2f} s，最快 {min(walls):.2f} s；"
            f"CPU 时间中位 {statistics.median(cpus):.2f} s"
        )


if __name__ == "__main__":
    main()
