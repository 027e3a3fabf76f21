"""Blocks → Markdown, for a quick look at a draft (``drafter draft --format md``)."""

from __future__ import annotations

from pathlib import Path

from .draft import Draft
from .fsutil import atomic_write_text, check_can_write


def _escape(text: str) -> str:
    # A line of the writer's text must not turn into Markdown structure.
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("#", "\\#").replace("<", "&lt;")


def _marked(block) -> str:
    return "".join(f"**{p}**" if is_ph else _escape(p) for p, is_ph in block.segments())


def draft_markdown(draft: Draft) -> str:
    lines: list[str] = []
    for i, b in enumerate(draft.blocks):
        if b.kind == "title":
            lines += [f"# {_marked(b)}", ""]
        elif b.kind == "subtitle":
            lines += [f"<p align=\"center\">{_marked(b)}</p>", ""]
        elif b.kind == "heading":
            lines += [f"{'#' * (b.level + 1)} {b.number}{_marked(b)}", ""]
            for s in draft.comments.get(i, []):
                quoted = _escape(s.text).replace("\n", " ")
                lines += [f"> 参考（{_escape(s.source)}）：{quoted}", ">"]
            if draft.comments.get(i):
                lines[-1] = ""
        elif b.kind == "paragraph":
            lines += [_marked(b), ""]
        elif b.kind in ("sign", "date"):
            lines += [f"<p align=\"right\">{_marked(b)}</p>", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(draft: Draft, path: str | Path, force: bool = False) -> Path:
    path = check_can_write(path, force)
    atomic_write_text(path, draft_markdown(draft))
    return path
