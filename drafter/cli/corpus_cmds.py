"""Commands over the corpus: ingest, sections, corpus."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from ..errors import DrafterError
from ..fsutil import printable
from ..model import KIND_LABELS
from ..read import SUFFIXES, is_ocr
from .common import corpus_option, echo_json, json_option, pad, progress

OCR_NOTE = "扫描件，文字识别所得，可能有错字"


def _ocr_progress() -> None:
    """Show a progress bar while a scan is read page by page."""
    from ..convert import ocr_progress

    ocr_progress.set(lambda pages, n, label: progress(pages, n, label, min_items=1))


def _skip_reason(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in SUFFIXES:
        return "不是普通文件"
    return f"不是可读取的报告文件类型（{suffix or '无扩展名'}；可读取 {'、'.join(sorted(SUFFIXES))}）"


# The --json shapes, shared with the web API (drafter.web).


def ingest_json(report, corpus) -> dict:
    return {**asdict(report), "failed": [{"file": f, "reason": r} for f, r in report.failed],
            "skipped": [{"file": f, "reason": _skip_reason(f)} for f in report.skipped],
            "corpus": printable(corpus.dir)}


def sections_json(file, doc) -> dict:
    return {
        "file": printable(file),
        "encoding": doc.encoding,
        "ocr": is_ocr(doc.encoding),
        "articles": [
            {
                "title": a.title,
                "subtitle": a.subtitle,
                "org": a.org,
                "year": a.year,
                "kind": a.kind,
                "sections": [
                    {
                        "heading": s.heading,
                        "level": s.level,
                        "line": s.line,
                        "chapters": s.chapters,
                        "passages": [{"text": p.text, "chapters": p.chapters} for p in s.passages],
                    }
                    for s in a.sections
                ],
            }
            for a in doc.articles
        ],
    }


def corpus_rows(docs) -> list[dict]:
    """One row per article of each document, as `drafter corpus --json` lists them."""
    rows = []
    for d in docs:
        for a in d.articles:
            rows.append(
                {
                    "file": d.name,
                    "source": "内置" if d.embedded else printable(d.path),
                    "embedded": d.embedded,
                    "ocr": is_ocr(d.encoding),
                    "title": a.title or d.name,
                    "org": a.org,
                    "year": a.year,
                    "kind": a.kind,
                    "sections": sum(1 for s in a.sections if s.level >= 1),
                    "chars": a.chars,
                }
            )
    return rows


def corpus_json(corpus, docs=None, rows=None) -> dict:
    docs = corpus.documents if docs is None else docs
    rows = corpus_rows(docs) if rows is None else rows
    return {"corpus": printable(corpus.dir), "documents": len(docs), "articles": rows}


def removed_json(removed: list[str], unknown: list[str]) -> dict:
    return {"removed": removed, "not_found": unknown}


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--no-index", is_flag=True, help="加入后不立即更新检索索引（下次检索时会自动更新）。")
@corpus_option
@json_option
def ingest(paths: tuple[Path, ...], no_index: bool, corpus_dir: Path | None, as_json: bool) -> None:
    """把旧报告加入语料库。PATHS 可以是文件（.txt .md .docx .doc .wps .rtf .pdf）或文件夹。

    \b
    原文件只读不改；同一文件内容未变时不重复加入，内容变了则替换旧版本。
    .doc/.wps/.rtf 经 LibreOffice 转换；扫描版 PDF 用 Tesseract 逐页文字识别（较慢）。
    默认语料库位置：$DRAFTER_HOME/corpus（未设置时为 ~/.local/share/drafter/corpus），
    可用 --corpus 指定其他文件夹。
    """
    from ..corpus import Corpus, IngestReport

    _ocr_progress()
    corpus = Corpus.load(corpus_dir)
    report = IngestReport()
    files = Corpus.collect(paths, report)
    if not files and not report.skipped:
        raise click.UsageError("没有找到可读取的文件。")
    if len(files) > 3:
        with click.progressbar(length=len(files), label="读取文件", file=sys.stderr) as bar:
            corpus.ingest_files(files, report, on_file=lambda _p: bar.update(1))
    else:
        corpus.ingest_files(files, report)
    corpus.tidy()  # temp files a killed run left behind
    index_error = None
    if (report.added or report.replaced) and not no_index:
        # Build the search index now, so that the first search after an ingest is fast.
        from ..search import Retriever
        from .common import progress

        try:
            Retriever(Corpus.load(corpus_dir), progress=progress,
                      on_message=lambda m: click.echo(m, err=True)).refresh()
        except DrafterError as exc:
            index_error = exc  # the documents are in: report them first

    if as_json:
        echo_json(ingest_json(report, corpus))
    else:
        for f in report.skipped:
            click.echo(f"跳过：{f}：{_skip_reason(f)}", err=True)
        for f, reason in report.failed:
            click.echo(f"失败：{f}：{reason}", err=True)
        click.echo(
            f"新加入 {len(report.added)} 个，更新 {len(report.replaced)} 个，未变化 {len(report.unchanged)} 个，"
            f"失败 {len(report.failed)} 个" + (f"，跳过非报告文件 {len(report.skipped)} 个" if report.skipped else "")
            + f"。语料库：{printable(corpus.dir)}"
        )
    if index_error is not None:
        click.echo(f"错误：{index_error.message}（文档已加入，下次检索时会再试着建立索引。）", err=True)
        sys.exit(index_error.exit_code)
    if report.failed:
        sys.exit(1)


@click.command("sections")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def sections(file: Path, as_json: bool) -> None:
    """显示 FILE 被读成的文章、各级标题（含层级和章节）及段落数。"""
    from ..ingest import parse_file

    _ocr_progress()
    doc = parse_file(file)
    if as_json:
        echo_json(sections_json(file, doc))
        return
    click.echo(f"{printable(file)}（编码：{doc.encoding}）：{len(doc.articles)} 篇文章，{doc.chars} 字")
    if is_ocr(doc.encoding):
        click.echo(f"注意：这是{OCR_NOTE}，请对照原件核对。")
    for i, a in enumerate(doc.articles, 1):
        meta = "，".join(x for x in (a.org, f"{a.year}年" if a.year else "", KIND_LABELS.get(a.kind, "")) if x)
        click.echo("")
        click.echo(click.style(f"第{i}篇  {a.title or '（无标题）'}", bold=True) + (f"  〔{meta}〕" if meta else ""))
        if a.subtitle:
            click.echo(f"      ——{a.subtitle}")
        for s in a.sections:
            indent = "  " * max(s.level, 1)
            heading = s.heading or "（导语）"
            chapters = "、".join(s.chapters)
            click.echo(f"{indent}[{s.level}] {heading}  〈{chapters}〉 {len(s.passages)} 段  （第 {s.line} 行）")


@click.command("corpus")
@click.option("--remove", "remove", multiple=True, metavar="文件",
              help="从语料库中移除自己加入的文档（写原文件路径或文件名，可重复）；原文件不受影响。")
@click.option("--check", "check", is_flag=True,
              help="检查并修复语料库：逐个核对存储的文档，损坏的从原文件重新读取（原文件已不在的移除并说明），"
                   "删除中断时留下的临时文件。")
@corpus_option
@json_option
def corpus_cmd(remove: tuple[str, ...], check: bool, corpus_dir: Path | None, as_json: bool) -> None:
    """列出语料库中的文档：标题、单位、年份、类型、章节数、字数。

    \b
    --check 检查并修复语料库；完好或已全部修复时退出码为 0，有文档无法修复而被移除时为 1。
    """
    from ..corpus import Corpus

    corpus = Corpus.load(corpus_dir)
    if check:
        _check(corpus, as_json)
        return
    if remove:
        removed, unknown = corpus.remove(remove)
        if as_json:
            echo_json(removed_json(removed, unknown))
        else:
            for source in removed:
                click.echo(f"已移除：{source}")
            for name in unknown:
                click.echo(f"语料库中没有“{name}”（内置文档不能移除）。可用 drafter corpus 查看已有文档。", err=True)
        if unknown:
            sys.exit(1)
        return
    docs = corpus.documents
    rows = corpus_rows(docs)
    if as_json:
        echo_json(corpus_json(corpus, docs, rows))
        return
    user = sum(1 for d in docs if not d.embedded)
    click.echo(f"语料库：{len(docs) - user} 个内置文档，{user} 个自己加入的文档，共 {len(rows)} 篇文章（{printable(corpus.dir)}）")
    for r in rows:
        kind = KIND_LABELS.get(r["kind"], "")
        year = f"{r['year']}年" if r["year"] else ""
        meta = " ".join(x for x in (r["org"], year, kind) if x)
        ocr = f"（{OCR_NOTE}）" if r["ocr"] else ""
        click.echo(f"  {pad(r['title'], 44)} {pad(meta, 30)} {r['sections']:>3} 节 {r['chars']:>7} 字  〔{r['file']}〕{ocr}")


def _check(corpus, as_json: bool) -> None:
    from ..corpus import check_messages

    report = corpus.check()
    if as_json:
        echo_json({**asdict(report), "dropped": [{"name": n, "reason": r} for n, r in report.dropped],
                   "clean": report.clean, "corpus": printable(corpus.dir)})
    else:
        for line in check_messages(report):
            click.echo(line)
        index = {"ok": "完好", "missing": "尚未建立（检索时自动建立）", "removed": "已删除，检索时自动重建"}[report.index]
        verdict = "完好，没有需要修复的" if report.clean else ("已修复" if not report.dropped else "已尽力修复")
        click.echo(f"语料库 {printable(corpus.dir)}：检查了 {report.checked} 个文档，{verdict}；检索索引{index}。")
    if report.dropped:
        sys.exit(1)
