"""The user's figures file: YAML with Chinese keys, validated before anything is written.

Every mistake is reported in Chinese with the file, the line and the key path
(建功立业.数据[2].数值), and all of them at once, so that one run shows the writer
everything to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DrafterError
from .numbers import change_phrase, format_quantity, numbers_in, series_phrase

# The chapters a figures file carries, in report order (the first five of model.CHAPTERS).
FIGURE_CHAPTERS: tuple[str, ...] = ("思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设")

KIND_NAMES = {"年度": "annual", "半年": "half-year", "五年": "five-year"}
KIND_LABELS = {v: k for k, v in KIND_NAMES.items()}
HALVES = ("上半年", "下半年")

TOP_KEYS = ("单位", "上级单位", "类型", "年份", "半年", "起始年份", "标题", "导语", *FIGURE_CHAPTERS, "问题", "打算", "落款")
CHAPTER_KEYS = ("小标题", "数据", "亮点")
FIGURE_KEYS = ("项目", "数值", "单位", "上年", "逐年")
SIGN_KEYS = ("单位", "日期")

_NUMBER_TEXT_RE = re.compile(r"^(近|约)?\s*(\d+(?:\.\d+)?)\s*(万|亿)?\s*(余|多)?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATE_RE = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?$")


# ---------------------------------------------------------------- result objects


@dataclass
class Figure:
    item: str  # what was counted, in the writer's words: 开展劳模工匠宣讲
    value: float | None  # None: the writer left it empty (becomes 【待补充】)
    unit: str = ""
    approx: str = ""  # 余/多/近/约 exactly as the writer wrote it, else ""
    last_year: float | None = None
    series: dict[int, float] = field(default_factory=dict)
    line: int = 0

    @property
    def quantity(self) -> str:
        """The value with its unit: 23.3万人次; empty when the value is missing."""
        if self.value is None:
            return ""
        return format_quantity(self.value, self.unit, self.approx)

    @property
    def change(self) -> str:
        """同比增长/下降 X% against last year's value, or ''."""
        if self.value is None or self.last_year is None:
            return ""
        return change_phrase(self.value, self.last_year, self.unit)

    @property
    def series_text(self) -> str:
        """累计 … ，年均 … over the series by year, or ''."""
        return series_phrase(self.series, self.unit) if len(self.series) >= 2 else ""


@dataclass
class Chapter:
    name: str
    heading: str = ""  # the writer's own sub-heading, if given
    figures: list[Figure] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.figures and not self.highlights


@dataclass
class Period:
    kind: str  # annual | half-year | five-year
    year: int  # the (last) year reported on
    half: str = ""  # 上半年 / 下半年 for half-year reports
    start_year: int | None = None  # first year of a five-year span

    @property
    def label(self) -> str:
        """2025年, 2025年上半年, 2021—2025年."""
        if self.kind == "five-year":
            return f"{self.start_year}—{self.year}年"
        if self.kind == "half-year":
            return f"{self.year}年{self.half}"
        return f"{self.year}年"


@dataclass
class Figures:
    unit: str
    period: Period
    reports_to: list[str] = field(default_factory=list)
    title: str = ""
    intro: str = ""
    chapters: list[Chapter] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    signature: str = ""
    date: dt.date | None = None
    path: str = ""

    def chapter(self, name: str) -> Chapter:
        for ch in self.chapters:
            if ch.name == name:
                return ch
        raise KeyError(name)

    def user_texts(self) -> list[str]:
        """Every string the writer typed (for the guard and the number check)."""
        out = [self.unit, self.title, self.intro, self.signature, *self.reports_to, *self.problems, *self.plans]
        for ch in self.chapters:
            out.append(ch.heading)
            out.extend(ch.highlights)
            for f in ch.figures:
                out += [f.item, f.unit]
        return [t for t in out if t]


@dataclass
class Issue:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} 第{self.line}行" if self.line else self.file
        return f"{where}，{self.path}：{self.message}" if self.path else f"{where}：{self.message}"


