"""`drafter phrases` and `drafter check`: thin wrappers over drafter.phrases / drafter.check.

jieba and the corpus are imported inside the commands (cold-start time).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from .common import corpus_option, echo_json, json_option

PHRASE_TYPES = ("headings", "formulations", "patterns")
TYPE_LABELS = {"headings": "小标题", "formulations": "固定提法", "patterns": "带数字空位的句式"}
CHECK_LABELS = {"formulation": "提法", "number": "数字", "copy": "照抄", "structure": "结构", "layout": "版式"}


@click.command("phrases")
@click.option("--chapter", required=True, help="章节：思想引领、建功立业、维权服务、改革创新、党建自身建设（可简写为 思想、建功、维权、改革、党建）。")
@click.option("--type", "kinds", type=click.Choice(PHRASE_TYPES), multiple=True,
              help="只看一类：headings（小标题）、formulations（固定提法）、patterns（句式）。可重复；默认三类都看。")
@click.option("-n", "n", type=click.IntRange(min=1), default=20, show_default=True, help="每类最多显示几条（小标题为每种结构几条）。")
@corpus_option
@json_option
def phrases(chapter: str, kinds: tuple[str, ...], n: int, corpus_dir: Path | None, as_json: bool) -> None:
    """从语料库中提炼某一章节的写法：小标题（按结构归类）、固定提法、带数字空位的句式。

    \b
    例：drafter phrases --chapter 建功 --type patterns -n 10
        drafter phrases --chapter 思想引领 --json
    """
    from ..corpus import Corpus
    from ..phrases import mine_formulations, mine_headings, mine_patterns, resolve_chapter

    chapter = resolve_chapter(chapter)
    corpus = Corpus.load(corpus_dir)
    kinds = kinds or PHRASE_TYPES
    click.echo(f"正在从语料库提炼“{chapter}”的写法……", err=True)
    result = {}
    if "headings" in kinds:
        groups = mine_headings(corpus, chapter)
        for g in groups:
            g.headings = g.headings[:n]
        result["headings"] = groups
    if "formulations" in kinds:
        result["formulations"] = mine_formulations(corpus, chapter, n)
    if "patterns" in kinds:
        result["patterns"] = mine_patterns(corpus, chapter, n)
    if as_json:
        echo_json({k: [_phrase_json(x) for x in v] for k, v in result.items()})
        return
    for kind, items in result.items():
        click.secho(f"\n== {chapter}：{TYPE_LABELS[kind]} ==", bold=True)
        if not items:
            click.echo("（语料库中没有找到。可用 drafter ingest 加入更多旧报告。）")
        for item in items:
            click.echo(_phrase_text(kind, item))


def _phrase_json(item) -> dict:
    data = asdict(item)
    if hasattr(item, "count"):
        data["count"] = item.count
    return data


def _phrase_text(kind: str, item) -> str:
    if kind == "headings":
        lines = [f"【{item.structure}】{item.count} 条"]
        for h in item.headings:
            lines.append(f"  {h.text}    —— {h.sources[0].label()}" + (f" 等 {len(h.sources)} 处" if len(h.sources) > 1 else ""))
        return "\n".join(lines)
    if kind == "formulations":
        return (
            f"  {item.text}    {item.count} 次，{item.articles} 篇（其他章节 {item.other_count} 次）\n"
            f"      例：{item.example}    —— {item.source.label()}"
        )
    lines = [f"  {item.template}    {item.count} 次，{len(item.sources)} 篇"]
    lines += [f"      同类：{v}" for v in item.variants[:3]]
    lines.append(f"      出处：{'；'.join(s.label() for s in item.sources[:3])}" + (" 等" if len(item.sources) > 3 else ""))
    return "\n".join(lines)


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--figures", "figures_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="本单位的数据文件（YAML）。给出时，正文中不在其中、也不能由其推算的数字会被指出。")
@click.option("--layout", "layout", flag_value="with", help="同时检查版式：纸张、页边距、网格、页码、各段字体字号、缩进、行距（.docx）。")
@click.option("--layout-only", "layout", flag_value="only", help="只检查版式，不查文字。")
@click.option("--profile", default=None, metavar="版式", help="版式检查所用的版式（国标、无GB2312字体或 .yaml 文件；见 docs/format.md）。")
@corpus_option
@json_option
def check(file: Path, figures_path: Path | None, layout: str | None, profile: str | None, corpus_dir: Path | None,
          as_json: bool) -> None:
    """检查稿子 FILE（.docx、.txt、.md 或 .pdf）：提法错误、非本单位数字、照抄旧稿、缺章节。

    \b
    每处问题注明第几段（按非空段落从 1 起数）和前后文字；照抄的句子注明语料库中的出处。
    数字核对：年份、日期、标题序号和由数据推算的同比、累计、年均不算问题。
    发现问题时退出码为 1，没有问题为 0，文件或参数有误为 2。
    例：drafter check 初稿.docx --figures 我的数据.yaml
    """
    from ..check import check_file
    from ..corpus import Corpus
    from ..figures import load_figures

    figures = load_figures(figures_path) if figures_path else None
    layout = layout or ("with" if profile else None)
    findings = [] if layout == "only" else check_file(file, figures=figures, corpus=Corpus.load(corpus_dir))
    if layout:
        from ..layout import layout_findings

        findings = layout_findings(file, profile) + findings
    if as_json:
        echo_json([f.to_dict() for f in findings])
    else:
        for f in findings:
            where = f"第 {f.paragraph} 段" if f.paragraph else "全文"
            click.echo(f"{where}［{CHECK_LABELS[f.type]}］{f.message}")
            if f.text:
                click.echo(f"    原文：{f.text}")
            if f.suggestion:
                click.echo(f"    建议：{f.suggestion}")
            if f.source:
                click.echo(f"    出处：{f.source}")
        if findings:
            counts = "，".join(f"{CHECK_LABELS[t]} {c}" for t, c in _counts(findings).items() if c)
            click.echo(f"共发现 {len(findings)} 处问题（{counts}）。")
        else:
            click.echo("没有发现问题。" + ("" if figures_path else "（未给出 --figures，未核对数字。）"))
    if findings:
        click.get_current_context().exit(1)


def _counts(findings) -> dict[str, int]:
    out = {t: 0 for t in CHECK_LABELS}
    for f in findings:
        out[f.type] += 1
    return out
