"""The corpus: the embedded seed reports plus the documents the user ingested.

Layout of a user corpus folder (default ``resources.default_corpus_dir()``)::

    manifest.json          source path, name and sha256 of every ingested document,
                           and the sha256 of its stored copy
    docs/<sha256>.json     the parsed Document, named by the hash of its own bytes
    index/                 derived data (search index), rebuilt when the fingerprint changes
    .lock                  held by the one process writing into the folder

Sources are only ever read. Writers take the folder's lock (``fsutil.store_lock``);
readers take none. Stored documents are content-addressed, so writing a new version
never touches the file the current manifest points at; the manifest, replaced
atomically, is the single commit point, and files it no longer names are deleted after
it switched. ``check`` verifies every stored copy against the manifest and repairs what
it can from the sources; a read that meets damage runs it by itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import resources
from .errors import DrafterError, InputFileError, WriteError
from .fsutil import (
    atomic_write_bytes,
    atomic_write_json,
    json_bytes,
    os_error_reason,
    printable,
    remove_temp_files,
    store_lock,
)
from .limits import check_regular_file
from .model import Document, PassageRecord
from .parser_version import PARSER_VERSION  # the parser itself (drafter.ingest) is imported when a file is read
from .read import SUFFIXES

log = logging.getLogger("drafter")

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
# Parsed documents kept in memory between two commits of the manifest.
COMMIT_EVERY = 16
COMMIT_BYTES = 32 << 20

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in a folder that are not reports
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class CheckReport:
    """What ``Corpus.check`` found and did."""

    checked: int = 0  # manifest entries looked at
    manifest_rebuilt: bool = False  # the manifest itself was unreadable and was rebuilt from docs/
    repaired: list[str] = field(default_factory=list)  # re-read from their sources
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (name, why) taken out of the corpus
    temp_removed: list[str] = field(default_factory=list)  # leftover temp files deleted
    orphans_removed: int = 0  # stored copies no entry named any more
    index: str = "ok"  # ok | missing | removed (damaged; rebuilt at the next search)

    @property
    def clean(self) -> bool:
        return not (self.manifest_rebuilt or self.repaired or self.dropped or self.temp_removed
                    or self.orphans_removed or self.index == "removed")


@dataclass
class _Pending:
    """A parsed document waiting for the next commit."""

    doc_id: str
    entry: dict
    data: bytes


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _doc_id(source: str) -> str:
    # fsencode: the same bytes as UTF-8 for ordinary names, and no error for a non-UTF-8 one.
    return hashlib.sha256(os.fsencode(source)).hexdigest()[:16]


def _entry_problem(entry: object) -> str | None:
    """Why a manifest entry cannot be used, or None."""
    if not isinstance(entry, dict):
        return "条目格式不对"
    for key in ("source", "name", "sha256"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return f"缺少或写错了“{key}”"
    if not _HEX64.fullmatch(entry["sha256"]):
        return "“sha256”不是有效的哈希值"
    if "stored" in entry and not (isinstance(entry["stored"], str) and _HEX64.fullmatch(entry["stored"])):
        return "“stored”不是有效的哈希值"
    if not isinstance(entry.get("parser"), (str, type(None))):
        return "“parser”格式不对"
    return None


def _document_from_bytes(data: bytes) -> Document:
    """A stored Document; ValueError when the bytes are not one."""
    try:
        doc = Document.from_dict(json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"内容无法解析（{type(exc).__name__}）") from exc
    if not (isinstance(doc.name, str) and isinstance(doc.path, str) and doc.path
            and isinstance(doc.sha256, str) and _HEX64.fullmatch(doc.sha256)):
        raise ValueError("缺少来源信息")
    return doc


class Corpus:
    """Embedded seeds + the user's documents. Documents are parsed or loaded lazily."""

    def __init__(self, corpus_dir: str | Path | None = None, include_embedded: bool = True):
        self.dir = Path(corpus_dir) if corpus_dir is not None else resources.default_corpus_dir()
        self.include_embedded = include_embedded
        self._manifest: dict | None = None
        self._documents: list[Document] | None = None
        self._fingerprint: str | None = None
        self._embedded_hashes: dict[Path, str] | None = None

    @classmethod
    def load(cls, corpus_dir: str | Path | None = None, include_embedded: bool = True) -> Corpus:
        corpus = cls(corpus_dir, include_embedded)
        if corpus.dir.exists() and not corpus.dir.is_dir():
            raise DrafterError(f"语料库路径 {printable(corpus.dir)} 不是文件夹，请用 --corpus 指定一个文件夹。")
        return corpus

    # --- state ------------------------------------------------------------------------

    @property
    def manifest(self) -> dict:
        """The committed manifest; a damaged one is repaired first (``check``)."""
        if self._manifest is None:
            data, bad, whole = self._read_manifest()
            if whole or bad:
                log.warning("语料库清单 %s 有损坏（%s），正在检查修复……", printable(self.dir / MANIFEST),
                            whole or "；".join(f"{printable(str(n))}：{r}" for n, _, r in bad))
                try:
                    self._say_check(self.check())
                except WriteError as exc:
                    # A read-only store: use what is sound, leave the rest for a writable run.
                    log.warning("无法修复：%s 这次先略过损坏的部分。", exc.message)
                    self._manifest = data or _empty_manifest()
            else:
                self._manifest = data
        return self._manifest

    def _set_manifest(self, data: dict | None) -> None:
        self._manifest = data
        self._documents = None
        self._fingerprint = None

    def _read_manifest(self) -> tuple[dict | None, list[tuple[str, object, str]], str]:
        """(manifest without its unusable entries, [(key, entry, why)] of those, why the
        whole file is unusable or "")."""
        path = self.dir / MANIFEST
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return _empty_manifest(), [], ""  # nothing stored yet (a write will say why it cannot)
        except OSError as exc:
            raise DrafterError(f"无法读取语料库清单 {printable(path)}：{os_error_reason(exc)[0]}。") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError as exc:
            return None, [], f"无法解析：{exc}"
        if not isinstance(data, dict) or not isinstance(data.get("documents"), dict):
            return None, [], "缺少文档表"
        documents, bad = {}, []
        for key, entry in data["documents"].items():
            why = _entry_problem(entry)
            if why:
                bad.append((key, entry, why))
            else:
                documents[key] = entry
        return {"version": MANIFEST_VERSION, "documents": documents}, bad, ""

    def embedded_files(self) -> list[Path]:
        if not self.include_embedded:
            return []
        folder = resources.embedded_corpus_dir()
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES) if folder.is_dir() else []

    def embedded_hashes(self) -> dict[Path, str]:
        """sha256 of each embedded file, read once per Corpus."""
        if self._embedded_hashes is None:
            self._embedded_hashes = {p: _sha256(p) for p in self.embedded_files()}
        return self._embedded_hashes

    @property
    def fingerprint(self) -> str:
        """Changes whenever any document or the parser changes; cheap (no parsing)."""
        if self._fingerprint is None:
            manifest = self.manifest
            h = hashlib.sha256(f"parser={PARSER_VERSION}".encode())
            for path, sha in self.embedded_hashes().items():
                h.update(f"embedded:{path.name}:{sha}\n".encode())
            for doc_id, entry in sorted(manifest["documents"].items()):
                h.update(f"user:{doc_id}:{entry['sha256']}:{entry.get('parser')}:{entry.get('stored')}\n".encode())
            self._fingerprint = h.hexdigest()[:20]
        return self._fingerprint

    @property
    def documents(self) -> list[Document]:
        if self._documents is None:
            self._documents = self._embedded_documents() + self._user_documents()
        return self._documents

    def passages(self) -> list[PassageRecord]:
        return [p for _, recs in self.passage_parts() for p in recs]

    def passage_parts(self) -> list[tuple[str, list[PassageRecord]]]:
        """(key, passages) per document: the key changes when the document or the parser does,
        so an index can tell the documents it holds already from those it must read."""
        parts = []
        for doc in self.documents:
            key = f"{'embedded' if doc.embedded else 'user'}:{doc.name}:{doc.sha256}:{PARSER_VERSION}"
            parts.append((key, self._records(doc)))
        return parts

    @staticmethod
    def _records(doc: Document) -> list[PassageRecord]:
        out: list[PassageRecord] = []
        for art in doc.articles:
            title = art.title or doc.name
            for sec in art.sections:
                for p in sec.passages:
                    out.append(
                        PassageRecord(
                            text=p.text,
                            chapters=tuple(p.chapters),
                            file=doc.name,
                            article=title,
                            heading=sec.heading,
                            org=art.org,
                            year=art.year,
                            kind=art.kind,
                        )
                    )
        return out

    # --- loading ----------------------------------------------------------------------

    def _embedded_documents(self) -> list[Document]:
        hashes = self.embedded_hashes()
        if not hashes:
            return []
        files = list(hashes)
        h = hashlib.sha256(PARSER_VERSION.encode())
        for p, sha in hashes.items():
            h.update(f"{p.name}:{sha}".encode())
        cache = resources.user_home() / "cache" / f"embedded-{h.hexdigest()[:16]}.json"
        if cache.exists():
            try:
                return [Document.from_dict(d) for d in json.loads(cache.read_text("utf-8"))]
            except (ValueError, KeyError, TypeError, OSError):
                pass  # a damaged cache is simply rebuilt
        from .ingest import parse_file

        docs = [parse_file(p, embedded=True) for p in files]
        try:
            atomic_write_json(cache, [d.to_dict() for d in docs])
        except OSError:
            pass  # a read-only home only costs the re-parse next time
        return docs

    def _doc_path(self, doc_id: str, entry: dict) -> Path:
        # Content-addressed since manifest version 2; older entries name the file by doc id.
        stored = entry.get("stored")
        return self.dir / "docs" / (f"{stored[:32]}.json" if stored else f"{doc_id}.json")

    def _load_doc(self, doc_id: str, entry: dict) -> Document | None:
        """The stored copy, or None when it is missing or does not match the manifest."""
        try:
            data = self._doc_path(doc_id, entry).read_bytes()
        except OSError:
            return None
        if entry.get("stored") and hashlib.sha256(data).hexdigest() != entry["stored"]:
            return None
        try:
            return _document_from_bytes(data)
        except ValueError:
            return None

    def _stored_ok(self, doc_id: str, entry: dict) -> bool:
        path = self._doc_path(doc_id, entry)
        try:
            return _sha256(path) == entry["stored"] if entry.get("stored") else path.is_file()
        except OSError:
            return False

    def _user_documents(self) -> list[Document]:
        self._reparse_stale()
        for attempt in range(3):
            entries = sorted(self.manifest["documents"].items(), key=lambda kv: kv[1]["name"])
            loaded = [(entry, self._load_doc(doc_id, entry)) for doc_id, entry in entries]
            damaged = [entry for entry, doc in loaded if doc is None]
            if not damaged:
                break
            if attempt == 0:
                # Another process may have replaced these documents since the manifest was read.
                self._set_manifest(None)
                continue
            if attempt == 1:
                log.warning("语料库中的文档 %s 已损坏或丢失，正在检查修复……",
                            "、".join(printable(e["name"]) for e in damaged))
                try:
                    self._say_check(self.check())
                except WriteError as exc:
                    log.warning("无法修复：%s 这次先略过损坏的文档。", exc.message)
                    break
        for entry, doc in loaded:
            if doc is None:
                log.warning("略过已损坏的文档 %s（原文件：%s）。", printable(entry["name"]), printable(entry["source"]))
        self._fingerprint = None  # the documents may come from a newer manifest than the fingerprint
        return [doc for _, doc in loaded if doc is not None]

    def _reparse_stale(self) -> None:
        """Documents read by an older parser are read again from their unchanged sources."""
        stale = []
        for e in self.manifest["documents"].values():
            if e.get("parser") == PARSER_VERSION:
                continue
            src = Path(e["source"])
            try:
                if src.is_file() and _sha256(src) == e["sha256"]:
                    stale.append(src)
            except OSError:
                continue
        if stale:
            try:
                self.ingest_files(stale)
            except WriteError as exc:
                # A read-only store: the copies from the older parser still serve.
                log.warning("无法用新版本重新读取旧文档：%s", exc.message)
            self._fingerprint = None

    # --- ingest -----------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        on_file: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Add files and folders. Unchanged files are left alone; a changed file replaces its old version.

        ``on_file`` is called after each file (for a progress bar).
        """
        report = IngestReport()
        files = self.collect(paths, report)
        return self.ingest_files(files, report, on_file)

    @staticmethod
    def collect(paths: Iterable[str | Path], report: IngestReport | None = None) -> list[Path]:
        """Expand folders into their report files; a named file is always tried."""
        report = report if report is not None else IngestReport()
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                for child in sorted(path.rglob("*")):
                    if not child.is_dir() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                        if child.suffix.lower() in SUFFIXES:
                            files.append(child)
                        else:
                            report.skipped.append(printable(child))
            else:
                files.append(path)
        return files

    def ingest_files(
        self,
        files: list[Path],
        report: IngestReport | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Parse outside the lock; commit every few documents under it (see ``_commit``)."""
        report = report if report is not None else IngestReport()
        documents = self.manifest["documents"]
        by_sha = {e["sha256"]: i for i, e in documents.items()}
        # A copy of an embedded seed adds nothing: it is in every corpus already.
        by_sha.update({sha: "embedded" for sha in self.embedded_hashes().values()})
        pending: list[_Pending] = []
        for path in files:
            try:
                item = self._prepare_one(path, documents, by_sha, report)
                if item is not None:
                    pending.append(item)
            except InputFileError as exc:
                report.failed.append((printable(path), exc.reason))
            except OSError as exc:
                report.failed.append((printable(path), f"读取失败（{os_error_reason(exc)[0]}）"))
            finally:
                if on_file:
                    on_file(path)
            if len(pending) >= COMMIT_EVERY or sum(len(p.data) for p in pending) >= COMMIT_BYTES:
                self._commit(pending)
                pending = []
                documents = self.manifest["documents"]
        if pending:
            self._commit(pending)
        return report

    def _prepare_one(self, path: Path, documents: dict, by_sha: dict, report: IngestReport) -> _Pending | None:
        if not path.exists():
            raise InputFileError(printable(path), "文件不存在，请检查路径")
        source = str(path.resolve())
        doc_id = _doc_id(source)
        check_regular_file(path)  # a FIFO or /dev/zero behind a name would never end
        sha = _sha256(path)
        old = documents.get(doc_id)
        # An unchanged source whose stored copy is damaged is read again: that repairs it.
        if old and old["sha256"] == sha and old.get("parser") == PARSER_VERSION and self._stored_ok(doc_id, old):
            report.unchanged.append(printable(path))
            return None
        if not old and sha in by_sha:
            report.unchanged.append(printable(path))  # the same content under another name
            return None
        from .ingest import parse_file

        doc = parse_file(path)
        if not doc.articles:
            raise InputFileError(printable(path), "没有读出任何正文段落")
        doc.name = printable(path.name)
        doc.path = source
        data = json_bytes(doc.to_dict(), separators=(",", ":"))
        entry = {
            "source": source,
            "name": doc.name,
            "sha256": sha,
            "parser": PARSER_VERSION,
            "stored": hashlib.sha256(data).hexdigest(),
            "ingested": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        by_sha[sha] = doc_id
        (report.replaced if old else report.added).append(printable(path))
        return _Pending(doc_id, entry, data)

    def _locked_manifest(self) -> dict:
        """The manifest on disk, repaired first if damaged; call with the lock held."""
        data, bad, whole = self._read_manifest()
        if whole or bad:
            self._say_check(self.check())
            data, bad, whole = self._read_manifest()
            if whole or bad:  # pragma: no cover - check() just wrote a sound manifest
                raise DrafterError(f"语料库清单 {printable(self.dir / MANIFEST)} 无法修复，请运行 drafter corpus --check。")
        return data

    def _commit(self, pending: list[_Pending]) -> None:
        """Write the stored copies, then switch the manifest: one writer at a time.

        The manifest is read again under the lock, so documents committed meanwhile by
        another process are kept.
        """
        with store_lock(self.dir):
            manifest = self._locked_manifest()
            documents = manifest["documents"]
            by_sha = {e["sha256"]: i for i, e in documents.items()}
            for item in pending:
                other = by_sha.get(item.entry["sha256"])
                if item.doc_id not in documents and other is not None:
                    continue  # the same content was added under another name meanwhile
                if not self._stored_ok(item.doc_id, item.entry):
                    atomic_write_bytes(self._doc_path(item.doc_id, item.entry), item.data)
                documents[item.doc_id] = item.entry
                by_sha[item.entry["sha256"]] = item.doc_id
            atomic_write_json(self.dir / MANIFEST, manifest)  # the commit point
            self._set_manifest(manifest)
            self._collect_garbage(manifest)

    def remove(self, names: Iterable[str | Path]) -> tuple[list[str], list[str]]:
        """Take documents out of the user's corpus, named by source path or file name.

        Returns (removed sources, names that matched nothing). The sources themselves are
        never touched; embedded seeds cannot be removed.
        """
        names = [str(n) for n in names]
        with store_lock(self.dir):
            manifest = self._locked_manifest()
            documents = manifest["documents"]
            removed, unknown = [], []
            for text in names:
                resolved = str(Path(text).resolve()) if text else ""
                hits = [i for i, e in documents.items()
                        if e["source"] == resolved or e["name"] in (text, printable(text))]
                if not hits:
                    unknown.append(printable(text))
                for i in hits:
                    removed.append(printable(documents.pop(i)["source"]))
            if removed:
                atomic_write_json(self.dir / MANIFEST, manifest)
                self._set_manifest(manifest)
                self._collect_garbage(manifest)
        return removed, unknown

    # --- upkeep -----------------------------------------------------------------------

    def _collect_garbage(self, manifest: dict) -> tuple[list[str], int]:
        """Delete temp files and stored copies ``manifest`` does not name.

        Only with the lock held and ``manifest`` read under it: every writer holds the lock
        while its temp files and new copies exist, so whatever is unnamed now is garbage.
        """
        temps = [printable(p) for folder in (self.dir, self.dir / "docs", self.dir / "index")
                 for p in remove_temp_files(folder)]
        orphans = 0
        docs_dir = self.dir / "docs"
        if docs_dir.is_dir():
            keep = {self._doc_path(i, e).name for i, e in manifest["documents"].items()}
            for f in docs_dir.iterdir():
                if f.suffix == ".json" and f.name not in keep:
                    try:
                        os.unlink(f)
                        orphans += 1
                    except OSError:
                        pass
        return temps, orphans

    def has_leftovers(self) -> bool:
        """Temp files from a killed process lie in the store (cheap: three listings)."""
        for folder in (self.dir, self.dir / "docs", self.dir / "index"):
            try:
                if any(n.startswith(".") and n.endswith(".tmp") for n in os.listdir(folder)):
                    return True
            except OSError:
                continue
        return False

    def tidy(self) -> list[str]:
        """Remove leftover temp files, if there are any (takes the lock only then)."""
        if not self.has_leftovers():
            return []
        with store_lock(self.dir):
            return self._collect_garbage(self._locked_manifest())[0]

    def check(self) -> CheckReport:
        """Verify every stored document against the manifest and repair the store.

        A damaged or missing copy is read again from its source when the source is still
        there, else dropped with a message; a damaged manifest is rebuilt from the stored
        copies; leftover temp files and unreferenced copies are deleted; a damaged search
        index is removed (the next search rebuilds it).
        """
        report = CheckReport()
        if not self.dir.is_dir():
            report.index = "missing"
            return report  # nothing stored yet
        with store_lock(self.dir):
            data, bad, whole = self._read_manifest()
            reread: list[Path] = []
            if whole:
                report.manifest_rebuilt = True
                data = self._manifest_from_docs()
            for key, raw, why in bad:
                self._repair_entry(key, raw, why, data, reread, report)
            for doc_id, entry in list(data["documents"].items()):
                report.checked += 1
                if self._load_doc(doc_id, entry) is not None:
                    continue
                del data["documents"][doc_id]
                self._plan_reread(entry, "存储的副本已损坏或丢失", reread, report)
            report.checked += len(bad)
            if whole or bad or reread or report.dropped:
                atomic_write_json(self.dir / MANIFEST, data)
            self._set_manifest(data)
            if reread:
                again = self.ingest_files(reread)
                for path, reason in again.failed:
                    report.repaired = [n for n in report.repaired if n != Path(path).name]
                    report.dropped.append((path, f"原文件无法重新读取：{reason}"))
            report.temp_removed, report.orphans_removed = self._collect_garbage(self._locked_manifest())
            report.index = self._check_index()
        return report

    def _plan_reread(self, entry: dict, why: str, reread: list[Path], report: CheckReport) -> None:
        source = Path(entry["source"])
        name = printable(entry["name"])
        if source.is_file():
            reread.append(source)
            report.repaired.append(name)
        else:
            report.dropped.append((name, f"{why}，原文件 {printable(source)} 也已不在，已从语料库中移除"))

    def _repair_entry(self, key: str, raw: object, why: str, data: dict, reread: list[Path], report: CheckReport) -> None:
        """A manifest entry that cannot be used: read the source again, or rebuild the entry
        from the stored copy, or drop it."""
        raw = raw if isinstance(raw, dict) else {}
        source = raw.get("source")
        if isinstance(source, str) and source and Path(source).is_file():
            self._plan_reread({"source": source, "name": Path(source).name}, why, reread, report)
            return
        # The copy the entry names, then any stored copy whose source has this key (newest first).
        named = [self.dir / "docs" / f"{key}.json"]
        if isinstance(raw.get("stored"), str) and _HEX64.fullmatch(raw["stored"]):
            named.insert(0, self.dir / "docs" / f"{raw['stored'][:32]}.json")
        docs_dir = self.dir / "docs"
        others = sorted(docs_dir.glob("*.json"), key=lambda p: -p.stat().st_mtime) if docs_dir.is_dir() else []
        for path in named + others:
            try:
                bytes_ = path.read_bytes()
                doc = _document_from_bytes(bytes_)
            except (OSError, ValueError):
                continue
            if path not in named and _doc_id(doc.path) != key:
                continue
            self._adopt(doc, bytes_, data)
            report.repaired.append(printable(doc.name))
            return
        name = raw.get("name") if isinstance(raw.get("name"), str) else key
        report.dropped.append((printable(str(name)), f"清单条目已损坏（{why}），原文件和存储的副本都无法使用，已从语料库中移除"))

    def _adopt(self, doc: Document, data: bytes, manifest: dict) -> None:
        """Put a sound stored copy back in the manifest (its source may be gone)."""
        stored = hashlib.sha256(data).hexdigest()
        target = self.dir / "docs" / f"{stored[:32]}.json"
        if not target.exists():
            atomic_write_bytes(target, data)
        manifest["documents"][_doc_id(doc.path)] = {
            "source": doc.path,
            "name": printable(doc.name) or printable(Path(doc.path).name),
            "sha256": doc.sha256,
            "parser": None,  # unknown: read again when the source is there and unchanged
            "stored": stored,
        }

    def _manifest_from_docs(self) -> dict:
        """A new manifest from the stored copies, when the manifest itself is unreadable."""
        manifest = _empty_manifest()
        docs_dir = self.dir / "docs"
        files = sorted(docs_dir.glob("*.json"), key=lambda p: p.stat().st_mtime) if docs_dir.is_dir() else []
        for path in files:  # oldest first: a newer copy of the same source wins
            try:
                data = path.read_bytes()
                self._adopt(_document_from_bytes(data), data, manifest)
            except (OSError, ValueError):
                continue
        return manifest

    def _check_index(self) -> str:
        from .index import IndexUnusable, load_index, read_meta, remove_index

        folder = self.dir / "index"
        try:
            load_index(folder, read_meta(folder), deep=True)
        except IndexUnusable as exc:
            if exc.missing:
                return "missing"
            remove_index(folder)
            return "removed"
        return "ok"

    @staticmethod
    def _say_check(report: CheckReport) -> None:
        for line in check_messages(report):
            log.warning("%s", line)


def _empty_manifest() -> dict:
    return {"version": MANIFEST_VERSION, "documents": {}}


def check_messages(report: CheckReport) -> list[str]:
    """Chinese lines for what ``check`` repaired (nothing when the store was sound)."""
    lines = []
    if report.manifest_rebuilt:
        lines.append("语料库清单已损坏，已按存储的文档重建。")
    lines += [f"已从原文件重新读取：{name}" for name in report.repaired]
    lines += [f"已移除：{name}（{why}）" for name, why in report.dropped]
    if report.temp_removed:
        lines.append(f"已删除中断时留下的临时文件 {len(report.temp_removed)} 个。")
    if report.orphans_removed:
        lines.append(f"已删除不再使用的旧副本 {report.orphans_removed} 个。")
    if report.index == "removed":
        lines.append("检索索引已损坏，已删除，下次检索时自动重建。")
    return lines
