"""Outputs: the format follows the file name; .pdf through LibreOffice; unwritable outputs
are a Chinese message with the path; --no-builtin; sources in --json; --chars."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from drafter.cli import main
from drafter.draft import Suggestion, build_draft
from drafter.errors import DrafterError
from drafter.figures import load_figures
from drafter.length import PROMPT, section_lengths
from drafter.outputs import output_format, write_draft

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize(
    "name, fmt, expected",
    [("a.docx", None, "docx"), ("a.MD", None, "md"), ("a.markdown", None, "md"), ("a.pdf", None, "pdf"),
     ("a.txt", "md", "md"), ("a.docx", "docx", "docx")],
)
def test_format_follows_the_name(name, fmt, expected):
    assert output_format(name, fmt) == expected


def test_format_mismatch_and_unknown_name_are_refused(tmp_path):
    for args, words in (
        (["-o", tmp_path / "x.docx", "--format", "md"], ["x.docx", ".docx", "--format md"]),
        (["-o", tmp_path / "x.md", "--format", "pdf"], ["x.md", "不一致"]),
        (["-o", tmp_path / "x.txt"], ["x.txt", ".docx", ".md", ".pdf"]),
    ):
        res = run("draft", EXAMPLE, *args, "--no-refs")
        assert res.exit_code == 2 and all(w in res.output for w in words), res.output
    assert list(tmp_path.iterdir()) == []


def test_markdown_by_name_is_markdown(tmp_path):
    out = tmp_path / "预览.md"
    res = run("draft", EXAMPLE, "-o", out, "--no-refs")
    assert res.exit_code == 0 and "批注" not in res.output and "参考脚注 0 条" in res.output
    assert out.read_text("utf-8").startswith("# 青禾县总工会2025年工作总结")


def test_missing_folder_is_a_message_with_the_path(tmp_path):
    out = tmp_path / "没有的文件夹" / "初稿.docx"
    res = run("draft", EXAMPLE, "-o", out, "--no-refs")
    assert res.exit_code == 2 and str(out.parent) in res.output and "不存在" in res.output
    assert "Traceback" not in res.output and not out.parent.exists()


def test_read_only_file_is_not_replaced_even_with_force(tmp_path):
    out = tmp_path / "初稿.docx"
    out.write_bytes(b"mine")
    out.chmod(0o444)
    try:
        res = run("draft", EXAMPLE, "-o", out, "--no-refs", "--force")
        assert res.exit_code == 2 and str(out) in res.output and "只读" in res.output
        assert out.read_bytes() == b"mine"
    finally:
        out.chmod(0o644)


def test_read_only_folder_is_a_message(tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        res = run("draft", EXAMPLE, "-o", folder / "初稿.docx", "--no-refs")
        assert res.exit_code == 2 and str(folder) in res.output and "只读" in res.output
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_file_held_open_is_a_message_and_leaves_nothing(tmp_path, monkeypatch):
    # Word on Windows holds its file open: replacing it fails with a permission error.
    out = tmp_path / "初稿.docx"
    out.write_bytes(b"open in Word")

    def locked(src, dst):
        raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    res = run("draft", EXAMPLE, "-o", out, "--no-refs", "--force")
    assert res.exit_code == 2 and str(out) in res.output and "关闭" in res.output and "Traceback" not in res.output
    assert out.read_bytes() == b"open in Word"
    assert [p.name for p in tmp_path.iterdir()] == ["初稿.docx"]  # no temp file left behind


def test_pdf_without_libreoffice_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "初稿.pdf"
    res = run("draft", EXAMPLE, "-o", out, "--no-refs")
    assert res.exit_code == 2 and "LibreOffice" in res.output and "-o 初稿.docx" in res.output
    assert not out.exists()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_conversion_that_hangs_is_stopped(tmp_path):
    """docx_to_pdf runs LibreOffice through convert.soffice_convert: killed at the limit, a message."""
    from drafter.outputs import docx_to_pdf

    with pytest.raises(DrafterError) as err:
        docx_to_pdf(b"PK\x03\x04 not really a docx", timeout=0.2)
    assert "0 秒内没有完成" in str(err.value) and "-o 初稿.docx" in str(err.value)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_by_name_is_a_real_pdf(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "初稿.pdf"
    res = run("draft", EXAMPLE, "-o", out, "--no-refs")
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:5] == b"%PDF-"
    text = "".join(p.extract_text() for p in PdfReader(str(out)).pages).replace("\n", "").replace(" ", "")
    assert "青禾县总工会2025年工作总结" in text and "同比增长" in text
    assert [p.name for p in tmp_path.iterdir()] == ["初稿.pdf"]


@pytest.mark.skipif(SOFFICE is None or PDFTOPPM is None, reason="LibreOffice or pdftoppm is not installed")
def test_libreoffice_opens_the_docx_and_renders_a_page(tmp_path):
    """LibreOffice opens the written .docx (not our PDF path) and a page is rasterised."""
    path = tmp_path / "初稿.docx"
    write_draft(build_draft(load_figures(EXAMPLE), refs=0), path)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=240,
    )
    pdf = tmp_path / "初稿.pdf"
    subprocess.run([PDFTOPPM, "-r", "60", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 10_000  # a page with text on it, not a blank one
    if os.environ.get("DRAFTER_KEEP_RENDER"):
        shutil.copy(png, os.environ["DRAFTER_KEEP_RENDER"])


# ---------------------------------------------------------------- sources, --no-builtin


def test_json_lists_references_with_title_unit_year_heading(tmp_path):
    res = run("draft", EXAMPLE, "-o", tmp_path / "d.docx", "--refs", "1", "--json", "--corpus", tmp_path / "c")
    data = json.loads(res.stdout)
    refs = [r for r in data["references"] if r["title"]]
    assert len(refs) >= 4
    for r in refs:
        assert r["source"].startswith(f"《{r['title']}》") and r["heading"] and r["heading"] in r["source"]
        assert r["draft_heading"].startswith("（") and r["chapter"]
        assert r["year"] is None or 2000 <= r["year"] <= 2030
        assert not r["source"].endswith(".txt")
    assert any(r["unit"] and r["unit"] in r["source"] for r in refs)


def test_no_builtin_leaves_the_embedded_corpus_out(tmp_path):
    empty = tmp_path / "空语料库"
    res = run("draft", EXAMPLE, "-o", tmp_path / "d.docx", "--refs", "2", "--no-builtin", "--corpus", empty, "--json")
    data = json.loads(res.stdout)
    assert data["references"] == [] and len(data["notes"]) == 5
    # and with the built-in corpus the same chapters do get references
    res = run("draft", EXAMPLE, "-o", tmp_path / "e.docx", "--refs", "1", "--corpus", empty, "--json")
    assert json.loads(res.stdout)["references"]


def test_no_builtin_in_the_python_api_uses_only_the_users_documents(tmp_path):
    from drafter.corpus import Corpus

    corpus_dir = tmp_path / "c"
    mine = tmp_path / "我的旧稿.txt"
    seed = sorted((ROOT / "corpus").glob("*.txt"))[0]
    mine.write_text(seed.read_text("utf-8"), encoding="utf-8")
    Corpus.load(corpus_dir, include_embedded=False).ingest([mine])
    draft = build_draft(load_figures(EXAMPLE), refs=1, corpus=corpus_dir, builtin=False)
    files = {s.file for hits in draft.comments.values() for s in hits if s.file}
    assert files == {"我的旧稿.txt"}


# ---------------------------------------------------------------- --chars


def test_chars_reports_lengths_and_asks_for_more_where_short(tmp_path):
    figures = load_figures(EXAMPLE)
    plain = build_draft(figures, refs=0)
    total = sum(s.chars for s in section_lengths(plain))
    assert not plain.lengths and PROMPT not in plain.missing
    aimed = build_draft(figures, refs=0, chars=total * 3)
    assert sum(s.target for s in aimed.lengths) == pytest.approx(total * 3, abs=len(aimed.lengths))
    short = [s for s in aimed.lengths if s.verdict == "偏短" and s.section != "导语"]
    assert short and PROMPT in aimed.missing
    assert aimed.body_text().count(PROMPT) == len(short)
    # a target well under the draft's length adds nothing and calls the sections long
    met = build_draft(figures, refs=0, chars=total // 3)
    assert PROMPT not in met.body_text() and {s.verdict for s in met.lengths} == {"偏长"}
    res = run("draft", EXAMPLE, "-o", tmp_path / "d.md", "--no-refs", "--chars", total * 3, "--json")
    data = json.loads(res.output)
    assert data["chars"] == total * 3 and [x["section"] for x in data["lengths"]][:2] == ["导语", "（一）强化思想政治引领，凝聚职工奋进力量"]
    res = run("draft", EXAMPLE, "-o", tmp_path / "e.md", "--no-refs", "--chars", 2000)
    assert "目标 2000 字" in res.output and "（一）强化思想政治引领" in res.output


def test_python_api_write_draft_refuses_overwrite(tmp_path):
    out = tmp_path / "d.md"
    draft = build_draft(load_figures(EXAMPLE), refs=1, suggest=lambda c, q, k: [Suggestion(c, "参考", "a.txt", "某文")])
    write_draft(draft, out)
    with pytest.raises(DrafterError, match="已存在"):
        write_draft(draft, out)
    assert "[^1]: 参考" in out.read_text("utf-8")
