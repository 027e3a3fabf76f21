"""Write a checked draft back as a Word file a clerk can review: every finding with a
replacement as a tracked change (``w:del`` of the wrong text + ``w:ins`` of the right one,
author drafter, dated), every other finding as a comment on its paragraph (python-docx's
comments API); a tracked formulation fix also gets a comment saying why. The source file
is read, never written.

python-docx has no API for tracked changes, so those are raw WordprocessingML: the runs of
the wrong text are split off at its ends, moved into a ``w:del`` (their ``w:t`` renamed
``w:delText``), and a ``w:ins`` with one run in the first run's formatting follows.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .checks.finding import TYPE_LABELS, Finding
from .checks.paragraphs import normalize
from .errors import DrafterError
from .fsutil import atomic_write_bytes

AUTHOR = "drafter"


@dataclass
class FixReport:
    tracked: int  # findings written as tracked changes
    comments: int  # comments written
    unplaced: int  # findings whose paragraph could not be found (commented on the first paragraph)


def write_revisions(source: str | Path, findings: list[Finding], out: str | Path, raw_paragraphs: list[str],
                    when: dt.datetime | None = None) -> FixReport:
    """Write ``source`` (a .docx) with ``findings`` as tracked changes and comments to ``out``.

    ``raw_paragraphs``: the draft's paragraphs as the check numbered them (1-based).
    """
    import docx

    source = Path(source)
    if source.suffix.lower() != ".docx":
        raise DrafterError(f"--fix 只能用于 Word 文件（.docx），{source.name} 不是。可以先在 Word 中另存为 .docx。")
    document = docx.Document(io.BytesIO(source.read_bytes()))
    date = (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    paragraphs = _match_paragraphs(document, raw_paragraphs)
    ids = iter(range(1000, 1_000_000))  # revision ids, clear of the comment ids python-docx gives
    tracked = comments = unplaced = 0
    by_para: dict[int, list[Finding]] = {}
    for f in findings:
        by_para.setdefault(f.paragraph, []).append(f)
    first = next((p for p in document.paragraphs if p.text.strip()), None)
    for n, group in sorted(by_para.items()):
        para = paragraphs.get(n)
        if para is None:
            unplaced += n > 0
            para = first
        if para is None:
            continue
        done = _track(para, [f for f in group if f.replacement is not None and f.found], ids, date) if n else set()
        tracked += len(done)
        for f in group:
            if id(f) in done and f.type == "usage":
                continue  # a punctuation or wording fix explains itself; a comment each would bury the rest
            runs = [r for r in para.runs if r.text] or para.runs
            if not runs:
                runs = [para.add_run("")]
            document.add_comment(runs, _comment_text(f, id(f) in done), author=AUTHOR, initials="D")
            comments += 1
    buf = io.BytesIO()
    document.save(buf)
    atomic_write_bytes(out, buf.getvalue())
    return FixReport(tracked, comments, unplaced)


def _comment_text(f: Finding, tracked: bool) -> str:
    lines = [f"［{TYPE_LABELS.get(f.type, f.type)}］{f.message}"]
    if tracked:
        lines.append(f"已作为修订改为“{f.replacement}”，可接受或拒绝。" if f.replacement else "已作为修订删去，可接受或拒绝。")
    lines += [f"{label}：{text}" for label, text in f.details() if not (tracked and label == "建议")]
    return "\n".join(lines)


def _match_paragraphs(document, raw_paragraphs: list[str]) -> dict[int, object]:
    """Paragraph number (as the check counted) -> the docx paragraph holding it."""
    body = [p for p in document.paragraphs if p.text.strip()]
    out, k = {}, 0
    for n, raw in enumerate(raw_paragraphs, 1):
        want = normalize(raw.lstrip("#").strip())
        for j in range(k, min(len(body), k + 20)):
            if normalize(body[j].text.strip()) == want:
                out[n], k = body[j], j + 1
                break
    return out


def _run_texts(p) -> list[tuple[object, str]]:
    """The paragraph's own runs (not those already in a w:ins/w:del) with their text."""
    out = []
    for r in p._p.iterchildren(qn("w:r")):
        out.append((r, "".join(t.text or "" for t in r.iterchildren(qn("w:t")))))
    return out


def _track(para, findings: list[Finding], ids, date: str) -> set[int]:
    """Tracked changes for the findings that can be placed; the ids of those placed."""
    text = "".join(t for _, t in _run_texts(para))
    spans = []
    for f in findings:
        start = _locate(text, f)
        if start >= 0:
            spans.append((start, start + len(f.found), f))
    spans.sort(key=lambda s: s[0])
    kept, end = [], -1
    for s in spans:
        if s[0] >= end:
            kept.append(s)
            end = s[1]
    done = set()
    for start, stop, f in reversed(kept):  # from the end: earlier offsets stay valid
        if _replace(para, start, stop, f.replacement, ids, date):
            done.add(id(f))
    return done


def _locate(text: str, f: Finding) -> int:
    context = f.text.strip("…")
    at = text.find(context)
    if at >= 0:
        inner = context.find(f.found)
        if inner >= 0:
            return at + inner
    return text.find(f.found)


def _split(run, k: int):
    """Split a run with a single w:t at character k; return the second half (after the first)."""
    second = copy.deepcopy(run)
    t1 = run.find(qn("w:t"))
    t2 = second.find(qn("w:t"))
    whole = t1.text
    t1.text, t2.text = whole[:k], whole[k:]
    for t in (t1, t2):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.addnext(second)
    return second


def _plain(run) -> bool:
    """A run whose content is formatting plus one w:t (others are left alone)."""
    kids = [c for c in run if c.tag != qn("w:rPr")]
    return len(kids) == 1 and kids[0].tag == qn("w:t")


def _replace(para, start: int, stop: int, replacement: str, ids, date: str) -> bool:
    runs, pos = [], 0
    for r, t in _run_texts(para):
        runs.append((r, pos, pos + len(t)))
        pos += len(t)
    hit = [(r, a, b) for r, a, b in runs if a < stop and b > start]
    if not hit or not all(_plain(r) for r, _, _ in hit):
        return False
    # Cut the first and last runs at the span's ends so the span is whole runs.
    first, a, b = hit[0]
    if start > a:
        hit[0] = (_split(first, start - a), start, b)  # with one run, hit[-1] is this one
    last, la, lb = hit[-1]
    if stop < lb:
        _split(last, stop - la)  # ``last`` keeps the part up to ``stop``
    span = [r for r, _, _ in hit]
    deletion = _mark("w:del", next(ids), date)
    span[0].addprevious(deletion)
    for r in span:
        for t in r.iterchildren(qn("w:t")):
            t.tag = qn("w:delText")
        deletion.append(r)
    if replacement:
        insertion = _mark("w:ins", next(ids), date)
        new = OxmlElement("w:r")
        rpr = span[0].find(qn("w:rPr"))
        if rpr is not None:
            new.append(copy.deepcopy(rpr))
        t = OxmlElement("w:t")
        t.text = replacement
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        new.append(t)
        insertion.append(new)
        deletion.addnext(insertion)
    return True


def _mark(tag: str, rid: int, date: str):
    el = OxmlElement(tag)
    el.set(qn("w:id"), str(rid))
    el.set(qn("w:author"), AUTHOR)
    el.set(qn("w:date"), date)
    return el
