"""Where the retriever's index lives and how it is scored: the backend interface.

``SearchBackend`` is what ``search.Retriever`` needs from an index: build it from passages,
add documents to it, load and save it, and score a weighted query with filters.
``InProcessIndex`` is the one implementation: the memory-mapped arrays of
``drafter.index`` scored with numpy in this process. docs/search-backends.md describes
how a search server (OpenSearch/Elasticsearch) would implement the same interface for
an archive spread over machines.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import DrafterError
from .index import (
    IndexData,
    PassageTable,
    Progress,
    Vocabulary,
    build_index,
    damaged_index_error,
    jaccard_estimate,
    load_index,
    org_matches,
    read_meta,
    save_index,
    update_index,
)
from .model import PassageRecord

WARM_AFTER = 20  # queries answered by numpy before a process switches to scipy's kernel
DUP_OVERLAP = 0.8  # share of the shorter passage's shingles found in the other one
DUP_BLOCK = 16  # near-duplicate verdicts estimated for this many hits at a time (at most 64)


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
        self._queries = 0
        self._checked: set[tuple[int, int]] = set()
        if data is not None:
            self._set(data)

    # --- life cycle ------------------------------------------------------------------------

    def _set(self, data: IndexData) -> None:
        self.data = data
        self.vocabulary, self.idf, self.passages = data.vocabulary, data.idf, data.passages
        self._masks.clear()
        self._checked = set()

    def build(self, passages, *, documents=None, progress=None, total=None, workers=None, scratch_dir=None) -> None:
        self._set(build_index(passages, self.config["analyzer"], config=self.config, fingerprint=self.fingerprint,
                              progress=progress, total=total, documents=documents, workers=workers,
                              scratch_dir=scratch_dir))

    def add(self, documents, *, fingerprint: str, progress=None, workers=None, scratch_dir=None) -> int:
        """The index of ``documents`` from this one, counting only the documents it lacks."""
        data, counted = update_index(self.data, documents, fingerprint=fingerprint, progress=progress,
                                     workers=workers, scratch_dir=scratch_dir)
        self.fingerprint = fingerprint
        self._set(data)
        return counted

    def load(self, folder: Path, meta: dict[str, Any], *, deep: bool | None = None) -> None:
        self._set(load_index(folder, meta, deep=deep))

    def save(self, folder: Path, *, settings: str | None = None) -> None:
        save_index(folder, self.data, settings=settings)
        if self.data.scratch is not None:
            # Built or added to in this process: its arrays are mapped from scratch files that
            # the save has removed. Map the stored copy instead, so that a process that keeps
            # running (drafter serve) does not hold deleted files' disk space; unless another
            # process has stored a newer index meanwhile (then this one stays as it is).
            meta = read_meta(folder)
            if meta.get("build_id") == self.data.build_id:
                self._set(load_index(folder, meta))

    # --- scoring ---------------------------------------------------------------------------

    def scores(self, vector: Mapping[int, float]):
        """The dot product of the query with every passage (float32 (n,)), reading only the
        query's posting lists.

        A cold process (one `drafter search`) gathers them into one buffer and sums them per
        passage with ``np.bincount``. A process that keeps answering (``drafter serve``, a
        benchmark) switches after WARM_AFTER queries to scipy's compiled CSC kernel, called
        once per posting list on the mapped arrays without copying them: importing scipy
        costs more than a few queries, so only a process that will use it pays for it.
        """
        import numpy as np

        self._queries += 1
        d = self.data
        n = len(self.passages)
        cols = np.fromiter(vector, dtype=np.int64, count=len(vector))
        starts, ends = d.indptr[cols].tolist(), d.indptr[cols + 1].tolist()
        spans = [(lo, hi, w) for lo, hi, w in zip(starts, ends, vector.values()) if hi > lo]
        kernel = _csc_matvec() if self._queries > WARM_AFTER or "scipy.sparse" in sys.modules else None
        if kernel is not None:
            out = np.zeros(n, dtype=np.float32)
            ptrs = np.array([x for lo, hi, _ in spans for x in (lo, hi)], dtype=d.rows.dtype)
            xs = np.array([w for _, _, w in spans], dtype=np.float32)
            for i, (lo, hi, _) in enumerate(spans):
                self._check_postings(lo, hi)  # the kernel does not check row numbers
                kernel(n, 1, ptrs[2 * i : 2 * i + 2], d.rows, d.weights, xs[i : i + 1], out)
            return out
        total = sum(hi - lo for lo, hi, _ in spans)
        if not total:
            return np.zeros(n, dtype=np.float32)
        rows = np.empty(total, dtype=np.int32)
        vals = np.empty(total, dtype=np.float32)
        at = 0
        for lo, hi, w in spans:
            m = hi - lo
            rows[at : at + m] = d.rows[lo:hi]
            np.multiply(d.weights[lo:hi], np.float32(w), out=vals[at : at + m])
            at += m
        _check_rows(rows, n)
        return np.bincount(rows, weights=vals, minlength=n).astype(np.float32)

    def _check_postings(self, lo: int, hi: int) -> None:
        """Row numbers of a posting list inside the passage table, checked once per list."""
        if (lo, hi) in self._checked:
            return
        _check_rows(self.data.rows[lo:hi], len(self.passages))
        if len(self._checked) > 1_000_000:
            self._checked.clear()
        self._checked.add((lo, hi))

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

    def chapter_factor(self, chapters: frozenset[str], prior: float):
        """1 + prior for passages of ``chapters``, 1 for the others (float32 (n,)), cached."""
        import numpy as np

        key = ("factor", chapters, prior)
        if key not in self._masks:
            self._masks[key] = (1.0 + np.float32(prior) * self.chapter_mask(chapters)).astype(np.float32)
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
            org_ok = np.append(org_matches(src.orgs, filters.org), False)  # a damaged number finds nothing
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
        rows = top_k(scores, k, self.filter_mask(filters))
        return rows, [float(scores[i]) for i in rows]

    # --- near-duplicates -------------------------------------------------------------------

    def duplicates(self, rows: Sequence[int]) -> NearDuplicates:
        """``same[i, j]``: passage rows[j] is a near-duplicate of rows[i]."""
        return NearDuplicates(self.passages, rows)


class NearDuplicates:
    """Near-duplicate verdicts among a few hits: DUP_OVERLAP of the shorter passage's
    shingles in the other, estimated for all pairs at once from the MinHash signatures
    stored at build time (Jaccard from the share of agreeing bins, turned into the overlap
    of the shorter one with the two shingle counts). No text is shingled at query time.
    On the seeds' hits the verdict differs from the exact overlap for about 1 pair in 10,000,
    each within a few points of the threshold (tests/test_index_append.py)."""

    def __init__(self, passages: PassageTable, rows: Sequence[int]):
        import numpy as np

        idx = np.asarray(rows, dtype=np.int64)
        self.sigs = np.asarray(passages.minhash[idx])
        self.sizes = np.asarray(passages.shingles[idx], dtype=np.float64)
        self._estimated = 0  # hits [0, _estimated) have been compared with every hit
        # hit j -> the hits it duplicates among those compared, as the bits of an int (bit i:
        # hit i): a near-duplicate corpus has hundreds of pairs among 40 hits.
        self._dupes = [0] * len(rows)

    def _overlap(self, block: slice, first: int = 0):
        """Estimated overlaps of the hits of ``block`` with the hits from ``first`` on,
        (len(block), n - first)."""
        import numpy as np

        jac = jaccard_estimate(self.sigs[block], self.sigs[first:])
        a, b = self.sizes[block, None], self.sizes[None, first:]
        small = np.minimum(a, b)
        return np.divide(jac * (a + b) / (1.0 + jac), small, out=np.zeros(jac.shape), where=small > 0)

    def _compare(self, i: int) -> None:
        """Compare hits up to ``i`` with the hits after them. Only kept hits need comparing,
        and they are mostly the first: a block at a time, a few numpy calls per query."""
        import numpy as np

        while self._estimated <= i:
            lo = self._estimated
            hi = min(lo + DUP_BLOCK, len(self.sizes))
            same = self._overlap(slice(lo, hi), lo) >= DUP_OVERLAP  # (hi - lo, n - lo)
            weights = np.left_shift(np.uint64(1), np.arange(hi - lo, dtype=np.uint64))
            for j, bits in enumerate((weights @ same).tolist(), lo):  # each column's rows as bits
                if bits:
                    self._dupes[j] |= int(bits) << lo
            self._estimated = hi

    def __getitem__(self, pair: tuple[int, int]) -> bool:
        """Hits i and j are near-duplicates of each other."""
        i, j = sorted(pair)  # a hit is compared with the ones after it
        self._compare(i)
        return bool(self._dupes[j] >> i & 1)

    def first_match(self, kept: Sequence[int], j: int) -> int | None:
        """The first of ``kept`` (ascending positions among the hits) that hit ``j`` duplicates."""
        if not kept:
            return None
        if kept[-1] >= self._estimated:
            self._compare(kept[-1])
        dupes = self._dupes[j]
        if not dupes:
            return None
        for p, i in enumerate(kept):
            if dupes >> i & 1:
                return p
        return None


def top_k(scores, k: int, mask=None) -> list[int]:
    """Rows of the ``k`` best positive scores (among the rows ``mask`` keeps), best first;
    ties in passage order."""
    import numpy as np

    floor = 0.0
    if len(scores) > 64 * k and len(scores) > 65536:
        # The k-th best of every 16th (kept) score is at most the k-th best of all: only scores
        # at or above it can be among the best, a few thousand instead of a million.
        sample = scores[::16] if mask is None else scores[::16][mask[::16]]
        if np.count_nonzero(sample) > k:
            floor = max(0.0, float(np.partition(sample, len(sample) - k)[len(sample) - k]))
    nz = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores > 0)
    if mask is not None:
        nz = nz[mask[nz]]
    if not len(nz):
        return []
    vals = scores[nz]
    if len(nz) > k:
        part = np.argpartition(-vals, k - 1)[:k]
        # all rows tied with the k-th score compete by position, as a stable sort would
        kth = vals[part].min()
        part = np.flatnonzero(vals >= kth)
        nz, vals = nz[part], vals[part]
    order = np.lexsort((nz, -vals))[:k]
    return nz[order].tolist()


def _check_rows(rows, n: int) -> None:
    """Row numbers read from the index lie inside the passage table (or it is damaged)."""
    if int(rows.max()) >= n or int(rows.min()) < 0:
        raise damaged_index_error()


def _csc_matvec():
    """scipy's compiled ``y += A x`` for a CSC matrix, or None without scipy."""
    try:
        from scipy.sparse import _sparsetools
    except ImportError:
        return None
    return _sparsetools.csc_matvec
