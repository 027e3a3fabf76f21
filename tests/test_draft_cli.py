"""`drafter init` and `drafter draft` end to end; user templates; output safety."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from drafter import docx_writer
from drafter.cli import main
from drafter.draft import Suggestion, build_draft
from drafter.errors import DrafterError
from drafter.figures import load_figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"
FIVE_YEAR = ROOT / "examples" / "青禾县总工会五年工作综述.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_init_writes_a_valid_scaffold_and_refuses_overwrite(tmp_path):
    path = tmp_path / "我的数据.yaml"
    res = run("init", path, "--kind", "five-year")
    assert res.exit_code == 0 and "已生成数据模板" in res.output
    assert load_figures(path).period.kind == "five-year"
    before = path.read_bytes()
    res = run("init", path)
    assert res.exit_code == 2 and "已存在" in res.output and "--force" in res.output
    assert path.read_bytes() == before
    assert run("init", path, "--kind", "年度", "--force").exit_code == 0
    assert load_figures(path).period.kind == "annual"


def test_draft_example_docx_and_missing_list(tmp_path):
    out = tmp_path / "初稿.docx"
    res = run("draft", EXAMPLE, "-o", out, "--no-refs")
    assert res.exit_code == 0, res.output
    assert "已生成初稿" in res.output and "没有待补充" in res.output
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == "青禾县总工会2025年工作总结"
    assert not list(doc.comments)


def test_draft_lists_placeholders_at_the_end(tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text("单位: 青禾县总工会\n年份: 2025\n建功立业:\n  数据:\n    - 项目: 开展劳动和技能竞赛\n      单位: 项\n", encoding="utf-8")
    res = run("draft", data, "-o", tmp_path / "d.docx", "--no-refs")
    assert res.exit_code == 0
    tail = res.output.strip().splitlines()
    assert "以下 8 处待补充" in res.output
    assert tail[-1] == "  8. 成文日期" and "  2. 开展劳动和技能竞赛的数值（项）" in tail
    res = run("draft", data, "-o", tmp_path / "e.docx", "--no-refs", "--json")
    assert json.loads(res.output)["missing"][-1] == "成文日期"


def test_draft_markdown_format(tmp_path):
    out = tmp_path / "d.md"
    assert run("draft", EXAMPLE, "-o", out, "--no-refs").exit_code == 0  # format from the extension
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 青禾县总工会2025年工作总结\n")
    assert "## 一、主要工作及成效" in text and "### （一）强化思想政治引领" in text
    out2 = tmp_path / "d2.txt"
    assert run("draft", EXAMPLE, "-o", out2, "--format", "md", "--no-refs").exit_code == 0
    assert out2.read_text(encoding="utf-8") == text


def test_draft_refuses_overwrite_without_force(tmp_path):
    out = tmp_path / "d.docx"
    out.write_bytes(b"mine")
    res = run("draft", EXAMPLE, "-o", out, "--no-refs")
    assert res.exit_code == 2 and "已存在" in res.output
    assert out.read_bytes() == b"mine"
    assert run("draft", EXAMPLE, "-o", out, "--no-refs", "--force").exit_code == 0
    docx.Document(str(out))  # reopens


def test_nothing_written_on_figures_error(tmp_path):
    data = tmp_path / "bad.yaml"
    data.write_text("单位: 青禾县总工会\n年份: 2025\n建功立业:\n  数据:\n    - 项目: 竞赛\n      数值: 三百\n", encoding="utf-8")
    out = tmp_path / "d.docx"
    res = run("draft", data, "-o", out)
    assert res.exit_code == 2
    assert f"{data} 第6行，建功立业.数据[1].数值" in res.output and "三百" in res.output
    assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == [data]


def test_write_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "d.docx"
    out.write_bytes(b"old")
    draft = build_draft(load_figures(EXAMPLE), refs=0)

    def broken(_draft):
        raise RuntimeError("disk full")

    monkeypatch.setattr(docx_writer, "docx_bytes", broken)
    with pytest.raises(RuntimeError):
        docx_writer.write_docx(draft, out, force=True)
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["d.docx"]


def write_template(tmp_path, text, name="my.md.j2"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_template(tmp_path):
    tpl = write_template(
        tmp_path,
        "@title {{ unit }}{{ year }}年工作汇报\n@h1 基本情况\n@comment 建功立业\n"
        "{% for f in chapters[1].figures %}@p {{ f.sentence }}。\n{% endfor %}@h1 打算\n@todo 明年的重点\n@sign {{ signature }}\n@date {{ date }}\n",
    )
    res = run("draft", EXAMPLE, "-o", tmp_path / "r.docx", "--template", tpl, "--no-refs")
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "青禾县总工会2025年工作汇报"
    assert "一、基本情况" in texts and "开展劳动和技能竞赛43项，同比增长16.2%。" in texts
    assert "【待补充：明年的重点】" in texts and "  1. 明年的重点" in res.output


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("@title x\n\n{% if %}\n", 3, "语法错误"),
        ("@title {{ unit }}\n@p {{ nosuch.x }}\n", 2, "不存在的变量"),
        ('@title ok\n@p {{ "".__class__.__mro__ }}\n', 2, "安全"),
        ("@title {{ unit }}\n{% for c in chapters %}\n@p {{ c.nope }}\n{% endfor %}\n", 3, "不存在的变量"),
        ("@title {{ 1 // 0 }}\n", 1, "渲染出错"),
    ],
)
def test_template_errors_name_file_and_line(tmp_path, text, line, words):
    tpl = write_template(tmp_path, text)
    out = tmp_path / "x.docx"
    res = run("draft", EXAMPLE, "-o", out, "--template", tpl, "--no-refs")
    assert res.exit_code == 2
    assert str(tpl) in res.output or "my.md.j2" in res.output
    assert f"第{line}行" in res.output and words in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_template_error_line_whatever_the_file_is_called(tmp_path):
    tpl = write_template(tmp_path, "@title {{ unit }}\n\n@p {{ missing_name }}\n", name="我的模板.txt")
    with pytest.raises(DrafterError) as info:
        build_draft(load_figures(EXAMPLE), template=tpl, refs=0)
    assert "我的模板.txt 第3行" in info.value.message


def test_template_that_extends_itself(tmp_path):
    tpl = write_template(tmp_path, '{% extends "annual.md.j2" %}\n', name="annual.md.j2")
    with pytest.raises(DrafterError):
        build_draft(load_figures(EXAMPLE), template=tpl, refs=0)


def test_template_output_without_tags_is_reported(tmp_path):
    tpl = write_template(tmp_path, "@title x\n{% for c in chapters %}\n{{ c.name }}{% endfor %}\n@h1 甲\n@comment 无\n")
    with pytest.raises(DrafterError):
        build_draft(load_figures(EXAMPLE), template=tpl, refs=0)
    tpl = write_template(tmp_path, "写在最前\n")
    with pytest.raises(DrafterError) as info:
        build_draft(load_figures(EXAMPLE), template=tpl, refs=0)
    assert "没有标记" in info.value.message


def test_missing_template_file(tmp_path):
    res = run("draft", EXAMPLE, "-o", tmp_path / "x.docx", "--template", tmp_path / "none.j2")
    assert res.exit_code == 2 and "找不到模板文件" in res.output


def test_user_text_cannot_open_blocks():
    figures = load_figures(EXAMPLE)
    figures.chapters[0].highlights.append("第一行\n@title 伪造的标题\n@comment 建功立业")
    draft = build_draft(figures, refs=0)
    assert [b.text for b in draft.blocks if b.kind == "title"] == ["青禾县总工会2025年工作总结"]
    assert any("第一行@title 伪造的标题@comment 建功立业" in b.text for b in draft.blocks)


def test_five_year_example_shape(tmp_path):
    figures = load_figures(FIVE_YEAR)
    draft = build_draft(figures, refs=0)
    heads = [b.full_text for b in draft.blocks if b.kind == "heading"]
    assert len(heads) == 6 and heads[0].startswith("一、") and heads[-1] == "六、今后五年工作展望"
    assert [b.text for b in draft.blocks if b.kind == "subtitle"] == ["（2021—2025年）"]
    body = draft.body_text()
    assert "累计" in body and "年均" in body and "五年来" in body
    assert not draft.missing


def test_half_year(tmp_path):
    data = tmp_path / "h.yaml"
    data.write_text(EXAMPLE.read_text(encoding="utf-8").replace("类型: 年度", "类型: 半年\n半年: 上半年"), encoding="utf-8")
    draft = build_draft(load_figures(data), refs=0)
    assert draft.title == "青禾县总工会2025年上半年工作总结"
    body = draft.body_text()
    assert "上半年组织劳模工匠宣讲86场" in body and "下半年，青禾县总工会将" in body


def test_suggestion_errors_do_not_stop_the_draft():
    def suggest(chapter, query, k):
        if chapter == "党建自身建设":
            raise DrafterError("语料库中没有这个章节的段落。")
        return [Suggestion(chapter, "参考", "a.txt", "甲", "乙")]

    draft = build_draft(load_figures(EXAMPLE), refs=2, suggest=suggest)
    assert sum(len(v) for v in draft.comments.values()) == 4
    assert draft.notes and "党建自身建设" in draft.notes[0]


def test_query_is_chapter_plus_the_writers_highlights():
    seen = {}

    def suggest(chapter, query, k):
        seen[chapter] = (query, k)
        return []

    build_draft(load_figures(EXAMPLE), refs=5, suggest=suggest)
    query, k = seen["维权服务"]
    assert k == 5 and query.startswith("维权服务") and "青禾职工之声" in query
    assert list(seen) == ["思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设"]


def test_real_retriever_comments_come_from_the_corpus_with_sources(tmp_path):
    out = tmp_path / "d.docx"
    res = run("draft", EXAMPLE, "-o", out, "--refs", "2", "--json")
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(out))
    comments = list(doc.comments)
    seeds = {p.name for p in (ROOT / "corpus").glob("*.txt")}
    passages = [c for c in comments if not c.text.startswith("可参考的小标题：")]
    headings = [c for c in comments if c.text.startswith("可参考的小标题：")]
    assert len(passages) >= 8  # two per chapter, where the corpus has passages for it
    assert len(headings) == 5 and all("（来源：" in c.text for c in headings)
    body = "\n".join(p.text for p in doc.paragraphs)
    for c in passages:
        text, _, source = c.text.rpartition("\n——来源：")
        # 《title》（unit，year），见“heading”: the article's title, never the stored file name
        assert source.startswith("《") and "见“" in source
        assert not any(name in source for name in seeds)
        assert text and text not in body and text[:20] not in body
    # the first chapter's comments sit on its heading
    heading = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert len(heading._p.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}commentRangeStart")) == 3


def test_output_gets_the_usual_file_mode(tmp_path):
    import os
    import stat

    out = tmp_path / "d.docx"
    assert run("draft", EXAMPLE, "-o", out, "--no-refs").exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_the_template_example_of_the_docs_renders(tmp_path):
    doc_text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    example = doc_text.split("```\n")[1]
    tpl = write_template(tmp_path, example)
    draft = build_draft(load_figures(EXAMPLE), template=tpl, refs=2, suggest=lambda c, q, k: [Suggestion(c, "参考", "a.txt")])
    assert draft.title == "青禾县总工会关于2025年产业工人队伍建设改革工作情况的汇报"
    assert [b.full_text for b in draft.blocks if b.kind == "heading"] == ["一、基本情况", "二、下一步打算"]
    assert "开展劳动和技能竞赛43项，同比增长16.2%。" in draft.body_text()
    assert "一是持续深化产业工人队伍建设改革" in draft.body_text()
    assert list(draft.comments) == [1] and not draft.missing


def test_markdown_shows_comments_as_quotes_and_placeholders_in_bold():
    from drafter.markdown_writer import draft_markdown

    figures = load_figures(EXAMPLE)
    figures.chapters[1].figures[0].value = None
    figures.chapters[1].highlights.append("用*星号*和#号的亮点")
    draft = build_draft(figures, refs=1, suggest=lambda c, q, k: [Suggestion(c, f"{c}的参考\n第二行", "a.txt", "某文", "一、某节")])
    text = draft_markdown(draft)
    body, _, notes = text.partition("\n---\n")
    # each chapter heading carries a footnote mark; the notes hold the text and its source
    assert "### （二）深化建功立业行动，发挥职工主力军作用[^2]" in body
    assert "[^2]: 建功立业的参考\n    第二行\n    ——来源：《某文》，见“一、某节”" in notes
    assert notes.count("]: ") == 5 and "参考（）" not in text and "建功立业的参考" not in body
    assert "**【待补充：开展劳动和技能竞赛的数值（项）】**" in body
    assert "用\\*星号\\*和\\#号的亮点。" in body