class FiguresError(DrafterError):
    """One or more mistakes in a figures file; ``issues`` lists each of them."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        head = f"数据文件有 {len(issues)} 处需要修改（未生成任何文件）：" if len(issues) > 1 else "数据文件需要修改（未生成任何文件）："
        super().__init__(head + "\n" + "\n".join(f"  - {i}" for i in issues))


# ---------------------------------------------------------------- YAML loading with line numbers


class _LineDict(dict):
    """A mapping that remembers the line of each key (1-based) and its own line."""

    line: int = 0
    key_lines: dict


class _LineList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    """SafeLoader that records line numbers, rejects duplicate keys, and keeps dates as text
    (so that 2025-13-40 is reported as a bad date with its line, not a crash)."""


# Dates are validated by us; drop the implicit timestamp resolver from our subclass only.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int):
        self.key, self.line, self.first = key, line, first


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in out.key_lines:
            raise _DuplicateKey(key, line, out.key_lines[key])
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _LineList:
    out = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except _DuplicateKey as exc:
        raise FiguresError(
            [Issue(name, exc.line, str(exc.key), f"键“{exc.key}”重复出现（第{exc.first}行已有）。请删掉或合并其中一个。")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = _yaml_problem(exc)
        raise FiguresError(
            [Issue(name, line, "", f"YAML 格式错误（{what}）。请检查这一行及上一行的缩进、冒号和引号；冒号后要有空格。")]
        ) from None
    except yaml.YAMLError as exc:
        raise FiguresError([Issue(name, 0, "", f"YAML 格式错误：{exc}")]) from None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").lower()
    context = (exc.context or "").lower()
    if "tab" in problem or "'\\t'" in problem:
        return "用了制表符 Tab 缩进，请改用空格"
    if "quoted scalar" in context:
        return "引号没有闭合"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return "方括号或花括号没有闭合，或缺少逗号"
    if "expected <block end>" in problem:
        return "缩进不一致"
    if "mapping values are not allowed" in problem:
        return "冒号位置不对，可能缺少缩进或多了冒号"
    if "could not find expected ':'" in problem:
        return "缺少冒号"
    if "found unexpected end of stream" in problem or "found unexpected end" in problem:
        return "引号或括号没有闭合"
    return exc.problem or "无法解析"


# ---------------------------------------------------------------- validation


class _Checker:
    def __init__(self, name: str):
        self.name = name
        self.issues: list[Issue] = []

    def add(self, line: int, path: str, message: str) -> None:
        self.issues.append(Issue(self.name, line, path, message))

    def keys(self, mapping: _LineDict, allowed: tuple[str, ...], path: str) -> None:
        for key in mapping:
            if key in allowed:
                continue
            key_text = str(key)
            close = difflib.get_close_matches(key_text, allowed, n=1, cutoff=0.3)
            if not close:
                close = [a for a in allowed if key_text and (key_text in a or a in key_text)][:1]
            hint = f"是不是“{close[0]}”？" if close else ""
            where = f"{path}.{key_text}" if path else key_text
            self.add(
                mapping.key_lines.get(key, mapping.line),
                where,
                f"不认识的键“{key_text}”。{hint}可用的键：{'、'.join(allowed)}。",
            )

    def text(self, value: Any, line: int, path: str, required: bool = False) -> str:
        if value is None:
            if required:
                self.add(line, path, "不能为空，请填写。")
            return ""
        if isinstance(value, (dict, list)):
            self.add(line, path, "应为一段文字，不是列表或下级项。")
            return ""
        if isinstance(value, bool):
            self.add(line, path, "应为一段文字；如果是 yes/no 等词，请加引号。")
            return ""
        text = str(value).strip()
        if _CONTROL_RE.search(text):
            # Word files cannot hold these characters at all
            self.add(line, path, "含有看不见的控制字符（多半是从别处复制带来的），请删掉后重新输入这段文字。")
            return ""
        return text

    def texts(self, value: Any, line: int, path: str) -> list[str]:
        """A list of strings; a single string counts as a one-item list."""
        if value is None:
            return []
        if isinstance(value, str):
            return [value.strip()] if value.strip() else []
        if not isinstance(value, list):
            self.add(line, path, "应为列表，每条一行，以“- ”开头。")
            return []
        lines = getattr(value, "item_lines", [line] * len(value))
        out = []
        for i, (item, ln) in enumerate(zip(value, lines)):
            t = self.text(item, ln, f"{path}[{i + 1}]")
            if t:
                out.append(t)
        return out

    def number(self, value: Any, line: int, path: str, allow_approx: bool = False) -> tuple[float | None, str]:
        """A number, or text like 320余 / 近300 / 2.3万; returns (value, approx word)."""
        if value is None:
            return None, ""
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.add(line, path, f"应为数字，写成了“{value}”。")
            return None, ""
        if isinstance(value, (int, float)):
            return value, ""
        text = str(value).strip().replace(",", "").replace("，", "")
        m = _NUMBER_TEXT_RE.match(text)
        if m and (allow_approx or not (m.group(1) or m.group(4))):
            before, num, scale, after = m.groups()
            v = float(num) * {"万": 10_000, "亿": 100_000_000}.get(scale or "", 1)
            v = int(v) if v == int(v) else v
            return v, before or after or ""
        if m:
            self.add(line, path, f"这里只能写确切的数字，不能带“余、多、近、约”：“{value}”。")
        else:
            hint = "如 300、2.3万、320余、近300" if allow_approx else "如 300 或 2.3万"
            self.add(line, path, f"应为阿拉伯数字（{hint}），写成了“{value}”。")
        return None, ""

    def integer(self, value: Any, line: int, path: str, lo: int, hi: int, required: bool = False) -> int | None:
        if value is None:
            if required:
                self.add(line, path, "不能为空，请填写。")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            text = str(value).strip().rstrip("年")
            if text.isdigit():
                value = int(text)
            else:
                self.add(line, path, f"应为四位数的年份（阿拉伯数字，如 2025），写成了“{value}”。")
                return None
        if not lo <= value <= hi:
            self.add(line, path, f"年份 {value} 不在 {lo}—{hi} 之间，请检查。")
            return None
        return value

    def date(self, value: Any, line: int, path: str) -> dt.date | None:
        if value is None:
            return None
        m = _DATE_RE.match(str(value).strip())
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                pass
        self.add(line, path, f"不是有效的日期：“{value}”。请写成 2025-12-10 或 2025年12月10日。")
        return None


def _mapping(chk: _Checker, value: Any, line: int, path: str) -> _LineDict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        chk.add(line, path, "应为下级项（换行后缩进两格写“键: 值”），不是一段文字或列表。")
        return None
    return value


def load_figures(path: str | Path) -> Figures:
    """Read and validate a figures file; raise FiguresError listing every mistake."""
    path = Path(path)
    if not path.is_file():
        raise DrafterError(f"找不到数据文件 {path}。可以先用 drafter init {path} 生成一份模板。")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise DrafterError(f"数据文件 {path} 的编码无法识别，请另存为 UTF-8 编码。") from None
    return parse_figures(text, str(path))


def parse_figures(text: str, name: str = "数据.yaml") -> Figures:
    data = _parse_yaml(text, name)
    chk = _Checker(name)
    if data is None:
        raise FiguresError([Issue(name, 0, "", "文件是空的。可以先用 drafter init 生成一份模板再填写。")])
    if not isinstance(data, dict):
        raise FiguresError([Issue(name, 1, "", "文件最外层应为“键: 值”的形式（如“单位: 某某县总工会”）。")])
    kl = data.key_lines
    chk.keys(data, TOP_KEYS, "")

    unit = chk.text(data.get("单位"), kl.get("单位", 1), "单位", required="单位" in data)
    if "单位" not in data:
        chk.add(1, "单位", "缺少必填项“单位”（本单位全称，如 某某县总工会）。")

    kind_text = chk.text(data.get("类型", "年度"), kl.get("类型", 1), "类型")
    kind = KIND_NAMES.get(kind_text) or (kind_text if kind_text in KIND_LABELS else None)
    if kind is None:
        chk.add(kl.get("类型", 1), "类型", f"应为 年度、半年 或 五年 之一，写成了“{kind_text}”。")
        kind = "annual"

    this_year = dt.date.today().year
    year = chk.integer(data.get("年份"), kl.get("年份", 1), "年份", 1949, this_year + 1, required="年份" in data)
    if "年份" not in data:
        chk.add(1, "年份", "缺少必填项“年份”（报告所写的年份，五年综述写最后一年，如 2025）。")
    half = ""
    if kind == "half-year":
        half = chk.text(data.get("半年", "上半年"), kl.get("半年", 1), "半年")
        if half not in HALVES:
            chk.add(kl.get("半年", 1), "半年", f"应为 上半年 或 下半年，写成了“{half}”。")
    start = None
    if kind == "five-year":
        start = chk.integer(data.get("起始年份"), kl.get("起始年份", 1), "起始年份", 1949, this_year + 1)
        if start is None and year is not None and "起始年份" not in data:
            start = year - 4
        if start is not None and year is not None and start >= year:
            chk.add(kl.get("起始年份", 1), "起始年份", f"起始年份 {start} 应早于年份 {year}。")

    reports_to = chk.texts(data.get("上级单位"), kl.get("上级单位", 1), "上级单位")

    chapters = []
    for name_ in FIGURE_CHAPTERS:
        chapters.append(_chapter(chk, name_, data.get(name_), kl.get(name_, 1)))

    problems = chk.texts(data.get("问题"), kl.get("问题", 1), "问题")
    plans = chk.texts(data.get("打算"), kl.get("打算", 1), "打算")

    signature, date = unit, None
    sign = _mapping(chk, data.get("落款"), kl.get("落款", 1), "落款")
    if sign is not None:
        chk.keys(sign, SIGN_KEYS, "落款")
        signature = chk.text(sign.get("单位"), sign.key_lines.get("单位", sign.line), "落款.单位") or unit
        date = chk.date(sign.get("日期"), sign.key_lines.get("日期", sign.line), "落款.日期")

    if chk.issues:
        raise FiguresError(chk.issues)
    _fill_from_series(chapters, year)
    return Figures(
        unit=unit,
        period=Period(kind=kind, year=year, half=half, start_year=start),
        reports_to=reports_to,
        title=chk.text(data.get("标题"), kl.get("标题", 1), "标题"),
        intro=chk.text(data.get("导语"), kl.get("导语", 1), "导语"),
        chapters=chapters,
        problems=problems,
        plans=plans,
        signature=signature,
        date=date,
        path=name,
    )


def _fill_from_series(chapters: list[Chapter], year: int) -> None:
    """A series by year also gives this year's value and last year's (for 同比) when not written."""
    for ch in chapters:
        for f in ch.figures:
            if f.value is None and year in f.series:
                f.value = f.series[year]
            if f.last_year is None and not f.approx and f.value is not None and (year - 1) in f.series:
                f.last_year = f.series[year - 1]


def _chapter(chk: _Checker, name: str, value: Any, line: int) -> Chapter:
    ch = Chapter(name=name)
    mapping = _mapping(chk, value, line, name)
    if mapping is None:
        return ch
    kl = mapping.key_lines
    chk.keys(mapping, CHAPTER_KEYS, name)
    ch.heading = chk.text(mapping.get("小标题"), kl.get("小标题", line), f"{name}.小标题")
    ch.highlights = chk.texts(mapping.get("亮点"), kl.get("亮点", line), f"{name}.亮点")
    items = mapping.get("数据")
    if items is None:
        return ch
    if not isinstance(items, list):
        chk.add(kl.get("数据", line), f"{name}.数据", "应为列表，每项以“- 项目: …”开头。")
        return ch
    for i, (item, ln) in enumerate(zip(items, items.item_lines)):
        fig = _figure(chk, item, ln, f"{name}.数据[{i + 1}]")
        if fig is not None:
            ch.figures.append(fig)
    return ch


def _figure(chk: _Checker, value: Any, line: int, path: str) -> Figure | None:
    mapping = _mapping(chk, value, line, path)
    if mapping is None:
        if value is None:
            chk.add(line, path, "这一项是空的，请填写“项目”和“数值”，或删掉这一行。")
        return None
    kl = mapping.key_lines
    chk.keys(mapping, FIGURE_KEYS, path)
    item = chk.text(mapping.get("项目"), kl.get("项目", line), f"{path}.项目", required="项目" in mapping)
    if "项目" not in mapping:
        chk.add(line, f"{path}.项目", "缺少必填项“项目”（做了什么，如 开展劳模工匠宣讲）。")
    value_, approx = chk.number(mapping.get("数值"), kl.get("数值", line), f"{path}.数值", allow_approx=True)
    last, _ = chk.number(mapping.get("上年"), kl.get("上年", line), f"{path}.上年")
    if approx and last is not None:
        chk.add(kl.get("上年", line), f"{path}.上年", "数值是约数（余、多、近、约）时无法计算同比，请写确切数值或删去“上年”。")
        last = None
    series: dict[int, float] = {}
    raw_series = mapping.get("逐年")
    if raw_series is not None:
        sline = kl.get("逐年", line)
        if not isinstance(raw_series, dict):
            chk.add(sline, f"{path}.逐年", "应为“年份: 数值”的下级项，如 2021: 120。")
        else:
            for y, v in raw_series.items():
                yl = raw_series.key_lines.get(y, sline)
                yy = chk.integer(y, yl, f"{path}.逐年.{y}", 1949, dt.date.today().year + 1)
                vv, _ = chk.number(v, yl, f"{path}.逐年.{y}")
                if yy is not None and vv is not None:
                    series[yy] = vv
    unit = chk.text(mapping.get("单位"), kl.get("单位", line), f"{path}.单位")
    return Figure(item=item, value=value_, unit=unit, approx=approx, last_year=last, series=series, line=line)


# ---------------------------------------------------------------- numbers the body may contain


def allowed_numbers(figures: Figures) -> set[float]:
    """Every number a draft made from ``figures`` may contain, as floats.

    The writer's own values (and their 万/亿 forms), years and dates, and everything
    derived from them (同比 percentages, 累计, 年均), plus any number in a text the writer
    typed. A number in a draft body that is not in this set was not the unit's own.
    For the check command: compare numbers read with ``drafter.numbers.numbers_in``.
    """
    texts = list(figures.user_texts())
    p = figures.period
    years = [p.year] if p.year else []
    if p.start_year:
        years += list(range(p.start_year, p.year + 1))
    texts.append(p.label)
    if figures.date:
        texts.append(f"{figures.date.year}年{figures.date.month}月{figures.date.day}日")
    for ch in figures.chapters:
        for f in ch.figures:
            years += list(f.series)
            for v in (f.value, f.last_year, *f.series.values()):
                if v is not None:
                    texts.append(format_quantity(v, f.unit))
                    texts.append(str(v))
            texts += [f.quantity, f.change, f.series_text]
    out = {float(y) for y in years}
    for t in texts:
        out.update(numbers_in(t))
    return out


# ---------------------------------------------------------------- scaffold for `drafter init`

_SCAFFOLD_HEAD = """\
# 工作报告数据文件（由 drafter init 生成）。把示例内容换成本单位的真实情况，然后运行：
#   drafter draft {name} -o 初稿.docx
# 规则：冒号后留一个空格；缩进用空格不用 Tab；数字用阿拉伯数字（300、2.3万）；
#       约数照实写“320余”“近300”，drafter 不会自己加“余、多、近”。
#       不需要的项可以删掉；缺的数字会在初稿中标黄写成【待补充：…】。

