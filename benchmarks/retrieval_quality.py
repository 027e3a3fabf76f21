"""Retrieval quality on the embedded seed corpus: drafter's TF-IDF against BM25.

    python benchmarks/retrieval_quality.py [--per-query] [--only paraphrase|words]

The queries and their relevance rules are in retrieval_queries.json beside this file,
in two sets: the main one (used to tune the defaults) and a held-out one written after
the tuning in writers' own words and never used for it. Relevance is the same rule:
a passage is relevant to a query when it is labelled with the query's chapter and
contains at least one word of every group in ``rule.all``. Every system ranks the
passages of the query's chapter (the filter drafter's search applies), and is scored
on its top 10 before near-duplicates are folded, so that all rank the same list.

Systems, all fed by drafter's tokenizer:
- drafter's default (TF-IDF with drafter's default analyzer and settings);
- the other analyzers of drafter (plain words, character bigrams only);
- the default with each tuned setting put back (plain cosine; heading words added);
- BM25 (rank_bm25's BM25Okapi) fed exactly the default's tokens, and fed plain words.

Then the paraphrase set (paraphrase_queries.json, issue 13): queries in clerks' own words
(开职代会, 户外工作者歇脚喝水的地方), each with the concept words that make a passage
relevant, in any chapter; searched without a chapter, as a clerk types them. Written
before any tuning, in a tuning half and a held-out half that was never tuned on.
Systems: drafter as shipped (thesaurus expansion), without expansion, with pseudo-
relevance feedback instead of expansion, with both; BM25 by rank_bm25 and by bm25s on
the same tokens and passages (no expansion).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = Path(__file__).with_name("retrieval_queries.json")
PARAPHRASES = Path(__file__).with_name("paraphrase_queries.json")
K = 10


def relevant(passage, rule) -> bool:
    """The rule's chapter (when it names one) and a word of every group of ``rule.all``."""
    return (not rule.get("chapter") or rule["chapter"] in passage.chapters) and all(
        any(word in passage.text for word in group) for group in rule["all"]
    )


def metrics(ranked: list[int], rel: set[int]) -> tuple[float, float, float]:
    """nDCG@10, P@5 and MRR@10 with binary relevance."""
    dcg = sum(1 / math.log2(r + 2) for r, i in enumerate(ranked[:K]) if i in rel)
    idcg = sum(1 / math.log2(r + 2) for r in range(min(K, len(rel))))
    p5 = sum(1 for i in ranked[:5] if i in rel) / 5
    mrr = next((1 / (r + 1) for r, i in enumerate(ranked[:K]) if i in rel), 0.0)
    return (dcg / idcg if idcg else 0.0), p5, mrr


def top(scores, k: int = K) -> list[int]:
    import numpy as np

    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in order if scores[i] > 0]


def tfidf_system(passages, analyzer: str, **params):
    from drafter.search import Retriever

    r = Retriever(passages, analyzer=analyzer, **params).fit()
    return lambda q, ch: r.scores(q, chapter=ch)


def paraphrase_systems(passages) -> dict:
    from drafter.search import DEFAULT_ANALYZER, Retriever

    hw = Retriever(passages).heading_weight
    a = DEFAULT_ANALYZER
    return {
        "drafter 默认（同义词扩展）": tfidf_system(passages, a, thesaurus="default"),
        "drafter 不扩展": tfidf_system(passages, a, thesaurus=None),
        "drafter 伪相关反馈（不扩展）": tfidf_system(passages, a, thesaurus=None, prf=5),
        "drafter 同义词扩展 + 伪相关反馈": tfidf_system(passages, a, thesaurus="default", prf=5),
        f"BM25（rank_bm25，{a} 同样的词）": bm25_system(passages, a, hw),
        f"BM25（bm25s，{a} 同样的词）": bm25_system(passages, a, hw, library="bm25s"),
    }


def bm25_system(passages, analyzer: str, heading_weight: int, library: str = "rank_bm25"):
    """BM25 over the same tokens drafter's index is built from (text + heading):
    rank_bm25's BM25Okapi, or bm25s (Lucene's variant)."""
    import numpy as np

    from drafter.tokenize import make_analyzer

    analyze = make_analyzer(analyzer)
    docs = [analyze(p.text) + analyze(p.heading) * heading_weight for p in passages]
    if library == "bm25s":
        import bm25s

        model = bm25s.BM25()
        model.index(docs, show_progress=False)
        vocab = model.vocab_dict
        get = lambda toks: model.get_scores([t for t in toks if t in vocab])  # noqa: E731
    else:
        from rank_bm25 import BM25Okapi

        get = BM25Okapi(docs).get_scores
    in_chapter = {}

    def scores(q, ch):
        s = np.maximum(np.asarray(get(analyze(q)), dtype=np.float64), 0.0)
        if ch is None:
            return s
        if ch not in in_chapter:
            in_chapter[ch] = np.array([ch in p.chapters for p in passages])
        return np.where(in_chapter[ch], s, 0.0)

    return scores


def load_passages():
    """The embedded seeds only, never the user's documents (main() gives an empty home)."""
    from drafter.corpus import Corpus

    return Corpus.load().passages()


