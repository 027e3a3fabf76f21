"""What the web pages and the JSON API do, over the same Python API (and --json shapes) as the CLI.

One Workspace per app: the corpus folder, the data folder uploads go to, and one cached
retriever (loading the index takes a second; a clerk's searches should not each pay it).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from ..errors import DrafterError
from ..fsutil import printable
from ..read import SUFFIXES

MAX_NAME_CHARS = 120
# Files the draft and check pages made, kept in memory for their download link.
MAX_DOWNLOADS = 32
MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024
_BAD_NAME_CHARS = set('<>:"|?*\\/')


def safe_name(name: str, suffixes=SUFFIXES) -> str:
    """An uploaded file's name reduced to a plain file name (no folders, no control characters).

    Chinese names are kept (werkzeug's secure_filename would drop every Han character)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in _BAD_NAME_CHARS).strip().lstrip(".")
    stem, suffix = os.path.splitext(base)
    if not base or not stem.strip():
        raise DrafterError("上传的文件没有文件名。请选择一个文件再上传。")
    if suffix.lower() not in suffixes:
        shown = "、".join(sorted(suffixes))
        raise DrafterError(f"“{base}”不是可读取的文件类型（{suffix or '无扩展名'}；可读取 {shown}）。")
    return stem[:MAX_NAME_CHARS].strip() + suffix.lower()


class Workspace:
    def __init__(self, corpus_dir: str | Path | None = None, data_dir: str | Path | None = None):
        from ..resources import default_corpus_dir, user_home

        self.corpus_dir = Path(corpus_dir) if corpus_dir else default_corpus_dir()
        self.data_dir = Path(data_dir) if data_dir else user_home() / "web"
        self.upload_dir = self.data_dir / "uploads"
        self._lock = threading.Lock()
        self._retriever = None
        self._retriever_key = None
        self._downloads: OrderedDict[str, tuple[str, str, bytes]] = OrderedDict()

    # --- files -------------------------------------------------------------------------
    def _inside(self, folder: Path, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / name).resolve()
        if path.parent != folder.resolve():  # safe_name already stops this; belt and braces
            raise DrafterError(f"文件名“{name}”不能使用。")
        return path

    def save_upload(self, storage, folder: Path | None = None) -> Path:
        """Write an uploaded file into the uploads folder (same name: the newer upload wins)."""
        from ..fsutil import atomic_write_bytes

        path = self._inside(folder or self.upload_dir, safe_name(storage.filename))
        data = storage.read()
        if not data:
            raise DrafterError(f"上传的文件“{path.name}”是空的。")
        atomic_write_bytes(path, data)
        return path

    def scratch(self):
        """A temporary folder inside the data folder, removed afterwards."""
        (self.data_dir / "tmp").mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(dir=self.data_dir / "tmp")

    def keep_download(self, filename: str, mimetype: str, data: bytes) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._downloads[token] = (filename, mimetype, data)
            while len(self._downloads) > 1 and (
                    len(self._downloads) > MAX_DOWNLOADS
                    or sum(len(d) for _, _, d in self._downloads.values()) > MAX_DOWNLOAD_BYTES):
                self._downloads.popitem(last=False)  # oldest first: its link then says 没有这个页面
        return token

    def download(self, token: str) -> tuple[str, str, bytes] | None:
        with self._lock:
            return self._downloads.get(token)

    # --- corpus ------------------------------------------------------------------------
    def corpus(self):
        from ..corpus import Corpus

        return Corpus.load(self.corpus_dir)

    def corpus_json(self) -> dict:
        from ..cli.corpus_cmds import corpus_json

        return corpus_json(self.corpus())

    def ingest(self, storages, index: bool = True) -> dict:
        """`drafter ingest --json` for uploaded files; a bad file is named and skipped."""
        from ..cli.corpus_cmds import ingest_json
        from ..corpus import IngestReport

        report = IngestReport()
        paths = []
        for storage in storages:
            if Path(storage.filename or "").suffix.lower() not in SUFFIXES:
                report.skipped.append(storage.filename or "")  # as `ingest` skips a folder's other files
                continue
            try:
                paths.append(self.save_upload(storage))
            except DrafterError as exc:
                report.failed.append((storage.filename or "", exc.message))
        corpus = self.corpus()
        if paths:
            corpus.ingest_files(paths, report)
            corpus.tidy()
            failed = {f for f, _ in report.failed}
            for path in paths:  # a file that could not be read is not kept either
                if str(path) in failed or printable(path) in failed:
                    path.unlink(missing_ok=True)
        self.forget_retriever()
        out = ingest_json(report, corpus)
        if index and (report.added or report.replaced):
            try:
                self.retriever(rebuild=True)
            except DrafterError as exc:
                out["index_error"] = exc.message
        return out

    def remove(self, names) -> dict:
        from ..cli.corpus_cmds import removed_json

        removed, unknown = self.corpus().remove(list(names))
        self.forget_retriever()
        uploads = self.upload_dir.resolve()
        for source in removed:  # the copy this page uploaded goes too; other files are the user's
            path = Path(source)
            if path.parent.resolve() == uploads:
                path.unlink(missing_ok=True)
        return removed_json(removed, unknown)

    def document_sections(self, name: str) -> dict:
        """`drafter sections --json` for a document already in the corpus (by file name)."""
        from ..cli.corpus_cmds import sections_json

        for doc in self.corpus().documents:
            if doc.name == name:
                return sections_json(doc.name, doc)
        raise DrafterError(f"语料库中没有“{name}”。可在“我的资料库”页查看已有文档。")

    def sections(self, storage) -> dict:
        """`drafter sections --json` for an uploaded file (read in a scratch folder, not kept)."""
        from ..cli.corpus_cmds import sections_json
        from ..ingest import parse_file

        with self.scratch() as tmp:
            path = self.save_upload(storage, Path(tmp))
            with _short_paths(tmp):
                return sections_json(path.name, parse_file(path))

    # --- search ------------------------------------------------------------------------
    def forget_retriever(self) -> None:
        with self._lock:
            self._retriever = None

    def retriever(self, rebuild: bool = False):
        from ..corpus import MANIFEST, Corpus
        from ..search import Retriever

        manifest = self.corpus_dir / MANIFEST
        key = manifest.stat().st_mtime_ns if manifest.exists() else None
        with self._lock:
            if rebuild or self._retriever is None or key != self._retriever_key:
                retriever = Retriever(Corpus.load(self.corpus_dir))
                if rebuild:
                    retriever.rebuild()
                self._retriever, self._retriever_key = retriever, key
            return self._retriever

    def search(self, q: str, chapter=None, org=None, year=None, kind=None, k="10"):
        """(hits, expansions) for a query, with the CLI's option handling and messages."""
        from ..cli.search_cmds import search_filters

        k_, chapter, year_, kind = search_filters(k or "10", chapter or None, year or None, kind or None)
        if not (q or "").strip():
            raise DrafterError("请输入要查找的词，例如：送温暖。")
        retriever = self.retriever()
        with self._lock:  # the retriever loads its index lazily: one search at a time
            hits = retriever.search(q, chapter=chapter, k=k_, org=org or None, year=year_, kind=kind)
            used = retriever.expansions(q)
        return hits, used

    # --- draft and check ---------------------------------------------------------------
    def draft(self, figures, fmt: str = "docx", refs: int = 3):
        """(Draft, bytes) for validated figures, with the CLI's default references and wording."""
        from ..draft import build_draft, corpus_wording, retriever_suggestions
        from ..outputs import draft_bytes

        suggest = retriever_suggestions(self.corpus_dir) if refs else None
        result = build_draft(figures, refs=refs, suggest=suggest, wording=corpus_wording(self.corpus_dir))
        return result, draft_bytes(result, fmt)

    def check(self, storage, figures=None, fix: bool = False):
        """(findings as `check --json`, paragraphs, fixed .docx bytes or None) for an uploaded draft."""
        from ..check import check_file, read_raw_paragraphs

        with self.scratch() as tmp:
            path = self.save_upload(storage, Path(tmp))
            with _short_paths(tmp):
                findings = check_file(path, figures=figures, corpus=self.corpus())
                raw = read_raw_paragraphs(path)
                fixed = None
                if fix and path.suffix == ".docx":
                    from ..revisions import write_revisions

                    out = Path(tmp) / "修订稿.docx"
                    write_revisions(path, findings, out, raw)
                    fixed = out.read_bytes()
        return [f.to_dict() for f in findings], raw, fixed


class _short_paths:
    """Messages about a file in a scratch folder name the file, not the scratch folder."""

    def __init__(self, folder: str):
        self.prefix = str(Path(folder).resolve()) + os.sep
        self.raw_prefix = str(folder) + os.sep

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, DrafterError):
            exc.message = exc.message.replace(self.prefix, "").replace(self.raw_prefix, "")
            exc.args = (exc.message,)
        return False
