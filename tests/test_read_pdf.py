"""PDF as LibreOffice/Word print it: running headers and page numbers dropped, wrapped headings
and paragraphs rejoined across lines and pages, headings told by size and weight."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Pt

from drafter.ingest import parse_file
from drafter.read import read_file
from make_formats import W_NS, soffice_convert

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")

LONG_HEADING = "一、坚持党建带工建强化政治引领，推动全县广大职工群众的思想政治基础在新时代新征程上更加巩固更加牢靠"
POINT = "开展“建功十四五、奋进新征程”主题劳动和技能竞赛{}项，参赛职工{}人次，涌现出一大批技术能手和岗位标兵。"


ROWS = [[f"第{i + 1}基层工会", str(300 + 7 * i), str(5000 + 13 * i)] for i in range(70)]  # runs over a page


def point(k: int, i: int) -> str:
    return "".join(POINT.format(10 * k + i + j, 1000 + 97 * (k + i + j)) for j in range(3))


def _page_number(paragraph) -> None:
    run = paragraph.add_run()
    for xml in ('<w:fldChar {} w:fldCharType="begin"/>', '<w:instrText {} xml:space="preserve"> PAGE </w:instrText>',
                '<w:fldChar {} w:fldCharType="separate"/>', '<w:t {}>1</w:t>', '<w:fldChar {} w:fldCharType="end"/>'):
        run._r.append(parse_xml(xml.format(W_NS)))


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    d = docx.Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = "青禾县总工会文件"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _page_number(footer)
    footer.add_run(" —")
    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = title.add_run("青禾县总工会2025年工作总结")
    r.bold, r.font.size = True, Pt(22)
    d.add_paragraph("")
    for k in range(3):
        h = d.add_paragraph()
        h.add_run(LONG_HEADING if k == 0 else f"{'二三'[k - 1]}、第{k + 1}部分工作").bold = True
        for i, lead in enumerate("一二三四五六"):
            d.add_paragraph(f"{lead}是{point(k, i)}")
    d.add_paragraph().add_run("四、附表").bold = True
    d.add_paragraph("各基层工会会员发展情况如下。")
    table = d.add_table(rows=1 + len(ROWS), cols=3)
    table.style = "Table Grid"
    for r, row in enumerate([["单位", "2024年", "2025年"], *ROWS]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = folder / "report.docx"
    d.save(path)
    return soffice_convert(path, "pdf", folder)


def test_running_header_and_page_numbers_dropped(pdf):
    text = read_file(pdf).text
    assert "青禾县总工会文件" not in text
    assert not re.search(r"—\s*\d+\s*—", text)


def test_wrapped_heading_and_paragraphs_rejoined_across_pages(pdf):
    (article,) = parse_file(pdf).articles
    assert article.title == "青禾县总工会2025年工作总结"
    assert [s.heading for s in article.sections if s.level] == [LONG_HEADING, "二、第2部分工作", "三、第3部分工作", "四、附表"]
    for k, s in enumerate([s for s in article.sections if s.level][:3]):
        # Each 一是/二是 paragraph whole and separate, even where it runs over a page break.
        assert [p.text for p in s.passages] == [f"{c}是{point(k, i)}" for i, c in enumerate("一二三四五六")]


def test_table_rows_after_a_page_break_are_kept(pdf):
    (article,) = parse_file(pdf).articles
    last = [s for s in article.sections if s.level][-1]
    text = " ".join(p.text for p in last.passages)
    missing = [row for row in ROWS if f"{row[0]}：2024年{row[1]}，2025年{row[2]}" not in text]
    assert missing == []


def test_official_layout_pdf_reads_as_its_docx(tmp_path):
    """drafter's own GB/T 9704 draft (first-line indents, exact line spacing, page numbers
    — 1 —), printed to PDF by LibreOffice, reads into the same sections and passages."""
    from click.testing import CliRunner

    from drafter.cli import main

    example = Path(__file__).resolve().parents[1] / "examples" / "青禾县总工会2025年度.yaml"
    draft = tmp_path / "初稿.docx"
    result = CliRunner().invoke(main, ["draft", str(example), "-o", str(draft)])
    assert result.exit_code == 0, result.output
    pdf = soffice_convert(draft, "pdf", tmp_path)

    def words(text: str) -> str:
        # LibreOffice drops a hanging ； at a page's last line from the PDF's text: compare words.
        return re.sub(r"[\s\W]", "", text)

    def structure(path):
        return [(a.title, [(s.heading, s.level, [words(p.text) for p in s.passages]) for s in a.sections])
                for a in parse_file(path).articles]

    assert structure(pdf) == structure(draft)
