"""Options and helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

import click

T = TypeVar("T")

corpus_option = click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="语料库文件夹（默认：$DRAFTER_HOME/corpus，未设置时为 ~/.local/share/drafter/corpus）。",
)

json_option = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果，便于脚本处理。")


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def progress(items: Iterable[T], length: int, label: str, min_items: int = 5) -> Iterator[T]:
    """click's progress bar on stderr, shown only when there is enough to wait for."""
    if length < min_items:
        yield from items
        return
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


def display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Left-justify for a terminal where CJK characters take two columns; cut what does not fit."""
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)
