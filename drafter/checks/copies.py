"""The copy index: draft sentences that stand verbatim, or nearly, in the corpus.

Exact copies: corpus sentences and sampled 10-character windows keyed by hash, so a draft
sentence is looked up in time proportional to its length, whatever the size of the corpus.

Near copies (an old sentence with a word or two changed): character 4-gram shingles,
sampled by hash (a shingle is kept on both sides when its hash is 0 mod 4, so two texts
sharing wording share sampled shingles), in an inverted index; the sentences sharing the
most shingles are scored with rapidfuzz (ratio, or partial ratio for a shorter sentence
inside a longer one), which is the overlap reported.
(datasketch's MinHash/LSH was tried: importing it pulls in scipy.integrate, about 1 s,
more than the whole cold check may take; at the size of a unit's corpus the exact
shingle index is as small and needs no approximation.)
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from typing import Iterable

from ..model import PassageRecord
from ..phrases import sentences
from ..text import HAN

_NORM_DROP = re.compile(rf"[^{HAN}0-9A-Za-z]+")
MIN_COPY_CHARS = 20
_WIN = 10  # window length; windows are sampled every _WIN characters of the corpus
NEAR_MIN_OVERLAP = 80  # percent: a draft sentence this close to a corpus sentence is a near copy
_SHINGLE = 4
_MASK = 3  # one shingle in four (those whose hash has these bits clear) is indexed
_COMMON = 1024  # a shingle in more corpus sentences than this is common wording, not evidence


def _norm(sentence: str) -> str:
    return _NORM_DROP.sub("", sentence)


@dataclass
class CopyHit:
    sentence: str  # the corpus sentence
    source: str  # file《article》
    overlap: int = 100  # percent of wording shared; 100 for a verbatim copy


def _shingles(n: str) -> set[int]:
    return {h for h in map(hash, [n[i : i + _SHINGLE] for i in range(len(n) - _SHINGLE + 1)]) if not h & _MASK}


class CopyIndex:
    """Finds draft sentences that stand verbatim in the corpus (punctuation and spaces ignored)."""

    def __init__(self, min_chars: int = MIN_COPY_CHARS):
        self.min_chars = min_chars

    def fit(self, records: Iterable[PassageRecord]) -> "CopyIndex":
        self.sentences_: list[tuple[str, str, str]] = []  # (normalized, as written, source)
        # hash of a window -> packed (sentence index << 16 | offset) of every place it starts.
        self.windows_: dict[int, list[int]] = {}
        self.shingles_: dict[int, list[int]] = {}  # sampled shingle hash -> sentence indexes
        windows, shingles = self.windows_, self.shingles_
        gc_was_on = gc.isenabled()
        gc.disable()  # millions of small lists: the cyclic collector would only slow the build
        try:
            for rec in records:
                src = f"{rec.file}《{rec.article}》" if rec.article else rec.file
                for s in sentences(rec.text):
                    n = _norm(s)
                    if not self.min_chars <= len(n) < 1 << 16:
                        continue
                    idx = len(self.sentences_)
                    self.sentences_.append((n, s, src))
                    for off in range(0, len(n) - _WIN + 1, _WIN):
                        key = hash(n[off : off + _WIN])
                        entry = windows.get(key)
                        if entry is None:
                            windows[key] = [idx << 16 | off]
                        else:
                            entry.append(idx << 16 | off)
                    for h in _shingles(n):
                        entry = shingles.get(h)
                        if entry is None:
                            shingles[h] = [idx]
                        else:
                            entry.append(idx)
        finally:
            if gc_was_on:
                gc.enable()
        return self

    def lookup(self, sentence: str) -> CopyHit | None:
        """The corpus sentence a draft sentence was copied from, if any.

        A copy is: the same sentence; the draft sentence lifted from inside a longer corpus
        sentence; or a corpus sentence of at least ``min_chars`` that makes up at least half
        of the draft sentence. Any shared run of at least 2*_WIN-1 characters covers one of
        the sampled windows, so every such case is found from the windows alone.
        """
        n = _norm(sentence)
        if len(n) < self.min_chars:
            return None
        for i in range(len(n) - _WIN + 1):
            for packed in self.windows_.get(hash(n[i : i + _WIN]), ()):
                idx, off = packed >> 16, packed & 0xFFFF
                cn = self.sentences_[idx][0]
                start = off - i
                if start >= 0 and cn.startswith(n, start):
                    return self._hit(idx)  # the draft sentence lies inside a corpus sentence
                if off == 0 and 2 * len(cn) >= len(n) and n.startswith(cn, i):
                    return self._hit(idx)  # a whole corpus sentence lies inside the draft sentence
        return None

    def near(self, sentence: str, min_overlap: int = NEAR_MIN_OVERLAP) -> CopyHit | None:
        """The corpus sentence a draft sentence nearly repeats (a word or two changed), if any.

        Candidates share sampled shingles with the draft sentence; the best is kept when its
        similarity (rapidfuzz: the ratio of sentences of like length, else the partial ratio
        of the shorter inside the longer) reaches ``min_overlap`` percent and neither
        sentence is under half the length of the other.
        """
        from rapidfuzz import fuzz

        n = _norm(sentence)
        if len(n) < self.min_chars:
            return None
        counts: dict[int, int] = {}
        for h in _shingles(n):
            posting = self.shingles_.get(h, ())
            if len(posting) > _COMMON:
                continue
            for idx in posting:
                counts[idx] = counts.get(idx, 0) + 1
        best, best_score = None, 0.0
        for idx, shared in sorted(counts.items(), key=lambda kv: -kv[1])[:20]:
            if shared < 2:
                break
            cn = self.sentences_[idx][0]
            if 2 * min(len(cn), len(n)) < max(len(cn), len(n)):
                continue
            # Sentences of like length are compared whole; a short one is aligned inside the other.
            similar = 5 * min(len(cn), len(n)) >= 4 * max(len(cn), len(n))
            score = (fuzz.ratio if similar else fuzz.partial_ratio)(n, cn, score_cutoff=min_overlap)
            if score > best_score:
                best, best_score = idx, score
        if best is None:
            return None
        _, written, src = self.sentences_[best]
        return CopyHit(written, src, int(best_score))

    def _hit(self, idx: int) -> CopyHit:
        _, written, src = self.sentences_[idx]
        return CopyHit(written, src)


_INDEX_CACHE: dict[str, CopyIndex] = {}


def copy_index(corpus) -> CopyIndex:
    """The copy index of a corpus, kept for the process per corpus fingerprint."""
    key = getattr(corpus, "fingerprint", None) or str(id(corpus))
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = CopyIndex().fit(corpus.passages())
    return _INDEX_CACHE[key]
