"""Timeliness, placeholders, chapters and figures, near copies, numbers for the wrong item."""

from pathlib import Path

import pytest

from drafter.check import check_file, check_paragraphs
from drafter.checks.copies import CopyIndex
from drafter.checks.timeliness import report_years
from drafter.figures import load_figures
from drafter.model import PassageRecord

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"
OFF = {"structure", "copy"}


def _rules(found, type_):
    return [(f.paragraph, f.rule, f.found) for f in found if f.type == type_]


# ------------------------------------------------------------ timeliness


def test_stale_guidance_in_a_2025_report():
    paras = ["某某县总工会2025年工作总结", "全县工会深入学习贯彻党的十九大精神，团结引领职工建功立业。"]
    found = check_paragraphs(paras, years=report_years(paras), disabled=OFF)
    assert _rules(found, "timeliness") == [(2, "stale-session", "党的十九大")]
    assert "二十大" in found[0].suggestion


def test_history_and_current_guidance_are_not_stale():
    paras = ["党的十八大以来，全县工会工作取得新成就。", "深入学习贯彻党的二十大和二十届三中全会精神。", "学习贯彻中国工会十八大精神。"]
    assert _rules(check_paragraphs(paras, years=(2025,), disabled=OFF), "timeliness") == []


def test_guidance_that_did_not_exist_yet():
    found = check_paragraphs(["全面贯彻党的二十大精神。"], years=(2020,), disabled=OFF)
    assert _rules(found, "timeliness") == [(1, "future-session", "党的二十大")]


def test_five_year_review_may_name_the_guidance_of_its_first_years():
    paras = ["某某县总工会2021—2025年工作综述", "2021年，学习贯彻党的十九届五中全会精神。"]
    assert report_years(paras) == (2021, 2022, 2023, 2024, 2025)
    assert _rules(check_paragraphs(paras, years=report_years(paras), disabled=OFF), "timeliness") == []


def test_no_year_no_timeliness():
    assert report_years(["一段没有年份的话。"]) == ()
    assert report_years(["2025年，全县各级工会团结引领职工。"]) == (2025,)
    assert report_years(["2025年5月，召开职代会。"]) == ()


# ------------------------------------------------------------ placeholders and structure


def test_placeholder_left_in_the_text():
    found = check_paragraphs(["全年新建职工书屋【待补充：数量】家。"], disabled=OFF)
    assert _rules(found, "placeholder") == [(1, "placeholder", "【待补充：数量】")]


def _report(*chapters):
    paras = ["某某县总工会2025年工作总结", "一、主要工作"]
    bodies = {
        "思想": ("（一）思想政治引领", "组织劳模工匠宣讲86场，覆盖职工3.16万人次，弘扬劳模精神、劳动精神、工匠精神。"),
        "建功": ("（二）建功立业", "开展劳动和技能竞赛43项，参赛职工1.86万人次，命名劳模创新工作室6个。"),
        "维权": ("（三）维权服务", "办理职工法律援助案件58件，慰问困难职工4200人次，建成户外劳动者服务站点22个。"),
        "改革": ("（四）工会改革创新", "新建基层工会37家，发展新就业形态劳动者入会1280人，推进工会组织体系建设。"),
    }
    for c in chapters:
        paras += list(bodies[c])
    return paras + ["二、存在的问题", "基层工会干部力量薄弱。", "三、下一步工作打算", "下一步，继续做好各项工作。"]


def test_missing_main_chapter_without_figures():
    found = check_paragraphs(_report("思想", "建功", "改革"), disabled={"copy", "usage"})
    assert [f.message for f in found if f.rule == "missing-chapter"] == ["稿子中没有写“维权服务”方面的工作。"]
    assert [f for f in check_paragraphs(_report("思想", "建功", "维权", "改革"), disabled={"copy"})] == []


def test_chapter_of_the_figures_file_missing_and_its_figures_absent():
    figs = load_figures(EXAMPLE)
    found = check_paragraphs(_report("思想", "建功", "改革"), figures=figs, disabled={"copy", "usage"})
    rules = sorted((f.rule, f.message) for f in found if f.rule in ("missing-chapter", "figures-absent"))
    assert [r for r, _ in rules] == ["figures-absent", "missing-chapter"]
    assert "维权服务" in rules[0][1] and "维权服务" in rules[1][1]


def test_number_written_for_the_wrong_item():
    figs = load_figures(EXAMPLE)
    found = check_paragraphs(["全年新建基层工会43家，开展劳动和技能竞赛43项。"], figures=figs, disabled=OFF)
    (f,) = [f for f in found if f.rule == "misplaced-number"]
    assert (f.found, f.replacement) == ("43", "37")
    assert "开展劳动和技能竞赛" in f.message and "新建基层工会" in f.message


def test_number_in_wan_for_the_wrong_item():
    figs = load_figures(EXAMPLE)
    found = check_paragraphs(["覆盖职工1.86万人次。"], figures=figs, disabled=OFF)
    assert [(f.found, f.replacement) for f in found if f.rule == "misplaced-number"] == [("1.86", "3.16")]


# ------------------------------------------------------------ near copies


OLD = "要把职工群众的利益放在第一位，普遍建立困难职工帮扶机制，切实解决职工急难愁盼问题。"


def _index():
    return CopyIndex().fit([PassageRecord(OLD, ("其他",), "old.txt", "某某县总工会2019年工作总结", "一、")])


def test_near_copy_with_two_words_changed_is_reported_with_source_and_overlap():
    draft = "要把职工群众的利益放在首位，广泛建立困难职工帮扶机制，切实解决职工急难愁盼问题。"
    (f,) = check_paragraphs([draft], index=_index(), disabled={"structure"})
    assert (f.type, f.rule, f.source, f.source_text) == ("copy", "copy-near", "old.txt《某某县总工会2019年工作总结》", OLD)
    assert 75 <= f.overlap < 100 and f"{f.overlap}%" in f.message


def test_own_sentence_is_not_a_near_copy():
    own = "今年新建职工书屋十四家，组织读书活动二十场，职工反响很好。"
    assert check_paragraphs([own], index=_index(), disabled={"structure"}) == []


def test_exact_copy_has_full_overlap():
    (f,) = check_paragraphs([OLD], index=_index(), disabled={"structure"})
    assert (f.rule, f.overlap, f.source_text) == ("copy-exact", 100, OLD)


def test_user_formulations_file(tmp_path):
    own = tmp_path / "提法.yaml"
    own.write_text("formulations:\n  - id: own\n    right: 青禾工匠培育工程\n    source: 本单位文件\n", encoding="utf-8")
    draft = tmp_path / "稿.txt"
    draft.write_text("实施青禾工匠培养工程。", encoding="utf-8")
    found = check_file(draft, corpus=None, formulations=own, disabled={"copy"})
    assert [(f.rule, f.found, f.replacement) for f in found] == [("own", "青禾工匠培养工程", "青禾工匠培育工程")]


def test_cli_bad_formulations_file_is_named_with_its_entry(tmp_path):
    from click.testing import CliRunner

    from drafter.cli import main

    bad = tmp_path / "提法.yaml"
    bad.write_text("formulations:\n  - id: a\n    right: 青禾工匠培育工程\n    wrong: 青禾\n", encoding="utf-8")
    draft = tmp_path / "稿.txt"
    draft.write_text("一段话。", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(draft), "--formulations", str(bad), "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 2 and "第 1 条（第 2 行）" in res.output and "wrong" in res.output
    assert "Traceback" not in res.output
