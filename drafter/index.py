"""The TF-IDF index of the corpus passages: building it in batches, storing it, mapping it.

Layout on disk (format 3), in ``corpus.dir / "index"``:
- ``meta.json``: format, fingerprint, configuration and the name of the current
  generation folder. It is written last, atomically: it is the commit point of a build.
- ``gen-<build id>/``: one ``.npy`` file per array and two small JSON tables. Arrays are
  opened with ``mmap_mode="r"``, so opening costs the same at 10k and 1M passages:
  - the CSC matrix (``indptr``, ``rows``, ``weights``: a posting list per term, weights
    length-normalised per passage) and ``idf``;
  - the vocabulary as sorted 64-bit hashes of the terms (``term_hash``, ``term_by_hash``)
    with the terms as one UTF-8 buffer (``term_utf8``, ``term_offsets``): no JSON to parse;
  - the passages: texts as one UTF-8 buffer, a source and a chapter set per passage, the
    pivot each was divided by (the counts can be recovered from the weights, so documents
    are added without tokenising the old ones again), and a MinHash signature each for
    near-duplicate folding at query time;
  - the sources as one JSON text each, decoded only for hits, with their year, kind and
    org as arrays for the filters; the documents (their keys and passage ranges).
A new build writes a new generation folder, then switches ``meta.json`` to it, then
removes the old one: an interrupted build or append leaves the previous index usable.
All writes happen under the corpus folder's lock. Nothing is pickled; loading needs numpy
and json only.

Building: passages are tokenised and counted in chunks on every core
(``tokenize.map_chunks``); each chunk's counts are kept as a compact part (row, term,
count); at the end the parts are weighed into the CSC arrays with smooth idf, sublinear
tf and pivoted length normalisation: the weights scikit-learn's TfidfVectorizer gives.
Adding documents (``update_index``) recovers the kept passages' counts from the stored
weights and merges them with the new documents' counts a block of columns at a time,
written into a scratch folder: neither the old matrix nor the new one is whole in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import tokenize
from .errors import DrafterError, WriteError
from .fsutil import (
    atomic_write_bytes,
    json_bytes,
    printable,
    remove_temp_files,
    store_lock,
    write_error,
)
from .model import PassageRecord

INDEX_FORMAT = 3
META, TABLES, DOCUMENTS = "meta.json", "tables.json", "documents.json"
GENERATION_PREFIX = "gen-"
COUNT_CHUNK = 2000  # passages per task of the counting pool
BLOCK_BYTES = 128 << 20  # count parts are joined into blocks of about this size (allocated apart by the system)
SCATTER_SLICE = 1_000_000  # stored weights placed at a time while weighing
MINHASH = 64  # bins per signature (a power of two)
SHINGLE = 4  # characters per shingle (as search folds near-duplicates)
DEEP_CHECK_MAX = 300_000  # stored weights: below this, every load checks every row number

# name -> (dtype kinds, ndim) of every array of a generation
ARRAYS: dict[str, tuple[str, int]] = {
    "idf": ("f", 1), "indptr": ("iu", 1), "rows": ("iu", 1), "weights": ("f", 1),
    "term_hash": ("u", 1), "term_by_hash": ("iu", 1), "term_offsets": ("iu", 1), "term_utf8": ("u", 1),
    "text_utf8": ("u", 1), "text_offsets": ("iu", 1), "source_ids": ("iu", 1), "chapter_set_ids": ("iu", 1),
    "pivots": ("f", 1), "minhash": ("u", 2), "shingles": ("iu", 1),
    "source_utf8": ("u", 1), "source_offsets": ("iu", 1), "source_year": ("iu", 1), "source_kind": ("iu", 1),
    "source_org": ("iu", 1), "org_utf8": ("u", 1), "org_offsets": ("iu", 1), "doc_offsets": ("iu", 1),
}

# progress(items, length, label) -> items, like drafter.cli.common.progress
Progress = Callable[[Iterable, int, str], Iterable]


def damaged_index_error() -> DrafterError:
    return DrafterError("检索索引已损坏（数据与目录不符）。请运行 drafter index 重建索引。")


class IndexUnusable(Exception):
    """A stored index that cannot be used; ``reason`` is Chinese, for the user."""

    def __init__(self, reason: str, missing: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


# --- tables over the arrays ----------------------------------------------------------------


class StringTable(Sequence[str]):
    """Strings stored as one UTF-8 buffer with offsets; each decoded when asked for."""

    def __init__(self, utf8, offsets):
        self.utf8, self.offsets = utf8, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        return self.utf8[self.offsets[i] : self.offsets[i + 1]].tobytes()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self.raw(i % len(self)).decode("utf-8")


class Vocabulary(Mapping[str, int]):
    """term -> column, looked up by a 64-bit hash in a sorted array and checked against the
    term's bytes (a hash collision costs one more comparison, never a wrong column)."""

    def __init__(self, terms: StringTable, hashes, by_hash):
        self.terms, self.hashes, self.by_hash = terms, hashes, by_hash
        self._cache: dict[str, int | None] = {}

    def get(self, term, default=None):
        if term in self._cache:
            found = self._cache[term]
        else:
            found = self._find(term)
            if len(self._cache) < 100_000:
                self._cache[term] = found
        return default if found is None else found

    def _find(self, term: str) -> int | None:
        import numpy as np

        if not isinstance(term, str):
            return None
        h = np.uint64(tokenize._hash64(term))
        raw = term.encode("utf-8")
        i = int(np.searchsorted(self.hashes, h))
        while i < len(self.hashes) and self.hashes[i] == h:
            col = int(self.by_hash[i])
            if self.terms.raw(col) == raw:
                return col
            i += 1
        return None

    def __getitem__(self, term: str) -> int:
        found = self.get(term)
        if found is None:
            raise KeyError(term)
        return found

    def __contains__(self, term) -> bool:
        return self.get(term) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def term(self, col: int) -> str:
        return self.terms[col]


class SourceTable(Sequence[tuple]):
    """The sources (file, article, heading, org, year, kind) of the passages, each one stored
    as a JSON text and decoded when a hit needs it; year, kind and org as arrays for filters."""

    def __init__(self, texts: StringTable, year, kind, org, kinds: list[str], orgs: StringTable):
        self.texts, self.year, self.kind, self.org = texts, year, kind, org
        self.kinds, self.orgs = kinds, orgs  # orgs: one per unit, sorted; there may be a million
        self._cache: dict[int, tuple] = {}  # hits come from few sources: decode each once

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i in self._cache:
            return self._cache[i]
        try:
            value = json.loads(self.texts[i])
        except (ValueError, UnicodeDecodeError):
            value = None
        if not (isinstance(value, list) and len(value) == 6):
            raise DrafterError(f"检索索引的来源表第 {i} 条已损坏。请运行 drafter index 重建索引。")
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[i] = out = tuple(value)
        return out


def org_matches(orgs: StringTable, part: str):
    """bool per org: ``part`` occurs in its name. One search through the names' buffer."""
    import numpy as np

    found = np.zeros(len(orgs), dtype=bool)
    needle = part.encode("utf-8")
    if not needle or not len(orgs):
        return found | (not needle)
    hay = orgs.utf8.tobytes()
    offsets = np.asarray(orgs.offsets)
    at = hay.find(needle)
    while at >= 0:
        i = int(np.searchsorted(offsets, at, side="right")) - 1
        if at + len(needle) <= int(offsets[i + 1]):  # not across two names
            found[i] = True
            at = hay.find(needle, int(offsets[i + 1]))  # the next name
        else:
            at = hay.find(needle, at + 1)
    return found


class PassageTable(Sequence[PassageRecord]):
    """The indexed passages as arrays; a PassageRecord is made only when asked for."""

    def __init__(self, texts: StringTable, source_ids, chapter_set_ids, sources: SourceTable,
                 chapter_sets: list[tuple[str, ...]], pivots, minhash, shingles):
        self.texts = texts
        self.source_ids = source_ids  # int32 (n,): row of ``sources``
        self.chapter_set_ids = chapter_set_ids  # int32 (n,): row of ``chapter_sets``
        self.sources = sources
        self.chapter_sets = chapter_sets
        self.pivots = pivots  # float32 (n,): what the passage's weights were divided by
        self.minhash = minhash  # uint32 (n, MINHASH)
        self.shingles = shingles  # int32 (n,): distinct shingles of the passage

    def __len__(self) -> int:
        return len(self.source_ids)

    def text(self, i: int) -> str:
        try:
            return self.texts[i]
        except UnicodeDecodeError as exc:
            raise damaged_index_error() from exc

    # A big index is not checked row by row when opened: a number out of its table is damage.
    def chapters(self, i: int) -> tuple[str, ...]:
        try:
            return tuple(self.chapter_sets[int(self.chapter_set_ids[i])])
        except IndexError as exc:
            raise damaged_index_error() from exc

    def source(self, i: int) -> tuple:
        """(file, article, heading, org, year, kind) of passage ``i``."""
        try:
            return self.sources[int(self.source_ids[i])]
        except (IndexError, ValueError) as exc:
            raise damaged_index_error() from exc

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return PassageRecord(self.text(i), self.chapters(i), *self.source(i))


