"""The written .docx, read back: every layout value of FORMAT.md, comments, placeholders."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm

from drafter.docx_writer import split_title, title_width, write_docx
from drafter.draft import Suggestion, build_draft
from drafter.figures import load_figures, parse_figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THEME_ATTRS = [qn(a) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")]


def fake_suggest(chapter, query, k):
    return [
        Suggestion(chapter, f"参考段落：{chapter}第{i}段，某地开展活动。", f"00{i}_seed.txt", f"某报告{i}", f"一、{chapter}标题")
        for i in range(1, k + 1)
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "draft.docx"
    figures = load_figures(EXAMPLE)
    draft = build_draft(figures, refs=3, suggest=fake_suggest)
    write_docx(draft, path)
    return path, draft, docx.Document(str(path))


def xml_of(path, part):
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def style_rpr(doc, name):
    return doc.styles[name].element.find(qn("w:rPr"))


def style_ppr(doc, name):
    return doc.styles[name].element.find(qn("w:pPr"))


def test_a4_and_margins(written):
    _, _, doc = written
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.1) and abs(sec.page_height - Mm(297)) < Mm(0.1)
    for got, want in ((sec.top_margin, 37), (sec.bottom_margin, 35), (sec.left_margin, 28), (sec.right_margin, 26)):
        assert abs(got - Mm(want)) < Mm(0.1)
    assert abs(sec.footer_distance - Mm(22)) < Mm(0.5)


def test_line_grid_only(written):
    _, _, doc = written
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert grid.get(qn("w:charSpace")) is None


@pytest.mark.parametrize(
    "style, font, half_points",
    [
        ("Normal", "仿宋_GB2312", "32"),
        ("Title", "方正小标宋简体", "44"),
        ("Heading 1", "黑体", "32"),
        ("Heading 2", "楷体_GB2312", "32"),
        ("Heading 3", "仿宋_GB2312", "32"),
        ("Heading 4", "仿宋_GB2312", "32"),
        ("Footer", "宋体", "28"),
    ],
)
def test_style_fonts_and_sizes(written, style, font, half_points):
    _, _, doc = written
    rpr = style_rpr(doc, style)
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == font
    assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:hAnsi")) == "Times New Roman"
    assert not any(fonts.get(a) for a in THEME_ATTRS)
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == half_points
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert rpr.find(qn("w:color")) is None  # the template's blue heading colour is gone


def test_no_theme_font_anywhere(written):
    path, _, _ = written
    for part in ("word/styles.xml", "word/document.xml", "word/footer1.xml", "word/comments.xml"):
        xml = xml_of(path, part)
        assert "Theme=" not in xml and "w:cstheme" not in xml, part


def test_doc_defaults_reset(written):
    path, _, _ = written
    styles = xml_of(path, "word/styles.xml")
    defaults = styles[styles.index("<w:docDefaults>") : styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="zh-CN"' in defaults and 'w:eastAsia="仿宋_GB2312"' in defaults
    assert 'w:after="0"' in defaults and 'w:line="579"' in defaults and 'w:lineRule="exact"' in defaults
    assert 'w:after="200"' not in defaults


@pytest.mark.parametrize("style", ["Normal", "Heading 1", "Heading 2", "Heading 3"])
def test_body_indent_spacing_and_justification(written, style):
    _, _, doc = written
    ppr = style_ppr(doc, style)
    ind = ppr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200" and ind.get(qn("w:firstLine")) == "640"
    sp = ppr.find(qn("w:spacing"))
    assert (sp.get(qn("w:line")), sp.get(qn("w:lineRule")), sp.get(qn("w:after")), sp.get(qn("w:before"))) == ("579", "exact", "0", "0")
    assert ppr.find(qn("w:jc")).get(qn("w:val")) == "both"


def test_title_centred_without_indent_and_off_grid(written):
    _, draft, doc = written
    first = doc.paragraphs[0]
    assert first.style.name == "Title" and first.text == "青禾县总工会2025年工作总结" == draft.title
    ppr = style_ppr(doc, "Title")
    assert ppr.find(qn("w:jc")).get(qn("w:val")) == "center"
    assert ppr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert ppr.find(qn("w:ind")).get(qn("w:firstLine")) == "0"
    assert doc.paragraphs[1].text == ""  # one blank line under the title
    # the body font spacing that gives exactly 28 characters a line
    assert style_rpr(doc, "Normal").find(qn("w:spacing")).get(qn("w:val")) == "-5"


def test_headings_use_levels_and_numbers(written):
    _, _, doc = written
    heads = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert heads[0] == ("Heading 1", "一、主要工作及成效")
    assert heads[1] == ("Heading 2", "（一）强化思想政治引领，凝聚职工奋进力量")
    assert [t for s, t in heads if s == "Heading 1"] == ["一、主要工作及成效", "二、存在的问题和不足", "三、下一步工作打算"]
    assert len([1 for s, _ in heads if s == "Heading 2"]) == 5
    outline = style_ppr(doc, "Heading 2").find(qn("w:outlineLvl"))
    assert outline is not None and outline.get(qn("w:val")) == "1"


def test_every_run_sets_east_asian_font_and_language(written):
    _, _, doc = written
    runs = [r for p in doc.paragraphs for r in p.runs]
    assert runs
    for r in runs:
        fonts = r._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) and not any(fonts.get(a) for a in THEME_ATTRS)
        assert r._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_page_numbers_in_odd_and_even_footers(written):
    path, _, doc = written
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    for footer, align, side in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "w:right"), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "w:left")):
        assert not footer.is_linked_to_previous
        p = footer.paragraphs[0]
        assert p.alignment == align
        assert p.paragraph_format.element.pPr.find(qn("w:ind")).get(qn(side)) == "280"  # one 14 pt character in
        xml = p._p.xml
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="separate"' in xml and 'w:fldCharType="end"' in xml
        assert " PAGE " in xml
        assert p.text == "— 1 —"
        for r in p.runs:
            assert r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
            assert r._r.rPr.find(qn("w:sz")).get(qn("w:val")) == "28"
    settings = xml_of(path, "word/settings.xml")
    assert "w:evenAndOddHeaders" in settings


def test_signature_and_date_at_the_end_kept_with_text(written):
    _, _, doc = written
    paras = doc.paragraphs
    unit, date, blank, last = paras[-2], paras[-1], paras[-3], paras[-4]
    assert (unit.text, date.text, blank.text) == ("青禾县总工会", "2025年12月18日", "")
    for p in (unit, date):
        assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        ind = p._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:right")) == "640" and ind.get(qn("w:firstLine")) == "0"
    assert last.paragraph_format.keep_with_next and blank.paragraph_format.keep_with_next
    assert unit.paragraph_format.keep_with_next


def test_comments_on_chapter_headings_with_sources(written):
    path, draft, doc = written
    comments = list(doc.comments)
    assert len(comments) == 15  # 5 chapters x 3
    assert all(c.author == "drafter" and c.initials == "DR" for c in comments)
    assert all("——来源：《某报告" in c.text and "见“一、" in c.text and "_seed.txt" not in c.text for c in comments)
    # each chapter heading carries its three comments
    for p in doc.paragraphs:
        starts = p._p.findall(qn("w:commentRangeStart"))
        if p.style.name == "Heading 2":
            assert len(starts) == 3
            chapter_texts = [doc.comments.get(int(s.get(qn("w:id")))).text for s in starts]
            assert len(set(chapter_texts)) == 3
        else:
            assert not starts
    # nothing of the suggestions in the body
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "参考段落" not in body and "某地" not in body


def test_placeholders_highlighted_and_listed(tmp_path):
    figures = parse_figures(
        "单位: 青禾县总工会\n年份: 2025\n建功立业:\n  数据:\n    - 项目: 开展劳动和技能竞赛\n      单位: 项\n"
    )
    draft = build_draft(figures, refs=0)
    assert draft.missing == [
        "思想引领工作的主要数据和做法",
        "开展劳动和技能竞赛的数值（项）",
        "维权服务工作的主要数据和做法",
        "改革创新工作的主要数据和做法",
        "党建自身建设工作的主要数据和做法",
        "存在的问题和不足",
        "下一步工作打算",
        "成文日期",
    ]
    out = write_docx(draft, tmp_path / "d.docx")
    doc = docx.Document(str(out))
    marked = [r for p in doc.paragraphs for r in p.runs if r.text.startswith("【待补充：")]
    assert len(marked) == len(draft.missing)
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in marked)
    plain = [r for p in doc.paragraphs for r in p.runs if r.text and not r.text.startswith("【待补充")]
    assert all(r.font.highlight_color is None for r in plain)


def test_special_characters_and_emoji_survive(tmp_path):
    figures = parse_figures(
        '单位: 青禾县总工会\n年份: 2025\n维权服务:\n  亮点:\n    - "开通“A&B<职工>”热线 \\"24小时\\" 😀👍"\n落款:\n  日期: 2025-12-18\n'
    )
    out = write_docx(build_draft(figures, refs=0), tmp_path / "d.docx")
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert '开通“A&B<职工>”热线 "24小时" 😀👍。' in body


def test_long_title_broken_into_whole_words():
    assert split_title("青禾县总工会2025年工作总结") == ["青禾县总工会2025年工作总结"]
    lines = split_title("青禾县总工会关于2025年度产业工人队伍建设改革工作情况的汇报")
    assert "".join(lines) == "青禾县总工会关于2025年度产业工人队伍建设改革工作情况的汇报"
    assert lines == ["青禾县总工会关于2025年度", "产业工人队伍建设改革工作情况的汇报"]
    assert all(title_width(line) <= 20 for line in lines)
    assert split_title("青禾县总工会第一届委员会第三次全体会议工作报告") == ["青禾县总工会第一届委员会", "第三次全体会议工作报告"]


def test_long_title_written_as_separate_centred_lines(tmp_path):
    figures = parse_figures("单位: 青禾县总工会\n年份: 2025\n标题: 青禾县总工会关于2025年度产业工人队伍建设改革工作情况的汇报\n")
    doc = docx.Document(str(write_docx(build_draft(figures, refs=0), tmp_path / "t.docx")))
    titles = [p.text for p in doc.paragraphs if p.style.name == "Title"]
    assert len(titles) == 2 and "".join(titles).startswith("青禾县总工会")
