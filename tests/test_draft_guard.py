"""The guard: the body of a draft holds only the writer's own numbers (or ones derived from
them) and no organisation or place name of the corpus that the writer did not write."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter.docx_writer import docx_bytes
from drafter.draft import Suggestion, build_draft, corpus_wording
from drafter.figures import FIGURE_CHAPTERS, allowed_numbers, load_figures, parse_figures
from drafter.numbers import numbers_in
from drafter.prose import ITEM_VERBS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
CORPUS_TEXT = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in sorted((ROOT / "corpus").glob("*.txt")))

# Organisation and place names as the seeds write them: 济宁市总工会 → 济宁市, and every
# shorter reading of the same run of characters (the regex cannot tell 在济宁市 from 济宁市).
_ORG = re.compile(r"([\u4e00-\u9fff]{2,4}?)(省|市|县|区|州|自治区)(总工会|工会)")
CORPUS_NAMES = sorted(
    {m.group(1) + m.group(2) for m in _ORG.finditer(CORPUS_TEXT)}
    | {m.group(1)[-2:] + m.group(2) for m in _ORG.finditer(CORPUS_TEXT)}
    | {m.group(0) for m in _ORG.finditer(CORPUS_TEXT)}
)


def body_paragraphs(data: bytes) -> list[str]:
    """The text of the document body (not the comments, not the footers)."""
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def assert_guard(figures, paragraphs: list[str]) -> None:
    allowed = {round(n, 6) for n in allowed_numbers(figures)}
    for text in paragraphs:
        for n in numbers_in(text):
            assert round(n, 6) in allowed, f"number {n} not from the figures: {text}"
    user = "\n".join(figures.user_texts())
    body = "\n".join(paragraphs)
    leaked = [name for name in CORPUS_NAMES if name in body and name not in user]
    assert not leaked, leaked


def assert_prose(figures, draft) -> None:
    """Every chapter with figures or highlights has a paragraph of two or more sentences,
    and no verb is put before an item that already holds it (慰问“两节”…慰问…)."""
    blocks = draft.blocks
    # A chapter's text: from its @comment anchor (under its heading) to the next heading.
    anchors = {b.chapter: i for i, b in enumerate(blocks) if b.kind == "comment"}
    for ch in figures.chapters:
        if ch.empty:
            continue
        start = anchors[ch.name]
        end = next((i for i in range(start, len(blocks)) if blocks[i].kind == "heading"), len(blocks))
        paras = [b.text for b in blocks[start + 1 : end] if b.kind == "paragraph"]
        counts = [len([s for s in re.split(r"[。！？]", p) if s.strip("”’）) ")]) for p in paras]
        assert max(counts, default=0) >= 2, (ch.name, paras)
    body = draft.body_text()
    for ch in figures.chapters:
        for f in ch.figures:
            for verb in ITEM_VERBS:
                if verb in f.item:
                    assert verb + f.item not in body, (verb, f.item)


WORDING = corpus_wording()


def corpus_suggest(chapter, query, k):
    """Suggestions made of real corpus sentences, to prove none of them reaches the body."""
    sentences = [s for s in re.split(r"[。！？\n]", CORPUS_TEXT) if chapter[:2] in s and len(s) > 20]
    return [Suggestion(chapter, s, "seed.txt", "某文章", "某标题") for s in sentences[:k]]


def test_corpus_names_were_found():
    assert {"济宁市", "菏泽市", "济宁市总工会"} <= set(CORPUS_NAMES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_guard_on_examples(path):
    figures = load_figures(path)
    draft = build_draft(figures, refs=3, suggest=corpus_suggest, wording=WORDING)
    paragraphs = body_paragraphs(docx_bytes(draft))
    assert_guard(figures, paragraphs)
    assert_prose(figures, draft)
    assert not draft.missing
    # and no sentence of 20 or more characters of the body is a corpus sentence
    for text in paragraphs:
        for sentence in re.split(r"[。！？；]", text):
            if len(sentence) >= 20:
                assert sentence not in CORPUS_TEXT, sentence


def test_guard_catches_a_foreign_number_and_name():
    figures = load_figures(EXAMPLES[0])
    with pytest.raises(AssertionError):
        assert_guard(figures, ["全年开展竞赛4321场。"])
    with pytest.raises(AssertionError):
        assert_guard(figures, ["学习济宁市的经验。"])


# ---------------------------------------------------------------- generated figures files

SAFE = "工会职工开展组织服务建设活动宣讲竞赛帮扶慰问困难劳模创新基层新建覆盖书屋站点培训技能法律援助，、“”"
words = st.text(alphabet=SAFE, min_size=2, max_size=10)
# the writer's own text may hold digits, XML specials and emoji: they come out as written
text_with_digits = st.text(alphabet=SAFE + "0123456789.%&<>\"'😀👍", min_size=1, max_size=30).filter(lambda s: s.strip())
units = st.sampled_from(["场", "人次", "人", "项", "个", "万元", "元", "%", ""])
exact = st.one_of(
    st.integers(min_value=0, max_value=2_000_000_000),
    st.floats(min_value=0.01, max_value=1_000_000, allow_nan=False).map(lambda x: round(x, 2)),
)
approx = st.one_of(
    st.integers(1, 99_999).map(lambda n: f"{n}余"),
    st.integers(1, 99_999).map(lambda n: f"近{n}"),
    st.integers(1, 9_999).map(lambda n: f"{n}多"),
    st.floats(min_value=0.1, max_value=999, allow_nan=False).map(lambda x: f"{round(x, 1)}万"),
)


@st.composite
def figure_items(draw, first_year: int, last_year: int):
    item = {"项目": draw(words), "单位": draw(units)}
    value = draw(st.one_of(exact, approx, st.none()))
    if value is not None:
        item["数值"] = value
    if not isinstance(value, str) and draw(st.booleans()):
        item["上年"] = draw(exact)
    if draw(st.booleans()):
        years = draw(st.lists(st.integers(first_year, last_year), min_size=2, max_size=5, unique=True))
        item["逐年"] = {y: draw(exact) for y in sorted(years)}
    return item


@st.composite
def figures_files(draw):
    kind = draw(st.sampled_from(["年度", "半年", "五年"]))
    year = draw(st.integers(2000, 2026))
    data = {"单位": draw(words) + "总工会", "类型": kind, "年份": year}
    if kind == "半年":
        data["半年"] = draw(st.sampled_from(["上半年", "下半年"]))
    if draw(st.booleans()):
        data["上级单位"] = draw(st.lists(words, min_size=1, max_size=2))
    for chapter in FIGURE_CHAPTERS:
        if draw(st.booleans()):
            data[chapter] = {
                "数据": draw(st.lists(figure_items(year - 4, year), max_size=3)),
                "亮点": draw(st.lists(text_with_digits, max_size=2)),
            }
    for key in ("问题", "打算"):
        if draw(st.booleans()):
            data[key] = draw(st.lists(text_with_digits, min_size=1, max_size=3))
    if draw(st.booleans()):
        data["落款"] = {"日期": f"{year}-{draw(st.integers(1, 12))}-{draw(st.integers(1, 28))}"}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(figures_files())
def test_guard_on_generated_figures(text):
    figures = parse_figures(text, "generated.yaml")
    draft = build_draft(figures, refs=2, suggest=corpus_suggest, wording=WORDING)
    paragraphs = body_paragraphs(docx_bytes(draft))
    assert_guard(figures, paragraphs)
    assert_prose(figures, draft)
    body = "\n".join(paragraphs)
    assert "0.0%" not in body
    for ch in figures.chapters:
        for h in ch.highlights:
            assert h.strip().rstrip("，,;；:：、 ") in body
