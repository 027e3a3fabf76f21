"""`drafter phrases` and `drafter check`: thin wrappers over drafter.phrases / drafter.check.

jieba and the corpus are imported inside the commands (cold-start time).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from ..checks.finding import TYPE_LABELS as CHECK_LABELS
from .common import corpus_option, echo_json, json_option

PHRASE_TYPES = ("headings", "formulations", "patterns")
TYPE_LABELS = {"headings": "小标题", "formulations": "固定提法", "patterns": "带数字空位的句式"}


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
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--figures", "figures_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="本单位的数据文件（YAML）。给出时，正文中不在其中、也不能由其推算的数字，写错了项目的数字，"
                   "以及数据文件中有、稿子里一个数字也没写的章节会被指出。")
@click.option("--year", type=click.IntRange(1990, 2100), default=None,
              help="稿子所写的年份（核对提法时效用）。默认取数据文件中的年份，或稿子标题中的年份。")
@click.option("--formulations", "formulations_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="自己的固定提法文件（JSON 或 YAML，格式同 drafter/data/formulations.json），补充到内置提法中。")
@click.option("--disable", "disabled", multiple=True, metavar="规则",
              help="关掉某条规则（规则编号，如 jiezhi-date）、某类检查（usage、copy、structure……）"
                   "或某组用语规则（标点、成语、错别字……）。可重复，也可用逗号分隔。--list-rules 列出全部规则。")
@click.option("--list-rules", is_flag=True, help="列出全部用语规则和检查规则的编号，然后退出。")
@click.option("--fix", is_flag=True, help="把有改法的问题写成 Word 修订（可逐条接受或拒绝），其余写成批注；需同时用 -o 指定输出文件。原文件不改。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="--fix 的输出文件（.docx）。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖。")
@click.option("--layout", "layout", flag_value="with", help="同时检查版式：纸张、页边距、网格、页码、各段字体字号、缩进、行距（.docx）。")
@click.option("--layout-only", "layout", flag_value="only", help="只检查版式，不查文字。")
@click.option("--profile", default=None, metavar="版式", help="版式检查所用的版式（国标、无GB2312字体或 .yaml 文件；见 docs/format.md）。")
@corpus_option
@json_option
def check(file: Path | None, figures_path: Path | None, year: int | None, formulations_path: Path | None,
          disabled: tuple[str, ...], list_rules: bool, fix: bool, output: Path | None, force: bool,
          layout: str | None, profile: str | None, corpus_dir: Path | None, as_json: bool) -> None:
    """检查稿子 FILE（.docx、.txt、.md 或 .pdf）：提法错误（含错字、漏字）、用语和标点、提法时效、
    占位符、非本单位数字、照抄旧稿（含改了几个字的）、缺章节。

    \b
    每处问题注明第几段（按非空段落从 1 起数）和前后文字；照抄的句子注明语料库中的出处、原句和重合比例。
    数字核对：年份、日期、标题序号和由数据推算的同比、累计、年均不算问题。
    发现问题时退出码为 1，没有问题为 0，文件或参数有误为 2。
    例：drafter check 初稿.docx --figures 我的数据.yaml
        drafter check 稿子.docx --fix -o 修订稿.docx
        drafter check 稿子.docx --disable 标点 --disable copy-near
    """
    from ..errors import DrafterError

    if list_rules:
        _print_rules(as_json)
        return
    if file is None:
        raise DrafterError("请给出要检查的稿子文件，例如：drafter check 初稿.docx")
    if fix and output is None:
        raise DrafterError("--fix 需要用 -o 指定输出文件，例如：drafter check 稿子.docx --fix -o 修订稿.docx")
    if output is not None and not fix:
        raise DrafterError("-o 只和 --fix 一起使用。")
    from ..check import check_file, read_raw_paragraphs
    from ..corpus import Corpus
    from ..figures import load_figures
    from ..fsutil import check_can_write

    if fix:
        if output.resolve() == file.resolve():
            raise DrafterError("修订稿不能覆盖原稿，请用 -o 指定另一个文件名。")
        check_can_write(output, force)
    off = frozenset(x.strip() for item in disabled for x in item.split(",") if x.strip())
    figures = load_figures(figures_path) if figures_path else None
    layout = layout or ("with" if profile else None)
    findings = [] if layout == "only" else check_file(
        file, figures=figures, corpus=Corpus.load(corpus_dir), year=year, disabled=off,
        formulations=formulations_path)
    if layout:
        from ..layout import layout_findings

        findings = layout_findings(file, profile) + findings
    report = None
    if fix:
        from ..revisions import write_revisions

        report = write_revisions(file, findings, output, read_raw_paragraphs(file))
    if as_json:
        echo_json([f.to_dict() for f in findings])
    else:
        for f in findings:
            where = f"第 {f.paragraph} 段" if f.paragraph else "全文"
            click.echo(f"{where}［{CHECK_LABELS[f.type]}］{f.message}")
            for label, text in ([("原文", f.text)] if f.text else []) + f.details():
                click.echo(f"    {label}：{text}")
        if findings:
            counts = "，".join(f"{CHECK_LABELS[t]} {c}" for t, c in _counts(findings).items() if c)
            click.echo(f"共发现 {len(findings)} 处问题（{counts}）。")
        else:
            click.echo("没有发现问题。" + ("" if figures_path else "（未给出 --figures，未核对数字。）"))
    if report is not None:
        click.echo(f"已写出修订稿 {output}：修订 {report.tracked} 处，批注 {report.comments} 条。", err=True)
        if report.unplaced:
            click.echo(f"另有 {report.unplaced} 处问题在 Word 文件中找不到对应段落，已批注在第一段。", err=True)
    if findings:
        click.get_current_context().exit(1)


def _print_rules(as_json: bool) -> None:
    from ..checks.usage import load_usage_rules

    rules = [{"id": r.id, "group": r.group, "message": r.message, "example": r.wrong} for r in load_usage_rules()]
    other = [
        ("formulation", "提法", "固定提法（可用提法编号单独关掉某条）"),
        ("timeliness", "时效", "stale-session：过时的会议精神；future-session：当年还没召开的会议"),
        ("placeholder", "占位符", "【待补充】等占位符"),
        ("copy", "照抄", "copy-exact：一字不差；copy-near：改了几个字"),
        ("number", "数字", "foreign-number：不在数据文件中；misplaced-number：写错了项目"),
        ("structure", "结构", "no-problems、no-plans、thin-chapter、missing-chapter、figures-absent"),
    ]
    if as_json:
        echo_json({"usage": rules, "checks": [{"id": i, "label": l, "rules": d} for i, l, d in other]})
        return
    for i, label, desc in other:
        click.echo(f"{i:<12}［{label}］{desc}")
    click.echo("")
    for r in rules:
        click.echo(f"{r['id']:<22}［{r['group']}］{r['message']}（例：{r['example']}）")


def _counts(findings) -> dict[str, int]:
    out = {t: 0 for t in CHECK_LABELS}
    for f in findings:
        out[f.type] += 1
    return out