单位: 某某县总工会            # 必填：本单位全称，用于标题、导语和落款
上级单位: [县委, 市总工会]    # 选填：领导本单位的党委和上级工会，写进导语“在……的坚强领导下”
类型: {kind_label}                    # 必填：年度、半年 或 五年
{period}# 标题: 某某县总工会工作总结  # 选填：不写则按单位和年份自动生成
# 导语: ……                    # 选填：开头一段话；不写则用通用导语
"""

_PERIODS = {
    "annual": "年份: {year}                    # 必填：总结的年份\n",
    "half-year": "年份: {year}                    # 必填：总结的年份\n半年: 上半年                  # 必填：上半年 或 下半年\n",
    "five-year": "年份: {year}                    # 必填：五年中的最后一年\n起始年份: {start}                # 选填：五年中的第一年，不写则为 年份-4\n",
}

# One figure per chapter is enough to show the shape; values are invented.
_SCAFFOLD_CHAPTERS = {
    "思想引领": ("组织劳模工匠宣讲", 60, "场", 48, "组建职工宣讲队，深入企业车间开展主题宣讲"),
    "建功立业": ("开展劳动和技能竞赛", 30, "项", 26, "围绕重点项目开展立功竞赛"),
    "维权服务": ("慰问困难职工和一线职工", 3200, "人次", 2900, "建成户外劳动者服务站点，夏季开展送清凉活动"),
    "改革创新": ("新建基层工会", 25, "家", 21, "推进新就业形态劳动者入会，上线网上入会服务"),
    "党建自身建设": ("开展廉政教育", 6, "次", 5, "开展“清廉工会”建设，机关干部定期下基层调研"),
}


_CHAPTER_NOTES = {
    "思想引领": "思想政治引领、宣讲、职工文化（整章不写则初稿中留【待补充】）",
    "建功立业": "劳动和技能竞赛、工匠劳模、职工创新",
    "维权服务": "法律援助、集体协商、帮扶慰问、服务站点",
    "改革创新": "基层组织建设、建会入会、智慧工会",
    "党建自身建设": "党风廉政、作风建设、机关建设",
}


def scaffold_yaml(kind: str = "annual", year: int | None = None, name: str = "数据.yaml") -> str:
    """A filled-in figures file for a fictional unit, a Chinese comment on every field."""
    if kind not in KIND_LABELS:
        raise DrafterError(f"报告类型应为 annual、half-year 或 five-year，写成了“{kind}”。")
    year = year or dt.date.today().year
    start = year - 4
    out = [_SCAFFOLD_HEAD.format(name=name, kind_label=KIND_LABELS[kind], period=_PERIODS[kind].format(year=year, start=start))]
    first = True
    for chapter, (item, value, unit, last, highlight) in _SCAFFOLD_CHAPTERS.items():
        out.append(f"\n{chapter}:   # {_CHAPTER_NOTES[chapter]}\n")
        if first:
            out.append("  # 小标题: 自己拟的小标题     # 选填：不写则用模板的通用小标题\n")
        out.append("  数据:" + ("                         # 本章的数字，每项以“- 项目:”开头" if first else "") + "\n")
        out.append(f"    - 项目: {item}" + ("      # 必填：做了什么（动宾短语，数字接在后面）" if first else "") + "\n")
        out.append(f"      数值: {value}" + ("                # 数字；约数写 320余 或 近300；不知道先空着" if first else "") + "\n")
        out.append(f"      单位: {unit}" + ("                # 选填：场、项、人次、万元、% ……" if first else "") + "\n")
        if kind == "five-year":
            series = ", ".join(f"{y}: {round(value * (0.8 + 0.05 * (y - start)))}" for y in range(start, year + 1))
            out.append(f"      逐年: {{{series}}}" + ("   # 选填：五年逐年数值，用于“累计”“年均”" if first else "") + "\n")
        else:
            out.append(f"      上年: {last}" + ("                # 选填：上年同期数值，用于“同比增长/下降”" if first else "") + "\n")
        out.append("  亮点:" + ("                         # 本章的做法和亮点，用自己的话，每条一行" if first else "") + "\n")
        out.append(f"    - {highlight}\n")
        first = False
    out.append(
        "\n问题:                           # 存在的问题和不足，每条一行\n"
        "  - 基层工会服务职工的能力还不平衡\n"
        "\n打算:                           # 下一步工作打算，每条一行\n"
        "  - 持续深化产业工人队伍建设改革\n"
        "\n落款:                           # 文末署名和日期\n"
        "  单位: 某某县总工会            # 选填：不写则用上面的“单位”\n"
        f"  日期: {year}-12-20              # 成文日期，如 2025-12-20 或 2025年12月20日；不写则留【待补充】\n"
    )
    return "".join(out)
