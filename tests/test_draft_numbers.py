"""Chinese number conventions and the block markup."""

from __future__ import annotations

import pytest

from drafter.blocks import missing_labels, parse_blocks
from drafter.errors import DrafterError
from drafter.numbers import change_phrase, cn_numeral, format_quantity, numbers_in, series_phrase


@pytest.mark.parametrize(
    "value, unit, approx, expected",
    [
        (233000, "人次", "", "23.3万人次"),
        (18600, "人次", "", "1.86万人次"),
        (10000, "人", "", "1万人"),
        (9999, "人", "", "9999人"),
        (126, "场", "", "126场"),
        (320, "场", "余", "320余场"),
        (300, "人", "近", "近300人"),
        (23000, "人", "多", "2.3万多人"),
        (236.5, "万元", "", "236.5万元"),
        (250000000, "元", "", "2.5亿元"),
        (93.5, "%", "", "93.5%"),
        (12.0, "个", "", "12个"),
    ],
)
def test_format_quantity(value, unit, approx, expected):
    assert format_quantity(value, unit, approx) == expected


def test_approximation_words_only_where_written():
    assert "余" not in format_quantity(233456, "人次") and "近" not in format_quantity(299, "人")


@pytest.mark.parametrize(
    "value, last, unit, expected",
    [
        (86, 64, "场", "同比增长34.4%"),
        (58, 61, "件", "同比下降4.9%"),
        (100, 100, "场", "与上年持平"),
        (10001, 10000, "人", "与上年基本持平"),  # 0.01% rounds to 0.0: never written as 0.0%
        (150, 100, "场", "同比增长50%"),
        (93.5, 90.2, "%", "同比提高3.3个百分点"),
        (90.0, 90.0, "%", "与上年持平"),
        (5, 0, "个", ""),  # no base, no percentage
    ],
)
def test_change_phrase(value, last, unit, expected):
    assert change_phrase(value, last, unit) == expected
    assert "0.0%" not in change_phrase(value, last, unit)


def test_series_phrase_sum_and_mean():
    assert series_phrase({2021: 48, 2022: 51, 2023: 54, 2024: 57, 2025: 60}, "场") == "累计270场，年均54场"
    assert series_phrase({2021: 10000, 2022: 13000}, "人次") == "累计2.3万人次，年均1.15万人次"
    assert series_phrase({2021: 80.5, 2025: 95.2}, "%") == "由2021年的80.5%提高到2025年的95.2%"


def test_cn_numeral_and_numbers_in():
    assert [cn_numeral(n) for n in (1, 9, 10, 12, 20, 21)] == ["一", "九", "十", "十二", "二十", "二十一"]
    assert numbers_in("覆盖2.3万人次，增长12.5%") == [2.3, 23000.0, 12.5]


def test_blocks_number_headings_by_level_and_reset():
    text = "@title 标题\n@h1 甲\n@h2 子一\n@h2 子二\n@h3 细\n@h4 更细\n@h1 乙\n@h2 子\n@h3 细\n"
    heads = [b.full_text for b in parse_blocks(text) if b.kind == "heading"]
    assert heads == ["一、甲", "（一）子一", "（二）子二", "1.细", "（1）更细", "二、乙", "（一）子", "1.细"]


def test_blocks_continuation_placeholders_and_comments():
    text = "@h1 一章\n@comment 建功立业\n@p 第一句，\n第二句【待补充：竞赛数】。\n\n@todo 问题\n@sign 单位\n@date 【待补充：成文日期】\n"
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks] == ["heading", "comment", "paragraph", "paragraph", "sign", "date"]
    assert blocks[1].chapter == "建功立业"
    assert blocks[2].text == "第一句，第二句【待补充：竞赛数】。"
    assert blocks[2].segments() == [("第一句，第二句", False), ("【待补充：竞赛数】", True), ("。", False)]
    assert missing_labels(blocks) == ["竞赛数", "问题", "成文日期"]


def test_blocks_skip_empty_heading_without_using_a_number():
    heads = [b.full_text for b in parse_blocks("@h1 \n@h1 甲\n") if b.kind == "heading"]
    assert heads == ["一、甲"]


@pytest.mark.parametrize("text, words", [("@x 什么\n", "不认识的标记"), ("没有标记\n", "没有标记"), ("@comment 维权服务\n", "前面要有一个标题")])
def test_blocks_errors_have_line(text, words):
    with pytest.raises(DrafterError) as info:
        parse_blocks(text, source="模板 my.j2")
    assert words in info.value.message and "第1行" in info.value.message and "my.j2" in info.value.message
