"""Layout profiles: the national default, the fallback-font profile, local YAML files and
their errors, the documented example, and --profile on draft."""

from __future__ import annotations

import re
import zipfile
from dataclasses import asdict
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm

from drafter.cli import main
from drafter.docx_writer import write_docx
from drafter.draft import build_draft
from drafter.errors import DrafterError
from drafter.figures import load_figures
from drafter.profile import load_profile, shipped_profiles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"


def write(tmp_path, text, name="local.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def documented_example(tmp_path) -> Path:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    return write(tmp_path, re.findall(r"```yaml\n(.*?)```", text, re.S)[0], "我市版式.yaml")


def test_default_is_the_gb_layout():
    p = load_profile()
    assert (p.page_width, p.page_height, p.margins) == (210, 297, (37, 35, 28, 26))
    assert p.line_twips == 579 and p.lines_per_page == 22 and p.char_spacing_twips == -5
    fonts = {r: (f.name, f.size, f.bold) for r, f in p.fonts.items()}
    assert fonts["title"] == ("方正小标宋简体", 22, False)
    assert fonts["h1"] == ("黑体", 16, False) and fonts["h2"] == ("楷体_GB2312", 16, False)
    assert fonts["body"] == ("仿宋_GB2312", 16, False) and fonts["h3"][0] == "仿宋_GB2312"
    assert p.page_number_text(3) == "— 3 —" and p.page_number_position == "单右双左"
    assert (p.page_number_font.name, p.page_number_font.size) == ("宋体", 14)
    assert load_profile("国标") == p and set(shipped_profiles()) >= {"国标", "无GB2312字体"}


def test_fallback_font_profile_changes_only_the_gb2312_fonts():
    base, fb = load_profile(), load_profile("无GB2312字体")
    assert fb.fonts["body"].name == "仿宋" and "FangSong" in fb.fonts["body"].fallbacks
    assert fb.fonts["h2"].name == "楷体" and fb.fonts["title"].name == "宋体"
    assert fb.fonts["h1"] == base.fonts["h1"]  # 黑体 ships with Windows
    a, b = asdict(base), asdict(fb)
    changed = {k for k in a if a[k] != b[k]}
    assert changed == {"name", "fonts", "source"}
    assert not any("GB2312" in f.name or "小标宋" in f.name for f in fb.fonts.values())


def test_local_profile_overrides_only_what_it_names(tmp_path):
    local = load_profile(write(tmp_path, "页边距: {上: 30, 左: 25}\n页码: {样式: '第{页}页', 位置: 居中}\n"))
    base = load_profile()
    assert local.margins == (30, 35, 25, 26)
    assert local.page_number_text(2) == "第2页" and local.page_number_position == "居中"
    a, b = asdict(base), asdict(local)
    assert {k for k in a if a[k] != b[k]} == {"name", "source", "margins", "page_number_format", "page_number_position"}


def test_documented_example_loads(tmp_path):
    p = load_profile(documented_example(tmp_path))
    assert p.name == "我市公文版式" and p.margins == (35, 35, 27, 27)
    assert p.fonts["h1"].name == "方正黑体_GBK" and p.fonts["h1"].size == 16
    assert p.fonts["h3"].bold and p.fonts["h3"].name == "仿宋_GB2312"
    assert p.page_number_text(7) == "7" and p.page_number_position == "居中"


def test_based_on_the_fallback_profile(tmp_path):
    p = load_profile(write(tmp_path, "基于: 无GB2312字体\n字体:\n  正文: {字号: 小三}\n"))
    assert p.fonts["body"].name == "仿宋" and p.fonts["body"].size == 15


@pytest.mark.parametrize(
    "text, words",
    [
        ("页边距: {上: 30}\n纸型: A4\n", ["纸型", "local.yaml"]),
        ("页边距: {顶: 30}\n", ["页边距", "顶"]),
        ("字体:\n  正文: {字号: 大三号}\n", ["字体 → 正文 → 字号", "大三号"]),
        ("字体:\n  正文: 仿宋\n", ["字体 → 正文"]),
        ("页码: {样式: '- 1 -'}\n", ["页码 → 样式", "{页}"]),
        ("页码: {位置: 左下}\n", ["页码 → 位置", "左下"]),
        ("页边距: {左: 120, 右: 80}\n", ["页边距"]),
        ("行距: 很大\n", ["行距"]),
        ("字体:\n  三级标题: {加粗: 也许}\n", ["加粗", "也许"]),
        ("页边距: {上: 30\n", ["第", "行"]),
        ("- 一\n- 二\n", ["键: 值"]),
        ("基于: 不存在的版式\n", ["不存在的版式"]),
    ],
)
def test_bad_profiles_say_what_and_where(tmp_path, text, words):
    with pytest.raises(DrafterError) as err:
        load_profile(write(tmp_path, text))
    for w in words:
        assert w in err.value.message


def test_missing_profile_file_lists_the_shipped_ones(tmp_path):
    with pytest.raises(DrafterError) as err:
        load_profile(tmp_path / "没有.yaml")
    assert "没有.yaml" in err.value.message and "国标" in err.value.message


def test_base_loop_is_an_error(tmp_path):
    write(tmp_path, "基于: b.yaml\n", "a.yaml")
    write(tmp_path, "基于: a.yaml\n", "b.yaml")
    with pytest.raises(DrafterError) as err:
        load_profile(tmp_path / "a.yaml")
    assert "循环" in err.value.message


def test_draft_with_a_local_profile(tmp_path):
    profile = load_profile(documented_example(tmp_path))
    out = write_docx(build_draft(load_figures(EXAMPLE), refs=0), tmp_path / "d.docx", profile=profile)
    doc = docx.Document(str(out))
    sec = doc.sections[0]
    assert abs(sec.top_margin - Mm(35)) < Mm(0.1) and abs(sec.left_margin - Mm(27)) < Mm(0.1)
    assert not doc.settings.odd_and_even_pages_header_footer
    assert sec.footer.paragraphs[0].text == "1"
    h1 = [p for p in doc.paragraphs if p.style.name == "Heading 1"][0]
    assert h1.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正黑体_GBK"
    body = [p for p in doc.paragraphs if p.style.name == "Normal" and len(p.text) > 30][0]
    assert body.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_font_fallbacks_declared_in_the_font_table(tmp_path):
    out = write_docx(build_draft(load_figures(EXAMPLE), refs=0), tmp_path / "d.docx")
    with zipfile.ZipFile(out) as z:
        table = parse_xml(z.read("word/fontTable.xml"))
    fonts = {f.get(qn("w:name")): f for f in table.iter(qn("w:font"))}
    alt = fonts["仿宋_GB2312"].find(qn("w:altName"))
    assert alt is not None and alt.get(qn("w:val")) == "仿宋"
    assert fonts["仿宋_GB2312"].find(qn("w:family")).get(qn("w:val")) == "roman"
    assert fonts["黑体"].find(qn("w:family")).get(qn("w:val")) == "swiss"
    children = [c.tag.rsplit("}", 1)[1] for c in fonts["仿宋_GB2312"]]
    assert children[:4] == ["altName", "charset", "family", "pitch"]


def test_draft_cli_profile_option(tmp_path):
    res = CliRunner().invoke(main, ["draft", str(EXAMPLE), "-o", str(tmp_path / "d.docx"), "--no-refs",
                                    "--profile", "无GB2312字体"])
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(tmp_path / "d.docx"))
    assert doc.styles["Normal"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    bad = CliRunner().invoke(main, ["draft", str(EXAMPLE), "-o", str(tmp_path / "e.docx"), "--profile", "无此版式"])
    assert bad.exit_code == 2 and "找不到版式文件" in bad.output and not (tmp_path / "e.docx").exists()
