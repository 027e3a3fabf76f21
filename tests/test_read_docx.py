""".docx as people type it: title set apart, headings from list numbering/bold/outline, tables."""

from __future__ import annotations

import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from drafter.errors import InputFileError
from drafter.ingest import parse_file
from drafter.read import read_file
from drafter.read_docx import chinese_number, format_number, table_paragraph
from make_formats import TABLE, _add_numbering, _table, _title, numbered_paragraph

BODY = "全年开展宣讲45场，覆盖职工1.2万人次，职工群众的获得感进一步增强。"


@pytest.mark.parametrize(
    "n, fmt, shown",
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
     (20, "chineseCounting", "二十"), (105, "chineseCountingThousand", "一百零五"), (3, "decimal", "3"),
     (4, "ideographTraditional", "丁"), (2, "decimalEnclosedCircle", "②"), (4, "upperRoman", "IV"),
     (28, "lowerLetter", "bb"), (12, "decimalFullWidth", "１２")],
)
def test_word_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown


def test_chinese_number_covers_every_value_to_999_without_doubled_zero():
    shown = [chinese_number(i) for i in range(1, 1000)]
    assert len(set(shown)) == 999
    assert not any("〇〇" in s or s.endswith("〇") for s in shown)


def test_title_set_apart_by_a_blank_and_numbered_headings_of_any_length(tmp_path):
    d = docx.Document()
    d.add_paragraph("某县总工会2025年工作总结")  # plain, only a blank paragraph sets it apart
    d.add_paragraph("")
    d.add_paragraph(BODY)
    num = _add_numbering(d)
    long_heading = "坚持党建带工建、强化政治引领，推动全县广大职工群众的思想政治基础在新时代新征程上更加巩固"
    assert len(long_heading) > 40
    numbered_paragraph(d, long_heading, num, 0)
    d.add_paragraph(BODY)
    numbered_paragraph(d, "深化宣讲", num, 1)
    d.add_paragraph(BODY)
    numbered_paragraph(d, "加强服务", num, 1)
    d.add_paragraph(BODY)
    numbered_paragraph(d, "维护职工合法权益", num, 0)
    d.add_paragraph(BODY)
    path = tmp_path / "n.docx"
    d.save(path)
    text = read_file(path).text
    assert text.startswith("# 某县总工会2025年工作总结\n")
    (article,) = parse_file(path).articles
    assert article.title == "某县总工会2025年工作总结" and article.year == 2025
    assert [(s.heading, s.level) for s in article.sections if s.level] == [
        ("一、" + long_heading, 1), ("（一）深化宣讲", 2), ("（二）加强服务", 2), ("二、维护职工合法权益", 1),
    ]


def test_bold_typed_headings_and_table_in_place(tmp_path):
    d = docx.Document()
    _title(d, "青禾县总工会2025年工作总结")
    d.add_paragraph(BODY)
    d.add_paragraph().add_run("一、强化思想政治引领").bold = True
    d.add_paragraph(BODY)
    _table(d)
    d.add_paragraph().add_run("二、维护职工合法权益").bold = True
    d.add_paragraph("建成户外劳动者服务站点12个。")
    p = d.add_paragraph()
    p.add_run("一是").bold = True  # a bold lead-in is not a heading
    p.add_run("开展送温暖活动，慰问困难职工320户。")
    path = tmp_path / "b.docx"
    d.save(path)
    (article,) = parse_file(path).articles
    assert article.title == "青禾县总工会2025年工作总结"
    sections = [s for s in article.sections if s.level]
    assert [s.heading for s in sections] == ["一、强化思想政治引领", "二、维护职工合法权益"]
    first = " ".join(p.text for p in sections[0].passages)
    # The table's figures stay with the section the table sits in, label by label.
    assert "新建工会（个）：2024年35，2025年42" in first and "发展会员（人）：2024年1380，2025年1526" in first
    assert "慰问困难职工320户" in " ".join(p.text for p in sections[1].passages)


def test_heading_styles_outline_levels_and_larger_runs(tmp_path):
    d = docx.Document()
    t = d.add_paragraph("经验材料标题")
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph(BODY)
    h = d.add_paragraph("用活阵地")
    h.paragraph_format.element.get_or_add_pPr().append(
        docx.oxml.parse_xml('<w:outlineLvl xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:val="0"/>')
    )
    d.add_paragraph(BODY)
    big = d.add_paragraph().add_run("做实服务")
    big.font.size = Pt(16)
    for p in d.paragraphs:
        for r in p.runs:
            if r.font.size is None:
                r.font.size = Pt(12)
    d.add_paragraph(BODY).runs[0].font.size = Pt(12)
    path = tmp_path / "o.docx"
    d.save(path)
    (article,) = parse_file(path).articles
    assert article.title == "经验材料标题"
    assert [s.heading for s in article.sections if s.level] == ["用活阵地", "做实服务"]


def test_table_paragraph_without_header_keeps_rows():
    assert table_paragraph([["职工书屋", "12个"], ["服务站点", "30个"]]) == "职工书屋，12个；服务站点，30个。"
    assert table_paragraph(TABLE).startswith("指标，2024年，2025年；新建工会（个）：2024年35，2025年42；")


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)


def test_zip_bomb_refused_from_the_directory(tmp_path):
    ok = tmp_path / "ok.docx"
    docx.Document().save(ok)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(ok) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("word/media/image1.png", b"\0" * (50 * 1024 * 1024))  # an image-part bomb
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(InputFileError) as err:
        read_file(bomb)
    assert "bomb.docx" in err.value.message and "image1.png" in err.value.message and "压缩比" in err.value.message
