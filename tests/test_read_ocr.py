"""Scanned PDFs: read by Tesseract, marked as OCR, within page and time caps, or a clear message."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from drafter import limits
from drafter.cli import main
from drafter.convert import ocr_available
from drafter.errors import InputFileError
from drafter.read import read_file

needs_ocr = pytest.mark.skipif(bool(ocr_available()), reason=f"无法做文字识别：{ocr_available()}")


def _blank_scan(path, pages: int):
    """A PDF of blank page images (no text layer), cheap to make at any length."""
    images = [Image.new("L", (200, 280), 255) for _ in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=24)
    return path


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """One real page: a short report set by LibreOffice, rendered to an image."""
    if shutil.which("soffice") is None or ocr_available():
        pytest.skip("需要 LibreOffice 和 Tesseract（chi_sim）")
    from drafter.model import Article, Passage, Section
    from make_formats import bold_docx, scanned_pdf, soffice_convert

    folder = tmp_path_factory.mktemp("scan")
    article = Article(
        title="某县总工会2025年工作总结",
        sections=[
            Section("", 0, passages=[Passage("今年以来，县总工会团结带领全县职工，各项工作取得新成效。")]),
            Section("一、强化思想政治引领", 1, passages=[Passage("全年开展宣讲45场，覆盖职工1.2万人次。")]),
            Section("二、维护职工合法权益", 1, passages=[Passage("建成户外劳动者服务站点12个，慰问困难职工320户。")]),
        ],
    )
    pdf = soffice_convert(bold_docx(article, folder / "r.docx", table=False), "pdf", folder)
    return scanned_pdf(pdf, folder / "扫描件.pdf")


@pytest.mark.slow
def test_scan_is_read_and_marked_as_ocr_in_sections_and_corpus(scan, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["sections", str(scan), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["ocr"] is True and data["encoding"] == "pdf-ocr"
    headings = [s["heading"] for a in data["articles"] for s in a["sections"] if s["level"]]
    assert headings == ["一、强化思想政治引领", "二、维护职工合法权益"]
    plain = runner.invoke(main, ["sections", str(scan)])
    assert "文字识别所得，可能有错字" in plain.output
    store = tmp_path / "c"
    assert runner.invoke(main, ["ingest", str(scan), "--no-index", "--corpus", str(store)]).exit_code == 0
    listing = runner.invoke(main, ["corpus", "--corpus", str(store)])
    line = next(l for l in listing.output.splitlines() if "扫描件.pdf" in l)
    assert "文字识别所得" in line
    rows = json.loads(runner.invoke(main, ["corpus", "--corpus", str(store), "--json"]).stdout)["articles"]
    assert [r["ocr"] for r in rows if r["file"] == "扫描件.pdf"] == [True]


@needs_ocr
def test_300_page_scan_refused_at_once_by_name(tmp_path):
    path = _blank_scan(tmp_path / "档案扫描.pdf", 300)
    started = time.monotonic()
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert time.monotonic() - started < 30
    assert "档案扫描.pdf" in err.value.message and "300 页" in err.value.message
    assert "DRAFTER_MAX_OCR_PAGES" in err.value.message


@needs_ocr
def test_ocr_stops_at_its_time_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "OCR_SECONDS", 1)
    path = _blank_scan(tmp_path / "慢.pdf", 40)
    started = time.monotonic()
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert time.monotonic() - started < 15
    assert "慢.pdf" in err.value.message and "文字识别超时" in err.value.message


def test_without_tesseract_the_message_says_how_to_install(tmp_path, monkeypatch):
    path = _blank_scan(tmp_path / "s.pdf", 2)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert "s.pdf" in err.value.message and "扫描件" in err.value.message
    assert "tesseract-ocr-chi-sim" in err.value.message


def test_scanned_page_among_text_pages_without_tesseract_reads_the_text(tmp_path, monkeypatch):
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    text_pdf = tmp_path / "t.pdf"
    c = canvas.Canvas(str(text_pdf))
    c.setFont("STSong-Light", 14)
    c.drawString(72, 700, "全年开展宣讲45场，覆盖职工1.2万人次。")
    c.save()
    writer = PdfWriter()
    writer.add_page(PdfReader(_blank_scan(tmp_path / "cover.pdf", 1)).pages[0])  # a scanned cover
    writer.add_page(PdfReader(text_pdf).pages[0])
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as fh:
        writer.write(fh)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = read_file(mixed)
    assert result.encoding == "pdf" and "覆盖职工1.2万人次" in result.text
