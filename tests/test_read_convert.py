""".doc/.wps/.rtf through LibreOffice (antiword for .doc), with a time limit and clear messages."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from drafter import limits
from drafter.corpus import Corpus
from drafter.errors import InputFileError
from drafter.ingest import parse_file
from drafter.read import read_file
from make_formats import TABLE_FIGURES, bold_docx, headings, soffice_convert, strip_number

SEEDS = Path(__file__).resolve().parents[1] / "corpus"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")
needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword 未安装")


@pytest.fixture(scope="module")
def article():
    doc = parse_file(sorted(SEEDS.glob("*.txt"))[3])  # a short news article with two headings
    return doc.articles[0]


@pytest.fixture(scope="module")
def legacy(tmp_path_factory, article):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) 未安装")
    folder = tmp_path_factory.mktemp("legacy")
    source = bold_docx(article, folder / "source.docx")
    return {fmt: soffice_convert(source, fmt, folder / fmt) for fmt in ("doc", "rtf")}


@needs_soffice
@pytest.mark.parametrize("fmt", ["doc", "rtf"])
def test_legacy_formats_read_through_libreoffice(legacy, article, fmt):
    doc = parse_file(legacy[fmt])
    assert doc.encoding == fmt
    (got,) = doc.articles
    assert got.title == article.title
    assert [strip_number(h) for h in headings(got)] == [strip_number(h) for h in headings(article)]
    text = " ".join(p.text for s in got.sections for p in s.passages)
    assert all(f in text for f in TABLE_FIGURES)


@needs_soffice
def test_wps_named_file_in_word_container_reads(legacy, tmp_path, article):
    wps = tmp_path / "旧稿.wps"
    wps.write_bytes(legacy["doc"].read_bytes())  # WPS Office keeps .wps in Word's OLE container
    assert parse_file(wps).articles[0].title == article.title


@needs_antiword
def test_doc_without_libreoffice_falls_back_to_antiword(legacy, tmp_path, monkeypatch, article):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "antiword").symlink_to(shutil.which("antiword"))
    monkeypatch.setenv("PATH", str(bin_dir))
    result = read_file(legacy["doc"])
    assert result.encoding == "doc-antiword"
    assert article.title in result.text.replace("\n", "")


def test_without_any_converter_the_message_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "旧稿.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert "旧稿.doc" in err.value.message and "LibreOffice" in err.value.message and "另存为 .docx" in err.value.message


@needs_soffice
def test_corrupt_doc_is_refused_by_name_not_read_as_garbage(tmp_path):
    path = tmp_path / "坏文件.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(6000))
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert "坏文件.doc" in err.value.message and "另存为 .docx" in err.value.message


@needs_soffice
def test_conversion_that_hangs_is_killed_at_the_time_limit(legacy, tmp_path, monkeypatch):
    # LibreOffice cannot even start in 0.2 s: stands for a conversion that hangs.
    monkeypatch.setattr(limits, "CONVERT_SECONDS", 0.2)
    started = time.monotonic()
    with pytest.raises(InputFileError) as err:
        read_file(legacy["doc"])
    assert time.monotonic() - started < 10
    assert "超时" in err.value.message and "source.doc" in err.value.message
    assert "DRAFTER_CONVERT_SECONDS" in err.value.message


@needs_soffice
def test_folder_names_each_bad_file_and_reads_the_rest(legacy, tmp_path, monkeypatch):
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(legacy["doc"], folder / "good.doc")
    (folder / "good.txt").write_text("# 某县总工会2025年工作总结\n\n全年开展宣讲45场，覆盖职工1.2万人次。\n", "utf-8")
    (folder / "broken.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(3000))
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    report = Corpus.load(tmp_path / "store").ingest([folder])
    assert sorted(Path(p).name for p in report.added) == ["good.doc", "good.txt"]
    assert [Path(f).name for f, _ in report.failed] == ["broken.doc"]
    assert [Path(p).name for p in report.skipped] == ["photo.jpg"]