def systems_for(passages) -> dict:
    from drafter.search import DEFAULT_ANALYZER, Retriever

    hw = Retriever(passages).heading_weight
    systems = {
        f"drafter 默认（TF-IDF，{DEFAULT_ANALYZER}，同义词扩展）": tfidf_system(passages, DEFAULT_ANALYZER),
        "drafter 不扩展": tfidf_system(passages, DEFAULT_ANALYZER, thesaurus=None),
    }
    for name in ("word", "word+bigram", "bigram"):
        if name != DEFAULT_ANALYZER:
            systems[f"TF-IDF，{name}"] = tfidf_system(passages, name)
    # The two settings tuned on the main query set, each put back to show what it is worth.
    systems[f"TF-IDF，{DEFAULT_ANALYZER}，普通余弦（pivot_slope=1）"] = tfidf_system(
        passages, DEFAULT_ANALYZER, pivot_slope=1.0
    )
    systems[f"TF-IDF，{DEFAULT_ANALYZER}，加标题词（heading_weight=1）"] = tfidf_system(
        passages, DEFAULT_ANALYZER, heading_weight=1
    )
    systems[f"BM25（rank_bm25，{DEFAULT_ANALYZER} 同样的词）"] = bm25_system(passages, DEFAULT_ANALYZER, hw)
    if DEFAULT_ANALYZER != "word":
        systems["BM25（rank_bm25，word）"] = bm25_system(passages, "word", hw)
    return systems


def evaluate(passages, systems, queries, per_query: bool = False, filtered: bool = True):
    """Mean metrics per system, and each system's nDCG@10 query by query."""
    judged = []
    for q in queries:
        rel = {i for i, p in enumerate(passages) if relevant(p, q["rule"])}
        if not rel:
            print(f"警告：查询 {q['id']}「{q['query']}」在语料中没有相关段落，不计入。", file=sys.stderr)
            continue
        judged.append((q, rel))

    results: dict[str, dict[str, float]] = {}
    per_query_ndcg: dict[str, list[float]] = {}
    for name, system in systems.items():
        rows = []
        for q, rel in judged:
            m = metrics(top(system(q["query"], q["chapter"] if filtered else None)), rel)
            rows.append((q, m))
            if per_query:
                print(f"{name[:18]:18} {q['id']} {q['chapter']} nDCG={m[0]:.3f} P5={m[1]:.2f} "
                      f"相关={len(rel):3d} {q['query']}")
        n = len(rows)
        per_query_ndcg[name] = [m[0] for _, m in rows]
        results[name] = {
            "nDCG@10": sum(m[0] for _, m in rows) / n,
            "P@5": sum(m[1] for _, m in rows) / n,
            "MRR@10": sum(m[2] for _, m in rows) / n,
        }
        for ch in sorted({q["chapter"] for q, _ in rows}):
            sub = [m[0] for q, m in rows if q["chapter"] == ch]
            results[name][f"nDCG@10 {ch}"] = sum(sub) / len(sub)
        results[name]["P@5 list"] = [m[1] for _, m in rows]
    return results, per_query_ndcg


def print_table(title: str, results, per_query_ndcg) -> None:
    print(f"\n{title}\n")
    cols = ["nDCG@10", "P@5", "MRR@10"]
    chapters = sorted({key.split(" ", 1)[1] for r in results.values() for key in r if key.startswith("nDCG@10 ")})
    print("| 系统 | " + " | ".join(cols) + " | " + " | ".join(f"nDCG {c}" for c in chapters) + " |")
    print("|---" * (1 + len(cols) + len(chapters)) + "|")
    for name, r in results.items():
        cells = [f"{r[c]:.3f}" for c in cols] + [f"{r['nDCG@10 ' + c]:.3f}" for c in chapters]
        print(f"| {name} | " + " | ".join(cells) + " |")
    default, *others = per_query_ndcg
    print(f"\n逐条查询比较 nDCG@10（{default}）：")
    for other in others:
        pairs = list(zip(per_query_ndcg[default], per_query_ndcg[other], strict=True))
        better = sum(a > b + 1e-9 for a, b in pairs)
        worse = sum(b > a + 1e-9 for a, b in pairs)
        print(f"- 对 {other}：胜 {better}，负 {worse}，平 {len(pairs) - better - worse}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-query", action="store_true", help="print every query's scores too")
    ap.add_argument("--only", choices=("paraphrase", "words"), help="run one of the two families of sets")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="drafter-quality-") as home:
        os.environ["DRAFTER_HOME"] = home
        run(args.per_query, args.only)


def run(per_query: bool, only: str | None = None) -> None:
    passages = load_passages()
    if only != "paraphrase":
        systems = systems_for(passages)
        data = json.loads(QUERIES.read_text(encoding="utf-8"))
        for key, title in (("queries", "主查询集（调参所用）"), ("heldout", "留出查询集（调参后写下，未用于调参）")):
            results, per_query_ndcg = evaluate(passages, systems, data[key], per_query=per_query)
            n = len(next(iter(per_query_ndcg.values())))
            print_table(f"{title}：{n} 条查询，{len(passages)} 个段落（内置语料）", results, per_query_ndcg)
    if only != "words":
        systems = paraphrase_systems(passages)
        data = json.loads(PARAPHRASES.read_text(encoding="utf-8"))
        for key, title in (("tune", "改写查询集·调参半"), ("heldout", "改写查询集·留出半（从未用于调参）")):
            results, per_query_ndcg = evaluate(passages, systems, data[key], per_query=per_query, filtered=False)
            n = len(next(iter(per_query_ndcg.values())))
            print_table(f"{title}：{n} 条查询，不限章节，{len(passages)} 个段落（内置语料）", results, per_query_ndcg)
            ours, bm25 = (results[k]["P@5"] for k in list(results)[:1] + [k for k in results if "rank_bm25" in k])
            print(f"\nP@5：drafter 默认 {ours:.3f}，BM25（rank_bm25）{bm25:.3f}，比值 {ours / bm25:.2f}")


if __name__ == "__main__":
    main()
