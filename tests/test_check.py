import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from drafter.check import (
    CopyIndex,
    Finding,
    check_file,
    check_paragraphs,
    foreign_numbers,
    heading_level,
    normalize,
    split_paragraphs,
    structure_findings,
)
from drafter.cli import main
from drafter.corpus import Corpus
from drafter.errors import DrafterError
from drafter.model import PassageRecord

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
EXAMPLE = next(p for p in EXAMPLES if "年度" in p.name)
# A sentence of seed 000 without figures, and one with figures.
SEED_SENTENCE = "职工群众在哪里，思想引领就跟到哪里，劳模宣讲就延伸到哪里。"
SEED_WITH_FIGURES = "扎根农村基层供电所用电线28年，先后研制出万向钻孔机、多功能施工车、电杆旋切机等30多种电力施工机具，拥有专利技术37项。"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return Corpus.load(tmp_path_factory.mktemp("corpus"))


def _draft_md(yaml_path):
    from drafter.draft import build_draft
    from drafter.figures import load_figures
    from drafter.markdown_writer import draft_markdown

    return draft_markdown(build_draft(load_figures(yaml_path), refs=0))


@pytest.fixture(scope="module")
def example_md():
    return _draft_md(EXAMPLE)


# ------------------------------------------------------------ paragraphs


def test_hard_wrapped_text_is_reflowed():
    text = "# 标题\n\n过去五年,菏泽市工会坚持以习近平中国特色社\n会主义思想为指导。\n\n第二段 。\n"
    paras = split_paragraphs(text)
    assert paras == ["# 标题", "过去五年，菏泽市工会坚持以习近平中国特色社会主义思想为指导。", "第二段。"]


def test_one_paragraph_per_line_when_not_wrapped():
    text = "一、主要工作\n全年开展竞赛43项。\n\n（一）思想引领\n组织宣讲86场。"
    assert split_paragraphs(text) == ["一、主要工作", "全年开展竞赛43项。", "（一）思想引领", "组织宣讲86场。"]


def test_markdown_quotes_and_markup_are_not_body_text():
    text = "## 一、标题\n\n> 参考（a.txt）：旧稿里的句子\n\n**【待补充：数字】**正文\\*句。\n\n<p align=\"right\">青禾县总工会</p>\n"
    assert split_paragraphs(text, markdown=True) == ["## 一、标题", "【待补充：数字】正文*句。", "青禾县总工会"]


def test_normalize_and_heading_level():
    assert normalize("五年来,全市 工会;开展") == "五年来，全市工会；开展"
    assert heading_level("一、主要工作及成效") == 1
    assert heading_level("（二）深化建功立业") == 2
    assert heading_level("1.开展竞赛") == 3
    assert heading_level("## 一、主要工作") == 2
    assert heading_level("1.5万名职工参加了培训活动。") == 0


# ------------------------------------------------------------ copies


def _index(*texts):
    recs = [PassageRecord(t, ("其他",), "old.txt", "某某县总工会2019年工作总结", "一、") for t in texts]
    return CopyIndex().fit(recs)


def test_copy_index_finds_same_inside_and_containing_sentences():
    old = "全年共举办各类职工文化活动一百余场次，丰富了广大职工的精神文化生活。其他内容很短。"
    idx = _index(old)
    same = idx.lookup("全年共举办各类职工文化活动一百余场次,丰富了广大职工的精神文化生活。")
    assert same and same.source == "old.txt《某某县总工会2019年工作总结》"
    # The draft sentence lifted from inside a longer corpus sentence.
    assert idx.lookup("举办各类职工文化活动一百余场次，丰富了广大职工的精神文化生活")
    # A whole corpus sentence making up most of a draft sentence.
    assert idx.lookup("今年，全年共举办各类职工文化活动一百余场次，丰富了广大职工的精神文化生活。")
    assert idx.lookup("全年共举办各类职工文化活动八十余场次，丰富了广大职工的精神文化生活。") is None
    assert idx.lookup("其他内容很短。") is None  # under 20 characters


def test_common_formula_inside_own_sentence_is_not_a_copy():
    idx = _index("坚持以习近平新时代中国特色社会主义思想为指导；")
    own = "2025年，青禾县总工会在县委和市总工会的坚强领导下，坚持以习近平新时代中国特色社会主义思想为指导，各项工作取得新的成效。"
    assert idx.lookup(own) is None


