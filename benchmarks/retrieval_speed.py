"""Retrieval speed and size as the corpus grows, and `drafter search` from a cold process.

    python benchmarks/retrieval_speed.py [--sizes 1,10,100000,1000000] [--queries 200] [--no-bm25s]

Sizes are multiples of the embedded corpus (×1, ×10, ×100) or, above 1,000, a number
of passages. The synthetic passages recombine sentences of real seed passages of the
same chapter, with a generated place name in each so that the vocabulary keeps growing
as it would with more reports, and fresh figures. Each size is streamed from a generator
into ``drafter.index.build_index`` (on every core) and stored, in a process of its own;
then other processes open it cold and answer one query (as `drafter search` does), run
the query sets, and add 1% more documents to it (``InProcessIndex.add``), so that each
peak memory is its own. Query latency is
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
_FIGURE = re.compile(r"(\d+(?:\.\d+)?)")


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
    """n passages: the seeds, then synthetic ones. The synthetic passages recombine sentences
    of seed passages of the same chapter, with place names drawn from the characters of the
    seeds (each new report brings new names, so the vocabulary grows with the corpus: an upper
    bound on real growth) and fresh figures."""
    return list(synthesize_iter(seeds, n, rng))


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


def synthesize_iter(seeds, n: int, rng: random.Random, documents: list | None = None):
    """The passages of ``synthesize`` one by one (a million need not sit in memory); when
    ``documents`` is given, (file, passages) runs are appended to it as they are made."""
    from drafter.model import PassageRecord

    def note(rec):
        if documents is not None:
            if documents and documents[-1][0] == rec.file:
                documents[-1] = (rec.file, documents[-1][1] + 1)
            else:
                documents.append((rec.file, 1))
        return rec

    for rec in seeds[:n]:
        yield note(rec)
    if n <= len(seeds):
        return
    name_chars = sorted({ch for p in seeds for ch in p.text if "\u4e00" <= ch <= "\u9fff"})
    by_chapter: dict[tuple, list[list[str]]] = {}
    for p in seeds:
        # each sentence split once at its figures: text, figure, text, ... (figures replaced below)
        by_chapter.setdefault(p.chapters, []).extend(
            _FIGURE.split(s) for s in _SENTENCE.findall(p.text) if len(s) > 4)
    for i in range(len(seeds), n):
        base = rng.choice(seeds)
        pool = by_chapter.get(base.chapters) or [_FIGURE.split(base.text)]
        place = "".join(rng.choice(name_chars) for _ in range(2)) + rng.choice("县区市")
        pieces: list[str] = []  # text, figure, text, ...
        for _ in range(rng.randint(1, 4)):
            split = rng.choice(pool)
            if pieces:
                pieces[-1] += split[0]
                pieces += split[1:]
            else:
                pieces += split
        body = "".join(str(rng.randint(2, 999)) if j % 2 else piece for j, piece in enumerate(pieces))
        yield note(PassageRecord(
            text=f"{place}总工会{body}",
            chapters=base.chapters,
            file=f"synthetic-{i // 40:05d}.txt",
            article=f"{place}总工会工作总结",
            heading=base.heading,
            org=f"{place}总工会",
            year=rng.choice([2021, 2022, 2023, 2024]),
            kind=base.kind,
        ))


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_s() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_one(n: int, n_queries: int) -> dict:
    """Build one size streamed from the generator, store it, then time it from other processes."""
    from drafter import tokenize
    from drafter.index import build_index, save_index
    from drafter.resources import user_home
    from drafter.search import Retriever

    seeds = seed_passages()
    target = n * len(seeds) if n <= 1000 else n
    folder = user_home() / "synthetic-corpus"  # the home is a temporary folder of main()
    corpus = SyntheticCorpus([], folder)
    corpus.fingerprint = f"synthetic-{target}"
    r = Retriever(corpus)

    # One-off cost of any build, whatever the corpus size: jieba's dictionary. Timed
    # apart so that the build column shows the work that grows.
    start = time.perf_counter()
    tokenize.words("预热")
    startup = time.perf_counter() - start

    documents: list = []
    chars = [0]

    def passages():
        for rec in synthesize_iter(seeds, target, random.Random(7), documents):
            chars[0] += len(rec.text)
            yield rec

    start, start_cpu = time.perf_counter(), cpu_s()
    data = build_index(passages(), r.analyzer, config=r._config(), fingerprint=r._fingerprint(), total=target,
                       documents=documents, scratch_dir=folder / "index")
    save_index(folder / "index", data, settings=r._settings())
    build, build_cpu = time.perf_counter() - start, cpu_s() - start_cpu
    size = sum(f.stat().st_size for f in (folder / "index").rglob("*") if f.is_file())
    build_peak, worker_peak = peak_mb(), children_peak_mb()
    del data

    def child(*flags) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, *flags, str(folder), "--fingerprint", corpus.fingerprint,
             "--queries", str(n_queries), "--one", str(n)],
            check=True, capture_output=True, text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    tokenize.words("预热", compact=True)  # the query dictionary's cache, as any used home has it
    # A cold process that opens the index and answers one query, as `drafter search` does.
    start = time.perf_counter()
    cold = child("--cold-index")
    cold["cold_wall_s"] = time.perf_counter() - start
    # Queries in a process of their own: it loads the stored index and builds nothing, so
    # its peak memory is the query-time one.
    queries = child("--query-index")
    # Adding 1% more documents to the stored index, in a process of its own.
    append = child("--append-index")
    return {
        "passages": target,
        "chars": chars[0],
        "startup_s": startup,
        "build_s": build,
        "build_cpu_s": build_cpu,
        "chars_per_s": chars[0] / build,
        "index_mb": size / 1e6,
        "build_peak_mb": build_peak,
        "worker_peak_mb": worker_peak,
        **cold,
        **queries,
        **append,
    }


def _stored(folder: Path, fingerprint: str):
    from drafter.search import Retriever

    corpus = SyntheticCorpus([], folder)
    corpus.fingerprint = fingerprint
    return Retriever(corpus)


def _opened(folder: Path, fingerprint: str):
    """(retriever, seconds to open the stored index), libraries imported before the clock starts."""
    r = _stored(folder, fingerprint)
    r._fingerprint()  # imports jieba for the dictionary's hash: tokenising, not opening
    import numpy  # noqa: F401  (a library import, the same for any index)

    start = time.perf_counter()
    r.load()
    seconds = time.perf_counter() - start
    assert r.index_status_ == "loaded", r.index_status_
    return r, seconds


def run_cold(folder: Path, fingerprint: str) -> dict:
    r, open_s = _opened(folder, fingerprint)
    start = time.perf_counter()
    r.search("户外劳动者服务站点", chapter="维权服务")
    return {"open_s": open_s, "first_query_s": time.perf_counter() - start}


def run_append(folder: Path, fingerprint: str, n: int) -> dict:
    """1% more documents (new synthetic reports) added to the stored index and stored."""
    from drafter.backend import InProcessIndex

    r = _stored(folder, fingerprint).load()
    old = r.backend_.data
    keys = old.keys()
    n_new = max(1, len(old.passages) // 100)
    seeds = seed_passages()
    extra = [rec for rec in synthesize_iter(seeds, len(seeds) + n_new, random.Random(11))][len(seeds):]
    docs = [(k, []) for k in keys] + [(f"appended-{i // 40}", extra[i : i + 40]) for i in range(0, len(extra), 40)]
    start, start_cpu = time.perf_counter(), cpu_s()
    backend = InProcessIndex(r._config(), fingerprint, old)
    backend.add(docs, fingerprint=fingerprint + "+1%", scratch_dir=folder / "index")
    backend.save(folder / "index", settings=r._settings())
    return {"append_s": time.perf_counter() - start, "append_cpu_s": cpu_s() - start_cpu,
            "append_peak_mb": peak_mb(), "appended": n_new}


def run_queries(folder: Path, fingerprint: str, n_queries: int) -> dict:
    r, load = _opened(folder, fingerprint)

    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    data = json.loads(PARAPHRASES.read_text(encoding="utf-8"))
    paraphrases = [(q["query"], None) for q in data["tune"] + data["heldout"]]
    r.search(queries[0]["query"], chapter=queries[0]["chapter"])  # the first query loads jieba
    main = [(q["query"], q["chapter"] if i % 4 else None) for i, q in enumerate(queries)]
    chapters = [(q["query"], q["chapter"]) for q in queries]
    for q, c in main[:20]:  # warm the caches a long-running process (drafter serve) has
        r.search(q, chapter=c)

    def timed(pairs) -> tuple[list[float], list[float]]:
        """Wall and CPU milliseconds per query, each sorted (CPU time is what the query
        costs when other processes share the cores)."""
        wall, cpu = [], []
        for i in range(n_queries):
            query, chapter = pairs[i % len(pairs)]
            r._expanded.clear()  # the memo that serves one query's two asks: each query pays in full
            start, start_cpu = time.perf_counter(), time.process_time()
            r.search(query, chapter=chapter, k=10)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        return sorted(wall), sorted(cpu)

    def p95(times):
        return times[int(0.95 * (len(times) - 1))]

    (times, cpu), (para, para_cpu), (chap, _) = timed(main), timed(paraphrases), timed(chapters)
    thesaurus, r.thesaurus = r.thesaurus, None
    plain, plain_cpu = timed(main)
    r.thesaurus = thesaurus
    return {
        "terms": len(r.vocabulary_),
        "load_s": load,
        "p50_ms": statistics.median(times),
        "p95_ms": p95(times),
        "chapter_p95_ms": p95(chap),
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
    from drafter.tokenize import analyze_many, make_analyzer

    seeds = seed_passages()
    passages = synthesize(seeds, n * len(seeds) if n <= 1000 else n, random.Random(7))
    analyze = make_analyzer(DEFAULT_ANALYZER)
    analyze("预热")  # jieba's dictionary, a one-off cost left out as in drafter's build column
    start = time.perf_counter()
    docs = analyze_many(DEFAULT_ANALYZER, [p.text for p in passages])  # both cores, as drafter builds
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


def python_yardstick() -> float:
    """Seconds for a fixed pure-Python loop (best of three): virtual machines differ, and one
    machine differs from hour to hour, so each run prints how fast Python was on it."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sum(i * i for i in range(10**7))
        best = min(best, time.perf_counter() - start)
    return best


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
    ap.add_argument("--sizes", default="1,10,100000", help="×N of the seeds, or a passage count above 1000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--bm25s-max", type=int, default=100_000,
                    help="bm25s only up to this many passages (it holds every token list in memory)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # build one size in this process
    ap.add_argument("--query-index", type=Path, help=argparse.SUPPRESS)  # query a built index
    ap.add_argument("--cold-index", type=Path, help=argparse.SUPPRESS)  # open it and answer one query
    ap.add_argument("--append-index", type=Path, help=argparse.SUPPRESS)  # add 1% to it
    ap.add_argument("--fingerprint", help=argparse.SUPPRESS)
    ap.add_argument("--bm25s-one", type=int, help=argparse.SUPPRESS)  # bm25s on one size
    ap.add_argument("--no-bm25s", action="store_true", help="skip the bm25s comparison")
    args = ap.parse_args()
    # The child processes of one run, each printing its figures as JSON.
    jobs = [
        (args.bm25s_one, lambda: run_bm25s(args.bm25s_one, args.queries)),
        (args.query_index, lambda: run_queries(args.query_index, args.fingerprint, args.queries)),
        (args.cold_index, lambda: run_cold(args.cold_index, args.fingerprint)),
        (args.append_index, lambda: run_append(args.append_index, args.fingerprint, args.one)),
        (args.one, lambda: run_one(args.one, args.queries)),
    ]
    for given, job in jobs:
        if given is not None:
            print(json.dumps(job()))
            return

    print(f"机器：{os.cpu_count()} 核；负载 {os.getloadavg()[0]:.1f}（开始时）；"
          f"纯 Python 标尺 {python_yardstick():.2f} s（同一段循环，机器之间、时段之间比快慢用）\n")
    print(
        "| 规模 | 段落 | 字符 | 词项 | 建索引 s（CPU s） | 字符/s | 建索引峰值内存 MB（工作进程） | 索引 MB "
        "| 打开 ms | 冷进程打开+首查 s | 追加 1% s（峰值 MB） | 查询 p50 ms | 查询 p95 ms | 只按章节 p95 ms "
        "| 改写查询 p95 ms | 不扩展 p95 ms | CPU p95 ms（查询/改写/不扩展） | 查询进程峰值内存 MB |"
    )
    print("|---" * 18 + "|")
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
            f"| {label} | {m['passages']:,} | {m['chars']:,} | {m['terms']:,} | "
            f"{m['build_s']:.1f}（{m['build_cpu_s']:.0f}） | {m['chars_per_s']:,.0f} | "
            f"{m['build_peak_mb']:.0f}（{m['worker_peak_mb']:.0f}） | {m['index_mb']:.1f} | "
            f"{m['load_s'] * 1000:.1f} | {m['cold_wall_s']:.2f} | {m['append_s']:.1f}（{m['append_peak_mb']:.0f}） | "
            f"{m['p50_ms']:.2f} | {m['p95_ms']:.2f} | {m['chapter_p95_ms']:.2f} | "
            f"{m['para_p95_ms']:.2f} | {m['plain_p95_ms']:.2f} | {m['cpu_p95_ms']:.2f} / "
            f"{m['para_cpu_p95_ms']:.2f} / {m['plain_cpu_p95_ms']:.2f} | {m['query_peak_mb']:.0f} |",
            flush=True,
        )
        if not args.no_bm25s and m["passages"] <= args.bm25s_max:
            out = subprocess.run([sys.executable, __file__, "--bm25s-one", str(size), "--queries", str(args.queries)],
                                 check=True, capture_output=True, text=True)
            bm25_rows.append((label, m, json.loads(out.stdout.strip().splitlines()[-1])))
    if bm25_rows:
        print("\n同样的段落和词（drafter 默认分词，两个核），bm25s 对照（bm25s 的建索引不含分词，分词另列；"
              "查询含分词，章节筛选用 weight_mask）：\n")
        print("| 规模 | drafter 建索引 s（含分词） | bm25s 分词 s | bm25s 建索引 s | drafter 建索引峰值 MB | bm25s 峰值内存 MB "
              "| drafter 查询 p50 ms | drafter 查询 p95 ms | bm25s 查询 p50 ms | bm25s 查询 p95 ms |")
        print("|---" * 10 + "|")
        for label, m, b in bm25_rows:
            print(f"| {label} | {m['build_s']:.1f} | {b['tokenize_s']:.1f} | {b['index_s']:.1f} | "
                  f"{m['build_peak_mb']:.0f} | {b['peak_mb']:.0f} | {m['p50_ms']:.2f} | "
                  f"{m['p95_ms']:.2f} | {b['p50_ms']:.2f} | {b['p95_ms']:.2f} |", flush=True)
    for args in (["户外劳动者服务站点", "--chapter", "维权"], ["工会的钱怎么管"]):
        walls, cpus = cold_search(args)
        print(
            f"\n冷启动 `drafter search {' '.join(args)}`（内置语料，索引已建好，{len(walls)} 次）："
            f"中位 {statistics.median(walls):.2f} s，最慢 {max(walls):.2f} s，最快 {min(walls):.2f} s；"
            f"CPU 时间中位 {statistics.median(cpus):.2f} s"
        )


if __name__ == "__main__":
    main()
