"""`drafter init` and `drafter draft`: thin wrappers over drafter.figures / drafter.draft.

python-docx and the retriever are imported inside the commands (cold-start time).
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import corpus_option, echo_json, json_option, progress

KIND_CHOICES = {"annual": "annual", "half-year": "half-year", "five-year": "five-year", "年度": "annual", "半年": "half-year", "五年": "five-year"}


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
              help="输出文件（默认：与数据文件同名的 -初稿.docx，放在当前文件夹）。")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default=None,
              help="输出格式：docx（Word，默认）或 md（Markdown，快速预览）。默认按 -o 的扩展名。")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="自己的 Jinja 模板文件（默认按报告类型选用内置模板）。")
@click.option("--refs", type=click.IntRange(min=0), default=3, show_default=True,
              help="每个章节附上几段语料库中的参考段落（作为 Word 批注；另附一条小标题参考）。")
@click.option("--no-refs", is_flag=True, help="不附参考批注（等同 --refs 0）。")
@click.option("--wording/--no-wording", default=True, show_default=True,
              help="按语料库中同类数字的常见说法写数字句（如“劳动和技能竞赛”写成“开展劳动和技能竞赛43项”）；"
                   "--no-wording 则照数据文件原样写。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖。")
@corpus_option
@json_option
def draft(file: Path, output: Path | None, fmt: str | None, template: Path | None, refs: int, no_refs: bool,
          wording: bool, force: bool, corpus_dir: Path | None, as_json: bool) -> None:
    """用数据文件 FILE（YAML）生成工作报告初稿。

    \b
    \b
    正文只用数据文件里本单位的数字和文字；语料库中可参考的段落和小标题
    只放在各章节标题的批注里，注明出处，不进正文。
    缺少的数字在正文中标黄写成【待补充：…】，并在最后列出。
    例：drafter draft 我的数据.yaml -o 初稿.docx
        drafter draft 我的数据.yaml -o 预览.md --no-refs
    """
    from ..draft import build_draft, corpus_wording, retriever_suggestions
    from ..figures import load_figures
    from ..fsutil import check_can_write

    if fmt is None:
        fmt = "md" if output is not None and output.suffix.lower() in (".md", ".markdown") else "docx"
    if output is None:
        output = Path(f"{file.stem}-初稿.{fmt}")
    check_can_write(output, force, inputs=(file, template))
    figures = load_figures(file)
    k = 0 if no_refs else refs
    suggest = None
    if k:
        suggest = retriever_suggestions(
            corpus_dir,
            on_message=lambda m: click.echo(m, err=True),
            progress=progress,
        )
    result = build_draft(figures, template=template, refs=k, suggest=suggest,
                         wording=corpus_wording(corpus_dir) if wording else None)
    if fmt == "md":
        from ..markdown_writer import write_markdown

        write_markdown(result, output, force=force)
    else:
        from ..docx_writer import write_docx

        write_docx(result, output, force=force)

    n_comments = sum(len(v) for v in result.comments.values())
    if as_json:
        echo_json({"output": str(output), "format": fmt, "comments": n_comments, "missing": result.missing,
                   "notes": result.notes})
        return
    for note in result.notes:
        click.echo(f"提示：{note}", err=True)
    click.echo(f"已生成初稿：{output}（参考批注 {n_comments} 条）")
    if result.missing:
        click.echo(f"以下 {len(result.missing)} 处待补充（已在文中标黄）：")
        for i, label in enumerate(result.missing, 1):
            click.echo(f"  {i}. {label}")
    else:
        click.echo("没有待补充的内容。")