def test_pasted_seed_sentence_is_reported_with_its_source(tmp_path, seeds):
    draft = tmp_path / "稿.txt"
    draft.write_text("我们今年开展了很多自己的工作，成效明显。\n" + SEED_SENTENCE + "\n", encoding="utf-8")
    found = check_file(draft, corpus=seeds)
    assert [(f.type, f.paragraph) for f in found] == [("copy", 2)]
    assert found[0].source.startswith("000_062a9b2cfb7d55e4.txt《政治引领勇担当")
    assert found[0].text == SEED_SENTENCE


# ------------------------------------------------------------ formulations


def test_seed_000_yields_the_misquote(seeds):
    found = check_file(ROOT / "corpus" / "000_062a9b2cfb7d55e4.txt", corpus=seeds)
    misquotes = [f for f in found if f.type == "formulation"]
    assert len(misquotes) == 1
    assert "习近平中国特色社会主义思想" in misquotes[0].text
    assert misquotes[0].suggestion == "习近平新时代中国特色社会主义思想"
    assert misquotes[0].paragraph > 0


# ------------------------------------------------------------ numbers


def test_foreign_numbers():
    allowed = {86.0, 31600.0, 34.4, 2025.0, 236.5}
    para = "2025年5月20日，组织宣讲86场，同比增长34%；覆盖职工3.16万人次；挽回损失236.5万元；新建书屋15家。"
    assert [m.group() for m in foreign_numbers(para, allowed)] == ["15"]
    # A count may not be rounded from a rate: 15 is not 15.1.
    assert [m.group() for m in foreign_numbers("新建书屋15家。", {15.1})] == ["15"]
    assert foreign_numbers("1.开展竞赛", set()) == []
    assert foreign_numbers("2021—2025年，累计", set()) == []


def test_numbers_in_a_copied_sentence_are_left_to_the_copy_finding():
    idx = _index(SEED_WITH_FIGURES)
    found = check_paragraphs([SEED_WITH_FIGURES, "新建书屋15家。"], allowed={37.0}, index=idx)
    assert [(f.type, f.paragraph) for f in found] == [("copy", 1), ("number", 2)]


def test_hotline_number_of_a_formulation_is_not_a_foreign_number():
    found = check_paragraphs(["开通12351职工服务热线，受理诉求58件。"], allowed={58.0})
    assert found == []


# ------------------------------------------------------------ structure


def test_missing_problem_and_plan_sections_and_thin_chapter():
    paras = [
        "某某县总工会2025年工作总结",
        "一、主要工作",
        "（一）思想引领",
        "深入开展劳模工匠宣讲，弘扬劳模精神、劳动精神、工匠精神，引导职工听党话、跟党走。",
        "（二）维权服务",
        "办理法律援助案件58件，慰问困难职工4200人次。",
    ]
    found = structure_findings(paras)
    messages = [f.message for f in found]
    assert any("问题和不足" in m for m in messages)
    assert any("下一步打算" in m for m in messages)
    thin = [f for f in found if f.paragraph]
    assert [f.paragraph for f in thin] == [3] and "思想引领" in thin[0].message


def test_short_text_without_sections_has_no_structure_findings():
    assert structure_findings(["一段话。", "又一段话。"]) == []


# ------------------------------------------------------------ the example draft


