"""The TF-IDF index of the corpus passages: building it (scikit-learn) and storing it safely.

An index is three files in ``corpus.dir / "index"``, each written atomically:
- ``matrix.npz``: the length-normalised TF-IDF matrix in CSC form (a posting list per term),
  the idf vector, and the passages as arrays (their texts as one UTF-8 buffer with
  offsets, a source number and a chapter-set number each);
- ``passages.json``: vocabulary, the table of sources (file, article, heading, org, year,
  kind) and the table of chapter sets;
- ``meta.json``: format version, fingerprint and configuration, written last.
All three carry the same build id, so a set mixed from two builds is detected like a
damaged file. They are written under the corpus folder's lock (one writer at a time),
which also clears temp files left by a killed build; reading takes no lock. Nothing is pickled; loading needs numpy and json only, not scikit-learn,
and decodes no passage text until a hit needs it.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DrafterError, WriteError
from .fsutil import atomic_write_bytes, json_bytes, remove_temp_files, store_lock
from .model import PassageRecord

INDEX_FORMAT = 2
META, PASSAGES, MATRIX = "meta.json", "passages.json", "matrix.npz"

# progress(items, length, label) -> items, like drafter.cli.common.progress
Progress = Callable[[Iterable, int, str], Iterable]


class PassageTable(Sequence[PassageRecord]):
    """The indexed passages as arrays; a PassageRecord is made only when asked for."""

    def __init__(self, text_utf8, text_offsets, source_ids, chapter_set_ids, sources, chapter_sets):
        self.text_utf8 = text_utf8  # numpy uint8: every text, UTF-8, one after the other
        self.text_offsets = text_offsets  # numpy int64 (n + 1,)
        self.source_ids = source_ids  # numpy int32 (n,): row of ``sources``
        self.chapter_set_ids = chapter_set_ids  # numpy int32 (n,): row of ``chapter_sets``
        self.sources = sources  # [(file, article, heading, org, year, kind)]
        self.chapter_sets = chapter_sets  # [(chapter, ...)]

    @classmethod
    def from_records(cls, records: Sequence[PassageRecord]) -> "PassageTable":
        import numpy as np

        sources: dict[tuple, int] = {}
        chapter_sets: dict[tuple, int] = {}
        encoded = [p.text.encode("utf-8") for p in records]
        offsets = np.zeros(len(records) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(
            np.frombuffer(b"".join(encoded), dtype=np.uint8),
            offsets,
            np.array(
                [
                    sources.setdefault((p.file, p.article, p.heading, p.org, p.year, p.kind), len(sources))
                    for p in records
                ],
                dtype=np.int32,
            ),
            np.array([chapter_sets.setdefault(tuple(p.chapters), len(chapter_sets)) for p in records], dtype=np.int32),
            list(sources),
            list(chapter_sets),
        )

    def __len__(self) -> int:
        return len(self.source_ids)

    def text(self, i: int) -> str:
        return self.text_utf8[self.text_offsets[i] : self.text_offsets[i + 1]].tobytes().decode("utf-8")

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        return PassageRecord(self.text(i), tuple(self.chapter_sets[self.chapter_set_ids[i]]),
                             *self.sources[self.source_ids[i]])


@dataclass
class IndexData:
    """Everything a query needs, as plain Python and numpy objects."""

    fingerprint: str
    config: dict[str, Any]
    vocabulary: list[str]
    idf: Any  # numpy float32 (n_terms,)
    indptr: Any  # numpy int64 (n_terms + 1,): column pointers of the CSC matrix
    rows: Any  # numpy int32: passage number of each stored weight
    weights: Any  # numpy float32: TF-IDF weight, length-normalised per passage
    passages: PassageTable


class IndexUnusable(Exception):
    """A stored index that cannot be used; ``reason`` is Chinese, for the user."""

    def __init__(self, reason: str, missing: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def index_fingerprint(corpus_fingerprint: str, dictionary_hash: str, config: dict[str, Any]) -> str:
    text = json.dumps(
        {"corpus": corpus_fingerprint, "dict": dictionary_hash, "format": INDEX_FORMAT, "config": config},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_index(
    passages: Sequence[PassageRecord],
    analyze: Callable[[str], list[str]],
    *,
    config: dict[str, Any],
    fingerprint: str,
    progress: Progress | None = None,
) -> IndexData:
    """Fit scikit-learn's TfidfVectorizer over the passages (text, plus the section heading
    ``heading_weight`` times), then pivot the length normalisation.

    A fresh home does not pay for importing scikit-learn on its first search or draft: the
    index of the built-in corpus ships with the package (see ``search.shipped_index``).
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    heading_weight = int(config["heading_weight"])
    heading_tokens: dict[str, list[str]] = {}

    def doc_tokens(rec: PassageRecord) -> list[str]:
        # Headings repeat across passages of a section: tokenise each once.
        if rec.heading not in heading_tokens:
            heading_tokens[rec.heading] = analyze(rec.heading)
        return analyze(rec.text) + heading_tokens[rec.heading] * heading_weight

    docs: Iterable[PassageRecord] = passages
    if progress is not None:
        docs = progress(passages, len(passages), "建立检索索引")
    vectorizer = TfidfVectorizer(
        analyzer=doc_tokens, sublinear_tf=bool(config["sublinear_tf"]), norm=None, dtype=np.float32
    )
    try:
        matrix = vectorizer.fit_transform(docs).tocsr()
    except ValueError as exc:  # scikit-learn's "empty vocabulary"
        raise DrafterError("语料库的段落里没有可检索的词（只有数字、标点或常用词），无法建立检索索引。") from exc
    # Pivoted length normalisation (Singhal, Buckley & Mitra 1996): divide each passage by
    # (1 - s) * mean_norm + s * norm instead of its norm. s = 1 is plain cosine, which
    # favours short passages too much; a smaller s tilts towards the long ones.
    # In place, row by row: the matrix is the biggest thing in memory while building.
    row_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0]))
    slope = float(config["pivot_slope"])
    pivot = (1.0 - slope) * (norms.mean() if len(norms) else 0.0) + slope * norms
    pivot[pivot == 0] = 1.0
    matrix.data /= pivot[row_of].astype(np.float32)
    del row_of
    matrix = matrix.tocsc()
    matrix.sort_indices()
    return IndexData(
        fingerprint=fingerprint,
        config=dict(config),
        vocabulary=vectorizer.get_feature_names_out().tolist(),
        idf=vectorizer.idf_.astype(np.float32),
        indptr=matrix.indptr.astype(np.int64),
        rows=matrix.indices.astype(np.int32),
        weights=matrix.data.astype(np.float32),
        passages=PassageTable.from_records(passages),
    )


