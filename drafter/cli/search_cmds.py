"""`drafter index`, `drafter search`, `drafter similar`: thin wrappers over drafter.search.Retriever.

numpy, jieba and the retriever are imported inside the commands: `drafter --help` stays fast.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..errors import DrafterError
from .common import corpus_option, echo_json, json_option, progress

chapter_option = click.option(
    "--chapter",
    "-c",
    default=None,
    help="只在这一章节中找：思想引领（思想）、建功立业（建功）、维权服务（维权）、改革创新（改革）、"
    "党建自身建设（党建）、问题短板、展望、其他。",
)
k_option = click.option("-k", "k_text", default="10", show_default=True, metavar="N", help="最多显示几条结果。")


def _positive_int(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise DrafterError(f"{what}必须是正整数，现在是“{text}”。") from None
    if value <= 0:
        raise DrafterError(f"{what}必须是正整数，现在是 {value}。")
    return value


def search_filters(k_text: str, chapter: str | None, year_text: str | None, kind: str | None):
    """The search options as typed (CLI or web form) -> (k, chapter, year, kind), or a DrafterError."""
    from ..model import KIND_LABELS, resolve_chapter, resolve_kind

    k = _positive_int(k_text, "结果条数 -k ")
    year = _positive_int(year_text, "年份 --year ") if year_text is not None else None
    chapter = resolve_chapter(chapter) if chapter else None
    if kind:  # the names kinds are shown by (五年综述, 工作汇报) are accepted too
        kind = resolve_kind({label: code for code, label in KIND_LABELS.items()}.get(kind.strip(), kind))
    return k, chapter, year, kind


def _retriever(corpus_dir: Path | None, **options):
    from ..corpus import Corpus
    from ..search import Retriever

    return Retriever(
        Corpus.load(corpus_dir), on_message=lambda m: click.echo(m, err=True), progress=progress, **options
    )


def source_label(title: str, org: str, year: int | None, file: str = "") -> str:
    """How a source is shown: 《title》，unit，year (what a clerk cites, not a stored file name).

    A document without a title of its own has its file name as title: then unit and year
    alone, or the file name when there is nothing else.
    """
    title = "" if title == file or title == Path(file).stem else title
    parts = [f"《{title}》"] if title else []
    if org and org not in title:
        parts.append(org)
    if year and str(year) not in title:
        parts.append(f"{year}年")
    return "，".join(parts) or f"无标题文稿（{file}）"


def _print_hits(hits, as_json: bool, nothing: str) -> None:
    from ..search import HIGHLIGHT_OPEN

    if as_json:
        echo_json([h.to_json() for h in hits])
        return
    if not hits:
        click.echo(nothing, err=True)
        raise click.exceptions.Exit(1)
    for h in hits:
        where = f"{source_label(h.article, h.org, h.year, h.file)}{' › ' + h.heading if h.heading else ''}"
        head = f"[{h.rank}] {h.score:.3f}  {'、'.join(h.chapters) or '未分章'}｜{where}"
        click.echo(click.style(head, fg="cyan"))
        # HIGHLIGHT_OPEN and HIGHLIGHT_CLOSE are the same marker: odd pieces are matches.
        pieces = h.highlighted.split(HIGHLIGHT_OPEN)
        body = "".join(click.style(p, fg="red", bold=True) if i % 2 else p for i, p in enumerate(pieces))
        click.echo("    " + body)
        for s in h.also_in:
            also = f"{source_label(s.article, s.org, s.year, s.file)}{' › ' + s.heading if s.heading else ''}"
            click.echo(click.style(f"    另见：{also}", dim=True))
        click.echo()


@click.command("index")
@corpus_option
@json_option
def index_cmd(corpus_dir: Path | None, as_json: bool) -> None:
    """重建语料库的检索索引。

    \b
    平时不必手动运行：语料库有变动时，search 和 ingest 只读入新增的文档、更新索引；词典有变动或索引损坏时自动重建。
    例：drafter index
    """
    start = time.perf_counter()
    retriever = _retriever(corpus_dir).rebuild()
    seconds = time.perf_counter() - start
    folder = retriever.index_dir
    if as_json:
        echo_json(
            {
                "passages": len(retriever.passages_),
                "terms": len(retriever.vocabulary_),
                "seconds": round(seconds, 2),
                "dir": str(folder),
            }
        )
        return
    click.echo(
        f"检索索引已重建：{len(retriever.passages_)} 个段落，{len(retriever.vocabulary_)} 个词项，"
        f"用时 {seconds:.1f} 秒，保存在 {folder}。"
    )


@click.command("search")
@click.argument("query", nargs=-1)
@chapter_option
@k_option
@click.option("--org", default=None, help="只看单位名称中含有这几个字的报告，例如：菏泽。")
@click.option("--year", "year_text", default=None, metavar="年份", help="只看这一年的报告，例如：2023。")
@click.option(
    "--kind", "--type", "kind", default=None, help="只看这一类文稿：年度、半年、五年、汇报、经验、新闻、讲话（或英文名 annual 等）。"
)
@click.option(
    "--thesaurus",
    "thesaurus_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="再加一份自己的同义词表（写法见 docs/thesaurus.md），可重复。",
)
@click.option("--no-expand", is_flag=True, help="只按输入的词查找，不用同义词表扩展。")
@corpus_option
@json_option
def search(
    query: tuple[str, ...],
    chapter: str | None,
    k_text: str,
    org: str | None,
    year_text: str | None,
    kind: str | None,
    thesaurus_files: tuple[Path, ...],
    no_expand: bool,
    corpus_dir: Path | None,
    as_json: bool,
) -> None:
    """在语料库中查找可参考的段落。

    \b
    命中的词会标出；同一段话出现在几份报告里时只显示一次，并列出另见之处。
    输入的词还会按同义词表换成报告里的说法一并查找（职代会→职工代表大会，
    快递小哥→新就业形态劳动者），但排在原词的命中之后；没给 --chapter 时，
    略偏向这些说法所属的章节。
    例：drafter search "户外劳动者服务站点" --chapter 维权
        drafter search 劳模创新工作室 -c 建功 -k 5 --json
        drafter search 工会的钱怎么管 --thesaurus 我的词表.txt
    """
    from ..thesaurus import Thesaurus

    k, chapter, year, kind = search_filters(k_text, chapter, year_text, kind)
    options = {"thesaurus": None} if no_expand else {}
    if thesaurus_files and not no_expand:
        options["thesaurus"] = Thesaurus.load(thesaurus_files)
    text = " ".join(query)
    retriever = _retriever(corpus_dir, **options)
    hits = retriever.search(text, chapter=chapter, k=k, org=org, year=year, kind=kind)
    used = retriever.expansions(text)
    if used and not as_json:
        shown = "；".join(f"{e.key}→{e.target}" for e in used[:8]) + ("……" if len(used) > 8 else "")
        click.echo(click.style(f"也按这些说法查找：{shown}", dim=True), err=True)
    scope = f"（章节：{chapter}）" if chapter else ""
    _print_hits(hits, as_json, f"没有找到与“{text}”相关的段落{scope}。可以换个说法，或去掉筛选条件再试。")


@click.command("similar")
@click.option("--text", "text", default=None, help="自己写的一段文字。")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="整篇稿子（.txt/.md/.docx/.pdf），逐段比对；--json 时按段分组。",
)
@chapter_option
@k_option
@corpus_option
@json_option
def similar(
    text: str | None, file: Path | None, chapter: str | None, k_text: str, corpus_dir: Path | None, as_json: bool
) -> None:
    """查找与自己写的段落相近的段落。

    \b
    --file 给出整篇稿子时逐段比对：每一段（标题和不足 12 个汉字的短行除外）各列出最相近的段落。
    例：drafter similar --text "今年我们新建户外劳动者服务站点12个……" -c 维权
        drafter similar --file 我的稿子.docx -k 5
    """
    from ..model import resolve_chapter

    if (text is None) == (file is None):
        raise DrafterError("请用 --text 给出一段文字，或用 --file 指定一个文件（二者选一）。")
    k = _positive_int(k_text, "结果条数 -k ")
    chapter = resolve_chapter(chapter) if chapter else None
    retriever = _retriever(corpus_dir)
    if file is None:
        _print_hits(retriever.similar(text, chapter=chapter, k=k), as_json, "语料库中没有与这段文字相近的段落。")
        return
    from ..read import read_text

    results = retriever.similar_paragraphs(
        read_text(file), chapter=chapter, k=k,
        progress=lambda items: progress(items, len(items), "正在逐段比对"),
    )
    if as_json:
        echo_json([{"paragraph": n, "text": para, "hits": [h.to_json() for h in hits]}
                   for n, (para, hits) in enumerate(results, 1)])
        return
    for n, (para, hits) in enumerate(results, 1):
        click.echo(click.style(f"第 {n} 段：{para[:60]}{'……' if len(para) > 60 else ''}", bold=True))
        click.echo()
        if hits:
            _print_hits(hits, False, "")
        else:
            click.echo("    （语料库中没有相近的段落）\n")
