"""`drafter format`: a thin wrapper over drafter.typeset.format_file."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_json, json_option, progress

profile_option = click.option(
    "--profile", "profile", default=None, metavar="版式",
    help="版式：内置版式的名称（国标、无GB2312字体）或自己的版式文件（.yaml，写法见 docs/format.md）。默认：国标。",
)

ROLE_ORDER = ("title", "subtitle", "recipient", "h1", "h2", "h3", "h4", "body", "attachment", "attachment_item",
              "sign", "date")


@click.command("format")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="排好版的文件（默认：原文件旁边的 原名-排版.docx）。原文件不会被改动。")
@profile_option
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖。")
@json_option
def format_cmd(file: Path, output: Path | None, profile: str | None, force: bool, as_json: bool) -> None:
    """一键排版：把手工录入的 Word 稿子 FILE（.docx；装有 LibreOffice 时也可以是 .doc/.wps）
    按公文版式（GB/T 9704 样式）重新排版，一个字也不改。

    \b
    按文字识别结构：标题、主送机关、一、/（一）/1./（1）各级标题、正文、附件说明、落款和日期，
    不看原来用的样式。纸张、页边距、行网格、各级字体字号、首行缩进、行距、页码（— 1 —，单右双左）、
    表格边框都按版式设置；每段文字都写明中文字体，去掉主题字体，引号、破折号用中文字体。
    稿子里有未处理的修订时不排版（请先在“审阅”中接受或拒绝）。
    例：drafter format 稿子.docx -o 排版稿.docx
        drafter format 稿子.docx --profile 我市版式.yaml
    排完后可用 drafter check 排版稿.docx --layout-only 核对版式。
    """
    from ..profile import load_profile
    from ..typeset import format_file

    prof = load_profile(profile)
    if output is None:
        output = file.with_name(f"{file.stem}-排版.docx")
    report = format_file(file, output, prof, force=force,
                         progress=lambda items, length, label: progress(items, length, label, min_items=500))
    if as_json:
        echo_json({"output": str(output), **report.to_dict()})
        return
    from ..docx_writer import ROLE_LABELS

    counts = {}
    for role in ROLE_ORDER:
        label = ROLE_LABELS[role]
        if report.roles.get(role):
            counts[label] = counts.get(label, 0) + report.roles[role]
    parts = "，".join(f"{k} {v} 段" for k, v in counts.items())
    click.echo(f"已排版：{output}（版式：{report.profile}）")
    click.echo(f"识别出：{parts}" + (f"；表格 {report.tables} 个" if report.tables else "") + "。")
    if not report.roles.get("title"):
        click.echo("提示：没有识别出标题（第一段不像标题），已按正文排。", err=True)
