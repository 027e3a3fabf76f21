"""What a hit shows: highlighting on real passages, the near-duplicate fold, sources of folded hits."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from drafter import tokenize
from drafter.corpus import Corpus
from drafter.search import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, Retriever, highlight

DEV = Path(__file__).resolve().parents[2] / "shared" / "dev"


def _marked_by_spans(text: str, terms: list[str]) -> str:
    """The plain definition: every occurrence of every term in the normalised text, the spans
    merged where they overlap or touch, the original characters marked."""
    hay = tokenize.normalize(text)
    if len(hay) != len(text):
        hay = text.lower()
    covered = [False] * len(text)
    for term in terms:
        start = hay.find(term) if term else -1
        while start >= 0:
            covered[start : start + len(term)] = [True] * len(term)
            start = hay.find(term, start + 1)
    out, inside = [], False
    for ch, c in zip(text, covered):
        if c != inside:
            out.append(HIGHLIGHT_OPEN if c else HIGHLIGHT_CLOSE)
            inside = c
        out.append(ch)
    if inside:
        out.append(HIGHLIGHT_CLOSE)
    return "".join(out)


def _texts() -> list[str]:
    texts = [p.text for p in Corpus.load().passages()]
    if DEV.is_dir():
        for f in sorted(DEV.glob("*.txt")):
            texts += [line for line in f.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return texts


def test_highlight_is_the_union_of_all_occurrences():
    """Highlighting gives what marking every occurrence gives (the text normalised only where
    that can matter), on the seeds (and dev reports when present), with the passage's own
    words, words of other passages, overlapping pairs and odd terms."""
    texts = _texts()
    rng = random.Random(3)
    pool = sorted({tokenize.surface(w) for t in texts[:400] for w in tokenize.words(t, compact=True)})
    chained = ["劳动", "动者", "工会", "会员", "职工", "工之家"]  # ends that begin others
    checked = 0
    for text in texts:
        own = sorted({tokenize.surface(w) for w in tokenize.words(text, compact=True)})
        for terms in (rng.sample(own, min(5, len(own))) + rng.sample(pool, 3), chained, ["abc", "12", "２０２３"]):
            terms = sorted(set(terms), key=len, reverse=True)
            assert highlight(text, terms) == _marked_by_spans(text, terms), (text[:40], terms)
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("text", "terms", "marked"),
    [
        ("劳模精神劳动精神", ["劳模精神", "劳动精神", "精神"], "**劳模精神劳动精神**"),  # touching runs join
        ("全体会员大会", ["全体会", "会员"], "**全体会员**大会"),  # 会 ends one and begins the other
        ("ＡＢＣ工会", ["abc"], "**ＡＢＣ**工会"),  # full-width letters found through normalising
        ("職工之家", ["职工"], "**職工**之家"),  # traditional characters too
        ("工会", [], "工会"),
        ("**县总工会", ["总工会"], "**县**总工会**"),  # the text's own asterisks stay as they are
    ],
)
def test_highlight_cases(text, terms, marked):
    assert highlight(text, terms) == marked


def test_folded_hits_keep_their_sources():
    """A folded near-duplicate is listed by its source; the kept hit's fields match its passage."""
    r = Retriever(Corpus.load()).load()
    for query in ("职工驿站", "劳动和技能竞赛", "送温暖", "劳模创新工作室", "工会经费"):
        for hit in r.search(query, k=10):
            assert hit.highlighted.replace(HIGHLIGHT_OPEN, "").replace(HIGHLIGHT_CLOSE, "") == hit.text
            for src in hit.also_in:
                assert src.file and src.article is not None


class _Table:
    """What NearDuplicates reads of a passage table."""

    def __init__(self, minhash, shingles):
        self.minhash, self.shingles = minhash, shingles


def test_near_duplicate_blocks_give_the_pairwise_verdicts():
    """Verdicts made a block of hits at a time (bits per hit) equal the overlap estimated
    pair by pair, across block boundaries, and first_match finds the first kept duplicate."""
    import numpy as np

    from drafter import backend
    from drafter.index import EMPTY_BIN, MINHASH, jaccard_estimate

    rng = np.random.default_rng(5)
    n = 3 * backend.DUP_BLOCK + 7
    sigs = rng.integers(0, 1 << 20, (n, MINHASH), dtype=np.uint32)
    for a, b in [(0, 1), (2, 17), (17, 40), (20, 21), (33, n - 1), (5, 6), (6, 7)]:  # planted copies
        sigs[b] = sigs[a]
        sigs[b, rng.integers(0, MINHASH, 4)] = 7  # a few bins differ
    sigs[9, 40:] = EMPTY_BIN  # a short passage
    sizes = rng.integers(20, 200, n).astype(np.int32)
    table = _Table(sigs, sizes)

    def overlap(i, j):
        jac = jaccard_estimate(sigs[i : i + 1], sigs[j : j + 1])[0, 0]
        small = min(sizes[i], sizes[j])
        return jac * (sizes[i] + sizes[j]) / (1 + jac) / small

    rows = list(range(n))
    same = backend.NearDuplicates(table, rows)
    for i in range(n):
        for j in range(i + 1, n):
            assert same[i, j] == same[j, i] == (overlap(i, j) >= backend.DUP_OVERLAP), (i, j)
    assert same[2, 17] and same[17, 40] and same[33, n - 1]  # across block boundaries

    kept, folded = [], {}
    fresh = backend.NearDuplicates(table, rows)
    for j in range(n):
        match = fresh.first_match(kept, j)
        expected = next((p for p, i in enumerate(kept) if overlap(i, j) >= backend.DUP_OVERLAP), None)
        assert match == expected, j
        if match is None:
            kept.append(j)
        else:
            folded[j] = kept[match]
    assert folded[1] == 0 and folded[21] == 20 and folded[n - 1] == 33 and 7 in folded
