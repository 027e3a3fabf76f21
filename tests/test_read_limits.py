"""Limits on reading: regular files only, bounded text size, zip members checked first."""

from __future__ import annotations

import os
import socket

import pytest
from click.testing import CliRunner

from drafter import limits
from drafter.cli import main
from drafter.corpus import Corpus
from drafter.errors import InputFileError
from drafter.read import read_file

BODY = "全年开展宣讲45场，覆盖职工1.2万人次。\n"


def _refused(path, *words):
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert str(path) in err.value.message, err.value.message
    for w in words:
        assert w in err.value.message, err.value.message
    return err.value.message


def test_fifo_named_txt_is_refused_without_opening(tmp_path):
    fifo = tmp_path / "报告.txt"
    os.mkfifo(fifo)
    _refused(fifo, "管道", "不是普通文件")


def test_device_behind_a_symlink_is_refused(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    _refused(link, "设备文件", "/dev/zero")


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.md"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        _refused(path, "套接字")


def test_broken_symlink_named(tmp_path):
    link = tmp_path / "gone.docx"
    link.symlink_to(tmp_path / "nowhere.docx")
    _refused(link, "符号链接")


def test_symlink_to_a_regular_file_is_read(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text(BODY, "utf-8")
    link = tmp_path / "b.txt"
    link.symlink_to(target)
    assert read_file(link).text == BODY


def test_text_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text(BODY * 40, "utf-8")
    _refused(path, "过大", "DRAFTER_MAX_TEXT_MB")
    small = tmp_path / "small.txt"
    small.write_text(BODY, "utf-8")
    assert read_file(small).text == BODY


def test_zip_with_too_many_inflated_bytes_refused(tmp_path, monkeypatch):
    import docx

    monkeypatch.setattr(limits, "MAX_INFLATED_BYTES", 10_000)
    path = tmp_path / "many.docx"
    docx.Document().save(path)
    _refused(path, "解压后总大小过大")


def test_folder_with_a_fifo_goes_on_and_names_everything(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("# 某县总工会2025年工作总结\n\n" + BODY * 5, "utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04")
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(main, ["ingest", str(folder), "--no-index", "--corpus", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert f"跳过：{folder / 'notes.xlsx'}：不是可读取的报告文件类型（.xlsx" in result.output
    assert f"失败：{folder / 'pipe.txt'}：不是普通文件，而是管道" in result.output
    assert "新加入 1 个" in result.output
    assert len(Corpus.load(tmp_path / "c").documents) > 1


def test_pdf_reading_stops_at_its_time_limit(tmp_path, monkeypatch):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "慢.pdf"
    c = canvas.Canvas(str(path))
    for _ in range(3):
        c.setFont("STSong-Light", 14)
        c.drawString(72, 700, "全年开展宣讲45场，覆盖职工1.2万人次。")
        c.showPage()
    c.save()
    assert "宣讲45场" in read_file(path).text
    monkeypatch.setattr(limits, "PDF_SECONDS", -1)  # already past: stands for a PDF that parses forever
    _refused(path, "读取超时", "0/3 页", "DRAFTER_PDF_SECONDS")
