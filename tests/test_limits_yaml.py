"""Hostile and unlucky figures files: bounded memory and depth, values and texts refused
with file, line and key, and nothing a writer types can open a block of its own."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limited_run import assert_draft_or_message, run_limited
from test_figures import BASE  # the same small valid file

from drafter.blocks import parse_blocks
from drafter.cli import main
from drafter.docx_writer import write_docx
from drafter.draft import Suggestion, build_draft
from drafter.figures import MAX_YAML_CHARS, MAX_YAML_DEPTH, MAX_YAML_NODES, FiguresError, load_figures, parse_figures

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{n}: &{n} [{','.join(['*' + p] * 9)}]" for p, n in zip("abcdefg", "bcdefgh")),
        "单位: *h",
        "年份: 2025",
    ]
)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def only_issue(text: str):
    with pytest.raises(FiguresError) as info:
        parse_figures(text, "数据.yaml")
    assert len(info.value.issues) == 1, info.value.issues
    return info.value.issues[0]


def write(tmp_path: Path, text: str, name: str = "数据.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- size, depth, aliases


def test_alias_bomb_is_refused_in_a_limited_process(tmp_path):
    assert len(BOMB.encode()) < 700
    data = write(tmp_path, BOMB)
    res = run_limited("draft", data, "-o", tmp_path / "out.docx", "--no-refs", "--no-wording")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "数据.yaml 第2行" in res.stderr and "别名" in res.stderr
    assert not (tmp_path / "out.docx").exists()


def test_a_single_alias_is_refused_too():
    issue = only_issue("单位: &u 青禾县总工会\n年份: 2025\n落款:\n  单位: *u\n")
    assert issue.line == 4 and "不支持锚点和别名" in issue.message


@pytest.mark.parametrize(
    "text",
    [
        "单位: " + "[" * 5000 + "]" * 5000 + "\n",
        "单位: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(800)),  # 5,000 would be over the size cap
    ],
    ids=["flow-lists", "flow-maps", "block-maps"],
)
def test_deep_nesting_is_a_message_not_a_recursion_error(tmp_path, text):
    data = write(tmp_path, text)
    res = run_limited("draft", data, "-o", tmp_path / "out.docx", "--no-refs", "--no-wording")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"层级太深（超过 {MAX_YAML_DEPTH} 层）" in res.stderr


def test_too_many_nodes_and_too_large_a_file(tmp_path):
    issue = only_issue("单位: 青禾县总工会\n年份: 2025\n问题: [" + ",".join(["a"] * (MAX_YAML_NODES + 5)) + "]\n")
    assert issue.line == 3 and f"超过 {MAX_YAML_NODES} 项" in issue.message
    issue = only_issue(BASE + "导语: " + "很" * MAX_YAML_CHARS + "\n")
    assert "文件太大" in issue.message
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (MAX_YAML_CHARS * 4 + 10))
    with pytest.raises(FiguresError) as info:
        load_figures(big)
    assert "文件太大" in str(info.value) and "big.yaml" in str(info.value)


def test_an_unprintable_character_in_the_file_names_its_line():
    issue = only_issue(BASE + "导语: 今年\x01工作\n")
    assert issue.line == 11 and "U+0001" in issue.message


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    "value, words",
    [
        (".nan", "不是数字（.nan）"),
        (".NaN", "不是数字（.nan）"),
        (".inf", "无穷大"),
        ("-.inf", "无穷大"),
        ("1.0e+40", "大得不合常理"),
        ("1e34", "应为阿拉伯数字"),  # YAML 1.1 reads 1e34 as text
        ("10000000000000000000000000000000000000000", "大得不合常理"),
        ("9" * 5000, "大得不合常理"),
        ('"9999999999999999999999999999999999999万"', "大得不合常理"),
        ('"' + "9" * 400 + '"', "大得不合常理"),
        ("-5", "不能是负数"),
        ("-0.5", "不能是负数"),
    ],
)
def test_bad_values_are_refused_with_line_and_key(value, words):
    issue = only_issue(BASE.replace("数值: 43", f"数值: {value}"))
    assert issue.line == 6 and issue.path == "建功立业.数据[1].数值"
    assert words in issue.message


def test_bad_values_in_last_year_and_series():
    issue = only_issue(BASE.replace("上年: 37", "上年: .nan"))
    assert issue.line == 8 and issue.path == "建功立业.数据[1].上年"
    text = BASE.replace("      上年: 37", "      逐年: {2024: -3, 2025: 43}")
    issue = only_issue(text)
    assert issue.path == "建功立业.数据[1].逐年.2024" and "不能是负数" in issue.message


def test_a_falling_rate_may_be_negative():
    text = BASE.replace("数值: 43", "数值: -1.5").replace("单位: 项", "单位: '%'").replace("上年: 37", "上年: 2.0")
    fig = parse_figures(text).chapter("建功立业").figures[0]
    assert fig.value == -1.5 and fig.change == "同比下降3.5个百分点"


def test_a_large_but_real_value_is_kept():
    fig = parse_figures(BASE.replace("数值: 43", "数值: 2.3亿")).chapter("建功立业").figures[0]
    assert fig.value == 230_000_000 and fig.quantity == "2.3亿项"


def test_check_figures_with_huge_numbers_is_a_message(tmp_path):
    data = write(tmp_path, BASE.replace("数值: 43", "数值: 1.0e+34").replace("上年: 37", "上年: .inf"))
    draft = write(tmp_path, "青禾县总工会2025年工作总结\n开展劳动和技能竞赛43项。\n", "初稿.txt")
    res = run("check", draft, "--figures", data)
    assert res.exit_code == 2
    assert "数据.yaml 第6行，建功立业.数据[1].数值：数值大得不合常理" in res.output
    assert "数据.yaml 第8行，建功立业.数据[1].上年：不是有效的数字（.inf" in res.output


# ---------------------------------------------------------------- texts


@pytest.mark.parametrize(
    "escape, code",
    [("\\L", "U+2028"), ("\\P", "U+2029"), ("\\N", "U+0085"), ("\\x1e", "U+001E"), ("\\x01", "U+0001"), ("\\ud800", "U+D800"), ("\\x0b", "U+000B")],
)
def test_separators_and_controls_in_texts_are_refused(escape, code):
    issue = only_issue(BASE.replace("单位: 青禾县总工会", f'单位: "青禾县总工会{escape}@h1 注入的标题"'))
    assert issue.line == 1 and issue.path == "单位" and code in issue.message


@pytest.mark.parametrize("key", ["问题", "打算", "上级单位"])
def test_a_single_string_list_is_checked_too(key):
    issue = only_issue(BASE + f'{key}: "第一条\\u2028@h1 注入"\n')
    assert issue.path == key and "U+2028" in issue.message


def test_the_injection_is_refused_by_the_cli(tmp_path):
    data = write(tmp_path, BASE.replace("单位: 青禾县总工会", '单位: "青禾县总工会\\L@h1 注入的标题"'))
    res = run("draft", data, "-o", tmp_path / "out.docx", "--no-refs", "--no-wording")
    assert res.exit_code == 2 and "数据.yaml 第1行，单位：含有看不见的控制字符或换行符（U+2028" in res.output
    assert not (tmp_path / "out.docx").exists()


def test_texts_longer_than_the_cap_are_refused():
    issue = only_issue(BASE.replace("单位: 青禾县总工会", "单位: " + "青" * 150))
    assert issue.path == "单位" and "上限 100 个字" in issue.message
    issue = only_issue(BASE + "问题:\n  - " + "难" * 2500 + "\n")
    assert issue.path == "问题[1]" and "上限 2000 个字" in issue.message


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x1e", "\x1c", "\x85", "\x0b", "\x0c", "\r"])
def test_no_text_opens_a_block_even_past_validation(sep):
    """The block boundary holds by itself: a Figures object built in Python (not validated)
    with a separator in the unit still gives one title and no injected heading."""
    figs = parse_figures(BASE)
    figs.unit = f"青禾县总工会{sep}@h1 注入的标题"
    draft = build_draft(figs, refs=0)
    assert not any("注入" in b.text for b in draft.blocks if b.kind == "heading")
    assert all(sep not in b.text for b in draft.blocks)
    assert draft.title.startswith("青禾县总工会")


def test_parse_blocks_splits_only_at_newlines_and_strips_unsafe_characters():
    blocks = parse_blocks("@title 标题\n@p 甲\u2028@h1 乙\x1e@h2 丙\x01丁\ud800\n@p 戊\r\n@p 己")
    assert [(b.kind, b.text) for b in blocks] == [
        ("title", "标题"),
        ("paragraph", "甲@h1 乙@h2 丙丁"),
        ("paragraph", "戊"),
        ("paragraph", "己"),
    ]


def test_a_suggestion_with_xml_invalid_characters_still_gives_a_docx(tmp_path):
    """Corpus text reaches the .docx as comments: what XML cannot hold is dropped there."""
    def suggest(chapter, query, k):
        return [Suggestion(chapter, "开展宣讲\x01进企业\u2028@h1 活动\x0b。", "a.txt")]

    draft = build_draft(parse_figures(BASE), refs=1, suggest=suggest)
    out = write_docx(draft, tmp_path / "out.docx")
    texts = [c.text for c in docx.Document(str(out)).comments]
    assert texts and all(t.startswith("开展宣讲进企业@h1 活动。") for t in texts)


# ---------------------------------------------------------------- hypothesis: any YAML ends in a draft or a message

_NASTY = "\x00\x01\x0b\x1e\x1f\x7f\x85\u2028\u2029\ufffe@{}%*&!|>'\"#:-\n\t "
_TEXTS = st.one_of(
    st.text(alphabet=st.sampled_from(list(_NASTY) + list("青禾县工会开展竞赛123")), max_size=12),
    st.sampled_from(["320余", "近300", "2.3万", ".nan", ".inf", "-.inf", "1e400", "9" * 60, "-7", "yes", ""]),
)
_NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXTS,
    st.none(),
)


@st.composite
def figures_documents(draw) -> str:
    shared = draw(st.lists(_TEXTS, max_size=3))  # reused below: yaml.dump writes it as an anchor and aliases
    figure = st.fixed_dictionaries(
        {"项目": _TEXTS, "数值": _NUMBERS},
        optional={"单位": st.sampled_from(["项", "人次", "%", "万元"]), "上年": _NUMBERS,
                  "逐年": st.dictionaries(st.integers(1900, 2100), _NUMBERS, max_size=3)},
    )
    doc = {
        "单位": draw(st.one_of(_TEXTS, st.just("青禾县总工会"))),
        "年份": draw(st.one_of(st.integers(1940, 2030), _NUMBERS)),
        "建功立业": {"数据": draw(st.lists(figure, max_size=3)), "亮点": shared},
        "问题": shared,
        "打算": draw(st.one_of(st.just(shared), _TEXTS)),
    }
    text = yaml.dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)
    # Some raw YAML too: aliases of aliases, deep flow nesting, a stray tag.
    tail = draw(st.sampled_from(["", "导语: *id001\n", "x: " + "[" * 300 + "]" * 300 + "\n", "导语: !!python/object:os.system x\n"]))
    return text + tail


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(figures_documents())
def test_any_figures_document_ends_in_a_draft_or_a_message(tmp_path, text):
    data = tmp_path / "fuzz.yaml"
    data.write_text(text, encoding="utf-8", errors="surrogatepass")
    out = tmp_path / "fuzz.docx"
    res = run_limited("draft", data, "-o", out, "--no-refs", "--no-wording", "--force")
    assert_draft_or_message(res)
    if res.returncode == 0:
        body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        assert "nan" not in body.lower() and "inf" not in body.lower()