@dataclass
class IndexData:
    """Everything a query needs, as plain Python and numpy objects (mapped from disk once stored)."""

    fingerprint: str
    config: dict[str, Any]
    vocabulary: Vocabulary
    idf: Any  # float32 (n_terms,)
    indptr: Any  # int64 (n_terms + 1,): column pointers of the CSC matrix
    rows: Any  # int32: passage number of each stored weight
    weights: Any  # float32: TF-IDF weight, length-normalised per passage
    passages: PassageTable
    doc_offsets: Any = None  # int64 (n_docs + 1,): passage range of each document
    document_keys: Callable[[], list[str]] | list[str] = field(default_factory=list)
    build_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    scratch: Any = None  # a Scratch folder holding some of the arrays, mapped

    def keys(self) -> list[str]:
        keys = self.document_keys
        return keys() if callable(keys) else list(keys)


def index_fingerprint(corpus_fingerprint: str, dictionary_hash: str, config: dict[str, Any]) -> str:
    text = json.dumps(
        {"corpus": corpus_fingerprint, "dict": dictionary_hash, "format": INDEX_FORMAT, "config": config},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settings_hash(dictionary_hash: str, config: dict[str, Any]) -> str:
    """What must be equal for documents to be added to a stored index instead of rebuilding."""
    text = json.dumps({"dict": dictionary_hash, "format": INDEX_FORMAT, "config": config}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- near-duplicate signatures ---------------------------------------------------------------

def shingle_text(text: str) -> str:
    """The characters compared for near-duplicates: letters, digits and Han only, lower case."""
    import re

    return re.sub(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+", "", text.lower())


EMPTY_BIN = 0xFFFFFFFF  # a signature value for a bin no shingle fell into


def shingle_hashes(texts: Sequence[str]):
    """(hash uint64, passage int64) of every shingle of every text, all at once with numpy:
    SHINGLE code points mixed into 64 bits (FNV-1a, then a final mix). A text shorter than
    a shingle is one shingle of itself; repeated shingles are repeated."""
    import numpy as np

    n = len(texts)
    cleaned = [shingle_text(t) for t in texts]
    # A text shorter than a shingle is one shingle of itself (as search folds them).
    lengths = np.fromiter((len(t) for t in cleaned), dtype=np.int64, count=n)
    codes = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)))[:-1]
    n_sh = np.where(lengths >= SHINGLE, lengths - SHINGLE + 1, np.minimum(lengths, 1))
    total = int(n_sh.sum())
    if not total:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), n_sh)
    pos = np.arange(total) - np.repeat(np.cumsum(n_sh) - n_sh, n_sh) + starts[owner]
    width = np.minimum(lengths[owner], SHINGLE)
    h = np.full(total, 0xCBF29CE484222325, dtype=np.uint64)
    padded = np.concatenate((codes, np.zeros(SHINGLE, dtype=np.uint64)))
    for j in range(SHINGLE):  # FNV-1a over the code points, then a final mix
        h = (h ^ np.where(j < width, padded[pos + j], np.uint64(0))) * np.uint64(0x100000001B3)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return h, owner