def _index_files(data: IndexData, *, compressed: bool = False) -> dict[str, bytes]:
    """The three files of an index, by name, all carrying one new build id."""
    import numpy as np

    build_id = uuid.uuid4().hex
    table = data.passages
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(
        buf,
        build_id=np.array(build_id),
        idf=data.idf,
        indptr=data.indptr,
        rows=data.rows,
        weights=data.weights,
        text_utf8=table.text_utf8,
        text_offsets=table.text_offsets,
        source_ids=table.source_ids,
        chapter_set_ids=table.chapter_set_ids,
    )
    body = {
        "build_id": build_id,
        "vocabulary": data.vocabulary,
        "sources": [list(s) for s in table.sources],
        "chapter_sets": [list(c) for c in table.chapter_sets],
    }
    meta = {
        "format": INDEX_FORMAT,
        "build_id": build_id,
        "fingerprint": data.fingerprint,
        "config": data.config,
        "passages": len(table),
        "terms": len(data.vocabulary),
    }
    # Compact JSON: this file is read at every search. meta.json comes last (it is written last).
    return {MATRIX: buf.getvalue(), PASSAGES: json_bytes(body, separators=(",", ":")),
            META: json_bytes(meta, indent=1)}


def save_index(folder: Path, data: IndexData) -> None:
    files = _index_files(data)
    try:
        # The index folder lives in the corpus folder, whose lock guards every write.
        with store_lock(folder.parent):
            remove_temp_files(folder)
            for name, content in files.items():
                atomic_write_bytes(folder / name, content)
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


