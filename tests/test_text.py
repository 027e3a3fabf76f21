"""The shared Chinese text rules (drafter/text.py)."""

from __future__ import annotations

import pytest

from drafter import text
from drafter.clean import fix_punctuation as clean_fix_punctuation


def test_punctuation_between_han_made_full_width():
    assert text.fix_punctuation("增长3.5%,达到") == "增长3.5%，达到"
    assert text.fix_punctuation("镇街(园区)工会") == "镇街（园区）工会"
    assert text.fix_punctuation("时光流逝,见证时代:再出发") == "时光流逝，见证时代：再出发"
    # ASCII between Latin text stays: a mail address, a decimal
    assert text.fix_punctuation("E-mail:abc@163.com") == "E-mail:abc@163.com"
    assert text.fix_punctuation("增长2.5") == "增长2.5"
    # clean re-exports the one rule
    assert clean_fix_punctuation is text.fix_punctuation


def test_sentence_end_and_split():
    assert text.ends_sentence("全年开展宣讲45场。”")
    assert not text.ends_sentence("全年开展宣讲45场，")
    assert text.sentences("一是抓学习。二是抓落实！“三是”呢？") == ["一是抓学习。", "二是抓落实！", "“三是”呢？"]
    assert text.sentences("五年，是一段征程﹔也是一份答卷") == ["五年，是一段征程﹔", "也是一份答卷"]
    assert text.sentences("") == []


@pytest.mark.parametrize(
    "heading, level",
    [
        ("一、主要工作", 1),
        ("十二、其他", 1),
        ("（一）强化引领", 2),
        ("(三)、抓好组建", 2),
        ("1.开展竞赛", 3),
        ("2、建设阵地", 3),
        ("1. 夯实基础", 3),
        ("（1）建设工作室", 4),
        ("③ 开展帮扶", 4),
        ("一是抓学习", 0),
        ("2025年工作", 0),
        ("3.5万人参加", 0),
        ("一、二季度", 0),
    ],
)
def test_heading_number_levels(heading, level):
    assert text.numbered_level(heading) == level


def test_strip_numbering_and_points():
    assert text.strip_numbering("（一）强化思想引领") == "强化思想引领"
    assert text.strip_numbering("第二部分 工作打算") == "工作打算"
    assert text.strip_numbering("## 政治引领") == "政治引领"
    assert text.strip_numbering("强化思想引领") == "强化思想引领"
    assert text.POINT_START.match("二是抓落实") and text.POINT_START.match("3是抓落实")
    assert not text.POINT_START.match("但是抓落实")
    starts = [m.start() for m in text.POINT.finditer("一是抓学习。二是抓落实，见成效。")]
    assert starts == [0, 6]


def test_traditional_and_pinyin_read_simplified():
    assert text.simplified("工會換屆工作報(bào)告") == "工会换届工作报告"
    assert text.simplified("一、XX年主要工作回顧") == "一、XX年主要工作回顾"
    # simplified text comes back unchanged (the same object: nothing converted)
    plain = "一、2025年主要工作（市级）"
    assert text.simplified(plain) is plain
    assert text.strip_pinyin("領(lǐng)導(dǎo)") == "領導"
    assert text.strip_pinyin("工作(市级)") == "工作(市级)"  # Chinese in brackets is not pinyin
    assert text.is_traditional("職工們") and not text.is_traditional("职工们")


@pytest.mark.parametrize(
    ("sample", "traditional"),
    [
        ("中国梦·劳动美", False),  # a mark GB2312 lacks, in simplified text
        ("职工•之家——“娘家人”‧服务–站点―", False),
        ("职工•之家職", True),  # a traditional character after a skipped mark
        ("職工之家", True),
        ("工会 abc 123 ①", False),  # outside GB2312 but not traditional: zhconv's table says so
        ("", False),
    ],
)
def test_traditional_text_is_found_past_marks_gb2312_lacks(sample, traditional):
    assert text.is_traditional(sample) is traditional


def test_han_count_covers_extension_a_and_compatibility_blocks():
    assert text.han_count("工会㐀﨎a1，") == 4


def test_number_scale():
    assert text.NUMBER_SCALE["万"] * 23.3 == 233_000
    assert text.NUMBER_SCALE["亿"] == 10_000 * text.NUMBER_SCALE["万"]


def test_index_reads_traditional_text_as_simplified():
    from drafter.tokenize import words

    assert words("職工之家建設(shè)") == words("职工之家建设")
    assert "职工之家" in words("職工之家建設")


# --- a draft is read by the rules the corpus is read by (issue 8 item 8) ---------------------

_REPORT = """关于2025年工会工作的报告
一、工作回顾
过去一年,全市工会坚持以职工为中心 ，服务大局。
职工会员人数增长3.5%,达到12万人(含农民工)。
(一)加强思想引领
镇街(园区)工会开展活动30场; 覆盖职工1万人。
"""


def test_draft_and_corpus_text_read_the_same_way(tmp_path):
    from drafter.check import heading_level, read_paragraphs
    from drafter.segment import segment

    draft = tmp_path / "稿子.txt"
    draft.write_text(_REPORT, encoding="utf-8")
    paras = read_paragraphs(draft)
    [article] = segment(_REPORT)
    headings = [(p, heading_level(p)) for p in paras[1:] if heading_level(p)]
    assert headings == [(s.heading, s.level) for s in article.sections]
    assert headings == [("一、工作回顾", 1), ("（一）加强思想引领", 2)]
    body = "".join(p for p in paras[1:] if not heading_level(p))
    assert body == "".join(p.text for s in article.sections for p in s.passages)
    assert "增长3.5%，达到12万人（含农民工）" in body and "中心，服务" in body


@pytest.mark.parametrize(
    "raw",
    ["增长3.5%,达到12万人", "镇街(园区)工会", "(一)加强思想引领", "活动30场; 覆盖职工", "时光流逝,见证时代:再出发", "E-mail:abc@163.com"],
)
def test_punctuation_rule_flags_what_normalising_changes(raw):
    from drafter.check import normalize
    from drafter.checks.usage import usage_hits

    fixed = raw
    for rule, a, b, rep in sorted(usage_hits(raw, frozenset()), key=lambda h: -h[1]):
        if rule.id == "ascii-punct":
            fixed = fixed[:a] + rep + fixed[b:]
    assert fixed == normalize(raw) == text.fix_punctuation(raw)


def test_number_scale_shared():
    # (the figures file's exact 2.3亿 is tested in test_limits_yaml.py)
    from drafter.checks.numbers import foreign_numbers
    from drafter.numbers import format_quantity, numbers_in

    assert format_quantity(230_000_000, "元") == "2.3亿元" and format_quantity(23_300, "人次") == "2.33万人次"
    assert numbers_in("覆盖职工2.3亿人") == [2.3, 230_000_000]
    assert foreign_numbers("覆盖职工2.3亿人", {230_000_000.0}) == []
