"""`drafter init` and `drafter draft`: thin wrappers over drafter.figures / drafter.draft.

python-docx and the retriever are imported inside the commands (cold-start time).
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import corpus_option, echo_json, json_option, pad, progress

KIND_CHOICES = {"annual": "annual", "half-year": "half-year", "five-year": "five-year", "年度": "annual", "半年": "half-year", "五年": "five-year"}


def draft_json(result, output, fmt: str, chars: int | None) -> dict:
    """`drafter draft --json`'s shape (also the web page's summary of a draft)."""
    comments = [
        {"draft_heading": result.blocks[i].full_text, **s.to_json()}
        for i, hits in sorted(result.comments.items()) for s in hits
    ]
    return {"output": str(output), "format": fmt, "comments": sum(len(v) for v in result.comments.values()),
            "references": comments, "missing": result.missing, "notes": result.notes,
            "chars": chars, "lengths": [s.to_json() for s in result.lengths]}


@click.command("init")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(list(KIND_CHOICES)),
    default="annual",
    show_default=True,
    help="报告类型：annual（年度）、half-year（半年）、five-year（五年综述）。",
)
@click.option("--force", is_flag=True, help="文件已存在时覆盖。")
def init(file: Path, kind: str, force: bool) -> None:
    """生成一份填写数据用的 YAML 模板 FILE（中文键名，每项都有说明）。

    \b
    例：drafter init 我的数据.yaml --kind annual
    填好后运行：drafter draft 我的数据.yaml -o 初稿.docx
    """
    from ..figures import scaffold_yaml
    from ..fsutil import atomic_write_text, check_can_write

    check_can_write(file, force)
    atomic_write_text(file, scaffold_yaml(KIND_CHOICES[kind], name=str(file)))
    click.echo(f"已生成数据模板：{file}。请把示例内容换成本单位的真实情况，然后运行：drafter draft {file} -o 初稿.docx")


@click.command("draft")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件，格式由扩展名决定：.docx（Word）、.md（Markdown 预览）、.pdf（需要 LibreOffice）。"
                   "默认：与数据文件同名的 -初稿.docx，放在当前文件夹。")
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "pdf"]), default=None,
              help="输出格式。一般不用写：按 -o 的扩展名决定；与扩展名不一致时拒绝执行。")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="自己的 Jinja 模板文件（默认按报告类型选用内置模板）。")
@click.option("--refs", type=click.IntRange(min=0), default=3, show_default=True,
              help="每个章节附上几段语料库中的参考段落（Word 中为批注，Markdown 中为脚注；另附一条小标题参考）。")
@click.option("--no-refs", is_flag=True, help="不附参考（等同 --refs 0）。")
@click.option("--no-builtin", is_flag=True, help="参考和数字说法只用自己加入的语料，不用内置的 5 份报告。")
@click.option("--chars", type=click.IntRange(min=1), default=None, metavar="N",
              help="正文目标字数：按各部分应占的篇幅分配，明显偏短的部分加一处【待补充】提示，最后列出各部分字数。")
@click.option("--wording/--no-wording", default=True, show_default=True,
              help="按语料库中同类数字的常见说法写数字句（如“劳动和技能竞赛”写成“开展劳动和技能竞赛43项”）；"
                   "--no-wording 则照数据文件原样写。")
@click.option("--profile", default=None, metavar="版式", help="Word 版式：国标（默认）、无GB2312字体或自己的 .yaml 版式文件（见 docs/format.md）。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖。")
@corpus_option
@json_option
def draft(file: Path, output: Path | None, fmt: str | None, template: Path | None, refs: int, no_refs: bool,
          no_builtin: bool, chars: int | None, wording: bool, profile: str | None, force: bool,
          corpus_dir: Path | None, as_json: bool) -> None:
    """用数据文件 FILE（YAML）生成工作报告初稿。

    \b
    正文只用数据文件里本单位的数字和文字，写成段落：每章一句主题句，
    数字按计量分组成句（有上年数的写同比），亮点用“一是…二是…”“同时”“此外”连起来。
    开头按成文年份写当时的会议精神（如 2025 年：党的二十大和二十届二中、三中、四中全会精神）。
    语料库中可参考的段落和小标题只放在批注（Markdown 为脚注）里，注明《标题》、单位、年份和章节，不进正文。
    缺少的数字在正文中标黄写成【待补充：…】，并在最后列出。
    例：drafter draft 我的数据.yaml -o 初稿.docx
        drafter draft 我的数据.yaml -o 预览.md --no-refs
        drafter draft 我的数据.yaml -o 初稿.pdf --chars 5000
    """
    from ..draft import build_draft, corpus_wording, retriever_suggestions
    from ..errors import DrafterError
    from ..figures import load_figures
    from ..outputs import check_output, find_soffice, output_format, write_draft

    if output is None:
        output = Path(f"{file.stem}-初稿.{fmt or 'docx'}")
    fmt = output_format(output, fmt)
    check_output(output, force, inputs=(file, template))
    if fmt == "pdf" and find_soffice() is None:
        raise DrafterError("生成 PDF 需要 LibreOffice，但这台电脑上没有找到（soffice）。"
                           "请安装 LibreOffice 后再试，或先生成 Word 文件：-o 初稿.docx。")
    from ..profile import load_profile

    layout_profile = load_profile(profile) if profile else None
    figures = load_figures(file)
    k = 0 if no_refs or fmt == "pdf" else refs  # a PDF shows no comments: no time spent on them
    builtin = not no_builtin
    suggest = None
    if k:
        suggest = retriever_suggestions(
            corpus_dir,
            on_message=lambda m: click.echo(m, err=True),
            progress=progress,
            builtin=builtin,
        )
    result = build_draft(figures, template=template, refs=k, suggest=suggest, chars=chars,
                         wording=corpus_wording(corpus_dir, builtin=builtin) if wording else None)
    write_draft(result, output, fmt=fmt, force=force, profile=layout_profile)

    n_refs = sum(len(v) for v in result.comments.values())
    if as_json:
        echo_json(draft_json(result, output, fmt, chars))
        return
    for note in result.notes:
        click.echo(f"提示：{note}", err=True)
    if fmt == "pdf":
        click.echo(f"已生成初稿：{output}（PDF 不带参考批注；需要参考时请生成 .docx）")
    else:
        click.echo(f"已生成初稿：{output}（参考{'脚注' if fmt == 'md' else '批注'} {n_refs} 条）")
    if result.lengths:
        total = sum(s.chars for s in result.lengths)
        click.echo(f"正文约 {total} 字（目标 {chars} 字）：")
        for s in result.lengths:
            click.echo(f"  {pad(s.section, 46)} {s.chars:>5} 字 / 约 {s.target:>5} 字  {s.verdict}")
    if result.missing:
        click.echo(f"以下 {len(result.missing)} 处待补充（已在文中标黄）：")
        for i, label in enumerate(result.missing, 1):
            click.echo(f"  {i}. {label}")
    else:
        click.echo("没有待补充的内容。")
