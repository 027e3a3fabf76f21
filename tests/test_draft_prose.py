"""The draft reads as prose: a current opening for its year, chapters as paragraphs, and
the examples (annual, half-year, five-year) drafting cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drafter.draft import build_draft
from drafter.figures import load_figures, parse_figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def opening(year: int, date: str | None = None, kind: str = "年度") -> str:
    text = f"单位: 白河县总工会\n类型: {kind}\n年份: {year}\n"
    if kind == "半年":
        text += "半年: 上半年\n"
    if date:
        text += f"落款:\n  日期: {date}\n"
    draft = build_draft(parse_figures(text), refs=0)
    return next(b.text for b in draft.blocks if b.kind == "paragraph")


@pytest.mark.parametrize(
    "year, named, not_named",
    [
        (2023, "党的二十大和二十届二中全会精神", ["三中", "十九大"]),
        (2024, "党的二十大和二十届二中、三中全会精神", ["四中", "十九大"]),
        (2025, "党的二十大和二十届二中、三中、四中全会精神", ["十九大"]),
    ],
)
def test_opening_names_the_sessions_current_in_its_year(year, named, not_named):
    text = opening(year)
    assert named in text and "中国工会十八大" in text and "习近平新时代中国特色社会主义思想" in text
    assert not any(n in text for n in not_named)


def test_opening_follows_the_date_it_is_written():
    # A 2025 report dated January 2026 is still written under the same sessions; a
    # first-half 2024 report dated June does not yet name the July plenum.
    assert "二十届二中、三中、四中全会" in opening(2025, "2026-01-15")
    text = opening(2024, "2024-06-28", kind="半年")
    assert "二十届二中全会" in text and "三中" not in text


def test_opening_of_an_older_year_uses_its_own_sessions():
    text = opening(2018)
    assert "党的十九大和十九届二中、三中全会精神" in text and "中国工会十七大" in text and "二十大" not in text
    text = opening(2014)
    assert "科学发展观为指导" in text and "习近平新时代" not in text


def _sentences(paragraph: str) -> int:
    return len([s for s in re.split(r"[。！？]", paragraph) if s.strip("”’）) ")])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_draft_cleanly_as_prose(path):
    figures = load_figures(path)
    draft = build_draft(figures, refs=0)
    assert not draft.missing
    blocks = draft.blocks
    for i, b in enumerate(blocks):
        if b.kind != "comment":
            continue
        end = next((j for j in range(i + 1, len(blocks)) if blocks[j].kind == "heading"), len(blocks))
        paras = [p.text for p in blocks[i + 1 : end] if p.kind == "paragraph"]
        assert paras and max(_sentences(p) for p in paras) >= 2, (b.chapter, paras)
        assert all(p.endswith(("。", "”", "！", "？")) for p in paras), paras
    body = draft.body_text()
    assert "。。" not in body and "，。" not in body and "；。" not in body


def test_half_year_example():
    path = next(p for p in EXAMPLES if "半年" in p.name)
    figures = load_figures(path)
    assert figures.period.kind == "half-year"
    body = build_draft(figures, refs=0).body_text()
    assert "上半年工作总结" in body and "下半年，" in body
    assert "二十届二中、三中全会" in body and "四中" not in body  # dated July 2025
    assert "“两节”送温暖慰问困难职工和一线职工2350人次" in body


def test_problems_and_plans_are_paragraphs():
    figures = load_figures(EXAMPLES[0])
    draft = build_draft(figures, refs=0)
    texts = [b.text for b in draft.blocks if b.kind == "paragraph"]
    problems = next(t for t in texts if "一是" + figures.problems[0] in t)
    assert _sentences(problems) >= 3
    assert all(any(p in t for t in texts) for p in figures.plans)