def write_shipped_index(data: IndexData) -> Path:
    folder = shipped_index_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in _index_files(data, compressed=True).items():
        atomic_write_bytes(folder / name, content)
    return folder


def remove_index(folder: Path) -> None:
    """Delete a damaged index (the next search builds a new one); lock held by the caller."""
    for name in (META, PASSAGES, MATRIX):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass


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
        raise IndexUnusable(f"索引文件 {path} 已损坏（{exc}）") from exc
    return meta


def load_index(folder: Path, meta: dict[str, Any]) -> IndexData:
    import numpy as np

    build_id = meta["build_id"]
    path = folder / PASSAGES
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(body, dict) or body.get("build_id") != build_id:
            raise ValueError("与 meta.json 不是同一次建立的")
        vocabulary = body["vocabulary"]
        if not isinstance(vocabulary, list) or not all(isinstance(t, str) for t in vocabulary):
            raise ValueError("词表格式不对")
        if not all(isinstance(body[k], list) and all(isinstance(x, list) for x in body[k])
                   for k in ("sources", "chapter_sets")):
            raise ValueError("来源表格式不对")
        sources = [tuple(s) for s in body["sources"]]
        chapter_sets = [tuple(c) for c in body["chapter_sets"]]
        if not all(len(s) == 6 and all(isinstance(x, (str, int, type(None))) for x in s) for s in sources):
            raise ValueError("来源表格式不对")
        if not all(all(isinstance(x, str) for x in c) for c in chapter_sets):
            raise ValueError("章节表格式不对")
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise IndexUnusable(f"索引文件 {path} 已损坏（{exc}）") from exc
    path = folder / MATRIX
    try:
        with np.load(path) as z:  # allow_pickle stays False: an object array is refused
            if str(z["build_id"]) != build_id:
                raise ValueError("与 meta.json 不是同一次建立的")
            arrays = {name: z[name] for name in z.files if name != "build_id"}
        table = PassageTable(
            arrays["text_utf8"],
            arrays["text_offsets"],
            arrays["source_ids"],
            arrays["chapter_set_ids"],
            sources,
            chapter_sets,
        )
        for name, kind in (("idf", "f"), ("weights", "f"), ("indptr", "iu"), ("rows", "iu"), ("text_utf8", "u"),
                           ("text_offsets", "iu"), ("source_ids", "iu"), ("chapter_set_ids", "iu")):
            if arrays[name].ndim != 1 or arrays[name].dtype.kind not in kind:
                raise ValueError(f"数组 {name} 类型不对")
        n, rows = len(table), arrays["rows"]
        if len(arrays["idf"]) != len(vocabulary) or len(arrays["indptr"]) != len(vocabulary) + 1:
            raise ValueError("矩阵大小与词表不符")
        if len(rows) != len(arrays["weights"]) or len(rows) != int(arrays["indptr"][-1]):
            raise ValueError("矩阵数据不完整")
        if len(table.text_offsets) != n + 1 or len(table.chapter_set_ids) != n or int(table.text_offsets[-1]) != len(
            table.text_utf8
        ):
            raise ValueError("段落数据不完整")
        if n and (
            (len(rows) and int(rows.max()) >= n)
            or int(table.source_ids.max()) >= len(sources)
            or int(table.chapter_set_ids.max()) >= len(chapter_sets)
        ):
            raise ValueError("矩阵与段落表不符")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise IndexUnusable(f"索引文件 {path} 已损坏（{exc}）") from exc
    if n and (int(table.text_offsets.min()) < 0 or int(arrays["indptr"].min()) < 0 or
              (len(rows) and int(rows.min()) < 0) or int(table.source_ids.min()) < 0 or int(table.chapter_set_ids.min()) < 0):
        raise IndexUnusable(f"索引文件 {path} 已损坏（负的下标）")
    return IndexData(
        fingerprint=meta["fingerprint"],
        config=meta.get("config", {}),
        vocabulary=vocabulary,
        idf=arrays["idf"],
        indptr=arrays["indptr"],
        rows=rows,
        weights=arrays["weights"],
        passages=table,
    )
