"""Structure of a draft: the problem and plan sections, chapters without figures."""

from __future__ import annotations

import re

from ..model import MAIN_CHAPTERS
from .finding import Finding
from .numbers import CALENDAR_RE
from .paragraphs import heading_level

_PROBLEM_RE = re.compile(r"问题|不足|短板|差距|薄弱")
_PLAN_RE = re.compile(r"打算|下一步|计划|思路|展望|今后|努力方向|重点工作|新的一年|未来")
_PROBLEM_TEXT_RE = re.compile(r"存在(?:的|着|一些|若干|不少|一定的?)?(?:问题|不足|短板|差距)|不足之处|问题和不足")
_PLAN_TEXT_RE = re.compile(r"(?:下一步|今后|新的一年|明年|未来五年|下半年)[，,]")
_HAS_FIGURE = re.compile(r"\d")
HASHES = re.compile(r"^#+\s*")


def _sections(paras: list[str]) -> list[tuple[int, str, list[str]]]:
    """(paragraph number, heading, body paragraphs up to the next heading)."""
    out: list[tuple[int, str, list[str]]] = []
    for i, p in enumerate(paras, 1):
        if heading_level(p):
            out.append((i, p, []))
        elif out:
            out[-1][2].append(p)
    return out


def structure_findings(paras: list[str]) -> list[Finding]:
    secs = _sections(paras)
    if len(secs) < 2:  # not a report with sections: nothing to say about its structure
        return []
    out = []
    headings = [h for _, h, _ in secs]
    # A five-year review states its shortcomings inside the outlook section: a paragraph
    # that opens on them counts as much as a heading.
    if not any(_PROBLEM_RE.search(h) for h in headings) and not any(_PROBLEM_TEXT_RE.search(p) for p in paras):
        out.append(
            Finding("structure", 0, "", "稿子中没有写问题和不足的部分。", "增加一节“存在的问题和不足”，如实写明短板和差距。", rule="no-problems")
        )
    if not any(_PLAN_RE.search(h) for h in headings) and not any(_PLAN_TEXT_RE.match(p) for p in paras):
        out.append(Finding("structure", 0, "", "稿子中没有写下一步打算的部分。", "增加一节“下一步工作打算”，写明今后的重点工作。", rule="no-plans"))
    from ..classify import classify_text

    for n, heading, body in secs:
        heading = HASHES.sub("", heading)
        # The title (first line) and the problem and plan sections are not chapters.
        if n == 1 or heading.startswith("——") or not body or _PROBLEM_RE.search(heading) or _PLAN_RE.search(heading):
            continue
        chapters = classify_text(heading + "\n" + "\n".join(body))
        chapter = chapters[0] if chapters else ""
        if chapter in MAIN_CHAPTERS and not any(_HAS_FIGURE.search(CALENDAR_RE.sub("", b)) for b in body):
            out.append(
                Finding(
                    "structure",
                    n,
                    heading,
                    f"“{heading}”（{chapter}）一节没有任何数字，显得单薄。",
                    "补充本单位这方面的主要数据，如活动场次、覆盖人数、投入资金。",
                    rule="thin-chapter",
                )
            )
    return out


# ---------------------------------------------------------------- placeholders

_PLACEHOLDER = re.compile(r"【[^】]{0,30}?(?:待补充|待填|待定|待核实|请填写|请补充|此处)[^】]{0,30}】")


def placeholder_spans(paragraph: str) -> list[re.Match]:
    """【待补充…】 and the like, left in the text by the draft or by the writer."""
    return list(_PLACEHOLDER.finditer(paragraph))


# ---------------------------------------------------------------- chapters


def chapter_coverage(paras: list[str]) -> set[str]:
    """The main chapters (思想引领 …) the draft's sections are about."""
    from ..classify import classify_text

    covered: set[str] = set()
    for n, heading, body in _sections(paras):
        if n == 1 or not body:
            continue
        covered.update(classify_text(HASHES.sub("", heading) + "\n" + "\n".join(body))[:1])
    return covered & set(MAIN_CHAPTERS)


def missing_chapter_findings(paras: list[str], figures=None) -> list[Finding]:
    """A main chapter the report leaves out.

    With figures: a chapter of the figures file (with figures or highlights) that no
    section of the draft is about. Without: a main chapter missing from a report that
    covers at least three of the four.
    """
    if len(_sections(paras)) < 2:
        return []
    covered = chapter_coverage(paras)
    if figures is not None:
        wanted = [c.name for c in figures.chapters if c.name in MAIN_CHAPTERS and (c.figures or c.highlights)]
    elif len(covered) >= 3:
        wanted = list(MAIN_CHAPTERS)
    else:
        return []
    return [
        Finding(
            "structure",
            0,
            "",
            f"稿子中没有写“{name}”方面的工作。",
            f"增加一节写{name}方面的主要做法和成效。",
            rule="missing-chapter",
        )
        for name in wanted
        if name not in covered
    ]


def absent_figures_findings(paras: list[str], figures) -> list[Finding]:
    """A chapter of the figures file none of whose figures appears in the draft."""
    from .numbers import numbers_written

    written = set()
    for p in paras:
        written |= numbers_written(p)
    out = []
    for ch in figures.chapters:
        values = [f for f in ch.figures if f.value is not None or f.series]
        if not values or any(_figure_numbers(f) & written for f in values):
            continue
        listed = "、".join(f.item for f in values[:3]) + ("等" if len(values) > 3 else "")
        out.append(
            Finding(
                "structure",
                0,
                "",
                f"数据文件中“{ch.name}”的数字（{listed}）在稿子中一个也没有出现。",
                f"在写{ch.name}的一节中写进这些数字，或从数据文件中删去。",
                rule="figures-absent",
            )
        )
    return out


def _figure_numbers(f) -> set[float]:
    """How a figure may stand in the text: its value, its yearly values, their total and
    mean (a five-year review), each also in 万."""
    values = [f.value] if f.value is not None else []
    series = list(f.series.values())
    if series:
        values += series + [sum(series), sum(series) / len(series)]
    out = set()
    for v in values:
        for x in (v, v / 10_000 if v >= 10_000 else None):
            if x is not None:
                out |= {round(x, 6), round(x, 1), round(x, 2)}
    return out


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
