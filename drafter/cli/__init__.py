"""The `drafter` command: a thin layer over the Python API.

Commands live in their own modules and are imported only when used, so that
`drafter search` does not pay for python-docx and `drafter draft` does not pay
for scikit-learn at start-up.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import logging
import sys

import click

from ..errors import DrafterError
from . import zh

zh.install()

# name -> (module, attribute, one-line help shown by `drafter --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ingest": ("drafter.cli.corpus_cmds", "ingest", "把旧报告（.txt .docx .doc .wps .rtf .pdf、扫描件或整个文件夹）加入语料库"),
    "sections": ("drafter.cli.corpus_cmds", "sections", "显示一个文件被读成的文章、标题、章节和段落"),
    "corpus": ("drafter.cli.corpus_cmds", "corpus_cmd", "列出语料库中的文档（内置与自己加入的）；--check 检查并修复，--remove 移除"),
    "index": ("drafter.cli.search_cmds", "index_cmd", "重建检索索引"),
    "search": ("drafter.cli.search_cmds", "search", "按章节检索可参考的段落（口语、简称按同义词表一并查找）"),
    "similar": ("drafter.cli.search_cmds", "similar", "查找与自己写的段落（或整篇稿子逐段）相近的旧段落"),
    "phrases": ("drafter.cli.check_cmds", "phrases", "提炼小标题、固定提法和带数字空位的句式"),
    "init": ("drafter.cli.draft_cmds", "init", "生成一份填写数据用的 YAML 模板"),
    "draft": ("drafter.cli.draft_cmds", "draft", "用 YAML 中的数据生成初稿（.docx、.md 或 .pdf）"),
    "check": ("drafter.cli.check_cmds", "check", "检查稿子：提法、用语标点、时效、数字、照抄、章节、版式；--fix 写成 Word 修订"),
    "format": ("drafter.cli.format_cmds", "format_cmd", "一键排版：把手工录入的 Word 稿子排成公文版式，不改文字"),
    "serve": ("drafter.cli.serve_cmds", "serve", "启动本机网页版（资料库、找参考、写初稿、查稿子）"),
}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (mod, _, _) in COMMANDS.items() if _module_exists(mod)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        mod, attr, _ = COMMANDS[name]
        if not _module_exists(mod):
            return None
        return getattr(importlib.import_module(mod), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table, without importing every command module.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DrafterError as exc:
            from ..fsutil import printable

            click.echo(f"错误：{printable(exc.message)}", err=True)  # it may name a non-UTF-8 file
            ctx.exit(exc.exit_code)
        except OSError as exc:
            # The machine said no (disk full, read-only, no permission...): a message, not a
            # traceback. Any other OSError is a bug and keeps its traceback.
            if exc.errno not in _ENVIRONMENT_ERRNOS or (exc.errno == errno.ENOENT and not exc.filename):
                raise
            from ..fsutil import os_error_reason, printable

            reason, advice = os_error_reason(exc)
            where = f" {printable(exc.filename)} " if exc.filename else ""
            click.echo(f"错误：读写{where}失败：{reason}。{advice}。", err=True)
            ctx.exit(2)


_ENVIRONMENT_ERRNOS = {
    errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR,
    errno.ENAMETOOLONG, errno.EIO, errno.ENOENT, errno.EEXIST,
}


class _EchoHandler(logging.Handler):
    """drafter's notes (``logging.getLogger("drafter")``) on stderr, at the moment they happen."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"提示：{record.getMessage()}", err=True)


def _install_log_handler() -> None:
    logger = logging.getLogger("drafter")
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        logger.addHandler(_EchoHandler(logging.WARNING))
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)


def _module_exists(mod: str) -> bool:
    return importlib.util.find_spec(mod) is not None


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="drafter", message="drafter %(version)s")
def main() -> None:
    """drafter：工会工作报告起草助手（离线运行）。

    \b
    常用流程：
      drafter ingest 旧报告文件夹/        把往年的报告加入语料库
      drafter search "职工驿站" --chapter 维权
      drafter init 我的数据.yaml          生成数据模板，填入本单位数字
      drafter draft 我的数据.yaml -o 初稿.docx
      drafter check 初稿.docx --figures 我的数据.yaml
      drafter format 稿子.docx -o 排版稿.docx  一键排版
      drafter serve                        在浏览器里使用（不用命令行）

    每个命令都可加 -h 查看说明；输出结果的命令都支持 --json。
    """
    _install_log_handler()
    _printable_streams()


def _printable_streams() -> None:
    """A file name that is not UTF-8 and reaches the terminal unconverted is shown with
    escapes instead of ending the command with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