def minhash_signatures(texts: Sequence[str]):
    """(signatures uint32 (n, MINHASH), distinct shingle counts int32 (n,)) of the texts.

    One-permutation MinHash (Li, Owen & Zhang 2012): each distinct shingle (SHINGLE code
    points mixed into 64 bits) falls into one of MINHASH bins by its low bits, and a bin
    keeps the smallest of its shingles' high bits. Two passages agree on a bin that is not
    empty in both with probability about the Jaccard similarity of their shingle sets
    (``jaccard_estimate``). All shingles of all texts are hashed and sorted at once with
    numpy: one sort, not one pass per hash function.
    """
    import numpy as np

    n = len(texts)
    sigs = np.full((n, MINHASH), EMPTY_BIN, dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int32)
    h, owner = shingle_hashes(texts)
    if not len(h):
        return sigs, counts
    total = len(h)
    # (passage, bin) in the high bits, the value in the low 32: one sort orders them all
    slot = owner * MINHASH + (h & np.uint64(MINHASH - 1)).astype(np.int64)
    key = (slot.astype(np.uint64) << np.uint64(32)) | (h >> np.uint64(32))
    key.sort()
    value = (key & np.uint64(EMPTY_BIN)).astype(np.uint32)
    slot = (key >> np.uint64(32)).astype(np.int64)
    distinct = np.ones(total, dtype=bool)
    distinct[1:] = key[1:] != key[:-1]
    counts[:] = np.bincount(slot[distinct] // MINHASH, minlength=n)
    first = np.ones(total, dtype=bool)
    first[1:] = slot[1:] != slot[:-1]
    sigs.reshape(-1)[slot[first]] = value[first]
    return sigs, counts


def jaccard_estimate(a, b):
    """Estimated Jaccard similarity of every row of ``a`` with every row of ``b`` (signature
    matrices): agreeing bins among the bins not empty in both."""
    import numpy as np

    a, b = np.asarray(a)[:, None, :], np.asarray(b)[None, :, :]
    filled = (a != EMPTY_BIN) | (b != EMPTY_BIN)
    same = (a == b) & filled
    # Counted as bits: the bins packed eight to a byte, MINHASH / 64 words per pair (twice
    # as quick as summing the booleans, with the hits of a query compared at query time).
    used, agree = (np.bitwise_count(np.packbits(x, axis=2).view(np.uint64)).sum(axis=2) for x in (filled, same))
    return np.divide(agree, used, out=np.zeros(used.shape), where=used > 0)


# --- counting (in the worker processes) ------------------------------------------------------


@dataclass
class _Counted:
    """A chunk of passages counted: local term list and a CSR of counts."""

    terms: str  # the chunk's terms joined by "\x00": one string crosses back, not thousands
    indptr: Any  # int64 (k + 1,)
    cols: Any  # int32: local term number
    counts: Any  # uint16
    minhash: Any
    shingles: Any


def _count_chunk(analyzer: str, heading_weight: int, items: list[tuple[str, str]]) -> _Counted:
    import numpy as np

    heading_tokens: dict[str, list[str]] = {}
    flat: list[str] = []
    lengths: list[int] = []
    for text, heading in items:
        toks = tokenize.analyze(analyzer, text)
        if heading_weight:
            if heading not in heading_tokens:
                heading_tokens[heading] = tokenize.analyze(analyzer, heading)
            toks = toks + heading_tokens[heading] * heading_weight
        flat += toks
        lengths.append(len(toks))
    # Terms numbered in order of first sight, every token looked up in C (no Python call
    # per token), then (passage, term) pairs counted with one sort.
    term_ids = {t: i for i, t in enumerate(dict.fromkeys(flat))}
    n_terms = max(len(term_ids), 1)
    ids = np.fromiter(map(term_ids.__getitem__, flat), dtype=np.int64, count=len(flat))
    del flat
    keys = np.repeat(np.arange(len(items), dtype=np.int64), lengths) * n_terms + ids
    pairs, counts = np.unique(keys, return_counts=True)
    rows = pairs // n_terms
    indptr = np.searchsorted(rows, np.arange(len(items) + 1)).astype(np.int64)
    sigs, shingles = minhash_signatures([text for text, _ in items])
    return _Counted("\x00".join(term_ids), indptr, (pairs % n_terms).astype(np.int32),
                    np.minimum(counts, 65535).astype(np.uint16), sigs, shingles)


SPILL_BYTES = 32 << 20  # arrays at least this big wait on disk, mapped, during a big build
COPY_BYTES = 64 << 20  # a mapped array is read (and its pages let go) this much at a time


def _mapping(arr):
    """The read-only mmap an array's memory belongs to, or None (memory of its own, or a
    writable mapping, whose pages must not be dropped)."""
    import mmap

    base = arr
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    if base is None or base.closed or not hasattr(base, "madvise"):
        return None
    with memoryview(base) as view:
        return base if view.readonly else None


def release_pages(arr, lo: int = 0, hi: int | None = None) -> None:
    """Let go of the resident pages of ``arr[lo:hi]`` when ``arr`` is a read-only mapping of
    a file: they count in the process's resident memory once read, and are read again from
    the page cache if used again. Anything else is left alone."""
    import mmap

    import numpy as np

    mm = _mapping(arr)
    part = arr[lo:hi]
    if mm is None or not part.size or not part.flags.c_contiguous:
        return
    start = part.__array_interface__["data"][0] - np.frombuffer(mm, dtype=np.uint8).__array_interface__["data"][0]
    end = min(-(-(start + part.nbytes) // mmap.PAGESIZE) * mmap.PAGESIZE, len(mm))
    start -= start % mmap.PAGESIZE
    with contextlib.suppress(OSError, ValueError):
        mm.madvise(mmap.MADV_DONTNEED, start, end - start)


def _write_array(fh, arr) -> None:
    """``np.save`` of the array, a mapped one a slice at a time with its pages let go as
    they are written (saving reads it all, and would keep it all resident)."""
    import numpy as np

    if _mapping(arr) is None or not arr.flags.c_contiguous:
        np.save(fh, np.ascontiguousarray(arr), allow_pickle=False)
        return
    np.lib.format.write_array_header_1_0(fh, np.lib.format.header_data_from_array_1_0(arr))
    flat = arr.reshape(-1)
    step = max(COPY_BYTES // max(flat.itemsize, 1), 1)
    for lo in range(0, len(flat), step):
        fh.write(memoryview(flat[lo : lo + step]).cast("B"))
        release_pages(flat, lo, lo + step)


class Scratch:
    """A temporary folder for a big build's count blocks and finished arrays: each is
    written once and mapped back read-only, so its pages are on disk, not in memory, until
    they are read (a million passages' counts and the index built from them need not be in
    memory at the same time). Removed when the object goes."""

    def __init__(self, where: Path | None = None):
        self.where = where
        self._dir: Any = None

    def path(self) -> Path:
        """A new file name in the folder (made on first use)."""
        import tempfile

        if self._dir is None:
            if self.where is not None:
                Path(self.where).mkdir(parents=True, exist_ok=True)
            # ".….tmp": a folder a killed build leaves is cleared by the next save (under the lock)
            self._dir = tempfile.TemporaryDirectory(prefix=".build-", suffix=".tmp", dir=self.where,
                                                    ignore_cleanup_errors=True)
        return Path(self._dir.name) / f"{uuid.uuid4().hex}.npy"

    def keep(self, arr):
        import numpy as np

        if arr.nbytes < SPILL_BYTES:
            return arr
        try:
            path = self.path()
            np.save(path, arr, allow_pickle=False)
            return np.load(path, mmap_mode="r").view(np.ndarray)
        except OSError:
            return arr  # no room on disk: keep it in memory

    def sink(self, dtype, shape: int | tuple[int, ...]) -> _Sink:
        return _Sink(self, dtype, shape)


class _Sink:
    """An array written from front to back a block at a time: a big one straight into a
    scratch file (mapped back when done, so that it is never whole in memory), a small one
    (or one the disk has no room for) in memory."""

    def __init__(self, scratch: Scratch, dtype, shape: int | tuple[int, ...]):
        import numpy as np

        self.scratch = scratch  # the folder lasts while its files are written
        self.shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.dtype, self.length, self.at = np.dtype(dtype), self.shape[0], 0
        self.arr: Any = None
        self.fh: Any = None
        if self.dtype.itemsize * int(np.prod(self.shape)) >= SPILL_BYTES:
            fh = None
            try:
                self.path = scratch.path()
                fh = open(self.path, "wb")
                header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
                          "shape": self.shape}
                np.lib.format.write_array_header_1_0(fh, header)
                self.start, self.fh = fh.tell(), fh
            except OSError:
                if fh is not None:
                    fh.close()
        if self.fh is None:
            self._in_memory()

    def _in_memory(self) -> None:
        import numpy as np

        arr = np.empty(self.shape, dtype=self.dtype)
        if self.fh is not None:  # what reached the disk before it was full
            self.fh.close()
            written = np.fromfile(self.path, dtype=self.dtype, count=self.at * arr[:1].size, offset=self.start)
            arr[: self.at] = written.reshape((self.at,) + self.shape[1:])
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.fh = None
        self.arr = arr

    def write(self, block) -> None:
        import numpy as np

        block = np.ascontiguousarray(block, dtype=self.dtype)
        if not len(block):
            return
        if self.fh is not None:
            try:
                self.fh.write(memoryview(block).cast("B"))
                self.fh.flush()  # all of it on disk, or an error now (not at close)
            except OSError:
                self._in_memory()
        if self.fh is None:
            self.arr[self.at : self.at + len(block)] = block
        self.at += len(block)

    def done(self):
        import numpy as np

        if self.at != self.length:
            raise ValueError(f"{self.at} of {self.length} items written")
        if self.fh is None:
            return self.arr
        self.fh.close()
        return np.load(self.path, mmap_mode="r").view(np.ndarray)


@dataclass
class _Part:
    """Counts of a run of passages: its CSR pointers from row ``base``, global term number, count."""

    base: int
    indptr: Any  # int64 (k + 1,)
    cols: Any  # int32
    counts: Any  # uint16


def _slices(part: _Part):
    """(lo, hi, rows) of the part's weights, SCATTER_SLICE at a time (whole rows), with each
    weight's absolute row."""
    import numpy as np

    indptr, k, r0 = part.indptr, len(part.indptr) - 1, 0
    while r0 < k:
        r1 = int(np.searchsorted(indptr, int(indptr[r0]) + SCATTER_SLICE, side="right")) - 1
        r1 = min(max(r1, r0 + 1), k)
        lo, hi = int(indptr[r0]), int(indptr[r1])
        rows = np.repeat(np.arange(part.base + r0, part.base + r1, dtype=np.int32), np.diff(indptr[r0 : r1 + 1]))
        yield lo, hi, rows
        r0 = r1


class _Counts:
    """The vocabulary so far, each term's document frequency and the count parts, merged
    chunk by chunk in the parent."""

    def __init__(self, vocabulary: dict[str, int] | None = None, scratch: Scratch | None = None):
        import numpy as np

        self.scratch = scratch
        self.vocab: dict[str, int] = vocabulary if vocabulary is not None else {}
        self.parts: list[_Part] = []
        self._df = np.zeros(max(1024, 2 * len(self.vocab)), dtype=np.int64)
        self._pending: list[_Part] = []  # chunk parts not yet joined into a block
        self._pending_bytes = 0

    def flush(self) -> None:
        """Join the pending chunk parts (consecutive rows) into one block. Small arrays freed
        one by one stay in the allocator's heap; a big block goes back to the system when the
        weighing is done with it, so the counts and the matrix are not both held whole."""
        import numpy as np

        pending, self._pending, self._pending_bytes = self._pending, [], 0
        if not pending:
            return
        if len(pending) == 1:
            self.parts.append(pending[0])
            return
        first_base = pending[0].base
        sizes = np.cumsum([0] + [len(p.cols) for p in pending])
        indptr = np.concatenate([p.indptr[:-1] + sizes[i] for i, p in enumerate(pending)] + [sizes[-1:]])
        cols, counts = np.concatenate([p.cols for p in pending]), np.concatenate([p.counts for p in pending])
        del pending
        if self.scratch is not None:  # on disk until the weighing reads it
            cols, counts = self.scratch.keep(cols), self.scratch.keep(counts)
        self.parts.append(_Part(first_base, indptr.astype(np.int64), cols, counts))

    @property
    def df(self):
        return self._df[: len(self.vocab)]

    def _grow(self) -> None:
        import numpy as np

        if len(self.vocab) > len(self._df):
            grown = np.zeros(2 * len(self.vocab), dtype=np.int64)
            grown[: len(self._df)] = self._df
            self._df = grown

    def add_counted(self, c: _Counted, base: int) -> None:
        """A counted chunk, its rows from ``base`` on."""
        import numpy as np

        remap = _remap(self.vocab, c)
        self._grow()
        # each local term once per passage: the chunk's own df, added where the terms went
        self._df[remap] += np.bincount(c.cols, minlength=len(remap))
        self._pending.append(_Part(base, c.indptr, remap[c.cols], c.counts))
        self._pending_bytes += c.cols.nbytes + c.counts.nbytes
        if self._pending_bytes >= BLOCK_BYTES:
            self.flush()


def _remap(vocab: dict[str, int], c: _Counted):
    """The global number of each of a counted chunk's local terms (new terms numbered on)."""
    import numpy as np

    local = c.terms.split("\x00") if c.terms else []
    return np.fromiter((vocab.setdefault(t, len(vocab)) for t in local), dtype=np.int32, count=len(local))


def _idf(df, n_rows: int):
    """Smooth idf (float32) of document frequencies among ``n_rows`` passages."""
    import numpy as np

    return (np.log((1.0 + n_rows) / (1.0 + df)) + 1.0).astype(np.float32)


def _tf(counts, sublinear: bool):
    """The tf factor (float32) of term counts: 1 + log(count) when sublinear."""
    import numpy as np

    c = counts.astype(np.float32)
    return 1.0 + np.log(c) if sublinear else c


def _pivots(sq, slope: float):
    """What each passage's weights are divided by, from its squared norm: (1 - s) * mean
    norm + s * norm (Singhal, Buckley & Mitra 1996's pivoted length normalisation: s = 1
    is plain cosine, which favours short passages too much; a smaller s tilts towards the
    long ones)."""
    import numpy as np

    norms = np.sqrt(sq)
    pivots = ((1.0 - slope) * (norms.mean() if len(norms) else 0.0) + slope * norms).astype(np.float32)
    pivots[pivots == 0] = 1.0
    return pivots


def _weigh(counts: _Counts, n_rows: int, *, sublinear: bool, slope: float):
    """(terms, idf, indptr, rows, weights, pivots) from the count parts, columns with no
    passage left out: smooth idf, 1 + log(tf) when sublinear, pivoted length normalisation."""
    import numpy as np

    counts.flush()
    df = counts.df.copy()
    keep = df > 0
    terms = list(counts.vocab)
    if not keep.all():  # terms only the removed documents had
        new_col = (np.cumsum(keep, dtype=np.int64) - 1).astype(np.int32)
        for p in counts.parts:
            p.cols = new_col[p.cols]
        terms = [t for t, k in zip(terms, keep.tolist()) if k]
        df = df[keep]
    idf = _idf(df, n_rows)

    def tf(counts):
        return _tf(counts, sublinear)

    sq = np.zeros(n_rows, dtype=np.float64)
    for p in counts.parts:
        for lo, hi, rows in _slices(p):  # bounded temporaries (a block holds tens of millions)
            w2 = np.square(tf(p.counts[lo:hi]) * idf[p.cols[lo:hi]], dtype=np.float64)
            if len(rows):  # a run of rows: a short bincount
                first = int(rows[0])
                part_sq = np.bincount(rows - first, weights=w2)
                sq[first : first + len(part_sq)] += part_sq
    pivots = _pivots(sq, slope)
    del sq
    indptr = np.zeros(len(df) + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    nnz = int(indptr[-1])
    rows_out = np.empty(nnz, dtype=np.int32)
    weights_out = np.empty(nnz, dtype=np.float32)
    fill = indptr[:-1].copy()
    counts.parts.reverse()
    while counts.parts:  # scatter part by part, freeing each: rows stay in order within a column
        p = counts.parts.pop()
        for lo, hi, rows in _slices(p):
            order = np.argsort(p.cols[lo:hi], kind="stable")
            cols = p.cols[lo:hi][order]
            rows = rows[order]
            if not len(cols):
                continue
            # runs of one column in the sorted slice: each weight's place is the column's next
            first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
            cnt = np.diff(np.r_[first, len(cols)])
            pos = fill[cols] + (np.arange(len(cols)) - np.repeat(first, cnt))
            fill[cols[first]] += cnt
            rows_out[pos] = rows
            weights_out[pos] = tf(p.counts[lo:hi])[order] * idf[cols] / pivots[rows]
            del order, cols, rows, pos
        del p
    return terms, idf, indptr, rows_out, weights_out, pivots


# --- building ----------------------------------------------------------------------------------


_SOURCE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class _TableBuilder:
    """Passage texts, sources and chapter sets gathered as compact buffers while building.

    A million passages may name as many sources: each is kept as its JSON text in one
    buffer, known by a 16-byte digest, with its year, kind and unit as numbers. Given a
    sink as long as all the texts, the texts go into it as they come (``finish_text``
    makes ``text`` the whole of them)."""

    def __init__(self, text_sink: _Sink | None = None):
        self.text: Any = bytearray()  # the texts not yet in the sink
        self._sink = text_sink
        self._text_bytes = 0  # all of them
        self.offsets = array("q", [0])
        self.source_ids, self.chapter_set_ids = array("i"), array("i")
        self.chapter_sets: dict[tuple, int] = {}
        self._source_no: dict[bytes, int] = {}
        self._last: tuple[tuple | None, int] = (None, -1)
        self.source_json = bytearray()
        self.source_offsets = array("q", [0])
        self.source_year, self.source_kind, self.source_org = array("i"), array("i"), array("i")
        self.kinds: dict[str, int] = {}
        self.orgs: dict[str, int] = {}
        self.org_utf8, self.org_offsets = bytearray(), array("q", [0])  # the orgs' names, encoded as first seen

    def add(self, rec: PassageRecord) -> None:
        self.add_raw(rec.text.encode("utf-8"), (rec.file, rec.article, rec.heading, rec.org, rec.year, rec.kind),
                     tuple(rec.chapters))

    def _source(self, source: tuple) -> int:
        if source == self._last[0]:  # passages of a section come one after another
            return self._last[1]
        try:
            encoded = _SOURCE_JSON.encode(list(source)).encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not UTF-8
            encoded = json_bytes(list(source), separators=(",", ":"))
        number = self._encoded_source(encoded, source[4] if isinstance(source[4], int) else 0, source[5] or "",
                                      source[3] or "")
        self._last = (source, number)
        return number

    def _encoded_source(self, encoded: bytes, year: int, kind: str, org: str) -> int:
        """The number of a source given as its JSON text, a new one numbered on."""
        key = hashlib.blake2b(encoded, digest_size=16).digest()
        number = self._source_no.get(key)
        if number is None:
            number = self._source_no[key] = len(self._source_no)
            self.source_json += encoded
            self.source_offsets.append(len(self.source_json))
            self.source_year.append(year)
            self.source_kind.append(self.kinds.setdefault(kind, len(self.kinds)))
            org_no = self.orgs.get(org)
            if org_no is None:
                org_no = self.orgs[org] = len(self.orgs)
                self.org_utf8 += org.encode("utf-8")
                self.org_offsets.append(len(self.org_utf8))
            self.source_org.append(org_no)
        return number

    def add_raw(self, text: bytes, source: tuple, chapters: tuple) -> None:
        self.text += text
        self._text_bytes += len(text)
        self.offsets.append(self._text_bytes)
        if self._sink is not None and len(self.text) >= TEXT_BUFFER:
            self._flush_text()
        self.source_ids.append(self._source(source))
        self.chapter_set_ids.append(self.chapter_sets.setdefault(chapters, len(self.chapter_sets)))

    def add_stored(self, table: PassageTable, a: int, b: int, numbers: dict[str, Any]) -> None:
        """Passages ``a`` to ``b`` of a stored table, as ``add`` would add them one by one:
        the texts copied as one slice, sources (their JSON texts as stored) and chapter sets
        numbered in order of first sight. ``numbers`` keeps, across calls, the number given
        to each of the table's sources and chapter sets (-1: none yet)."""
        import numpy as np

        if "source" not in numbers:
            numbers["source"] = np.full(len(table.sources), -1, dtype=np.int64)
            numbers["chapters"] = np.full(len(table.chapter_sets), -1, dtype=np.int64)
        src = table.sources
        offsets = np.asarray(table.texts.offsets[a : b + 1], dtype=np.int64)
        texts = table.texts.utf8[offsets[0] : offsets[-1]]
        if self._sink is not None:
            self._flush_text()
            self._sink.write(texts)
        else:
            self.text += memoryview(texts)
        self.offsets.frombytes((offsets[1:] - offsets[0] + self._text_bytes).tobytes())
        self._text_bytes += len(texts)

        def number(ids, known, new):
            uniq, first = np.unique(ids, return_index=True)
            for i in uniq[np.argsort(first)].tolist():
                if known[i] < 0:
                    known[i] = new(i)
            return known[ids].astype(np.int32).tobytes()

        self.source_ids.frombytes(number(np.asarray(table.source_ids[a:b]), numbers["source"], lambda i: (
            self._encoded_source(src.texts.raw(i), int(src.year[i]), src.kinds[int(src.kind[i])],
                                 src.orgs[int(src.org[i])]))))
        self.chapter_set_ids.frombytes(number(np.asarray(table.chapter_set_ids[a:b]), numbers["chapters"], lambda i: (
            self.chapter_sets.setdefault(tuple(table.chapter_sets[i]), len(self.chapter_sets)))))

    def _flush_text(self) -> None:
        import numpy as np

        if self.text:
            self._sink.write(np.frombuffer(self.text, dtype=np.uint8))
            self.text = bytearray()

    def finish_text(self) -> None:
        """The texts gathered in the sink made ``text`` (mapped, for a big one)."""
        if self._sink is not None:
            self._flush_text()
            self.text, self._sink = self._sink.done(), None

    def table(self, *, pivots, minhash, shingles) -> PassageTable:
        import numpy as np

        def arr(a, dtype):
            return np.frombuffer(a, dtype=dtype) if len(a) else np.zeros(0, dtype=dtype)

        sources = SourceTable(
            StringTable(arr(self.source_json, np.uint8), arr(self.source_offsets, np.int64)),
            arr(self.source_year, np.int32), arr(self.source_kind, np.int32), arr(self.source_org, np.int32),
            list(self.kinds), StringTable(arr(self.org_utf8, np.uint8), arr(self.org_offsets, np.int64)),
        )
        return PassageTable(
            StringTable(arr(self.text, np.uint8), arr(self.offsets, np.int64)),
            arr(self.source_ids, np.int32),
            arr(self.chapter_set_ids, np.int32),
            sources,
            list(self.chapter_sets),
            pivots,
            minhash,
            shingles,
        )


def _no_terms_error() -> DrafterError:
    return DrafterError("语料库的段落里没有可检索的词（只有数字、标点或常用词），无法建立检索索引。")


def _counted_chunks(records: Iterable[PassageRecord], analyzer: str, heading_weight: int,
                    builder: _TableBuilder | None, progress: Progress | None, total: int, label: str,
                    workers: int | None) -> Iterator[_Counted]:
    """The records counted chunk by chunk on every core, in order; each record goes into
    ``builder`` (when given) as it is sent off."""
    it = records if progress is None else progress(records, total, label)

    def items() -> Iterator[tuple[str, str]]:
        for rec in it:
            if builder is not None:
                builder.add(rec)
            yield rec.text, rec.heading

    count = partial(_count_chunk, analyzer, heading_weight)
    return tokenize.map_chunks(count, items(), workers=workers, chunk=COUNT_CHUNK)


def build_index(
    passages: Iterable[PassageRecord],
    analyzer: str,
    *,
    config: dict[str, Any],
    fingerprint: str,
    progress: Progress | None = None,
    total: int | None = None,
    documents: Sequence[tuple[str, int]] | None = None,
    workers: int | None = None,
    scratch_dir: Path | None = None,
) -> IndexData:
    """Count the passages in batches on every core and weigh them into an index.

    ``passages`` may be a generator (memory stays bounded by the counts, not the texts
    held by the caller); ``documents`` is (key, number of passages) per document in order,
    so that a later ``update_index`` can tell which ones it already has. A big build keeps
    its count blocks and finished arrays in a temporary folder in ``scratch_dir`` (the
    system's by default), mapped, so that they are not in memory while the matrix is weighed.
    """
    import numpy as np

    heading_weight = int(config["heading_weight"])
    scratch = Scratch(scratch_dir)
    builder = _TableBuilder()
    counts = _Counts(scratch=scratch)
    sigs, shingles = [], []

    if total is None:
        total = len(passages) if hasattr(passages, "__len__") else 0
    base_row = 0
    for counted in _counted_chunks(passages, analyzer, heading_weight, builder, progress, total, "建立检索索引",
                                   workers):
        counts.add_counted(counted, base_row)
        base_row += len(counted.indptr) - 1
        sigs.append(counted.minhash)
        shingles.append(counted.shingles)
    n = base_row
    if not counts.df.any():
        raise _no_terms_error()
    # joined before the weighing allocates the matrix, and put aside on disk with the texts
    minhash = scratch.keep(np.concatenate(sigs) if sigs else np.zeros((0, MINHASH), dtype=np.uint32))
    shingle_counts = np.concatenate(shingles) if shingles else np.zeros(0, dtype=np.int32)
    del sigs, shingles
    builder.text = scratch.keep(np.frombuffer(builder.text, dtype=np.uint8)) if builder.text else builder.text
    terms, idf, indptr, rows, weights, pivots = _weigh(
        counts, n, sublinear=bool(config["sublinear_tf"]), slope=float(config["pivot_slope"]))
    table = builder.table(pivots=pivots, minhash=minhash, shingles=shingle_counts)
    docs = list(documents) if documents is not None else [("", n)]
    if sum(c for _, c in docs) != n:
        raise ValueError("documents do not add up to the passages")
    doc_offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([c for _, c in docs], out=doc_offsets[1:])
    data = IndexData(fingerprint, dict(config), make_vocabulary(terms), idf, indptr, rows, weights, table,
                     doc_offsets, [k for k, _ in docs])
    data.scratch = scratch  # the mapped files live as long as the data
    return data


def make_vocabulary(terms: Sequence[str]) -> Vocabulary:
    import numpy as np

    encoded = [t.encode("utf-8") for t in terms]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    hashes = tokenize._hash64_many(list(terms)) if terms else np.zeros(0, dtype=np.uint64)
    order = np.argsort(hashes, kind="stable").astype(np.int32)
    return Vocabulary(StringTable(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets), hashes[order], order)


def stored_counts(data: IndexData, first_col: int = 0, end_col: int | None = None):
    """(rows, cols, counts) of the stored index's columns ``first_col`` to ``end_col``: the
    term counts the weights were made from (weight × pivot / idf is the tf)."""
    import numpy as np

    end_col = len(data.idf) if end_col is None else end_col
    lo, hi = int(data.indptr[first_col]), int(data.indptr[end_col])
    cols = np.repeat(np.arange(first_col, end_col, dtype=np.int32), np.diff(data.indptr[first_col : end_col + 1]))
    rows = np.asarray(data.rows[lo:hi], dtype=np.int32)
    tf = data.weights[lo:hi] * data.passages.pivots[rows] / data.idf[cols]
    if data.config.get("sublinear_tf", True):
        tf = np.exp(tf.astype(np.float64) - 1.0)
    return rows, cols, np.rint(tf).clip(1, 65535).astype(np.uint16)


def _column_blocks(indptr, size: int = 4_000_000):
    """(first, end) column ranges of about ``size`` stored weights each."""
    import numpy as np

    n_cols = len(indptr) - 1
    first = 0
    while first < n_cols:
        end = int(np.searchsorted(indptr, int(indptr[first]) + size, side="right")) - 1
        end = min(max(end, first + 1), n_cols)
        yield first, end
        first = end


APPEND_BLOCK = 1_000_000  # weights of the new matrix made at a time when adding documents
TABLE_ROWS = 65_536  # stored passages copied at a time when adding documents
TEXT_BUFFER = 8 << 20  # bytes of new passages' texts gathered before they go to a sink


def _columns_of(vocabulary: Vocabulary, terms: Sequence[str]):
    """The column of each term in the vocabulary (-1 where it has none): all hashed at once,
    each found one checked against the term's bytes."""
    import numpy as np

    cols = np.full(len(terms), -1, dtype=np.int64)
    n = len(vocabulary.hashes)
    if not len(terms) or not n:
        return cols
    hashes = tokenize._hash64_many(list(terms))
    at = np.searchsorted(vocabulary.hashes, hashes)
    for i in np.flatnonzero(vocabulary.hashes[np.minimum(at, n - 1)] == hashes).tolist():
        raw, j = terms[i].encode("utf-8"), int(at[i])
        while j < n and vocabulary.hashes[j] == hashes[i]:  # equal hashes, the right bytes
            col = int(vocabulary.by_hash[j])
            if vocabulary.terms.raw(col) == raw:
                cols[i] = col
                break
            j += 1
    return cols


def _vocabulary_after(old: Vocabulary, keep, new_terms: Sequence[str]) -> Vocabulary:
    """``make_vocabulary`` of the old vocabulary's terms where ``keep`` followed by
    ``new_terms``, from the stored buffer and hashes (no string made per old term)."""
    import numpy as np

    offsets = np.asarray(old.terms.offsets, dtype=np.int64)
    utf8 = np.asarray(old.terms.utf8)
    lengths = np.diff(offsets)[keep]
    if len(lengths) == len(offsets) - 1:
        kept = utf8
    else:
        ends = np.cumsum(lengths)
        total = int(ends[-1]) if len(ends) else 0
        kept = utf8[np.repeat(offsets[:-1][keep] - (ends - lengths), lengths) + np.arange(total)]
    column_hash = np.empty(len(offsets) - 1, dtype=np.uint64)
    column_hash[np.asarray(old.by_hash)] = old.hashes
    encoded = [t.encode("utf-8") for t in new_terms]
    new_offsets = np.zeros(len(lengths) + len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.concatenate((lengths, np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))),
              out=new_offsets[1:])
    new_hashes = tokenize._hash64_many(list(new_terms)) if new_terms else np.zeros(0, dtype=np.uint64)
    hashes = np.concatenate((column_hash[keep], new_hashes))
    order = np.argsort(hashes, kind="stable").astype(np.int32)
    text = np.concatenate((kept, np.frombuffer(b"".join(encoded), dtype=np.uint8)))
    return Vocabulary(StringTable(text, new_offsets), hashes[order], order)


def _release_table(table: PassageTable) -> None:
    """The pages read of a stored passage table's arrays, but for the texts and signatures
    (let go slice by slice)."""
    s = table.sources
    for arr in (table.texts.offsets, table.source_ids, table.chapter_set_ids, table.shingles, s.texts.utf8,
                s.texts.offsets, s.year, s.kind, s.org, s.orgs.utf8, s.orgs.offsets):
        release_pages(arr)


def _passages_after(table: PassageTable, runs, new_sigs, new_shingles, scratch: Scratch) -> PassageTable:
    """The passage table of ``runs`` (a stored range (first, end) of ``table``, or new
    records), in that order, with the new records' signatures and shingle counts given in
    order; the stored texts and signatures copied a slice at a time into scratch files, the
    stored pages let go once read. Its pivots are left to the caller."""
    import numpy as np

    stored_text = np.asarray(table.texts.offsets)
    text_bytes = sum(int(stored_text[run[1]] - stored_text[run[0]]) if isinstance(run, tuple)
                     else sum(len(rec.text.encode("utf-8")) for rec in run) for run in runs)
    n = sum(run[1] - run[0] if isinstance(run, tuple) else len(run) for run in runs)
    builder = _TableBuilder(scratch.sink(np.uint8, text_bytes))
    numbers: dict[str, Any] = {}
    minhash = scratch.sink(np.uint32, (n, MINHASH))
    shingles = np.zeros(n, dtype=np.int32)
    row = item = 0
    for run in runs:
        if isinstance(run, tuple):
            for lo in range(run[0], run[1], TABLE_ROWS):
                hi = min(lo + TABLE_ROWS, run[1])
                builder.add_stored(table, lo, hi, numbers)
                minhash.write(table.minhash[lo:hi])
                shingles[row : row + hi - lo] = table.shingles[lo:hi]
                release_pages(table.texts.utf8, int(stored_text[lo]), int(stored_text[hi]))
                release_pages(table.minhash, lo, hi)
                _release_table(table)
                row += hi - lo
        else:
            for rec in run:
                builder.add(rec)
            minhash.write(new_sigs[item : item + len(run)])
            shingles[row : row + len(run)] = new_shingles[item : item + len(run)]
            item += len(run)
            row += len(run)
    _release_table(table)
    builder.finish_text()
    # made now: the builder's dictionaries of sources and units (a million each, it may be) go with it
    return builder.table(pivots=None, minhash=minhash.done(), shingles=shingles)


def update_index(
    old: IndexData,
    documents: Sequence[tuple[str, Sequence[PassageRecord]]],
    *,
    fingerprint: str,
    progress: Progress | None = None,
    workers: int | None = None,
    scratch_dir: Path | None = None,
) -> tuple[IndexData, int]:
    """The index of ``documents`` (key, passages), made from ``old`` without tokenising the
    documents it already holds: their counts are recovered from the stored weights, the new
    documents are counted, and everything is weighed again (idf changes with every document).
    Returns the index and how many documents were counted.

    Memory: the old index is read a block of columns at a time and its mapped pages are let
    go once read; the new matrix is made a block of columns at a time (old columns with the
    new documents' counts) and written into the scratch folder, so neither matrix is ever
    whole in memory; the passage texts and signatures are copied in slices."""
    import numpy as np

    config = old.config
    sublinear = bool(config["sublinear_tf"])
    old_doc = {k: i for i, k in enumerate(old.keys())}
    offsets = np.asarray(old.doc_offsets, dtype=np.int64)
    table = old.passages
    n_old, n_old_cols = len(table), len(old.idf)
    # Where each passage goes: runs of kept documents' stored passages, new documents' records.
    new_row = np.full(n_old, -1, dtype=np.int64)
    runs: list[tuple[int, int] | Sequence[PassageRecord]] = []
    flat: list[PassageRecord] = []  # the passages to count
    row_of_item = array("q")
    n = 0
    for key, recs in documents:
        d = old_doc.get(key)
        if d is None:
            runs.append(recs)
            flat += recs
            row_of_item.extend(range(n, n + len(recs)))
            n += len(recs)
            continue
        a, b = int(offsets[d]), int(offsets[d + 1])
        new_row[a:b] = np.arange(n, n + b - a)
        if runs and isinstance(runs[-1], tuple) and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
        n += b - a
    all_kept = bool((new_row >= 0).all())
    scratch = Scratch(scratch_dir)

    # The new documents, counted on every core: their terms numbered after the old ones.
    vocab: dict[str, int] = {}
    counted_parts, sigs, shingles_new = [], [], []
    done = 0
    for counted in _counted_chunks(flat, config["analyzer"], int(config["heading_weight"]), None, progress,
                                   len(flat), "更新检索索引", workers):
        k = len(counted.indptr) - 1
        at = np.frombuffer(row_of_item, dtype=np.int64)[done : done + k].astype(np.int32)
        counted_parts.append((np.repeat(at, np.diff(counted.indptr)), _remap(vocab, counted)[counted.cols],
                              counted.counts))
        sigs.append(counted.minhash)
        shingles_new.append(counted.shingles)
        done += k
    local_terms = list(vocab)
    column = _columns_of(old.vocabulary, local_terms)
    is_new = column < 0
    column[is_new] = n_old_cols + np.arange(int(is_new.sum()))
    new_terms = [local_terms[i] for i in np.flatnonzero(is_new).tolist()]
    n_cols = n_old_cols + len(new_terms)
    del vocab, local_terms

    passages = _passages_after(table, runs, np.concatenate(sigs) if sigs else np.zeros((0, MINHASH), dtype=np.uint32),
                               np.concatenate(shingles_new) if shingles_new else np.zeros(0, dtype=np.int32), scratch)
    del sigs, shingles_new

    # The new documents' counts, by column (passages in order within a column).
    if counted_parts:
        rows_new, cols_new, counts_new = (np.concatenate(x) for x in zip(*counted_parts))
    else:
        rows_new, cols_new, counts_new = (np.zeros(0, dtype=t) for t in (np.int32, np.int32, np.uint16))
    del counted_parts
    cols_new = column[cols_new]
    order = np.argsort(cols_new, kind="stable")
    rows_new, cols_new, counts_new = (scratch.keep(x[order]) for x in (rows_new, cols_new, counts_new))
    del order
    new_ptr = np.searchsorted(cols_new, np.arange(n_cols + 1)).astype(np.int64)

    # Document frequencies, idf, and where each column starts in the new matrix.
    df_old = np.zeros(n_cols, dtype=np.int64)
    if all_kept:
        df_old[:n_old_cols] = np.diff(old.indptr)
    else:  # the passages of removed documents do not count
        for first, end in _column_blocks(old.indptr, APPEND_BLOCK):
            lo, hi = int(old.indptr[first]), int(old.indptr[end])
            kept = new_row[old.rows[lo:hi]] >= 0
            release_pages(old.rows, lo, hi)
            cols = np.repeat(np.arange(end - first), np.diff(old.indptr[first : end + 1]))
            df_old[first:end] = np.bincount(cols[kept], minlength=end - first)
    df = df_old + np.diff(new_ptr)
    keep = df > 0
    if not n or not keep.any():
        raise _no_terms_error()
    idf = np.zeros(n_cols, dtype=np.float32)
    idf[keep] = _idf(df[keep], n)
    ptr = np.zeros(n_cols + 1, dtype=np.int64)
    np.cumsum(df, out=ptr[1:])

    def blocks():
        """(start, length, [(rows, cols, counts, places)]) of the new matrix a block of columns
        at a time: the old index's kept weights as counts (stored order within a column),
        then the new documents' counts; places from the block's start."""
        for first, end in _column_blocks(ptr, APPEND_BLOCK):
            base, parts = int(ptr[first]), []
            old_end = min(end, n_old_cols)
            if first < old_end:
                lo, hi = int(old.indptr[first]), int(old.indptr[old_end])
                rows, cols, cnt = stored_counts(old, first, old_end)
                to = new_row[rows]
                release_pages(old.rows, lo, hi)
                release_pages(old.weights, lo, hi)
                if not all_kept:
                    kept = to >= 0
                    to, cols, cnt = to[kept], cols[kept], cnt[kept]
                before = np.zeros(old_end - first + 1, dtype=np.int64)  # kept weights of the block's earlier columns
                np.cumsum(df_old[first:old_end], out=before[1:])
                places = ptr[cols] - base + np.arange(len(cols)) - before[cols - first]
                parts.append((to.astype(np.int32), cols, cnt, places))
            j0, j1 = int(new_ptr[first]), int(new_ptr[end])
            if j1 > j0:
                cols = cols_new[j0:j1]
                parts.append((rows_new[j0:j1], cols, counts_new[j0:j1],
                              ptr[cols] - base + df_old[cols] + np.arange(j0, j1) - new_ptr[cols]))
            yield base, int(ptr[end]) - base, parts
            for arr in (rows_new, cols_new, counts_new):  # used by now
                release_pages(arr, j0, j1)

    sq = np.zeros(n, dtype=np.float64)
    for _, _, parts in blocks():
        for rows, cols, cnt, _ in parts:
            sq += np.bincount(rows, weights=np.square(_tf(cnt, sublinear) * idf[cols], dtype=np.float64), minlength=n)
    pivots = passages.pivots = _pivots(sq, float(config["pivot_slope"]))
    del sq
    rows_out, weights_out = scratch.sink(np.int32, int(ptr[-1])), scratch.sink(np.float32, int(ptr[-1]))
    for _, length, parts in blocks():
        block_rows, block_weights = np.empty(length, dtype=np.int32), np.empty(length, dtype=np.float32)
        for rows, cols, cnt, places in parts:
            block_rows[places] = rows
            block_weights[places] = _tf(cnt, sublinear) * idf[cols] / pivots[rows]
        rows_out.write(block_rows)
        weights_out.write(block_weights)
    indptr = ptr[np.flatnonzero(np.r_[keep, True])]
    vocabulary = _vocabulary_after(old.vocabulary, keep[:n_old_cols], new_terms)

    doc_offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    np.cumsum([len(recs) if old_doc.get(k) is None else int(offsets[old_doc[k] + 1] - offsets[old_doc[k]])
               for k, recs in documents], out=doc_offsets[1:])
    data = IndexData(fingerprint, dict(config), vocabulary, idf[keep], indptr, rows_out.done(), weights_out.done(),
                     passages, doc_offsets,
                     [k for k, _ in documents])
    data.scratch = scratch
    return data, len({k for k, _ in documents} - set(old_doc))


# --- storing ------------------------------------------------------------------------------------


def _arrays(data: IndexData) -> dict[str, Any]:
    import numpy as np

    t, v = data.passages, data.vocabulary
    s = t.sources
    return {
        "idf": data.idf, "indptr": data.indptr, "rows": data.rows, "weights": data.weights,
        "term_hash": v.hashes, "term_by_hash": v.by_hash, "term_offsets": v.terms.offsets, "term_utf8": v.terms.utf8,
        "text_utf8": t.texts.utf8, "text_offsets": t.texts.offsets, "source_ids": t.source_ids,
        "chapter_set_ids": t.chapter_set_ids, "pivots": t.pivots, "minhash": t.minhash, "shingles": t.shingles,
        "source_utf8": s.texts.utf8, "source_offsets": s.texts.offsets, "source_year": s.year,
        "source_kind": s.kind, "source_org": s.org, "org_utf8": s.orgs.utf8, "org_offsets": s.orgs.offsets,
        "doc_offsets": data.doc_offsets if data.doc_offsets is not None else np.array([0, len(t)], dtype=np.int64),
    }


def _write_generation(folder: Path, data: IndexData) -> str:
    """Write the arrays and tables into a new generation folder; return its name."""
    name = f"{GENERATION_PREFIX}{data.build_id}"
    tmp = folder / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        tmp.mkdir(parents=True)
        for key, arr in _arrays(data).items():
            with open(tmp / f"{key}.npy", "wb") as fh:
                _write_array(fh, arr)
                fh.flush()
                os.fsync(fh.fileno())
        tables = {"build_id": data.build_id, "chapter_sets": [list(c) for c in data.passages.chapter_sets],
                  "kinds": data.passages.sources.kinds}
        for fname, body in ((TABLES, tables), (DOCUMENTS, {"build_id": data.build_id, "keys": data.keys()})):
            with open(tmp / fname, "wb") as fh:
                fh.write(json_bytes(body, separators=(",", ":")))
                fh.flush()
                os.fsync(fh.fileno())
        target = folder / name
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise write_error(tmp.parent / name, exc) from exc
        raise
    return name


def _meta(data: IndexData, generation: str, settings: str | None) -> dict[str, Any]:
    return {
        "format": INDEX_FORMAT,
        "build_id": data.build_id,
        "generation": generation,
        "fingerprint": data.fingerprint,
        "settings": settings,
        "config": data.config,
        "passages": len(data.passages),
        "terms": len(data.vocabulary),
    }


def _clear_other_generations(folder: Path, keep: str | None) -> None:
    """Old generations, temp folders of killed builds and files of older formats."""
    for entry in list(folder.iterdir()) if folder.is_dir() else []:
        name = entry.name
        if name == keep or name == META:
            continue
        if entry.is_dir() and (name.startswith(GENERATION_PREFIX) or (name.startswith(".") and name.endswith(".tmp"))):
            shutil.rmtree(entry, ignore_errors=True)  # a reader with it mapped keeps its pages (POSIX)
        elif name in ("passages.json", "matrix.npz"):  # format 2
            with contextlib.suppress(OSError):
                entry.unlink()


def save_index(folder: Path, data: IndexData, *, settings: str | None = None) -> None:
    """A new generation, then meta.json switched to it (the commit), then the old ones removed."""
    try:
        # The index folder lives in the corpus folder, whose lock guards every write.
        with store_lock(folder.parent):
            folder.mkdir(parents=True, exist_ok=True)
            remove_temp_files(folder)
            generation = _write_generation(folder, data)
            try:
                atomic_write_bytes(folder / META, json_bytes(_meta(data, generation, settings), indent=1))
            except WriteError:
                shutil.rmtree(folder / generation, ignore_errors=True)  # the old meta.json still names the old one
                raise
            _clear_other_generations(folder, generation)
    except WriteError as exc:
        raise DrafterError(f"无法写入检索索引，索引没有更新。{exc.message}") from exc


# --- the index of the embedded corpus, shipped with the package --------------------------
#
# A fresh machine's first search or draft loads it instead of parsing and tokenising the
# seeds (about 2 s). It is used only when its fingerprint (corpus files, parser version,
# dictionary, configuration, format) is the one wanted, so a stale copy is never used; a
# test fails while it is stale (regenerate with ``python -m drafter.search``).


def shipped_index_dir() -> Path:
    from .resources import data_dir

    return data_dir() / "index-embedded"


def shipped_index(fingerprint: str) -> IndexData | None:
    folder = shipped_index_dir()
    try:
        meta = read_meta(folder)
        if meta.get("format") != INDEX_FORMAT or meta.get("fingerprint") != fingerprint:
            return None
        return load_index(folder, meta)
    except IndexUnusable:
        return None


def shipped_meta() -> dict[str, Any] | None:
    try:
        return read_meta(shipped_index_dir())
    except IndexUnusable:
        return None


def write_shipped_index(data: IndexData, settings: str | None = None) -> Path:
    folder = shipped_index_dir()
    folder.mkdir(parents=True, exist_ok=True)
    data.build_id = data.fingerprint[:32]  # stable: regenerating an unchanged index changes no file name
    generation = _write_generation(folder, data)
    atomic_write_bytes(folder / META, json_bytes(_meta(data, generation, settings), indent=1))
    _clear_other_generations(folder, generation)
    return folder


def remove_index(folder: Path) -> None:
    """Delete a damaged index (the next search builds a new one); lock held by the caller."""
    with contextlib.suppress(FileNotFoundError):
        (folder / META).unlink()
    _clear_other_generations(folder, None)


# --- loading -------------------------------------------------------------------------------------


def read_meta(folder: Path) -> dict[str, Any]:
    """The small meta file alone: enough to tell whether the index is current."""
    path = folder / META
    if not path.exists():
        raise IndexUnusable("还没有检索索引", missing=True)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or not all(isinstance(meta.get(k), str) for k in ("fingerprint", "build_id")):
            raise ValueError("缺少必要的字段")
        if not isinstance(meta.get("config", {}), dict):
            raise ValueError("配置格式不对")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise IndexUnusable(f"索引文件 {printable(path)} 已损坏（{exc}）") from exc
    return meta


def _open_array(path: Path):
    import numpy as np

    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:  # an empty array cannot be mapped
        arr = np.load(path, allow_pickle=False)
    if isinstance(arr, np.memmap):
        arr = arr.view(np.ndarray)  # slicing a memmap subclass costs more per call
    return arr


def load_index(folder: Path, meta: dict[str, Any], *, deep: bool | None = None) -> IndexData:
    """Map the current generation. Sizes and types are always checked (cheap); every row
    number too when ``deep`` (by default, for indexes under DEEP_CHECK_MAX weights)."""
    gen_name = meta.get("generation")
    if not isinstance(gen_name, str) or not gen_name.startswith(GENERATION_PREFIX) or "/" in gen_name or "\\" in gen_name:
        raise IndexUnusable(f"索引文件 {printable(folder / META)} 已损坏（没有有效的数据目录）")
    gen = folder / gen_name
    build_id = meta["build_id"]
    path = gen / TABLES
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(body, dict) or body.get("build_id") != build_id:
            raise ValueError("与 meta.json 不是同一次建立的")
        chapter_sets = [tuple(c) for c in body["chapter_sets"]]
        kinds = body["kinds"]
        if not all(isinstance(x, str) for c in chapter_sets for x in c) or not all(
                isinstance(x, str) for x in kinds):
            raise ValueError("章节表格式不对")
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise IndexUnusable(f"索引文件 {printable(path)} 已损坏（{exc}）") from exc
    arrays = {}
    for name, (kind, ndim) in ARRAYS.items():
        path = gen / f"{name}.npy"
        try:
            arr = _open_array(path)
            if arr.ndim != ndim or arr.dtype.kind not in kind:
                raise ValueError(f"数组 {name} 类型不对")
        except (OSError, ValueError, EOFError) as exc:
            raise IndexUnusable(f"索引文件 {printable(path)} 已损坏（{exc}）") from exc
        arrays[name] = arr
    a = arrays
    try:
        n_orgs = len(a["org_offsets"]) - 1
        _check_sizes(a, len(chapter_sets), len(kinds), n_orgs)
        if deep if deep is not None else len(a["rows"]) <= DEEP_CHECK_MAX:
            _check_values(a, len(chapter_sets), len(kinds), n_orgs)
    except ValueError as exc:
        raise IndexUnusable(f"索引目录 {printable(gen)} 已损坏（{exc}）") from exc
    sources = SourceTable(StringTable(a["source_utf8"], a["source_offsets"]), a["source_year"], a["source_kind"],
                          a["source_org"], kinds, StringTable(a["org_utf8"], a["org_offsets"]))
    table = PassageTable(StringTable(a["text_utf8"], a["text_offsets"]), a["source_ids"], a["chapter_set_ids"],
                         sources, chapter_sets, a["pivots"], a["minhash"], a["shingles"])
    vocab = Vocabulary(StringTable(a["term_utf8"], a["term_offsets"]), a["term_hash"], a["term_by_hash"])

    def document_keys() -> list[str]:
        p = gen / DOCUMENTS
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
            keys = doc["keys"]
            if doc.get("build_id") != build_id or not all(isinstance(k, str) for k in keys):
                raise ValueError("文档表格式不对")
            if len(keys) != len(a["doc_offsets"]) - 1:
                raise ValueError("文档表与段落表不符")
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise IndexUnusable(f"索引文件 {printable(p)} 已损坏（{exc}）") from exc
        return keys

    return IndexData(meta["fingerprint"], meta.get("config", {}), vocab, a["idf"], a["indptr"], a["rows"],
                     a["weights"], table, a["doc_offsets"], document_keys, build_id)


def _check_sizes(a: dict[str, Any], n_chapter_sets: int, n_kinds: int, n_orgs: int) -> None:
    """O(1) checks: every array as long as the others say."""
    n_terms, n = len(a["idf"]), len(a["source_ids"])
    nnz, n_src = len(a["rows"]), len(a["source_year"])
    checks = [
        (len(a["indptr"]) == n_terms + 1 and len(a["weights"]) == nnz, "矩阵大小与词表不符"),
        (len(a["indptr"]) and int(a["indptr"][0]) == 0 and int(a["indptr"][-1]) == nnz, "矩阵数据不完整"),
        (len(a["term_hash"]) == n_terms and len(a["term_by_hash"]) == n_terms and len(a["term_offsets"]) == n_terms + 1,
         "词表不完整"),
        (int(a["term_offsets"][-1]) == len(a["term_utf8"]), "词表不完整"),
        (len(a["text_offsets"]) == n + 1 and int(a["text_offsets"][-1]) == len(a["text_utf8"]), "段落数据不完整"),
        (len(a["chapter_set_ids"]) == n and len(a["pivots"]) == n and len(a["shingles"]) == n, "段落数据不完整"),
        (a["minhash"].shape == (n, MINHASH), "段落数据不完整"),
        (len(a["source_offsets"]) == n_src + 1 and int(a["source_offsets"][-1]) == len(a["source_utf8"]),
         "来源表不完整"),
        (len(a["source_kind"]) == n_src and len(a["source_org"]) == n_src, "来源表不完整"),
        (len(a["org_offsets"]) >= 1 and int(a["org_offsets"][-1]) == len(a["org_utf8"]), "单位表不完整"),
        (len(a["doc_offsets"]) >= 1 and int(a["doc_offsets"][-1]) == n, "文档表与段落表不符"),
    ]
    for ok, reason in checks:
        if not ok:
            raise ValueError(reason)


def _check_values(a: dict[str, Any], n_chapter_sets: int, n_kinds: int, n_orgs: int) -> None:
    """O(size) checks: every row, term and table number inside its table, offsets in order."""
    import numpy as np

    n, n_src, n_terms = len(a["source_ids"]), len(a["source_year"]), len(a["idf"])

    def within(name, hi):
        x = a[name]
        return not len(x) or (int(x.min()) >= 0 and int(x.max()) < hi)

    def ascending(name):
        x = a[name]
        return len(x) < 2 or bool(np.all(np.diff(x) >= 0))

    checks = [
        (within("rows", n), "矩阵与段落表不符"),
        (within("term_by_hash", n_terms), "词表已损坏"),
        (within("source_ids", n_src) and within("chapter_set_ids", n_chapter_sets), "段落与来源表不符"),
        (within("source_kind", max(n_kinds, 1)) and within("source_org", max(n_orgs, 1)), "来源表已损坏"),
        (all(ascending(k) for k in ("indptr", "term_offsets", "text_offsets", "source_offsets", "doc_offsets", "org_offsets",
                                    "term_hash")), "下标顺序不对"),
        (int(a["text_offsets"][0]) == 0 and int(a["term_offsets"][0]) == 0 and int(a["source_offsets"][0]) == 0
         and int(a["doc_offsets"][0]) == 0, "下标不从 0 开始"),
        (bool(np.all(np.isfinite(a["weights"]))) and bool(np.all(np.isfinite(a["idf"]))), "权重不是有效数字"),
    ]
    for ok, reason in checks:
        if not ok:
            raise ValueError(reason)
