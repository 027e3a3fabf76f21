"""`drafter format` on a hand-typed Word file: the text stays character for character, every
layout value of the profile is read back from the XML; bad input is refused with a reason."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.shared import Mm

from docx_samples import ROLES, TABLE, TEXTS, hand_typed
from drafter.cli import main
from drafter.docx_writer import role_layout
from drafter.errors import DrafterError
from drafter.layout import check_layout, predicted_pages
from drafter.profile import load_profile
from drafter.typeset import format_file, open_docx, recognise

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
THEME = [qn(a) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")]
JC = {"JUSTIFY": "both", "CENTER": "center", "RIGHT": "right"}


@pytest.fixture(scope="module")
def formatted(tmp_path_factory):
    d = tmp_path_factory.mktemp("fmt")
    src = hand_typed(d / "稿子.docx")
    before = src.read_bytes()
    report = format_file(src, d / "排版稿.docx")
    assert src.read_bytes() == before  # the user's file is never written
    return src, d / "排版稿.docx", report


def texts(path):
    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs], cells


def test_recognise_roles_from_text_alone():
    assert recognise(TEXTS) == ROLES
    # no title when the file starts with a heading; a long numbered paragraph is body text
    assert recognise(["一、总体情况", "今年以来，我们做了大量工作。"]) == ["h1", "body"]
    long = "1." + "全面推进产业工人队伍建设改革，" * 5 + "取得明显成效。"
    assert recognise(["报告", "", long])[2] == "body"
    # dates in Chinese numerals; a signature of two lines; a subtitle under the title
    roles = recognise(["关于工会工作的报告", "（2025年12月10日）", "正文一段。", "", "青禾县总工会", "办公室", "二〇二五年十二月十日"])
    assert roles == ["title", "subtitle", "body", "blank", "sign", "sign", "date"]
    for date in ("2025年12月", "2025 年 12 月 1 日", "二〇二五年十二月"):
        assert recognise(["报告", "正文。", "某某工会", date])[2:] == ["sign", "date"], date
    assert recognise(["报告", "正文。", "某某工会", "2025年12月1日召开了会议"])[2:] == ["body", "body"]


def test_every_character_kept(formatted):
    src, out, report = formatted
    assert texts(out) == texts(src)
    assert texts(out)[0] == TEXTS
    assert [c for c in texts(out)[1]] == [c for row in TABLE for c in row]
    assert report.tables == 1 and report.roles["h1"] == 2 and report.roles["title"] == 1


def test_page_setup_grid_and_page_numbers(formatted):
    _, out, _ = formatted
    p = load_profile()
    doc = docx.Document(str(out))
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.1) and abs(sec.page_height - Mm(297)) < Mm(0.1)
    for got, want in zip((sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin), p.margins):
        assert abs(got - Mm(want)) < Mm(0.1)
    assert abs(sec.footer_distance - Mm(22)) < Mm(0.1)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch")), grid.get(qn("w:charSpace"))) == ("lines", "579", None)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, jc, side in ((sec.footer, "right", "w:right"), (sec.even_page_footer, "left", "w:left")):
        para = footer.paragraphs[0]
        assert para.text == "— 1 —" and " PAGE " in para._p.xml
        assert para._p.pPr.find(qn("w:jc")).get(qn("w:val")) == jc
        assert para._p.pPr.find(qn("w:ind")).get(qn(side)) == "280"
        for r in para.runs:
            assert r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
            assert r._r.rPr.find(qn("w:sz")).get(qn("w:val")) == "28"


def test_every_paragraph_and_run_as_the_profile_says(formatted):
    _, out, _ = formatted
    p = load_profile()
    doc = docx.Document(str(out))
    for para, role in zip(doc.paragraphs, ROLES):
        lay = role_layout(p, role)
        ppr = para._p.pPr
        assert ppr.find(qn("w:jc")).get(qn("w:val")) == JC[lay.align.name], para.text
        ind = ppr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == str(round(lay.first_chars * 100)), para.text
        assert int(ind.get(qn("w:firstLine"))) == round(lay.first_chars * lay.font.size * 20), para.text
        if lay.right_chars:
            assert ind.get(qn("w:right")) == "640" and ind.get(qn("w:rightChars")) == "200"
        sp = ppr.find(qn("w:spacing"))
        assert (sp.get(qn("w:line")), sp.get(qn("w:lineRule"))) == (str(round(lay.line_pt * 20)), "exact")
        if role in ("body", "h1", "h2", "h3", "h4"):
            assert sp.get(qn("w:before")) == "0" and sp.get(qn("w:after")) == "0"
        for r in para.runs:
            rpr = r._r.rPr
            fonts = rpr.find(qn("w:rFonts"))
            assert fonts.get(qn("w:eastAsia")) == lay.font.name, (para.text, role)
            assert fonts.get(qn("w:ascii")) == "Times New Roman" and not any(fonts.get(a) for a in THEME)
            assert rpr.find(qn("w:sz")).get(qn("w:val")) == str(round(lay.font.size * 2))
            assert rpr.find(qn("w:b")).get(qn("w:val")) in ("0", "false")  # the typed bold 1. is gone
            assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
            assert rpr.find(qn("w:spacing")).get(qn("w:val")) == str(lay.char_spacing)
            if any(ch in r.text for ch in "“”—…·"):
                assert fonts.get(qn("w:hint")) == "eastAsia"
    title = doc.paragraphs[0]
    assert title.style.name == "Title" and title._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert title.paragraph_format.space_after.pt == pytest.approx(28.95)  # no blank line typed under it
    assert doc.paragraphs[3].style.name == "Heading 1" and doc.paragraphs[4].style.name == "Heading 2"
    assert doc.paragraphs[-3].paragraph_format.keep_with_next  # the blank line above the signature
    assert doc.paragraphs[-2].paragraph_format.keep_with_next


def test_table_style(formatted):
    _, out, _ = formatted
    doc = docx.Document(str(out))
    tbl = doc.tables[0]._tbl
    borders = tbl.tblPr.find(qn("w:tblBorders"))
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = borders.find(qn(f"w:{edge}"))
        assert b.get(qn("w:val")) == "single" and b.get(qn("w:sz")) == "4"
    assert tbl.tblPr.find(qn("w:jc")).get(qn("w:val")) == "center"
    for k, row in enumerate(doc.tables[0].rows):
        for cell in row.cells:
            for r in cell.paragraphs[0].runs:
                rpr = r._r.rPr
                assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
                assert rpr.find(qn("w:sz")).get(qn("w:val")) == "28"
                assert (rpr.find(qn("w:b")).get(qn("w:val")) in (None, "1", "true")) == (k == 0)


def test_no_theme_font_left_in_any_part(formatted):
    src, out, report = formatted
    assert report.theme_fonts_removed > 0
    with zipfile.ZipFile(src) as z:
        assert "w:eastAsiaTheme" in z.read("word/styles.xml").decode()
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml") and "theme/" not in name:
                xml = z.read(name).decode("utf-8")
                assert "Theme=" not in xml and "w:cstheme" not in xml, name


def test_layout_check_none_after_and_page_count(formatted):
    _, out, _ = formatted
    doc = open_docx(out)
    assert check_layout(doc) == []
    assert predicted_pages(doc) == 2


def test_local_profile_changes_margins_and_page_numbers_only(tmp_path, formatted):
    src, default_out, _ = formatted
    local = tmp_path / "local.yaml"
    local.write_text("页边距: {上: 30, 下: 30}\n页码: {样式: '- {页} -', 位置: 居中}\n", encoding="utf-8")
    out = format_file(src, tmp_path / "local.docx", local) and tmp_path / "local.docx"
    a, b = docx.Document(str(default_out)), docx.Document(str(out))
    assert [p._p.xml for p in a.paragraphs] == [p._p.xml for p in b.paragraphs]
    assert a.tables[0]._tbl.xml == b.tables[0]._tbl.xml
    sa, sb = a.sections[0], b.sections[0]
    assert abs(sb.top_margin - Mm(30)) < Mm(0.1) and abs(sb.bottom_margin - Mm(30)) < Mm(0.1)
    assert (sa.left_margin, sa.right_margin, sa.page_width, sa.footer_distance) == (
        sb.left_margin, sb.right_margin, sb.page_width, sb.footer_distance)
    assert sb.footer.paragraphs[0].text == "- 1 -" and not b.settings.odd_and_even_pages_header_footer
    kinds = {k for i in check_layout(open_docx(out)) for k in i.kinds}
    assert kinds == {"margins", "page_number"}  # against the national default: nothing else differs
    assert check_layout(open_docx(out), load_profile(local)) == []


def test_fallback_profile_output_checks_clean(tmp_path, formatted):
    src, _, _ = formatted
    format_file(src, tmp_path / "fb.docx", "无GB2312字体")
    doc = open_docx(tmp_path / "fb.docx")
    assert check_layout(doc, load_profile("无GB2312字体")) == []
    fonts = {k for i in check_layout(doc) for k in i.kinds}
    # against 国标: 仿宋 and 宋体 are the fallbacks 国标 accepts; only the bold 宋体 title differs
    assert fonts == {"bold"}


# ---------------------------------------------------------------- refusals


def test_refuses_tracked_changes(tmp_path):
    src = hand_typed(tmp_path / "修订.docx", tracked=True)
    with pytest.raises(DrafterError) as err:
        format_file(src, tmp_path / "out.docx")
    assert "1 处未处理的修订" in err.value.message and "审阅" in err.value.message
    assert not (tmp_path / "out.docx").exists()


def test_refuses_a_password_protected_file(tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool (test extra) makes the encrypted file")
    plain = hand_typed(tmp_path / "明文.docx")
    src = tmp_path / "加密.docx"
    with open(plain, "rb") as fh, open(src, "wb") as out:
        ooxml.OOXMLFile(fh).encrypt("mima123", out)  # Word's agile encryption
    with pytest.raises(DrafterError) as err:
        format_file(src, tmp_path / "out.docx")
    assert "密码" in err.value.message and "加密.docx" in err.value.message
    assert not (tmp_path / "out.docx").exists()
    res = CliRunner().invoke(main, ["check", str(src), "--layout-only"])
    assert res.exit_code == 2 and "密码" in res.output


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("文本.docx", "这只是一段文字。".encode("utf-8"), ["不是 Word 文件"]),
        ("空.docx", b"", ["不是 Word 文件"]),
        ("压缩包.docx", None, ["不是有效的 Word 文件"]),
    ],
)
def test_refuses_files_that_are_not_word(tmp_path, name, data, words):
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "hi")
        data = buf.getvalue()
    src = tmp_path / name
    src.write_bytes(data)
    with pytest.raises(DrafterError) as err:
        format_file(src, tmp_path / "out.docx")
    for w in words:
        assert w in err.value.message and name in err.value.message


def test_never_overwrites(tmp_path):
    src = hand_typed(tmp_path / "稿子.docx")
    with pytest.raises(DrafterError) as err:
        format_file(src, src, force=True)
    assert "原文件" in err.value.message
    (tmp_path / "out.docx").write_bytes(b"old")
    with pytest.raises(DrafterError):
        format_file(src, tmp_path / "out.docx")
    assert (tmp_path / "out.docx").read_bytes() == b"old"
    format_file(src, tmp_path / "out.docx", force=True)
    assert zipfile.is_zipfile(tmp_path / "out.docx")


def test_cli_format_and_json(tmp_path):
    src = hand_typed(tmp_path / "稿子.docx")
    runner = CliRunner()
    res = runner.invoke(main, ["format", str(src)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "稿子-排版.docx").exists() and "一级标题 2 段" in res.output
    res = runner.invoke(main, ["format", str(src), "-o", str(tmp_path / "b.docx"), "--json"])
    import json

    data = json.loads(res.output)
    assert data["roles"]["h1"] == 2 and data["tables"] == 1 and data["output"].endswith("b.docx")
    again = runner.invoke(main, ["format", str(src), "-o", str(tmp_path / "b.docx")])
    assert again.exit_code == 2 and "--force" in again.output and "Traceback" not in again.output
    tracked = hand_typed(tmp_path / "t.docx", tracked=True)
    res = runner.invoke(main, ["format", str(tracked), "-o", str(tmp_path / "t-out.docx")])
    assert res.exit_code == 2 and "修订" in res.output and "Traceback" not in res.output


# ---------------------------------------------------------------- LibreOffice


def _soffice(args, cwd: Path):
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{cwd}/lo-profile", "--headless", *args],
                   check=True, capture_output=True, timeout=240, cwd=cwd)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_formatted_file_renders_in_libreoffice(tmp_path):
    from pypdf import PdfReader

    src = hand_typed(tmp_path / "稿子.docx", repeat=4)
    out = tmp_path / "排版稿.docx"
    format_file(src, out)
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], tmp_path)
    reader = PdfReader(str(tmp_path / "排版稿.pdf"))
    predicted = predicted_pages(open_docx(out))
    assert abs(len(reader.pages) - predicted) <= 1, (len(reader.pages), predicted)
    for n, page in enumerate(reader.pages, 1):
        box = page.mediabox
        assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
        assert f"— {n} —" in page.extract_text()
    first = reader.pages[0].extract_text()
    assert "青禾县总工会关于2025年工作情况的报告" in first.replace(" ", "").replace("\n", "")
    if PDFTOPPM:
        subprocess.run([PDFTOPPM, "-png", "-r", "40", "-f", "1", "-l", "1", str(tmp_path / "排版稿.pdf"),
                        str(tmp_path / "page")], check=True, timeout=60)
        png = next(tmp_path.glob("page*.png"))
        assert png.stat().st_size > 1000


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_doc_input_converted_through_libreoffice(tmp_path):
    src = hand_typed(tmp_path / "稿子.docx")
    _soffice(["--convert-to", "doc", "--outdir", str(tmp_path), str(src)], tmp_path)
    doc_file = tmp_path / "稿子.doc"
    assert doc_file.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    format_file(doc_file, tmp_path / "from-doc.docx")
    paras, _ = texts(tmp_path / "from-doc.docx")
    assert [p for p in paras if p] == [t for t in TEXTS if t]
    assert check_layout(open_docx(tmp_path / "from-doc.docx")) == []
    wps = tmp_path / "稿子.wps"  # Kingsoft WPS Writer files are Word 97 inside
    shutil.copyfile(doc_file, wps)
    format_file(wps, tmp_path / "from-wps.docx")
    assert [p for p in texts(tmp_path / "from-wps.docx")[0] if p] == [t for t in TEXTS if t]


def test_doc_input_without_libreoffice_says_so(tmp_path, monkeypatch):
    doc_file = tmp_path / "稿子.wps"
    doc_file.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(3000))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(DrafterError) as err:
        format_file(doc_file, tmp_path / "out.docx")
    assert "稿子.wps" in str(err.value) and "LibreOffice" in str(err.value) and "另存为 .docx" in str(err.value)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_doc_input_conversion_has_the_reading_time_limit(tmp_path, monkeypatch):
    """format converts through convert.to_docx: the same limit (DRAFTER_CONVERT_SECONDS), the
    hung LibreOffice killed, the same message as reading."""
    import time

    from drafter import limits

    monkeypatch.setattr(limits, "CONVERT_SECONDS", 0.2)  # LibreOffice cannot even start in 0.2 s
    doc_file = tmp_path / "稿子.doc"
    doc_file.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(3000))
    started = time.monotonic()
    with pytest.raises(DrafterError) as err:
        format_file(doc_file, tmp_path / "out.docx")
    assert time.monotonic() - started < 10
    assert "超时" in str(err.value) and "DRAFTER_CONVERT_SECONDS" in str(err.value)
    assert not (tmp_path / "out.docx").exists()


def test_run_in_heading_gets_the_heading_font(tmp_path):
    from drafter.typeset import run_in_lead

    text = "（一）强化思想引领。全年开展主题宣讲36场，覆盖职工1.2万人次，职工群众反响良好，取得了实效。"
    assert run_in_lead(text) == ("h2", 10)
    assert run_in_lead("（一）强化思想引领") is None  # a heading on its own line
    assert run_in_lead("全年开展主题宣讲36场。") is None
    doc = docx.Document()
    doc.add_paragraph("报告")
    doc.add_paragraph(text)
    doc.add_paragraph("一、总体情况：" + "今年工作稳中有进，各项指标全面完成，职工满意度明显提升。" * 2)
    doc.save(str(tmp_path / "runin.docx"))
    format_file(tmp_path / "runin.docx", tmp_path / "out.docx")
    out = docx.Document(str(tmp_path / "out.docx"))
    assert [p.text for p in out.paragraphs][1] == text
    for para, lead_font, lead_text in ((out.paragraphs[1], "楷体_GB2312", "（一）强化思想引领。"),
                                       (out.paragraphs[2], "黑体", "一、总体情况：")):
        runs = para.runs
        assert runs[0].text == lead_text
        assert runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == lead_font
        assert all(r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312" for r in runs[1:])
        assert para._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert check_layout(open_docx(tmp_path / "out.docx")) == []
    issues = check_layout(open_docx(tmp_path / "runin.docx"))
    assert any("段首小标题楷体_GB2312三号" in i.message for i in issues)


def test_another_typist_variant(tmp_path):
    from docx_samples import VARIANT_ROLES, VARIANT_TEXTS, variant_typed

    assert recognise(VARIANT_TEXTS) == VARIANT_ROLES
    src = variant_typed(tmp_path / "v.docx")
    before = check_layout(open_docx(src))
    assert {"font", "size", "indent", "spacing", "page", "margins", "page_number"} <= {k for i in before for k in i.kinds}
    format_file(src, tmp_path / "out.docx")
    assert texts(tmp_path / "out.docx") == texts(src)
    assert check_layout(open_docx(tmp_path / "out.docx")) == []
    doc = docx.Document(str(tmp_path / "out.docx"))
    first_body = doc.paragraphs[2]
    assert {r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in first_body.runs} == {"仿宋_GB2312"}
    # the signature right under the text gets a blank line's height above it
    assert doc.paragraphs[-2].paragraph_format.space_before.pt == pytest.approx(28.95)
    assert doc.paragraphs[1].paragraph_format.space_after.pt == pytest.approx(28.95)  # under the two-line title
    assert doc.paragraphs[0].paragraph_format.space_after.pt == 0


def test_list_numbering_from_a_style_survives(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("报告")
    for text in ("第一项工作", "第二项工作"):
        doc.add_paragraph(text, style="List Number")  # the number comes from the style, not the text
    doc.save(str(tmp_path / "list.docx"))
    format_file(tmp_path / "list.docx", tmp_path / "out.docx")
    out = docx.Document(str(tmp_path / "out.docx"))
    src = docx.Document(str(tmp_path / "list.docx"))
    style_num = src.styles["List Number"].element.pPr.find(qn("w:numPr"))
    for para in out.paragraphs[1:]:
        num = para._p.pPr.find(qn("w:numPr"))
        assert num is not None and num.find(qn("w:numId")).get(qn("w:val")) == style_num.find(qn("w:numId")).get(qn("w:val"))


def test_format_is_idempotent_and_keeps_a_drafts_comments(tmp_path, formatted):
    _, once, _ = formatted
    format_file(once, tmp_path / "twice.docx")
    a, b = docx.Document(str(once)), docx.Document(str(tmp_path / "twice.docx"))
    assert [p._p.xml for p in a.paragraphs] == [p._p.xml for p in b.paragraphs]

    from drafter.docx_writer import write_docx
    from drafter.draft import Suggestion, build_draft
    from drafter.figures import load_figures

    def suggest(chapter, query, k):
        return [Suggestion(chapter, f"参考段落{i}。", "x_seed.txt", "某报告", "一、标题") for i in range(k)]

    root = Path(__file__).resolve().parent.parent
    draft = write_docx(build_draft(load_figures(root / "examples" / "青禾县总工会2025年度.yaml"), refs=2,
                                   suggest=suggest), tmp_path / "draft.docx")
    format_file(draft, tmp_path / "draft-fmt.docx")
    src, out = docx.Document(str(draft)), docx.Document(str(tmp_path / "draft-fmt.docx"))
    assert [p.text for p in out.paragraphs] == [p.text for p in src.paragraphs]
    assert len(list(out.comments)) == len(list(src.comments)) == 10
    assert check_layout(open_docx(tmp_path / "draft-fmt.docx")) == []


def test_spaces_typed_for_the_indent_are_kept_and_counted(tmp_path):
    doc = docx.Document()
    doc.add_paragraph("报告")
    doc.add_paragraph("\u3000\u3000今年以来，我们坚持围绕中心、服务大局，各项工作取得新进展，职工群众满意度不断提升。")
    doc.add_paragraph("\u3000一、总体情况")
    doc.add_paragraph("    全年新建职工之家10家，改造提升职工书屋6家，职工文化阵地不断完善。")
    doc.save(str(tmp_path / "spaces.docx"))
    out = tmp_path / "out.docx"
    format_file(tmp_path / "spaces.docx", out)
    paras = docx.Document(str(out)).paragraphs
    assert [p.text for p in paras] == [p.text for p in docx.Document(str(tmp_path / "spaces.docx")).paragraphs]
    ind = [p._p.pPr.find(qn("w:ind")) for p in paras[1:]]
    assert [i.get(qn("w:firstLineChars")) for i in ind] == ["0", "100", "0"]
    assert [i.get(qn("w:firstLine")) for i in ind] == ["0", "320", "0"]
    assert check_layout(open_docx(out)) == []
