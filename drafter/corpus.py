"""The corpus: the embedded seed reports plus the documents the user ingested.

Layout of a user corpus folder (default ``resources.default_corpus_dir()``)::

    manifest.json          source path, name and sha256 of every ingested document
    docs/<id>.json         the parsed Document (articles → sections → passages)
    index/                 derived data (search index), rebuilt when the fingerprint changes

Sources are only ever read. Every file is written atomically and the manifest is
written last, so an interrupted ingest leaves the previous corpus intact.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from . import resources
from .errors import DrafterError, InputFileError
from .fsutil import atomic_write_json
from .ingest import PARSER_VERSION, parse_file
from .model import Document, PassageRecord
from .limits import check_regular_file
from .read import SUFFIXES

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


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


def _sha256(path: Path) -> str:
    check_regular_file(path)  # a FIFO or /dev/zero behind a name would never end
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _doc_id(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


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
    def load(cls, corpus_dir: str | Path | None = None, include_embedded: bool = True) -> "Corpus":
        corpus = cls(corpus_dir, include_embedded)
        if corpus.dir.exists() and not corpus.dir.is_dir():
            raise DrafterError(f"语料库路径 {corpus.dir} 不是文件夹，请用 --corpus 指定一个文件夹。")
        return corpus

    # --- state ------------------------------------------------------------------------

    @property
    def manifest(self) -> dict:
        if self._manifest is None:
            path = self.dir / MANIFEST
            if path.exists():
                try:
                    data = json.loads(path.read_text("utf-8"))
                    if not isinstance(data.get("documents"), dict):
                        raise ValueError("no documents table")
                except (ValueError, OSError) as exc:
                    raise DrafterError(
                        f"语料库清单 {path} 已损坏（{exc}）。可删除该文件后重新 ingest 原始文件。"
                    ) from exc
                self._manifest = data
            else:
                self._manifest = {"version": MANIFEST_VERSION, "documents": {}}
        return self._manifest

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
            h = hashlib.sha256(f"parser={PARSER_VERSION}".encode())
            for path, sha in self.embedded_hashes().items():
                h.update(f"embedded:{path.name}:{sha}\n".encode())
            for doc_id, entry in sorted(self.manifest["documents"].items()):
                h.update(f"user:{doc_id}:{entry['sha256']}:{entry.get('parser')}\n".encode())
            self._fingerprint = h.hexdigest()[:20]
        return self._fingerprint

    @property
    def documents(self) -> list[Document]:
        if self._documents is None:
            self._documents = self._embedded_documents() + self._user_documents()
        return self._documents

    def passages(self) -> list[PassageRecord]:
        out: list[PassageRecord] = []
        for doc in self.documents:
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
        docs = [parse_file(p, embedded=True) for p in files]
        try:
            atomic_write_json(cache, [d.to_dict() for d in docs])
        except OSError:
            pass  # a read-only home only costs the re-parse next time
        return docs

    def _user_documents(self) -> list[Document]:
        self._reparse_stale()
        docs = []
        for doc_id, entry in sorted(self.manifest["documents"].items(), key=lambda kv: kv[1]["name"]):
            path = self.dir / "docs" / f"{doc_id}.json"
            try:
                docs.append(Document.from_dict(json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise DrafterError(
                    f"语料库中的文档 {entry['name']}（{path}）已损坏或丢失（{type(exc).__name__}）。"
                    f"请重新 ingest 原文件：{entry['source']}"
                ) from exc
        return docs

    def _reparse_stale(self) -> None:
        """Documents read by an older parser are read again from their unchanged sources."""
        stale = [
            Path(e["source"])
            for e in self.manifest["documents"].values()
            if e.get("parser") != PARSER_VERSION and Path(e["source"]).is_file() and _sha256(Path(e["source"])) == e["sha256"]
        ]
        if stale:
            self.ingest_files(stale)
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
                            report.skipped.append(str(child))
            else:
                files.append(path)
        return files

    def ingest_files(
        self,
        files: list[Path],
        report: IngestReport | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        report = report if report is not None else IngestReport()
        manifest = self.manifest
        documents = manifest["documents"]
        by_sha = {e["sha256"]: i for i, e in documents.items()}
        # A copy of an embedded seed adds nothing: it is in every corpus already.
        by_sha.update({sha: "embedded" for sha in self.embedded_hashes().values()})
        changed = False
        for path in files:
            try:
                changed |= self._ingest_one(path, documents, by_sha, report)
            except InputFileError as exc:
                report.failed.append((str(path), exc.reason))
            except OSError as exc:
                report.failed.append((str(path), f"读写失败（{exc.strerror or exc}）"))
            finally:
                if on_file:
                    on_file(path)
        if changed:
            manifest["version"] = MANIFEST_VERSION
            atomic_write_json(self.dir / MANIFEST, manifest)
            self._cleanup_orphans()
            self._documents = None
            self._fingerprint = None
        return report

    def _ingest_one(self, path: Path, documents: dict, by_sha: dict, report: IngestReport) -> bool:
        if not path.exists():
            raise InputFileError(str(path), "文件不存在，请检查路径")
        source = str(path.resolve())
        doc_id = _doc_id(source)
        sha = _sha256(path)
        old = documents.get(doc_id)
        if old and old["sha256"] == sha and old.get("parser") == PARSER_VERSION:
            report.unchanged.append(str(path))
            return False
        if not old and sha in by_sha:
            report.unchanged.append(str(path))  # the same content under another name
            return False
        doc = parse_file(path)
        if not doc.articles:
            raise InputFileError(str(path), "没有读出任何正文段落")
        atomic_write_json(self.dir / "docs" / f"{doc_id}.json", doc.to_dict())
        documents[doc_id] = {
            "source": source,
            "name": path.name,
            "sha256": sha,
            "parser": PARSER_VERSION,
            "ingested": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        by_sha[sha] = doc_id
        (report.replaced if old else report.added).append(str(path))
        return True

    def remove(self, names: Iterable[str | Path]) -> tuple[list[str], list[str]]:
        """Take documents out of the user's corpus, named by source path or file name.

        Returns (removed sources, names that matched nothing). The sources themselves are
        never touched; embedded seeds cannot be removed.
        """
        documents = self.manifest["documents"]
        removed, unknown = [], []
        for raw in names:
            text = str(raw)
            resolved = str(Path(text).resolve()) if text else ""
            hits = [i for i, e in documents.items() if e["source"] == resolved or e["name"] == text]
            if not hits:
                unknown.append(text)
            for i in hits:
                removed.append(documents.pop(i)["source"])
        if removed:
            atomic_write_json(self.dir / MANIFEST, self.manifest)
            self._cleanup_orphans()
            self._documents = None
            self._fingerprint = None
        return removed, unknown

    def _cleanup_orphans(self) -> None:
        docs_dir = self.dir / "docs"
        if not docs_dir.is_dir():
            return
        keep = set(self.manifest["documents"])
        for f in docs_dir.iterdir():
            if f.suffix == ".json" and f.stem not in keep:
                try:
                    os.unlink(f)
                except OSError:
                    pass
