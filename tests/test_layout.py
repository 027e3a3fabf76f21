"""`drafter check --layout`: findings on a hand-typed file, none on what format and draft
write, the same shape and paragraph numbers as the text checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from docx_samples import hand_typed
from drafter.check import Finding, read_paragraphs
from drafter.cli import main
from drafter.docx_writer import write_docx
from drafter.draft import build_draft
from drafter.figures import load_figures
from drafter.layout import check_layout, layout_findings
from drafter.profile import load_profile
from drafter.typeset import format_file, open_docx

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("layout")
    src = hand_typed(d / "稿子.docx")
    format_file(src, d / "排版稿.docx")
    return src, d / "排版稿.docx"


def test_hand_typed_file_has_many_kinds_of_deviation(files):
    src, _ = files
    issues = check_layout(open_docx(src))
    kinds = {k for i in issues for k in i.kinds}
    assert len(kinds) >= 4
    assert {"page", "margins", "grid", "page_number", "font", "size", "indent", "spacing", "theme", "table"} <= kinds
    page = [i for i in issues if i.role == "page"][0]
    assert page.paragraph == 0 and "纸张为216×279毫米" in page.message and "页边距上37下35左28右26毫米" in page.message


def test_findings_say_what_it_is_and_what_it_should_be(files):
    src, _ = files
    findings = layout_findings(src)
    assert all(isinstance(f, Finding) and f.type == "layout" for f in findings)
    by_par = {f.paragraph: f for f in findings if f.paragraph}
    h1 = by_par[4]
    assert h1.text == "一、主要工作及成效"
    assert "字体为主题字体" in h1.message and "一级标题应为黑体三号" in h1.message
    body = by_par[3]
    assert "字体为宋体" in body.message and "首行缩进0字" in body.message and "正文应为仿宋_GB2312三号" in body.message
    assert "引号、破折号" in body.message
    assert "加粗" in by_par[6].message  # the typed bold 1.
    sign = by_par[17]  # the table above counts as one paragraph, as in the text checks
    assert sign.text == "青禾县总工会" and "落款应为" in sign.message and "右对齐" in sign.message


def test_paragraph_numbers_match_the_text_checks(files):
    src, _ = files
    paras = read_paragraphs(src)
    for f in layout_findings(src):
        if f.paragraph:
            assert paras[f.paragraph - 1].lstrip("# ").startswith(f.text.rstrip("…")[:8]), (f.paragraph, f.text)


def test_formatted_and_drafted_files_have_no_layout_findings(files, tmp_path):
    _, out = files
    assert layout_findings(out) == []
    for example in ("青禾县总工会2025年度.yaml", "青禾县总工会五年工作综述.yaml"):
        draft = write_docx(build_draft(load_figures(ROOT / "examples" / example), refs=0), tmp_path / f"{example}.docx")
        assert layout_findings(draft) == []


def test_one_changed_heading_is_found_exactly(files, tmp_path):
    import docx

    _, out = files
    doc = docx.Document(str(out))
    run = doc.paragraphs[3].runs[0]
    run._r.rPr.find(qn("w:rFonts")).set(qn("w:eastAsia"), "宋体")
    doc.save(str(tmp_path / "changed.docx"))
    findings = layout_findings(tmp_path / "changed.docx")
    assert len(findings) == 1
    f = findings[0]
    assert (f.paragraph, f.text) == (4, "一、主要工作及成效")
    assert f.message == "字体为宋体，一级标题应为黑体三号" and f.suggestion == "黑体三号"


def test_local_profile_check(files, tmp_path):
    _, out = files
    local = tmp_path / "local.yaml"
    local.write_text("页边距: {左: 30}\n", encoding="utf-8")
    findings = layout_findings(out, local)
    assert len(findings) == 1 and findings[0].paragraph == 0 and "左28" in findings[0].message


def test_cli_layout_alone_with_text_checks_and_json(files):
    src, out = files
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(src), "--layout-only", "--json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert data and {d["type"] for d in data} == {"layout"}
    assert set(data[0]) == set(Finding(type="x", paragraph=0, text="", message="").to_dict())
    res = runner.invoke(main, ["check", str(src), "--layout-only"])
    assert "第 4 段［版式］" in res.output and "一级标题应为黑体三号" in res.output
    res = runner.invoke(main, ["check", str(out), "--layout-only"])
    assert res.exit_code == 0, res.output
    both = runner.invoke(main, ["check", str(src), "--layout", "--json"])
    types = {d["type"] for d in json.loads(both.output)}
    assert "layout" in types and types - {"layout"}  # the text checks ran too (structure, at least)
    bad = runner.invoke(main, ["check", str(out), "--layout-only", "--profile", "无此版式"])
    assert bad.exit_code == 2 and "找不到版式文件" in bad.output


def test_layout_of_a_text_file_is_refused(tmp_path):
    txt = tmp_path / "稿子.txt"
    txt.write_text("一、总体情况\n正文。\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(txt), "--layout-only"])
    assert res.exit_code == 2 and "Word" in res.output and "Traceback" not in res.output
