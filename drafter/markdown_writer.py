"""Blocks → Markdown, for a quick look at a draft (``drafter draft --format md``).

Suggestions (Word comments in the .docx) become footnotes on the chapter heading, each
with its source, listed after the body under a rule so that nothing of them is body text.
"""

from __future__ import annotations

from pathlib import Path

from .draft import Draft
from .fsutil import atomic_write_text, check_can_write


def _escape(text: str) -> str:
    # A line of the writer's text must not turn into Markdown structure.
    return (
        text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("#", "\\#")
        .replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")
    )


def _marked(block) -> str:
    return "".join(f"**{p}**" if is_ph else _escape(p) for p, is_ph in block.segments())


def draft_markdown(draft: Draft) -> str:
    lines: list[str] = []
    notes: list[str] = []
    for i, b in enumerate(draft.blocks):
        if b.kind == "title":
            lines += [f"# {_marked(b)}", ""]
        elif b.kind == "subtitle":
            lines += [f"<p align=\"center\">{_marked(b)}</p>", ""]
        elif b.kind == "heading":
            refs = ""
            for s in draft.comments.get(i, []):
                notes.append(s.comment_text)
                refs += f"[^{len(notes)}]"
            lines += [f"{'#' * (b.level + 1)} {b.number}{_marked(b)}{refs}", ""]
        elif b.kind == "paragraph":
            lines += [_marked(b), ""]
        elif b.kind in ("sign", "date"):
            lines += [f"<p align=\"right\">{_marked(b)}</p>", ""]
    if notes:
        lines += ["---", "", "以下为语料库中的参考（脚注，不属于正文）：", ""]
        for n, text in enumerate(notes, 1):
            # Continuation lines of a footnote are indented by four spaces.
            body = "\n    ".join(_escape(line) for line in text.splitlines() if line.strip())
            lines += [f"[^{n}]: {body}", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(draft: Draft, path: str | Path, force: bool = False) -> Path:
    path = check_can_write(path, force)
    atomic_write_text(path, draft_markdown(draft))
    return path
