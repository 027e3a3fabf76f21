"""Hostile user templates: each limit of drafter.templating ends in a Chinese message naming
the template, never a hang, a traceback or a file from outside the template folder."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limited_run import assert_draft_or_message, run_limited

from drafter import templating
from drafter.cli import main
from drafter.docx_writer import TITLE_CHARS, split_title, title_width
from drafter.draft import render_template
from drafter.errors import DrafterError
from drafter.figures import load_figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def template(tmp_path: Path, source: str, name: str = "my.md.j2") -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(source, encoding="utf-8")
    return path


def refused(tmp_path: Path, source: str) -> str:
    """Draft with ``source`` as the template; return the message (exit status 2, nothing written)."""
    out = tmp_path / "out.docx"
    res = run("draft", EXAMPLE, "--template", template(tmp_path, source), "-o", out, "--no-refs", "--no-wording")
    assert res.exit_code == 2, res.output
    assert not out.exists()
    assert res.output.startswith("错误：模板 ") and "my.md.j2" in res.output
    return res.output


@pytest.mark.parametrize(
    "source, words",
    [
        ("@p {{ 'ab' * 10**9 }}", "“*”要生成的文字或列表太长"),
        ("@p {{ [1, 2] * 10**9 }}", "“*”要生成的文字或列表太长"),
        ("@p {{ 2 ** 100000000 }}", "乘方的结果太大"),
        ("@p {{ (10 ** 1000) * (10 ** 1000) * (10 ** 1000) * (10 ** 1000) * (10 ** 1000) }}", "乘法的结果太大"),
        ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}@p x", "range() 最多 10,000 项"),
        ("@p {{ lipsum(n=2000000) }}", "lipsum 最多 20 段"),
        ("@p {{ lipsum(max=10**9) }}", "lipsum 最多 20 段"),
        ("@p {{ 'a'|center(1000000000) }}", "过滤器 center 的参数太大"),
        ("@p {{ 'a'|indent(1000000000) }}", "过滤器 indent 的参数太大"),
        ("@p {{ '%999999999s'|format('a') }}", "格式化的宽度或精度太大"),
        ("@p {{ '%*s' % (999999999, 'a') }}", "格式化的宽度或精度太大"),
        ("@p {{ '{:>999999999}'.format(1) }}", "格式化的宽度或精度太大"),
        ("@p {{ '{:>{}}'.format(1, 999999999) }}", "format() 的参数太大"),
        ("@p {{ 'a'.ljust(1000000000) }}", "ljust() 的参数太大"),
        ("@p {{ ('ab' * 400000)|replace('a', 'aaaaaaaa') }}", "replace 之后的文字太长"),
        ("@p {{ ('ab' * 400000).replace('a', 'aaaaaaaa') }}", "replace 之后的文字太长"),
        (
            "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}@p {{ ns.x|length }}",
            "“~”要连接的文字太长",
        ),
        (
            "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x = ns['x'] + ns['x'] %}{% endfor %}@p x",
            "“+”要生成的文字或列表太长",
        ),
        ("{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s|length }}{% endmacro %}@p {{ f('ab', 40) }}", "太长"),
        ("{% set s = 'x' * 1000000 %}@p {{ ([s] * 1000)|join }}", "“*”要生成的文字或列表太长"),
        ("{% set s = 'x' * 600000 %}@p {{ [s, s, s] }}", "输出的内容太长或太大"),
        ("{% set s = 'x' * 600000 %}@p {{ [s, s, s]|string }}", "过滤器 string 的输入太长"),
        ("{% set s = 'x' * 600000 %}@p {{ ''.join([s, s, s]) }}", "函数或宏的参数太长"),
        ("{% set s = 'x' * 600000 %}@p {{ '%s%s' % (s, s) }}", "“%”格式化的内容太长"),
        ("{% set s = 'x' * 600000 %}{% set n = namespace(s=s) %}@p {{ (s ~ 'y') ~ n.s }}", "“~”要连接的文字太长"),
        ("{% for i in range(10000) %}@p {{ 'x' * 1000 }}\n{% endfor %}", "渲染结果太长（超过 2,000,000 个字符）"),
        ("{% for i in range(10000) %}{% set s = 'x' * 900000 + 'y' * 90000 %}{% endfor %}@p x", "累计超过 50,000,000 个字符"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}@p {{ f(1) }}", "无限递归"),
        ("{% set l = [] %}{{ l.append(1) }}@p x", "出于安全原因"),
        ("@title t\n{% for i in range(2000) %}@p {{ i }}\n{% endfor %}", "输出第1001行：块（标题、段落等）超过 1000 个"),
        ("@title t\n{% for i in range(120) %}@h2 第{{ i }}项\n{% endfor %}", "输出第101行：同一级的 @h2 标题超过 99 个"),
    ],
)
def test_hostile_templates_end_in_a_message(tmp_path, source, words):
    assert words in refused(tmp_path, source)


def test_ordinary_arithmetic_and_text_still_render(tmp_path):
    source = (
        "@title {{ unit }}\n@p {{ 2.5 * 2000000 }}|{{ 3 * 'ab' }}|{{ 10 ** 20 }}|{{ year * 1000 }}|{{ '%05.1f' % 3.14159 }}"
        "|{{ '{:>4}'.format(7) }}|{{ range(3)|list }}|{{ unit ~ '!' }}|{{ chapters|map(attribute='name')|first }}\n"
    )
    text, _ = render_template(load_figures(EXAMPLE), template(tmp_path, source))
    assert "@p 5000000.0|ababab|100000000000000000000|2025000|003.1|   7|[0, 1, 2]|青禾县总工会!|思想引领" in text


def test_a_paragraph_of_many_continuation_lines_is_joined_in_linear_time(tmp_path):
    path = template(tmp_path, "@title {{ unit }}\n@p 开头\n{% for i in range(300) %}{% for j in range(3000) %}字\n{% endfor %}{% endfor %}")
    res = run_limited("draft", EXAMPLE, "--template", path, "-o", tmp_path / "o.docx", "--no-refs", "--no-wording")
    assert res.returncode == 0, res.stderr
    body = [p.text for p in docx.Document(str(tmp_path / "o.docx")).paragraphs if p.text.startswith("开头")]
    assert body == ["开头" + "字" * 900_000]


def test_big_operands_are_refused_within_the_memory_limit(tmp_path):
    path = template(tmp_path, "@p {{ 'ab' * 10**9 }}")
    res = run_limited("draft", EXAMPLE, "--template", path, "-o", tmp_path / "o.docx", "--no-refs", "--no-wording")
    assert res.returncode == 2 and "“*”要生成的文字或列表太长" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize(
    "source",
    [
        "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}@p x",
        # nothing but the loop itself runs here
        "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}@p x",
    ],
    ids=["nested-ranges", "nested-string-loops"],
)
def test_a_render_stops_at_the_time_limit(tmp_path, monkeypatch, source):
    monkeypatch.setattr(templating, "TIME_LIMIT", 0.5)
    assert "渲染超过 0.5 秒，已停止" in refused(tmp_path, source)


@pytest.mark.parametrize("loops", ["range(10000)", "s"])
def test_the_time_limit_holds_outside_the_main_thread(tmp_path, monkeypatch, loops):
    """No timer signal reaches another thread: the loops themselves watch the clock."""
    monkeypatch.setattr(templating, "TIME_LIMIT", 0.5)
    path = template(tmp_path, f"{{% set s = 'x' * 100000 %}}{{% for a in {loops} %}}{{% for b in {loops} %}}{{% endfor %}}{{% endfor %}}@p x")
    figs = load_figures(EXAMPLE)
    errors: list[Exception] = []

    def work():
        try:
            render_template(figs, path)
        except DrafterError as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert len(errors) == 1 and "渲染超过 0.5 秒" in str(errors[0])


def test_an_include_through_a_symlink_out_of_the_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:机密内容", encoding="utf-8")
    path = template(tmp_path, "@title 标题\n@p {% include 'pw.j2' %}\n")
    (path.parent / "pw.j2").symlink_to(secret)
    out = refused(tmp_path, path.read_text(encoding="utf-8"))
    assert "实际指向模板文件夹以外的文件" in out and "机密内容" not in out
    # /etc/passwd, as in the report
    (path.parent / "pw.j2").unlink()
    (path.parent / "pw.j2").symlink_to("/etc/passwd")
    assert "实际指向模板文件夹以外的文件" in refused(tmp_path, path.read_text(encoding="utf-8"))


def test_an_include_of_a_fifo_is_refused_not_a_hang(tmp_path):
    path = template(tmp_path, "@p {% include 'pipe.j2' %}\n")
    os.mkfifo(path.parent / "pipe.j2")
    assert "不是普通文件" in refused(tmp_path, path.read_text(encoding="utf-8"))


def test_includes_inside_the_folder_and_builtin_templates_still_work(tmp_path):
    part = template(tmp_path, "@p 本单位：{{ unit }}\n", "part.j2")
    (part.parent / "sub").mkdir()
    (part.parent / "sub" / "link.j2").symlink_to(part)  # a link that stays inside the folder
    main_tpl = template(tmp_path, "@title {{ unit }}\n{% include 'sub/link.j2' %}\n")
    text, name = render_template(load_figures(EXAMPLE), main_tpl)
    assert "@p 本单位：青禾县总工会" in text and name == str(main_tpl)
    extends = template(tmp_path, '{% extends "annual.md.j2" %}\n', "ext.md.j2")
    assert "@title 青禾县总工会2025年工作总结" in render_template(load_figures(EXAMPLE), extends)[0]


def test_a_template_given_as_a_symlink_loads_from_its_real_folder(tmp_path):
    real = template(tmp_path, "@title {{ unit }}\n{% include 'part.j2' %}\n")
    template(tmp_path, "@p 真实文件夹中的片段\n", "part.j2")
    link = tmp_path / "link.md.j2"
    link.symlink_to(real)
    assert "@p 真实文件夹中的片段" in render_template(load_figures(EXAMPLE), link)[0]


def test_xml_invalid_characters_in_a_template_never_reach_the_docx(tmp_path):
    path = template(tmp_path, "")
    path.write_bytes("@title 标题\x01\n@p 正文\x0b一\x1e@h1 二\u2028三\n".encode("utf-8"))
    out = tmp_path / "out.docx"
    res = run("draft", EXAMPLE, "--template", path, "-o", out, "--no-refs", "--no-wording")
    assert res.exit_code == 0, res.output
    texts = [p.text for p in docx.Document(str(out)).paragraphs if p.text]
    assert texts[:2] == ["标题", "正文一@h1 二三"]


def test_a_title_over_255_characters_is_written_and_cut_only_in_the_core_properties(tmp_path):
    title = "青禾县总工会关于" + "推进产业工人队伍建设改革" * 30 + "的报告"
    assert len(title) > 255
    path = template(tmp_path, f"@title {title}\n@p 正文。\n")
    out = tmp_path / "out.docx"
    res = run("draft", EXAMPLE, "--template", path, "-o", out, "--no-refs", "--no-wording")
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(out))
    assert doc.core_properties.title == title[:255]
    lines = [p.text for p in doc.paragraphs if p.style.name == "Title"]
    assert "".join(lines) == title


def test_split_title_of_a_long_title_keeps_every_character_and_the_width():
    title = ("青禾县总工会关于2025年工作的报告" + "ab12" + "产业工人队伍建设改革") * 200  # 5,000 characters
    lines = split_title(title)
    assert "".join(lines) == title
    assert all(title_width(line) <= TITLE_CHARS for line in lines)
    assert split_title("青禾县总工会关于2025年工作的报告") == ["青禾县总工会关于2025年工作的报告"]
    assert split_title("青禾县总工会关于推进产业工人队伍建设改革工作情况的报告") == ["青禾县总工会关于", "推进产业工人队伍建设改革工作情况的报告"]


# ---------------------------------------------------------------- hypothesis: any template ends in a draft or a message

_SIZES = st.sampled_from([0, 3, 100, 10_000, 10**6, 10**9])
_EXPRESSIONS = [
    "'ab' * {n}",
    "{n} ** {m}",
    "[unit] * {n}",
    "lipsum(n={n}, min=1, max=3)",
    "'x'|center({n})",
    "range({n})|list|length",
    "'%{n}s' % 'a'",
    "('ab' * {m})|replace('a', 'aaaa')",
    "unit ~ '\\u2028@h1 注入'",
    "'\\x01\\x1e\\x85'",
    "chapters|map(attribute='name')|join('、')",
    "year - {n}",
    "([unit * {m}] * {n})|join",
    "[[unit] * {n}] * {m}",
    "namespace(x=unit).x ~ unit * {n}",
]


@st.composite
def template_sources(draw) -> str:
    n, m = draw(_SIZES), draw(_SIZES)
    expr = draw(st.sampled_from(_EXPRESSIONS)).format(n=n, m=m)
    loops = draw(st.integers(0, 2))
    body = f"@p {{{{ {expr} }}}}\n"
    for _ in range(loops):
        body = f"{{% for i in range({draw(_SIZES)}) %}}{body}{{% endfor %}}"
    noise = draw(st.text(alphabet=st.sampled_from(list("@{}%#p青\x01\u2028 \n")), max_size=8))
    return f"@title {{{{ unit }}}}\n{body}{noise}\n"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(template_sources())
def test_any_template_ends_in_a_draft_or_a_message(tmp_path, source):
    path = template(tmp_path, source)
    res = run_limited("draft", EXAMPLE, "--template", path, "-o", tmp_path / "fuzz.docx", "--no-refs", "--no-wording", "--force")
    assert_draft_or_message(res)
