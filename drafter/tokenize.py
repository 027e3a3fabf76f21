"""Tokenising Chinese report text for retrieval.

jieba in search mode (each word plus the dictionary words inside it), with the union
terms of ``data/userdict.txt``, stop words removed and bare numbers dropped so that
figures never become vocabulary. Optionally character bigrams of the Han runs.

Two ways to load jieba's dictionary give the same segmentation:
- ``compact=False``: jieba's own prefix dictionary, built in memory (~0.7 s, fastest
  per character): used when building the index;
- ``compact=True``: the same prefix dictionary as sorted 64-bit hashes in an ``.npy``
  cache in the user's drafter home, memory-mapped (about 1 ms to open, nothing copied;
  slower per character): used for queries, where start-up time is what the user waits for.

The build (``compact=False``) cuts with jieba-rs (``rjieba``; ``words`` 4 times faster) where it
gives jieba's tokens, and with jieba elsewhere, so the token stream is jieba's either way;
without ``rjieba`` installed it is jieba throughout.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache, partial
from pathlib import Path

from .fsutil import atomic_write_bytes
from .resources import data_dir, import_without_pkg_resources, user_home
from .text import HAN, simplified

# Bump when the token stream changes for the same text (it invalidates every index).
TOKENIZER_VERSION = 4

ANALYZERS: tuple[str, ...] = ("word", "word+bigram", "bigram")
BIGRAM_PREFIX = "~"  # bigram features live apart from word features in the vocabulary

_HAN = HAN
_HAN_RUN = re.compile(f"[{_HAN}]+")
# A token without a Han character or a letter is a number or punctuation: figures
# (2023, 23.3, 320) never become vocabulary, while 12351热线 and 5g stay.
_WORDISH = re.compile(f"[{_HAN}a-z]")


def userdict_path() -> Path:
    return data_dir() / "userdict.txt"


def stopwords_path() -> Path:
    return data_dir() / "stopwords.txt"


def _data_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@lru_cache(maxsize=1)
def user_terms() -> dict[str, int | None]:
    """The shipped union terms: word -> frequency (None lets jieba choose one that keeps it whole)."""
    terms: dict[str, int | None] = {}
    for line in _data_lines(userdict_path()):
        parts = line.split()
        terms[normalize(parts[0])] = int(parts[1]) if len(parts) > 1 else None
    return terms


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(normalize(w) for w in _data_lines(stopwords_path()))


def import_jieba():
    """jieba, imported without ``pkg_resources`` (see resources.import_without_pkg_resources)."""
    return import_without_pkg_resources("jieba")


def posseg():
    """``jieba.posseg`` (imported on first use only: it reads jieba's whole dictionary)."""
    import_jieba()
    import jieba.posseg

    return jieba.posseg


@lru_cache(maxsize=1)
def dictionary_hash() -> str:
    """Changes when anything that shapes the token stream changes."""
    jieba = import_jieba()

    h = hashlib.sha256()
    h.update(f"tokenizer={TOKENIZER_VERSION};jieba={jieba.__version__};".encode())
    for path in (userdict_path(), stopwords_path()):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def normalize(text: str) -> str:
    """Full-width letters and digits to ASCII, lower case (NFKC keeps Han characters as they are);
    traditional characters and pinyin in brackets read as simplified (drafter.text.simplified),
    so a simplified query finds a traditional passage."""
    return unicodedata.normalize("NFKC", simplified(text)).lower()


# --- jieba -----------------------------------------------------------------------------


_FNV_OFFSET, _FNV_PRIME, _MASK64 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
# Bump when the compact dictionary's file layout or hash changes (its file name carries it).
# 3: one uint64 ``.npy`` opened with ``mmap_mode`` (2 was an ``.npz``, copied on every load).
COMPACT_FORMAT = 3


def _hash64(word: str) -> int:
    """64-bit FNV-1a of the UTF-8 bytes (the same as ``_hash64_many``)."""
    h = _FNV_OFFSET
    for b in word.encode("utf-8"):
        h = ((h ^ b) * _FNV_PRIME) & _MASK64
    return h


def _hash64_many(words: list[str]):
    """``_hash64`` of many words at once with numpy, one pass per byte length (about
    0.1 s for jieba's 500k prefixes instead of 0.6 s one by one)."""
    import numpy as np

    encoded = [w.encode("utf-8") for w in words]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    out = np.empty(len(encoded), dtype=np.uint64)
    prime = np.uint64(_FNV_PRIME)
    for length in np.unique(lengths):
        where = np.flatnonzero(lengths == length)
        h = np.full(len(where), _FNV_OFFSET, dtype=np.uint64)
        if length:
            data = np.frombuffer(b"".join(encoded[i] for i in where), dtype=np.uint8).reshape(len(where), int(length))
            for j in range(int(length)):
                h ^= data[:, j]
                h *= prime  # wraps modulo 2**64 like the masked product
        out[where] = h
    return out


class HashedFreq(Mapping):
    """jieba's prefix dictionary (word -> frequency) as sorted 64-bit hashes.

    Read-only and exact up to a 64-bit hash collision. jieba only uses ``in``, ``[]``
    and ``get`` on it, which is all this provides. One lookup (a hash in Python and a
    ``searchsorted``) costs about 10 µs and cutting makes a few per character, so each
    answer is kept in a dict: reports repeat their words, and a second query, or the
    next paragraph, mostly asks what was asked before (4 times faster over the seeds;
    hashing all substrings of a text at once with numpy measured slower than this).
    """

    _MEMO_LIMIT = 200_000  # answers kept (about 20 MB); then it starts again

    def __init__(self, keys, freqs):
        self._keys = keys  # sorted numpy uint64
        self._freqs = freqs  # numpy int64, aligned with keys
        self._memo: dict[str, int] = {}  # word -> frequency, -1 when absent

    def _lookup(self, word: str) -> int:
        f = self._memo.get(word)
        if f is None:
            import numpy as np

            h = np.uint64(_hash64(word))
            i = int(self._keys.searchsorted(h))
            f = int(self._freqs[i]) if i < len(self._keys) and self._keys[i] == h else -1
            if len(self._memo) >= self._MEMO_LIMIT:
                self._memo = {}
            self._memo[word] = f
        return f

    def __getitem__(self, word: str) -> int:
        f = self._lookup(word)
        if f < 0:
            raise KeyError(word)
        return f

    def get(self, word, default=None):
        f = self._lookup(word)
        return default if f < 0 else f

    def __contains__(self, word) -> bool:
        return self._lookup(word) >= 0

    def __iter__(self) -> Iterator[str]:
        raise TypeError("HashedFreq cannot list its words")

    def __len__(self) -> int:
        return len(self._keys)


def _new_jieba():
    jieba = import_jieba()

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr
    return jieba.Tokenizer()


@lru_cache(maxsize=1)
def _full_jieba():
    tok = _new_jieba()
    tok.initialize()
    for word, freq in user_terms().items():
        tok.add_word(word, freq)
    return tok


def compact_dict_path() -> Path:
    return user_home() / "cache" / f"jieba-{dictionary_hash()}-c{COMPACT_FORMAT}.npy"


def _save_compact_dict(path: Path) -> None:
    """One uint64 array: the n sorted keys, their n frequencies, then jieba's total, so that
    a single file is written atomically and both halves map without a copy."""
    import io

    import numpy as np

    full = _full_jieba()
    words = list(full.FREQ)
    keys = _hash64_many(words)
    freqs = np.fromiter((full.FREQ[w] for w in words), dtype=np.int64, count=len(words))
    order = np.argsort(keys)
    data = np.concatenate([keys[order], freqs[order].view(np.uint64), np.array([full.total], dtype=np.uint64)])
    buf = io.BytesIO()
    np.save(buf, data, allow_pickle=False)
    atomic_write_bytes(path, buf.getvalue())


def _load_compact_dict(path: Path):
    """(keys, freqs, total) mapped from ``path``; ValueError when it is not one that
    ``_save_compact_dict`` wrote whole (wrong header or length, keys out of order)."""
    import numpy as np

    data = np.load(path, mmap_mode="r", allow_pickle=False)  # a short file raises ValueError
    if data.dtype != np.dtype("<u8") or data.ndim != 1 or len(data) < 3 or len(data) % 2 != 1:
        raise ValueError(f"not a compact dictionary: {data.dtype} {data.shape}")
    n = len(data) // 2
    keys, freqs = np.asarray(data[:n]), np.asarray(data[n : 2 * n]).view(np.int64)
    total = int(data[-1])
    # Sorted keys and sound frequencies: a cheap check (a few ms) that catches most damage.
    if total <= 0 or bool(np.any(keys[1:] < keys[:-1])) or bool(np.any(freqs < 0)):
        raise ValueError("damaged compact dictionary")
    return keys, freqs, total


@lru_cache(maxsize=1)
def _compact_jieba():
    path = compact_dict_path()
    try:
        keys, freqs, total = _load_compact_dict(path)
    except (OSError, ValueError, EOFError):
        # First use, or a damaged cache: build it from jieba's dictionary, and use that
        # full dictionary in this process (same tokens; it is loaded already).
        try:
            _save_compact_dict(path)
        except OSError:
            pass  # a read-only home: slower start next time, same tokens
        return _full_jieba()
    tok = _new_jieba()
    tok.FREQ = HashedFreq(keys, freqs)
    tok.total = total
    tok.initialized = True
    return tok


def _jieba(compact: bool):
    return _compact_jieba() if compact else _full_jieba()


# --- jieba-rs for the build -------------------------------------------------------------------

# False cuts the build with jieba alone (same tokens, slower): for measuring.
FAST_BUILD = True

# jieba-rs (rjieba 0.2) has jieba's dictionary, route, HMM and search-mode n-grams, but splits
# differently what jieba's finalseg splits with its re_skip ("1-2", "48.55kb", "a.com") and takes
# more characters as Han (extension A, U+9FD6–U+9FFF). So it gets only text made of Han in
# jieba's range, ASCII letters and digits, white space and plain punctuation; any other text is
# cut block by block (jieba's own blocks, which it cuts independently): blocks of Han, letters
# and digits to rjieba, the rest to jieba. tests/test_tokenize_scale.py holds it to jieba's tokens.
# Compiled on the first build (about 5 ms that a query never needs).
@lru_cache(maxsize=1)
def _rjieba_patterns() -> tuple[re.Pattern, re.Pattern]:
    block = re.compile("[\u4e00-\u9fd5a-zA-Z0-9]+")
    text = re.compile("[\u4e00-\u9fd5a-zA-Z0-9 \t\r\n,;:?!()\"'“”‘’、。《》〈〉【】…—·/]*")
    return block, text


@lru_cache(maxsize=1)
def _rjieba():
    """rjieba with the same union terms, added in the same order (their frequencies are suggested
    from what is there already), or None when it is not installed."""
    try:
        import rjieba
    except ImportError:
        return None
    tok = rjieba.Jieba()
    for word, freq in user_terms().items():
        tok.add_word(word, freq, None)
    return tok


def _cut_fast(fast, text: str, words_only: bool = False) -> list[str]:
    """``_full_jieba().cut_for_search(text)``, with rjieba where it agrees (see above).
    ``words_only``: leave out the blocks with no Han character or letter (punctuation,
    figures with their signs), whose tokens ``words`` would drop anyway."""
    rjieba_block, rjieba_text = _rjieba_patterns()
    if rjieba_text.fullmatch(text):
        return fast.cut_for_search(text)
    out: list[str] = []
    for block in import_jieba().re_han_default.split(text):
        if not block:
            continue
        if rjieba_block.fullmatch(block):
            out += fast.cut_for_search(block)
        elif not words_only or _WORDISH.search(block):
            out += _full_jieba().cut_for_search(block)
    return out


def _cut_for_search(text: str, compact: bool, words_only: bool = False):
    if not compact and FAST_BUILD and (fast := _rjieba()) is not None:
        return _cut_fast(fast, text, words_only)
    return _jieba(compact).cut_for_search(text)


# --- analyzers -------------------------------------------------------------------------


def words(text: str, *, compact: bool = False) -> list[str]:
    """Content words of ``text``: search-mode jieba tokens without stop words and numbers."""
    return _words(normalize(text), compact)


# raw jieba token -> the word kept for it ("" for a stop word, a number or punctuation).
# Tokens repeat across passages: the verdict is taken once per process, in a bounded dict.
_KEPT: dict[str, str] = {}


def _words(norm: str, compact: bool) -> list[str]:
    toks = list(_cut_for_search(norm, compact, words_only=True))  # jieba gives a generator
    kept = _KEPT
    if len(kept) > 1_000_000:
        kept.clear()
    new = set(toks).difference(kept)
    if new:
        stop = stopwords()
        for tok in new:
            word = tok.strip()
            kept[tok] = word if word and word not in stop and _WORDISH.search(word) else ""
    return [w for w in map(kept.__getitem__, toks) if w]


def char_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams inside each run of Han characters."""
    return _bigrams(normalize(text))


def _bigrams(norm: str) -> list[str]:
    out: list[str] = []
    for run in _HAN_RUN.findall(norm):
        out += [BIGRAM_PREFIX + run[i : i + 2] for i in range(len(run) - 1)]
    return out


def analyze(name: str, text: str, *, compact: bool = False, word_tokens: list[str] | None = None) -> list[str]:
    """The features of ``text`` for analyzer ``name``; ``word_tokens`` saves re-tokenising."""
    if name not in ANALYZERS:
        raise ValueError(f"unknown analyzer {name!r}; expected one of {ANALYZERS}")
    norm = normalize(text)  # once for both kinds of feature
    if name == "bigram":
        return _bigrams(norm)
    toks = word_tokens if word_tokens is not None else _words(norm, compact)
    return toks + _bigrams(norm) if name == "word+bigram" else list(toks)


def make_analyzer(name: str, *, compact: bool = False) -> Callable[[str], list[str]]:
    if name not in ANALYZERS:
        raise ValueError(f"unknown analyzer {name!r}; expected one of {ANALYZERS}")
    return lambda text: analyze(name, text, compact=compact)


def surface(feature: str) -> str:
    """The characters a feature stands for in the text."""
    return feature[len(BIGRAM_PREFIX) :] if feature.startswith(BIGRAM_PREFIX) else feature


# --- many texts: a process pool ------------------------------------------------------------


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while block := list(itertools.islice(it, size)):
        yield block


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (and ends the pool),
    # so a worker never dies half-way through a chunk and leaves the parent waiting.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool_context():
    import multiprocessing

    # fork shares the parent's loaded modules (and dictionary, if loaded) for free; spawn
    # where fork does not exist (Windows, and macOS defaults).
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def map_chunks(fn, items, *, workers: int | None = None, chunk: int = 2000) -> Iterator:
    """``fn(block)`` for consecutive blocks of ``chunk`` items, in input order, over a
    process pool.

    ``fn`` must be picklable (a module-level function, or a ``functools.partial`` of one)
    and take a list. ``items`` may be a generator too big for memory: at most about
    2 × ``workers`` blocks are in flight. ``workers=None`` uses up to 2 cores; one worker,
    or fewer than two blocks, runs in this process without a pool. A worker's exception
    is raised here; an exception, Ctrl-C or a consumer that stops early ends the workers.
    """
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    blocks = _chunks(items, max(1, int(chunk)))
    head = list(itertools.islice(blocks, 2))
    if workers <= 1 or len(head) < 2:
        for block in itertools.chain(head, blocks):
            yield fn(block)
        return
    pool = _pool_context().Pool(processes=workers, initializer=_ignore_sigint)
    pending: deque = deque()
    try:
        for block in itertools.chain(head, blocks):
            pending.append(pool.apply_async(fn, (block,)))
            while len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
    except BaseException:
        pool.terminate()  # KeyboardInterrupt, a worker's error, or the consumer closed us
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _analyze_block(name: str, texts: list[str]) -> list[list[str]]:
    return [analyze(name, t) for t in texts]


def analyze_many(name: str, texts, *, workers: int | None = None) -> list[list[str]]:
    """``[analyze(name, t) for t in texts]`` (the build's dictionary), over ``map_chunks``."""
    if name not in ANALYZERS:
        raise ValueError(f"unknown analyzer {name!r}; expected one of {ANALYZERS}")
    out: list[list[str]] = []
    for block in map_chunks(partial(_analyze_block, name), texts, workers=workers):
        out.extend(block)
    return out
