"""Check a draft: the orchestration of the checks in ``drafter/checks/``.

``check_file(path, figures=None, corpus=None)`` reads the draft, splits it into numbered
paragraphs and returns a list of Finding; ``check_paragraphs`` does the same for paragraphs
already split. Each kind of check lives in its own module (see drafter/checks/__init__.py);
this module only runs them in order and keeps the names callers import from here.

Every finding names its rule (``Finding.rule``); a rule, a finding type (usage, copy …) or
a group of usage rules (标点, 成语 …) is switched off by passing it in ``disabled``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .checks.copies import CopyHit, CopyIndex, _norm, copy_index
from .checks.finding import FINDING_TYPES, Finding, around
from .checks.numbers import NUM_RE, foreign_numbers, misplaced_numbers
from .checks.paragraphs import (
    heading_level,
    normalize,
    read_paragraphs,
    read_raw_paragraphs,
    split_paragraphs,
    split_raw_paragraphs,
)
from .checks.structure import (
    HASHES,
    fmt_number,
    absent_figures_findings,
    missing_chapter_findings,
    placeholder_spans,
    structure_findings,
)
from .checks.timeliness import report_years, timeliness_hits
from .checks.usage import usage_hits
from .formulations import FormulationMatcher
from .phrases import sentences
from .text import NUMBER_SCALE


def check_paragraphs(
    paras: list[str],
    allowed: set[float] | None = None,
    index: CopyIndex | None = None,
    matcher: FormulationMatcher | None = None,
    *,
    raw: list[str] | None = None,
    figures=None,
    years: tuple[int, ...] = (),
    disabled: frozenset[str] | set[str] = frozenset(),
) -> list[Finding]:
    """All findings for a list of paragraphs (numbered from 1), in paragraph order.

    ``paras`` are normalised paragraphs; ``raw`` the same paragraphs as written (for the
    punctuation rules; default ``paras``). ``allowed``: the numbers the unit may write
    (None: no number check). ``figures``: the Figures the draft was written from, for the
    chapter and wrong-item checks. ``years``: the years reported on, for timeliness.
    """
    matcher = matcher or default_matcher()
    raw = raw if raw is not None and len(raw) == len(paras) else paras
    on = lambda *names: not any(n in disabled for n in names)  # noqa: E731
    # Numbers standing in a set formulation (12351) are not figures.
    if allowed is not None:
        allowed = set(allowed)
        for f in matcher.formulations:
            allowed.update(float(x) for x in NUM_RE.findall(f.right))
    found: list[Finding] = []
    for n, (marked, written) in enumerate(zip(paras, raw), 1):
        is_heading = bool(heading_level(marked))
        para = HASHES.sub("", marked)
        if on("formulation"):
            for hit in matcher.find(para):
                f = hit.formulation
                if on(f.id):
                    found.append(Finding("formulation", n, around(para, hit.start, hit.end), hit.message, f.right,
                                         f.source, f.id, hit.found, hit.replacement))
        if on("usage"):
            for rule, a, b, rep in usage_hits(written, disabled):
                bad = written[a:b]
                found.append(Finding("usage", n, around(written, a, b), f"“{bad}”：{rule.message}。",
                                     f"改为“{rep}”" if rep else ("删去" if rep == "" else ""), "", rule.id, bad, rep))
        if on("timeliness") and years:
            for rule, a, b, message, suggestion in timeliness_hits(para, years):
                if on(rule):
                    found.append(Finding("timeliness", n, around(para, a, b), message, suggestion, "", rule, para[a:b]))
        if on("placeholder"):
            for m in placeholder_spans(para):
                found.append(Finding("placeholder", n, around(para, m.start(), m.end()),
                                     f"稿子中还留有占位符“{m.group()}”。", "填上实际内容后删去占位符。", "", "placeholder", m.group()))
        copied = _copies(found, n, para, index, disabled) if index is not None and not is_heading and on("copy") else []
        if allowed is not None and on("number", "foreign-number"):
            for m in foreign_numbers(para, allowed):
                if any(a <= m.start() < b for a, b in copied):
                    continue  # the copy finding already says to rewrite that sentence
                found.append(Finding("number", n, around(para, m.start(), m.end()),
                                     f"数字“{m.group()}”不在数据文件中，也不能由其中的数字推算出来。",
                                     "核对这个数字；如确为本单位数据，请补进数据文件。", rule="foreign-number"))
        if figures is not None and on("number", "misplaced-number"):
            for m, owner, named in misplaced_numbers(para, figures):
                scale = NUMBER_SCALE.get(para[m.end() : m.end() + 1], 1)  # 2.3万 written for 23000
                right = named.value / scale if named.value >= scale else named.value
                found.append(Finding("number", n, around(para, m.start(), m.end()),
                                     f"数字“{m.group()}”是数据文件中“{owner.item}”的数字，这里写的却是“{named.item}”"
                                     f"（数据文件中为 {fmt_number(named.value)}{named.unit}）。",
                                     f"核对后改为“{fmt_number(right)}”", "", "misplaced-number", m.group(), fmt_number(right)))
    if on("structure"):
        found += [f for f in structure_findings(paras) if on(f.rule)]
        if on("missing-chapter"):
            found += missing_chapter_findings(paras, figures)
        if figures is not None and on("figures-absent"):
            found += absent_figures_findings(paras, figures)
    return found


@lru_cache(maxsize=1)
def default_matcher() -> FormulationMatcher:
    """The matcher of the shipped bank, built once per process."""
    return FormulationMatcher()


@lru_cache(maxsize=1)
def _set_phrases() -> tuple[str, ...]:
    """The bank's right forms, longest first: every report is meant to repeat them word for word."""
    forms = {x for f in default_matcher().formulations for x in (f.right, *f.also) if len(x) >= 6}
    return tuple(sorted(forms, key=len, reverse=True))