@pytest.mark.parametrize("yaml_path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_draft_is_clean_as_markdown_and_docx(tmp_path, seeds, yaml_path):
    from drafter.docx_writer import write_docx
    from drafter.draft import build_draft
    from drafter.figures import load_figures

    md = tmp_path / "初稿.md"
    md.write_text(_draft_md(yaml_path), encoding="utf-8")
    assert check_file(md, figures=yaml_path, corpus=seeds) == []
    docx = tmp_path / "初稿.docx"
    write_docx(build_draft(load_figures(yaml_path), refs=0), docx)
    assert check_file(docx, figures=yaml_path, corpus=seeds) == []


def test_example_draft_is_clean_and_one_change_and_one_paste_give_two(tmp_path, seeds, example_md):
    clean = tmp_path / "初稿.md"
    clean.write_text(example_md, encoding="utf-8")
    assert check_file(clean, figures=EXAMPLE, corpus=seeds) == []

    m = re.search(r"(?<![\d.])(\d{2,})(?=[场项家个件])", example_md)
    changed = example_md[: m.start(1)] + str(int(m.group(1)) + 1) + example_md[m.end(1) :]
    last_para = [p for p in changed.split("\n\n") if p.endswith("。")][-1]
    changed = changed.replace(last_para, last_para + SEED_SENTENCE, 1)
    bad = tmp_path / "改过的.md"
    bad.write_text(changed, encoding="utf-8")
    found = check_file(bad, figures=EXAMPLE, corpus=seeds)
    assert sorted(f.type for f in found) == ["copy", "number"]
    number = next(f for f in found if f.type == "number")
    assert str(int(m.group(1)) + 1) in number.message


# ------------------------------------------------------------ bad input and the command


def test_bad_input(tmp_path, seeds):
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    with pytest.raises(DrafterError):
        check_file(empty, corpus=seeds)
    blank = tmp_path / "空白.md"
    blank.write_text("> 只有引用\n\n", encoding="utf-8")
    with pytest.raises(DrafterError):
        check_file(blank, corpus=seeds)
    with pytest.raises(DrafterError):
        check_file(tmp_path / "没有.txt", corpus=seeds)
    bad_yaml = tmp_path / "数据.yaml"
    bad_yaml.write_text("单位: 某工会\n类型: 年度\n年份: 二〇二五\n", encoding="utf-8")
    ok = tmp_path / "稿.txt"
    ok.write_text("一段话。", encoding="utf-8")
    with pytest.raises(DrafterError) as exc:
        check_file(ok, figures=bad_yaml, corpus=seeds)
    assert "年份" in exc.value.message


def test_cli_exit_status_and_json(tmp_path, example_md):
    runner = CliRunner()
    clean = tmp_path / "初稿.md"
    clean.write_text(example_md, encoding="utf-8")
    res = runner.invoke(main, ["check", str(clean), "--figures", str(EXAMPLE), "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    pasted = tmp_path / "抄.txt"
    pasted.write_text(SEED_SENTENCE, encoding="utf-8")
    res = runner.invoke(main, ["check", str(pasted), "--json", "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data == [
        {
            "type": "copy",
            "paragraph": 1,
            "text": SEED_SENTENCE,
            "message": "这句话与语料库中的旧稿一字不差，可能是照抄。",
            "suggestion": "用本单位自己的做法和数字重写这句话。",
            "source": "000_062a9b2cfb7d55e4.txt《政治引领勇担当 砥砺奋进建新功》",
            "rule": "copy-exact",
            "found": "",
            "replacement": None,
            "source_text": SEED_SENTENCE,
            "overlap": 100,
        }
    ]
    res = runner.invoke(main, ["check", str(tmp_path / "没有.docx")])
    assert res.exit_code == 2 and "错误" in res.output


def test_cli_year_disable_and_list_rules(tmp_path):
    runner = CliRunner()
    draft = tmp_path / "稿.txt"
    draft.write_text("深入学习贯彻党的十九大精神，截止2025年底全县建会企业1200家。", encoding="utf-8")
    args = ["check", str(draft), "--json", "--corpus", str(tmp_path / "c")]
    res = runner.invoke(main, args + ["--year", "2025"])
    assert [f["rule"] for f in json.loads(res.stdout)] == ["jiezhi-date", "stale-session"]
    res = runner.invoke(main, args + ["--year", "2025", "--disable", "timeliness,jiezhi-date"])
    assert res.exit_code == 0 and json.loads(res.stdout) == []
    res = runner.invoke(main, args)  # no year given or in a title: no timeliness
    assert [f["rule"] for f in json.loads(res.stdout)] == ["jiezhi-date"]
    res = runner.invoke(main, ["check", "--list-rules", "--json"])
    listed = json.loads(res.stdout)
    assert res.exit_code == 0 and len(listed["usage"]) >= 50 and {"id", "group", "message", "example"} <= set(listed["usage"][0])


def test_cli_phrases(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["phrases", "--chapter", "建功", "--type", "patterns", "-n", "5", "--json", "--corpus", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == ["patterns"] and 0 < len(data["patterns"]) <= 5
    assert {"template", "count", "sources", "variants", "slots"} <= set(data["patterns"][0])
    res = runner.invoke(main, ["phrases", "--chapter", "财务", "--corpus", str(tmp_path)])
    assert res.exit_code == 2 and "建功立业" in res.output
