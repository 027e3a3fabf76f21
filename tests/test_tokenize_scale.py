"""Tokenising at scale: the ordered process pool, analyze_many, and the token stream
every faster path must keep identical (issue 14)."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from drafter import tokenize
from drafter.corpus import Corpus

DEV = Path(__file__).resolve().parents[2] / "shared" / "dev"


# --- map_chunks ----------------------------------------------------------------------------


def _sum_block(block):
    return sum(block)


def _fail_on_13(block):
    if 13 in block:
        raise ValueError("13 in block")
    return len(block)


def test_map_chunks_keeps_input_order_across_workers():
    items = list(range(10_000))
    out = list(tokenize.map_chunks(_sum_block, items, workers=2, chunk=97))
    assert out == [sum(items[i : i + 97]) for i in range(0, len(items), 97)]
    assert not multiprocessing.active_children()


def test_map_chunks_in_process_for_one_worker_or_one_chunk():
    # A lambda cannot be pickled: these paths must not use a pool.
    assert list(tokenize.map_chunks(lambda b: len(b), range(10), workers=1, chunk=3)) == [3, 3, 3, 1]
    assert list(tokenize.map_chunks(lambda b: len(b), range(10), workers=2, chunk=10)) == [10]
    assert list(tokenize.map_chunks(lambda b: len(b), [], workers=2)) == []


def test_map_chunks_reads_a_generator_in_bounded_steps():
    pulled = 0

    def gen():
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield i

    results = tokenize.map_chunks(_sum_block, gen(), workers=2, chunk=100)
    first = next(results)
    assert first == sum(range(100))
    assert pulled <= (2 * 2 + 1) * 100  # never the whole input
    results.close()  # a consumer that stops early ends the pool
    assert not multiprocessing.active_children()


def test_map_chunks_raises_a_workers_error_and_leaves_no_process():
    with pytest.raises(ValueError, match="13 in block"):
        list(tokenize.map_chunks(_fail_on_13, range(1000), workers=2, chunk=10))
    assert not multiprocessing.active_children()
    with pytest.raises(ValueError, match="13 in block"):
        list(tokenize.map_chunks(_fail_on_13, range(1000), workers=1, chunk=10))


# --- the token stream ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    passages = Corpus.load().passages()
    return [p.text for p in passages] + sorted({p.heading for p in passages})


def test_analyze_many_is_analyze_on_every_seed_passage(seed_texts):
    texts = seed_texts * 3  # more than one chunk, so the pool runs
    expected = [tokenize.analyze("word+bigram", t) for t in seed_texts] * 3
    assert tokenize.analyze_many("word+bigram", texts, workers=2) == expected
    assert tokenize.analyze_many("word", seed_texts[:5], workers=1) == [tokenize.analyze("word", t) for t in seed_texts[:5]]
    with pytest.raises(ValueError):
        tokenize.analyze_many("chars", ["工会"])


def _dev_texts() -> list[str]:
    texts = []
    for path in sorted(DEV.glob("*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        texts += [raw] + [line for line in raw.splitlines() if line.strip()]
    return texts


# Text rjieba alone cuts unlike jieba (hyphens, decimals, dots, Han outside jieba's range),
# odd white space and punctuation runs.
_ODD = ["第1-2季度", "48.55kb", "www.workercn.cn", "3.5%", "5g网络", "㐀工会鿦劳模", "工会\x1c职工",
        "……省总工会——", "工会  职工\r\n\r\n代表", "a—b·c", "(1)“劳模”", "#工会&职工+", "【要闻】《工人日报》"]


def _assert_fast_cut_is_jiebas(texts):
    fast = tokenize._rjieba()
    full = tokenize._full_jieba()
    for text in map(tokenize.normalize, texts):
        assert tokenize._cut_fast(fast, text) == list(full.cut_for_search(text)), text[:60]


def test_build_cut_is_jiebas_on_every_seed_passage(seed_texts):
    pytest.importorskip("rjieba")
    _assert_fast_cut_is_jiebas(seed_texts + _ODD)


@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/dev is not beside the checkout")
def test_build_cut_is_jiebas_on_every_dev_text():
    pytest.importorskip("rjieba")
    _assert_fast_cut_is_jiebas(_dev_texts())


def test_build_words_without_rjieba_are_the_same(seed_texts, monkeypatch):
    texts = seed_texts[:200] + _ODD
    with_fast = [tokenize.words(t) for t in texts]
    monkeypatch.setitem(sys.modules, "rjieba", None)  # as if it were not installed
    tokenize._rjieba.cache_clear()
    try:
        assert tokenize._rjieba() is None
        assert [tokenize.words(t) for t in texts] == with_fast
    finally:
        tokenize._rjieba.cache_clear()


def test_query_tokens_are_the_builds_on_every_seed_passage(seed_texts):
    tokenize._compact_jieba.cache_clear()
    try:
        tokenize._compact_jieba()  # writes the hashed dictionary in this test's home
        tokenize._compact_jieba.cache_clear()
        compact = tokenize._compact_jieba()  # read back: the hashed lookups with their memo
        assert isinstance(compact.FREQ, tokenize.HashedFreq)
        build = [tokenize.words(t) for t in seed_texts]
        assert [tokenize.words(t, compact=True) for t in seed_texts] == build
        assert compact.FREQ._memo  # answers kept ...
        assert [tokenize.words(t, compact=True) for t in seed_texts] == build  # ... and served the same
    finally:
        tokenize._compact_jieba.cache_clear()