def _own_words(sentence: str) -> str:
    """``sentence`` without the set formulations it quotes, for the near-copy comparison."""
    for form in _set_phrases():
        if form in sentence:
            sentence = sentence.replace(form, "")
    return sentence


def _copies(found: list[Finding], n: int, para: str, index: CopyIndex, disabled) -> list[tuple[int, int]]:
    """Copy findings of one paragraph (appended to ``found``); the spans of the copied sentences."""
    copied: list[tuple[int, int]] = []
    pos = 0
    for s in sentences(para):
        start = para.find(s, pos)
        pos = start + len(s)
        hit = index.lookup(s)
        if hit is not None and "copy-exact" not in disabled:
            message = "这句话与语料库中的旧稿一字不差，可能是照抄。"
            rule = "copy-exact"
        elif "copy-near" not in disabled and (hit := index.near(_own_words(s))) is not None:
            message = f"这句话与语料库中的旧稿大部分相同（重合 {hit.overlap}%），可能是改了几个字照抄。"
            rule = "copy-near"
        else:
            continue
        copied.append((start, pos))
        found.append(Finding("copy", n, s, message, "用本单位自己的做法和数字重写这句话。", hit.source, rule,
                             source_text=hit.sentence, overlap=hit.overlap))
    return copied


def check_file(
    path: str | Path,
    figures=None,
    corpus=None,
    *,
    year: int | None = None,
    disabled: frozenset[str] | set[str] = frozenset(),
    formulations: str | Path | None = None,
) -> list[Finding]:
    """Check a draft (.docx/.txt/.md/.pdf).

    ``figures``: a Figures object, a path to the figures YAML, or a set of allowed numbers;
    None skips the number checks. ``corpus``: a Corpus for the copy check; None loads the
    default corpus (embedded seeds plus the user's documents). ``year``: the year reported
    on (default: from the figures, else from the draft's title). ``formulations``: the
    user's own JSON/YAML file of formulations, added to the shipped bank.
    """
    raw = read_raw_paragraphs(path)
    paras = [normalize(p) for p in raw]
    allowed = figs = None
    if figures is not None:
        from .figures import Figures, allowed_numbers, load_figures

        if isinstance(figures, (set, frozenset)):
            allowed = {float(x) for x in figures}
        else:
            figs = figures if isinstance(figures, Figures) else load_figures(figures)
            allowed = allowed_numbers(figs)
    if corpus is None:
        from .corpus import Corpus

        corpus = Corpus.load()
    matcher = None
    if formulations is not None:
        from .formulations import load_formulations

        matcher = FormulationMatcher(load_formulations(extra=formulations))
    years = report_years(paras, figs, year)
    index = copy_index(corpus) if "copy" not in disabled else None
    return check_paragraphs(paras, allowed, index, matcher, raw=raw, figures=figs, years=years, disabled=disabled)


__all__ = [
    "FINDING_TYPES",
    "CopyHit",
    "CopyIndex",
    "Finding",
    "_norm",
    "check_file",
    "check_paragraphs",
    "copy_index",
    "foreign_numbers",
    "heading_level",
    "normalize",
    "read_paragraphs",
    "read_raw_paragraphs",
    "split_paragraphs",
    "split_raw_paragraphs",
    "structure_findings",
]
