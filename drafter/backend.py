"""Where the retriever's index lives and how it is scored: the backend interface.

``SearchBackend`` is what ``search.Retriever`` needs from an index: build it from passages,
add documents to it, load and save it, and score a weighted query with filters.
``InProcessIndex`` is the one implementation: the memory-mapped arrays of
``drafter.index`` scored with numpy in this process. docs/search-backends.md describes
how a search server (OpenSearch/Elasticsearch) would implement the same interface for
an archive spread over machines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import DrafterError
from .index import (
    SHINGLE,
    IndexData,
    PassageTable,
    Progress,
    Vocabulary,
    build_index,
    damaged_index_error,
    jaccard_estimate,
    load_index,
    save_index,
    shingle_text,
    update_index,
)
from .model import PassageRecord

DUP_OVERLAP = 0.8  # share of the shorter passage's shingles found in the other one
DUP_MARGIN = 0.1  # estimates this close to DUP_OVERLAP (wider for unequal lengths) are checked on the texts


@dataclass(frozen=True)
class Filters:
    """What a query is restricted to (None: no restriction)."""

    chapter: str | None = None
    org: str | None = None  # part of the unit's name
    year: int | None = None
    kind: str | None = None


class SearchBackend(Protocol):
    """The index behind a Retriever."""

    vocabulary: Vocabulary  # term -> column of the query vector
    idf: Any
    passages: PassageTable

    def build(self, passages: Iterable[PassageRecord], *, documents: Sequence[tuple[str, int]] | None = None,
              progress: Progress | None = None, total: int | None = None) -> None: ...

    def add(self, documents: Sequence[tuple[str, Sequence[PassageRecord]]], *, fingerprint: str,
            progress: Progress | None = None) -> int: ...

    def load(self, folder: Path, meta: dict[str, Any]) -> None: ...

    def save(self, folder: Path, *, settings: str | None = None) -> None: ...

    def scores(self, vector: Mapping[int, float]) -> Any: ...

    def filter_mask(self, filters: Filters) -> Any: ...

    def search(self, vector: Mapping[int, float], filters: Filters, k: int) -> tuple[list[int], list[float]]: ...


class InProcessIndex:
    """The memory-mapped index of drafter.index, scored with numpy in this process."""

    def __init__(self, config: dict[str, Any], fingerprint: str, data: IndexData | None = None):
        self.config = config
        self.fingerprint = fingerprint
        self._masks: dict[tuple, Any] = {}
        if data is not None:
            self._set(data)

    # --- life cycle ------------------------------------------------------------------------

    def _set(self, data: IndexData) -> None:
        self.data = data
        self.vocabulary, self.idf, self.passages = data.vocabulary, data.idf, data.passages
        self._masks.clear()

    def build(self, passages, *, documents=None, progress=None, total=None, workers=None) -> None:
        self._set(build_index(passages, self.config["analyzer"], config=self.config, fingerprint=self.fingerprint,
                              progress=progress, total=total, documents=documents, workers=workers))

    def add(self, documents, *, fingerprint: str, progress=None, workers=None) -> int:
        """The index of ``documents`` from this one, counting only the documents it lacks."""
        data, counted = update_index(self.data, documents, fingerprint=fingerprint, progress=progress,
                                     workers=workers)
        self.fingerprint = fingerprint
        self._set(data)
        return counted

    def load(self, folder: Path, meta: dict[str, Any], *, deep: bool | None = None) -> None:
        self._set(load_index(folder, meta, deep=deep))

    def save(self, folder: Path, *, settings: str | None = None) -> None:
        save_index(folder, self.data, settings=settings)

    # --- scoring ---------------------------------------------------------------------------

    def scores(self, vector: Mapping[int, float]):
        """The dot product of the query with every passage (float64 (n,)): only the query's
        posting lists are read, gathered into one buffer and summed by passage in one call."""
        import numpy as np

        d = self.data
        n = len(self.passages)
        spans = [(int(d.indptr[t]), int(d.indptr[t + 1]), w) for t, w in vector.items()]
        total = sum(hi - lo for lo, hi, _ in spans)
        if not total:
            return np.zeros(n, dtype=np.float64)
        rows = np.empty(total, dtype=np.int32)
        vals = np.empty(total, dtype=np.float32)
        at = 0
        for lo, hi, w in spans:
            m = hi - lo
            rows[at : at + m] = d.rows[lo:hi]
            np.multiply(d.weights[lo:hi], np.float32(w), out=vals[at : at + m])
            at += m
        if total and (int(rows.max()) >= n or int(rows.min()) < 0):
            raise damaged_index_error()
        return np.bincount(rows, weights=vals, minlength=n)

    def chapter_mask(self, chapters: frozenset[str]):
        """Passages whose chapter set meets ``chapters`` (bool (n,)), cached per set."""
        import numpy as np

        key = ("chapter", chapters)
        if key not in self._masks:
            t = self.passages
            in_set = np.array([bool(chapters & set(cs)) for cs in t.chapter_sets] or [False], dtype=bool)
            try:
                self._masks[key] = in_set[t.chapter_set_ids]
            except IndexError as exc:  # a big index is not checked row by row when opened
                raise damaged_index_error() from exc
        return self._masks[key]

    def filter_mask(self, filters: Filters):
        """Passages kept by the filters (None: all), decided per source and per chapter set."""
        import numpy as np

        t = self.passages
        if not len(t):
            raise DrafterError("语料库中还没有任何段落。请先用 drafter ingest 加入报告。")
        mask = None
        chapter = filters.chapter
        if chapter:
            mask = self.chapter_mask(frozenset([chapter]))
            if not mask.any():
                raise DrafterError(
                    f"语料库中没有属于“{chapter}”章节的段落。请换一个章节，或先用 drafter ingest 加入含有该章节的报告。"
                )
        src = t.sources
        conds: list[tuple[str, Any]] = []
        if filters.org:
            org_ok = np.array([filters.org in o for o in src.orgs] or [False], dtype=bool)
            conds.append((f"单位含“{filters.org}”", org_ok[np.clip(src.org, 0, len(org_ok) - 1)]))
        if filters.year is not None:
            conds.append((f"年份为 {filters.year}", np.asarray(src.year) == filters.year))
        if filters.kind:
            kind_ok = np.array([filters.kind == k for k in src.kinds] or [False], dtype=bool)
            conds.append((f"类型为 {filters.kind}", kind_ok[np.clip(src.kind, 0, len(kind_ok) - 1)]))
        if conds:
            source_ok = np.logical_and.reduce([ok for _, ok in conds]) if len(conds) > 1 else conds[0][1]
            try:
                keep = source_ok[t.source_ids]
            except IndexError as exc:
                raise damaged_index_error() from exc
            mask = keep if mask is None else mask & keep
            if not mask.any():
                what = "，".join(([f"章节为“{chapter}”"] if chapter else []) + [d for d, _ in conds])
                raise DrafterError(
                    f"语料库中没有符合这些条件的段落：{what}。"
                    "请放宽条件后再试，可用 drafter corpus 查看已有的单位、年份和类型。"
                )
        return mask

    def search(self, vector, filters: Filters, k: int) -> tuple[list[int], list[float]]:
        scores = self.scores(vector)
        mask = self.filter_mask(filters)
        if mask is not None:
            scores[~mask] = 0.0
        rows = top_k(scores, k)
        return rows, [float(scores[i]) for i in rows]

    # --- near-duplicates -------------------------------------------------------------------

    def duplicates(self, rows: Sequence[int]) -> NearDuplicates:
        """``same[i, j]``: passage rows[j] is a near-duplicate of rows[i]."""
        return NearDuplicates(self.passages, rows)


class NearDuplicates:
    """Near-duplicate verdicts among a few hits: DUP_OVERLAP of the shorter passage's
    shingles in the other.

    Estimated for all pairs at once from the MinHash signatures stored at build time
    (Jaccard from the share of agreeing bins, turned into the overlap of the shorter one
    with the two shingle counts). The estimate is loose when one passage is much shorter
    than the other (Jaccard is then small whatever the overlap), so a pair asked about whose
    estimate lies within a margin of the threshold that widens with that ratio is checked
    on its texts; on the seeds that is a few pairs per query at most.
    """

    def __init__(self, passages: PassageTable, rows: Sequence[int]):
        import numpy as np

        self.passages = passages
        self.rows = np.asarray(rows, dtype=np.int64)
        sigs = np.asarray(passages.minhash[self.rows])
        sizes = np.asarray(passages.shingles[self.rows], dtype=np.float64)
        jac = jaccard_estimate(sigs, sigs)
        inter = jac * (sizes[:, None] + sizes[None, :]) / (1.0 + jac)
        small = np.minimum(sizes[:, None], sizes[None, :])
        large = np.maximum(sizes[:, None], sizes[None, :])
        self.estimate = np.divide(inter, small, out=np.zeros_like(inter), where=small > 0)
        ratio = np.divide(large, small, out=np.ones_like(large), where=small > 0)
        self.margin = np.minimum(DUP_MARGIN * (1.0 + np.log2(np.maximum(ratio, 1.0))), 0.5)
        self._shingles: dict[int, set[str]] = {}
        self._exact: dict[tuple[int, int], bool] = {}
        self.checked = 0  # pairs checked on their texts

    def __getitem__(self, pair: tuple[int, int]) -> bool:
        i, j = pair
        est = float(self.estimate[i, j])
        if abs(est - DUP_OVERLAP) >= float(self.margin[i, j]):
            return est >= DUP_OVERLAP
        key = (min(i, j), max(i, j))
        if key not in self._exact:
            a, b = (self._shingles.setdefault(x, shingle_set(self.passages.text(int(self.rows[x])))) for x in key)
            small = min(len(a), len(b))
            self._exact[key] = bool(small) and len(a & b) / small >= DUP_OVERLAP
            self.checked += 1
        return self._exact[key]


def shingle_set(text: str) -> set[str]:
    """The SHINGLE-character shingles of a text, as the signatures hash them."""
    t = shingle_text(text)
    return {t} if len(t) <= SHINGLE else {t[i : i + SHINGLE] for i in range(len(t) - SHINGLE + 1)}


def top_k(scores, k: int) -> list[int]:
    """Rows of the ``k`` best positive scores, best first; ties in passage order."""
    import numpy as np

    nz = np.flatnonzero(scores > 0)
    if not len(nz):
        return []
    vals = scores[nz]
    if len(nz) > k:
        part = np.argpartition(-vals, k - 1)[:k]
        # all rows tied with the k-th score compete by position, as a stable sort would
        kth = vals[part].min()
        tied = np.flatnonzero(vals == kth)
        part = np.union1d(part[vals[part] > kth], tied)
        nz, vals = nz[part], vals[part]
    order = np.lexsort((nz, -vals))[:k]
    return nz[order].tolist()
