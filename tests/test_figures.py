"""The figures file: every validation error names file, line and key path, in Chinese."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
import yaml

from drafter.errors import DrafterError
from drafter.figures import FiguresError, allowed_numbers, load_figures, parse_figures, scaffold_yaml

BASE = textwrap.dedent(
    """\
    单位: 青禾县总工会
    年份: 2025
    建功立业:
      数据:
        - 项目: 开展劳动和技能竞赛
          数值: 43
          单位: 项
          上年: 37
    落款:
      日期: 2025-12-18
    """
)


def issues(text: str, name: str = "数据.yaml"):
    with pytest.raises(FiguresError) as info:
        parse_figures(textwrap.dedent(text), name)
    return info.value.issues


def test_valid_file_parses_to_dataclasses():
    f = parse_figures(BASE)
    assert f.unit == "青禾县总工会"
    assert f.period.kind == "annual" and f.period.year == 2025
    fig = f.chapter("建功立业").figures[0]
    assert (fig.item, fig.value, fig.unit, fig.last_year) == ("开展劳动和技能竞赛", 43, "项", 37)
    assert f.date == dt.date(2025, 12, 18)
    assert f.signature == "青禾县总工会"  # defaults to the unit
    assert [c.name for c in f.chapters] == ["思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设"]


def test_unknown_key_suggests_the_closest_valid_one():
    (issue,) = issues(BASE + "思想:\n  亮点: [宣讲]\n")
    assert issue.line == 11 and issue.path == "思想"
    assert "不认识的键“思想”" in issue.message and "是不是“思想引领”" in issue.message


def test_unknown_nested_key_has_its_path_and_suggestion():
    text = BASE.replace("      上年: 37", "      上年数: 37")
    (issue,) = issues(text)
    assert issue.path == "建功立业.数据[1].上年数"
    assert issue.line == 8
    assert "是不是“上年”" in issue.message


@pytest.mark.parametrize("bad", ["三百", "很多", "true"])
def test_a_number_written_in_words_is_refused(bad):
    (issue,) = issues(BASE.replace("数值: 43", f"数值: {bad}"))
    assert issue.path == "建功立业.数据[1].数值" and issue.line == 6
    assert "阿拉伯数字" in issue.message or "应为数字" in issue.message


def test_numbers_with_wan_and_approximation_words_are_read():
    f = parse_figures(BASE.replace("数值: 43", "数值: 2.3万").replace("      上年: 37\n", ""))
    assert f.chapter("建功立业").figures[0].value == 23000
    for text, value, approx in [("320余", 320, "余"), ("近300", 300, "近"), ("3000多", 3000, "多"), ("1,250", 1250, "")]:
        f = parse_figures(BASE.replace("数值: 43", f"数值: {text}").replace("      上年: 37\n", ""))
        fig = f.chapter("建功立业").figures[0]
        assert (fig.value, fig.approx) == (value, approx)


def test_last_year_must_be_exact():
    (issue,) = issues(BASE.replace("上年: 37", "上年: 30余"))
    assert issue.path == "建功立业.数据[1].上年" and "确切" in issue.message


@pytest.mark.parametrize("bad", ["2025-13-40", "2025年2月30日", "明年"])
def test_a_date_that_is_not_a_date(bad):
    (issue,) = issues(BASE.replace("日期: 2025-12-18", f"日期: {bad}"))
    assert issue.path == "落款.日期" and issue.line == 10
    assert "不是有效的日期" in issue.message


def test_chinese_date_is_accepted():
    f = parse_figures(BASE.replace("日期: 2025-12-18", "日期: 2025年12月8日"))
    assert f.date == dt.date(2025, 12, 8)


def test_missing_required_fields():
    found = issues("年份: 2025\n建功立业:\n  数据:\n    - 数值: 3\n")
    paths = {i.path for i in found}
    assert "单位" in paths and "建功立业.数据[1].项目" in paths
    assert all("缺少必填项" in i.message for i in found if i.path in ("单位", "建功立业.数据[1].项目"))
    (issue,) = issues("单位: 某某县总工会\n")
    assert issue.path == "年份" and "缺少必填项" in issue.message


def test_duplicate_key_names_both_lines():
    (issue,) = issues(BASE + "单位: 另一个工会\n")
    assert issue.line == 11 and issue.path == "单位"
    assert "重复" in issue.message and "第1行" in issue.message


def test_duplicate_nested_key():
    (issue,) = issues(BASE.replace("      单位: 项\n", "      单位: 项\n      单位: 场\n"))
    assert issue.line == 8 and "重复" in issue.message


def test_yaml_syntax_error_has_line():
    (issue,) = issues("单位: 青禾县总工会\n年份: 2025\n问题: [一, 二\n打算: x\n")
    assert issue.line >= 3 and "YAML 格式错误" in issue.message
    (issue,) = issues("单位: 青禾县总工会\n年份: 2025\n建功立业:\n\t数据: []\n")
    assert issue.line == 4 and "Tab" in issue.message


def test_all_issues_reported_at_once_with_file_name_in_message():
    text = BASE.replace("数值: 43", "数值: 三百").replace("日期: 2025-12-18", "日期: 2025-02-30") + "打算s: []\n"
    with pytest.raises(FiguresError) as info:
        parse_figures(text, "我的数据.yaml")
    assert len(info.value.issues) == 3
    msg = info.value.message
    assert "我的数据.yaml 第6行，建功立业.数据[1].数值" in msg
    assert "我的数据.yaml 第10行，落款.日期" in msg
    assert "是不是“打算”" in msg
    assert isinstance(info.value, DrafterError)


def test_wrong_shapes():
    found = issues("单位: [a, b]\n年份: 二〇二五\n类型: 季度\n思想引领: 很好\n")
    by_path = {i.path: i for i in found}
    assert "应为一段文字" in by_path["单位"].message
    assert "年份" in by_path["年份"].message and by_path["年份"].line == 2
    assert "年度、半年 或 五年" in by_path["类型"].message
    assert by_path["思想引领"].line == 4


def test_series_years_and_values_are_checked():
    text = BASE.replace("      上年: 37\n", "      逐年: {2021: 30, 二〇二二: 31, 2023: 很多}\n")
    found = issues(text)
    assert {i.path for i in found} == {"建功立业.数据[1].逐年.二〇二二", "建功立业.数据[1].逐年.2023"}


def test_empty_and_missing_file(tmp_path):
    (issue,) = issues("")
    assert "空的" in issue.message
    with pytest.raises(DrafterError) as info:
        load_figures(tmp_path / "nope.yaml")
    assert "drafter init" in info.value.message


def test_gb18030_file_is_read(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(BASE.encode("gb18030"))
    assert load_figures(path).unit == "青禾县总工会"


def test_yaml_tags_are_not_executed():
    found = issues("单位: !!python/object/apply:os.system ['echo hi']\n年份: 2025\n")
    assert "YAML" in found[0].message


@pytest.mark.parametrize("kind", ["annual", "half-year", "five-year"])
def test_scaffold_is_valid_and_commented(kind):
    text = scaffold_yaml(kind, 2025)
    f = parse_figures(text)
    assert f.period.kind == kind
    assert all(not ch.empty for ch in f.chapters)
    for key in ("单位:", "类型:", "年份:", "落款:", "项目:", "数值:"):
        line = next(line for line in text.splitlines() if line.strip().lstrip("- ").startswith(key))
        assert "#" in line, f"no comment on {key}"
    if kind == "five-year":
        assert f.period.start_year == 2021 and all(len(fig.series) == 5 for ch in f.chapters for fig in ch.figures)


def test_allowed_numbers_holds_values_years_and_derived_figures():
    text = BASE.replace("数值: 43", "数值: 233000").replace("上年: 37", "上年: 200000").replace("单位: 项", "单位: 人次")
    f = parse_figures(text + "问题:\n  - 12351热线接通率不高\n")
    nums = allowed_numbers(f)
    # the value, its 万 form, last year's value, the change (16.5%), the years and the date, the writer's text
    for n in (233000, 23.3, 200000, 20, 16.5, 2025, 12, 18, 12351):
        assert float(n) in nums, n
    assert 17.0 not in nums and 2024.0 not in nums


def test_allowed_numbers_five_year_sum_and_mean():
    f = parse_figures(scaffold_yaml("five-year", 2025))
    fig = f.chapter("思想引领").figures[0]  # 48, 51, 54, 57, 60
    nums = allowed_numbers(f)
    assert sum(fig.series.values()) == 270
    assert {270.0, 54.0, 2021.0, 2025.0} <= nums


def test_series_gives_this_and_last_year_when_not_written():
    f = parse_figures(BASE.replace("      数值: 43\n", "").replace("      上年: 37\n", "      逐年: {2023: 30, 2024: 40, 2025: 50}\n"))
    fig = f.chapter("建功立业").figures[0]
    assert (fig.value, fig.last_year) == (50, 40)
    assert fig.change == "同比增长25%"


def test_control_characters_are_refused():
    (issue,) = issues(BASE + '问题:\n  - "服务\\x01不够"\n')
    assert issue.path == "问题[1]" and "控制字符" in issue.message


# ---------------------------------------------------------------- no input crashes the validator

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from drafter.figures import CHAPTER_KEYS, FIGURE_KEYS, TOP_KEYS  # noqa: E402

_keys = st.sampled_from([*TOP_KEYS, *CHAPTER_KEYS, *FIGURE_KEYS, "日期", "x", 2025, "思想"])
_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["三百", "320余", "近300", "2.3万", "2025-12-18", "2025-13-40", "", "~", "null"]),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=8))
def test_any_structure_is_either_valid_or_a_clear_error(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        parse_figures(text, "随机.yaml")
    except FiguresError as exc:
        assert exc.issues and all(i.file == "随机.yaml" and i.message for i in exc.issues)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="单位年份: -\n\t[]{}'\"#&*!|>%@`2025三百", max_size=60))
def test_any_text_is_either_valid_or_a_clear_error(text):
    try:
        parse_figures(text, "随机.yaml")
    except FiguresError as exc:
        assert exc.issues
