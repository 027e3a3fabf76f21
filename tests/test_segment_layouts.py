"""Layouts of real reports, each as a small made-up text: run-in headings, run-together
pastes, news layouts, titles and furniture, traditional characters, metadata from the body,
and chapters of umbrella and plan headings. Plus a property test over random mixes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafter import text as text_rules
from drafter.clean import has_doubled_glyphs, is_furniture
from drafter.ingest import parse_text

BODY = "组织各级工会开展宣讲活动，覆盖职工三千余人次，进一步凝聚了职工群众的思想共识。"
HELP = "全年走访慰问困难职工二百余户，发放帮扶资金八十万元，确保困难职工生活有保障。"


def sections(text: str):
    return [s for a in parse_text(text).articles for s in a.sections]


def headings(text: str) -> list[str]:
    return [s.heading for s in sections(text) if s.heading]


def by_heading(text: str) -> dict:
    return {s.heading: s for s in sections(text)}


# --- run-in headings --------------------------------------------------------------------------------


def test_numbered_run_in_heading_keeps_the_body_as_passage():
    text = "一、主要工作\n\n（一）牢牢把握正确方向，开展职工思想教育。坚持把" + BODY + "\n"
    secs = by_heading(text)
    sec = secs["（一）牢牢把握正确方向，开展职工思想教育"]
    assert sec.level == 2
    assert sec.passages[0].text.startswith("坚持把组织各级工会")


def test_points_become_headings_one_level_below():
    text = "一、主要工作\n\n（一）强化思想引领\n\n一是抓思想武装。" + BODY + "二是抓阵地建设。" + BODY + "\n"
    secs = by_heading(text)
    assert secs["一是抓思想武装"].level == 3 and secs["二是抓阵地建设"].level == 3
    assert secs["一是抓思想武装"].passages[0].text.startswith("组织各级工会")
    # a point whose lead runs on (two commas before its full stop) is body text, not a heading
    long_point = "一、主要工作\n\n一是深入学习，坚持不懈，把理论学习作为首要任务。" + BODY + "\n"
    assert headings(long_point) == ["一、主要工作"]


def test_parallel_lead_clauses_are_headings():
    text = "二、服务职工\n\n实施精准帮扶。" + HELP + "\n\n拓展普惠服务。" + BODY + "\n"
    assert headings(text) == ["二、服务职工", "实施精准帮扶", "拓展普惠服务"]
    # one short lead sentence among many paragraphs is not a structure
    lone = "二、服务职工\n\n成效明显。" + HELP + "\n\n" + BODY + "\n\n" + BODY + "\n"
    assert headings(lone) == ["二、服务职工"]


def test_aspect_and_anaphoric_leads():
    aspects = "导语说明全年情况，" + BODY + "\n\n服务大局方面，" + BODY + "\n\n维护权益方面，" + HELP + "\n"
    assert headings(aspects) == ["服务大局方面", "维护权益方面"]
    years = "".join(
        f"\n\n——这一年，我们{lead}。" + BODY for lead in ("强化引领、凝聚共识", "扎实帮扶、温暖人心", "深化改革、夯实基础")
    )
    found = headings("导语。" + BODY + years + "\n")
    assert found == ["——这一年，我们强化引领、凝聚共识", "——这一年，我们扎实帮扶、温暖人心", "——这一年，我们深化改革、夯实基础"]


def test_verdict_sentences_run_together_in_one_paragraph():
    para = (
        "今年，市总工会围绕中心工作扎实推进各项任务。职工思想建设成效明显。" + BODY * 2
        + "职工技能建设持续加强。" + "举办技能竞赛二十项，参赛职工一万余人次，培养技术能手一百名。" * 2
        + "职工帮扶关爱更加有力。" + HELP * 2
    )
    assert headings(para + "\n") == ["职工思想建设成效明显", "职工技能建设持续加强", "职工帮扶关爱更加有力"]


# --- run-together text ------------------------------------------------------------------------------


def test_one_line_paste_is_split_at_its_headings():
    line = (
        "某某县总工会2024年工作总结今年以来，县总工会在县委的领导下扎实工作。现总结如下：一、主要工作（一）强化思想引领。"
        + BODY + "1.开展宣讲活动。" + BODY + "（二）做好帮扶工作。一是落实帮扶。" + HELP + "二、下一步工作打算 明年将继续做好各项工作。"
    )
    (article,) = parse_text(line).articles
    assert article.title == "某某县总工会2024年工作总结"
    assert [(s.heading, s.level) for s in article.sections if s.heading] == [
        ("一、主要工作", 1),
        ("（一）强化思想引领", 2),
        ("1.开展宣讲活动", 3),
        ("（二）做好帮扶工作", 2),
        ("一是落实帮扶", 3),
        ("二、下一步工作打算", 1),
    ]
    assert article.sections[-1].chapters == ["展望"]


def test_wide_gaps_of_a_pasted_document_are_paragraph_breaks():
    line = "某某学校工会工作报告   一、加强组织建设   " + BODY + "   二、关爱教职工   " + HELP
    assert headings(line) == ["一、加强组织建设", "二、关爱教职工"]


def test_page_chunk_markers_are_removed_and_pages_joined():
    page1 = "1、某某区总工会2023年工作总结今年以来，区总工会" + BODY * 3 + "组织职工开展学习，职工政治意"
    page2 = "2、识显著增强。" + HELP * 2 + "同时开展技能培训，提高职"
    page3 = "3、工素质。" + BODY
    text = "\n\n".join([page1, page2, page3]) + "\n"
    secs = sections(text)
    joined = "".join(p.text for s in secs for p in s.passages)
    assert "职工政治意识显著增强" in joined and "提高职工素质" in joined
    assert not any(re.match(r"^\d、", s.heading) for s in secs)


# --- news and feature layouts -----------------------------------------------------------------------


def test_short_and_colon_headings_on_their_own_lines():
    text = "导语说明全年情况。" + BODY + "\n\n2024：四维度诠释工会担当\n\n" + BODY + "\n\n突出特色，统筹全局\n\n" + HELP + "\n"
    assert headings(text) == ["2024：四维度诠释工会担当", "突出特色，统筹全局"]


def test_parts_levels_circled_numbers_and_lost_numerals():
    text = (
        "第一部分 工作回顾\n\n一、思想引领\n\n" + BODY + "\n\n①开展宣讲\n\n" + BODY
        + "\n\n.关爱困难职工。" + HELP + "\n\n第二部分 工作打算\n\n" + BODY + "\n"
    )
    levels = [(s.heading, s.level) for s in sections(text) if s.heading]
    assert levels[:3] == [("第一部分 工作回顾", 1), ("一、思想引领", 2), ("①开展宣讲", 5)]
    assert (".关爱困难职工", 4) in levels
    assert levels[-1] == ("第二部分 工作打算", 1)


def test_numbering_that_changes_style_or_skips():
    text = (
        "一、主要工作：\n\n1、工会组建：\n\n新建基层工会十二家，发展会员六百余人。\n\n"
        "3、劳资纠纷调解：\n\n调解劳资纠纷二十起，涉及职工三百人。\n\n"
        "6.举办文体活动，丰富职工生活。\n\n举办职工运动会一次，参加职工五百人。\n"
    )
    assert headings(text) == ["一、主要工作：", "1、工会组建：", "3、劳资纠纷调解：", "6.举办文体活动，丰富职工生活"]


def test_numbered_whole_sentences_are_list_items():
    items = "".join(f"（{n}）在街道总工会的努力下，多家企业的困难职工分别获得上级工会给予的不同金额的补助{n}。\n\n" for n in "123")
    text = "一、帮扶工作\n\n" + items
    assert headings(text) == ["一、帮扶工作"]


# --- titles and furniture ---------------------------------------------------------------------------


def test_title_under_breadcrumbs_and_site_boilerplate():
    text = (
        "当前位置：首页 > 工作总结 > 工会总结\n\n某某县总工会2024年工作总结\n\n发布时间：2024-12-30 10:20:11\n\n"
        "精选优质文档-倾情为你奉上\n\n各位委员，同志们：\n\n（2013130）\n\n今年以来，" + BODY + "\n\n"
        "---此处隐藏1200字，下载后查看---\n\n一、思想引领\n\n" + BODY + "\n"
    )
    (article,) = parse_text(text).articles
    assert article.title == "某某县总工会2024年工作总结"
    passages = "".join(p.text for s in article.sections for p in s.passages)
    for junk in ("首页", "发布时间", "倾情", "同志们", "2013130", "隐藏"):
        assert junk not in passages and junk not in article.title


def test_title_repeated_and_template_site_list_title():
    text = (
        "工会工作总结5篇\n\n下面是小编为大家整理的工会工作总结，供您参考！\n\n工会工作总结篇1\n\n"
        "今年以来，" + BODY + "\n\n一、思想引领\n\n" + BODY + "\n"
    )
    assert parse_text(text).articles[0].title == "工会工作总结篇1"
    repeated = "某某县总工会工作总结\n某某县总工会工作总结\n\n某某县总工会工作总结\n\n今年以来，" + BODY + "\n"
    (article,) = parse_text(repeated).articles
    assert article.title == "某某县总工会工作总结"
    assert "工作总结" not in "".join(p.text for s in article.sections for p in s.passages)


def test_title_with_dash_subtitle_on_the_next_line():
    text = "凝心聚力谱新篇\n——某某市总工会2025年工作综述\n\n岁末年初，" + BODY + "\n\n一、思想引领\n\n" + BODY + "\n"
    (article,) = parse_text(text).articles
    assert article.title == "凝心聚力谱新篇"
    assert article.subtitle == "某某市总工会2025年工作综述"


# --- traditional characters -----------------------------------------------------------------------


def test_traditional_text_is_shown_as_written_but_classified_as_simplified():
    simp = "一、维护职工权益\n\n认真开展集体协商，职代会制度不断完善，困难职工帮扶和送温暖活动扎实开展。\n"
    trad = "一、維護職工權益\n\n認真開展集體協商，職代會制度不斷完善，困難職工幫扶和送溫暖活動紮實開展。\n"
    pinyin = "一、維(wéi)護職工權益\n\n認真開展集體協(xié)商，職代會制度不斷完善，困難職工幫扶和送溫暖活動紮實開展。\n"
    (s1,) = [s for s in sections(simp) if s.heading]
    (s2,) = [s for s in sections(trad) if s.heading]
    (s3,) = [s for s in sections(pinyin) if s.heading]
    assert s2.heading == "一、維護職工權益"  # displayed as written
    assert s1.chapters == s2.chapters == s3.chapters == ["维权服务"]


# --- metadata from the body -----------------------------------------------------------------------


def test_year_and_unit_from_the_body_opening():
    (a,) = parse_text("工作总结\n\n2025年，青溪县总工会紧扣主责主业，" + BODY + "\n").articles
    assert a.year == 2025 and a.org == "青溪县总工会"
    (b,) = parse_text("上半年工作总结\n\n上半年，全镇工会" + BODY + "\n").articles
    assert b.year is None and b.kind == "half-year"
    (c,) = parse_text("工作报告\n\nXX年，在公司党委的领导下，" + BODY + "\n").articles
    assert c.year is None
    (d,) = parse_text("2020交通局工会工作总结\n\n今年，" + BODY + "\n").articles
    assert d.year == 2020


# --- chapters of umbrella and plan headings -----------------------------------------------------


def test_umbrella_and_plan_headings():
    text = (
        "一、2022年主要工作\n\n（一）思想引领\n\n开展宣讲活动，弘扬劳模精神，" + BODY + "\n\n"
        "二、下半年工作安排\n\n继续做好困难职工帮扶工作。" + HELP + "\n"
    )
    secs = by_heading(text)
    assert secs["一、2022年主要工作"].chapters == ["其他"]
    assert secs["（一）思想引领"].chapters[0] == "思想引领"
    assert secs["二、下半年工作安排"].chapters == ["展望"]


# --- property: no exception, no Han character lost ----------------------------------------------

NUMBERS = ["", "一、", "二、", "（一）", "(二)", "（二）、", "1.", "2、", "3 、", "（1）", "①", "一是", "二是", "1是", ".", "第一部分 "]
PHRASES = ["强化思想引领", "开展劳动竞赛", "维护职工权益", "這一年，我們強化引領", "服务大局方面", "——凝心聚力",
           "某某县总工会2024年工作总结", "報(bào)告工作", "一年来工作回顾", "2025年工作情况"]
PUNCT = ["", "。", "，", ",", "：", ":", "；", "！", "”", ")"]
SEPS = ["", "\n", "\n\n", " ", "   ", "\t", "\u3000\u3000", "\r\n"]
BODIES = [BODY, HELP, "2025年，某某县总工会" + BODY, "“五一”期间" + HELP, "增长3.5%,达到" + BODY]
# Furniture sits on lines of its own (a trail glued to a long line is cut off it: see the title tests).
FURNITURE = ["\n" + f + "\n" for f in ("首页 > 新闻 > 工会", "各位代表：", "发布时间：2024-01-01 10:00", "（2013130）")]

# A block: a numbered or bare lead, its punctuation, a separator, then body text. A short line
# with no body after it is read as a photo caption (dropped on purpose), so every lead here has
# its body; numbering, punctuation, line breaks and run-together joins are random.
block = st.builds(
    lambda n, p, q, sep, b: n + p + q + sep + b,
    st.sampled_from(NUMBERS), st.sampled_from(PHRASES), st.sampled_from(PUNCT), st.sampled_from(SEPS), st.sampled_from(BODIES),
)
document = st.lists(st.one_of(block, block, block, st.sampled_from(FURNITURE)), max_size=25).flatmap(
    lambda blocks: st.lists(st.sampled_from(SEPS), min_size=len(blocks), max_size=len(blocks)).map(
        lambda seps: "".join(b + s for b, s in zip(blocks, seps))
    )
)


def _lines(raw: str) -> list[str]:
    return re.split(r"\r?\n|[ \u3000\t]{3,}", raw)


def _furniture_lines(raw: str) -> list[str]:
    """Lines the reader drops on purpose: page furniture, and bold text extracted twice."""
    return [l for l in _lines(raw) if is_furniture(l.strip()) or has_doubled_glyphs(l)]


def _han(s: str) -> str:
    return "".join(text_rules.HAN_RE.findall(s))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document)
def test_random_mixes_lose_no_han_character(raw):
    articles = parse_text(raw).articles
    kept = "".join(
        a.title + a.subtitle + "".join(s.heading + "".join(p.text for p in s.passages) for s in a.sections)
        for a in articles
    )
    # Every body sentence survives whole and in order (a run-in heading cut off it included) …
    for body in BODIES:
        if body in raw:
            assert _han(body)[-20:] in _han(kept), (body, raw, kept)
    # … and every Han character outside page furniture is somewhere in the title, a heading or a passage.
    furniture = _furniture_lines(raw)
    rest = "\n".join(l for l in _lines(raw) if l not in furniture)
    for ch in set(text_rules.HAN_RE.findall(text_rules.strip_pinyin(rest))):
        assert ch in kept, (ch, raw, kept)


def test_signature_and_date_are_not_body_text_however_spaced():
    # The 落款 under the last paragraph: glued to it, after a blank line, or after several.
    body = "一、主要工作\n\n全年开展劳动竞赛12项，参赛职工3000人次。\n"
    for gap in ("", "\n", "\n\n\n"):
        for date in ("2025年12月18日", "二〇二五年十二月十八日"):
            doc = parse_text(f"{body}{gap}青禾县总工会\n{date}\n")
            passages = [p.text for a in doc.articles for s in a.sections for p in s.passages]
            assert passages == ["全年开展劳动竞赛12项，参赛职工3000人次。"], (gap, date)


def test_a_unit_name_without_a_date_under_it_stays_text():
    doc = parse_text("一、主要工作\n\n全年开展劳动竞赛12项。\n\n青禾县总工会\n\n下一段还有正文，说明工作情况。\n")
    kept = "".join(s.heading + "".join(p.text for p in s.passages) for a in doc.articles for s in a.sections)
    assert "青禾县总工会" in kept  # a heading or text, never dropped
