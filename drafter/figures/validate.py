"""Validation of a figures file: every mistake at once, with file, line and key path."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..blocks import UNSAFE_CHARS_RE
from ..errors import DrafterError
from ..text import NUMBER_SCALE
from .model import FIGURE_CHAPTERS, HALVES, KIND_LABELS, KIND_NAMES, Chapter, Figure, Figures, FiguresError, Issue, Period
from .yaml_loader import MAX_YAML_CHARS, LineDict, parse_yaml

TOP_KEYS = ("单位", "上级单位", "类型", "年份", "半年", "起始年份", "标题", "导语", *FIGURE_CHAPTERS, "问题", "打算", "落款")
CHAPTER_KEYS = ("小标题", "数据", "亮点")
FIGURE_KEYS = ("项目", "数值", "单位", "上年", "逐年")
SIGN_KEYS = ("单位", "日期")

_NUMBER_TEXT_RE = re.compile(r"^(近|约)?\s*(\d+(?:\.\d+)?)\s*(万|亿)?\s*(余|多)?$")
_DATE_RE = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?$")

# Bounds on values (docs/limits.md): far above any union's real figures, far below what
# breaks the number formatting (decimal's 28 digits) or reads as anything but a typo.
MAX_VALUE = 1e15  # 一千万亿 (the messages say so)
MAX_TEXT_CHARS = 2_000  # one highlight, problem or plan
MAX_NAME_CHARS = 100  # 单位, 标题, 小标题, 项目 and other one-line texts
ONE_LINE_KEYS = ("单位", "标题", "小标题", "项目", "上级单位", "落款.单位")
PERCENT_UNITS = ("%", "％")


class _Checker:
    def __init__(self, name: str):
        self.name = name
        self.issues: list[Issue] = []

    def add(self, line: int, path: str, message: str) -> None:
        self.issues.append(Issue(self.name, line, path, message))

    def keys(self, mapping: LineDict, allowed: tuple[str, ...], path: str) -> None:
        for key in mapping:
            if key in allowed:
                continue
            key_text = _show(key, 40)
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
        bad = UNSAFE_CHARS_RE.search(text)
        if bad:
            # Word files cannot hold control characters; line separators would break the text apart
            code = f"U+{ord(bad.group()):04X}"
            self.add(line, path, f"含有看不见的控制字符或换行符（{code}，多半是从别处复制带来的），请删掉后重新输入这段文字。")
            return ""
        limit = MAX_NAME_CHARS if path.split("[")[0] in ONE_LINE_KEYS or path.endswith(ONE_LINE_KEYS) else MAX_TEXT_CHARS
        if len(text) > limit:
            self.add(line, path, f"太长了（{len(text)} 个字，上限 {limit} 个字）。请精简，或拆成几条。")
            return ""
        return text

    def texts(self, value: Any, line: int, path: str) -> list[str]:
        """A list of strings; a single string counts as a one-item list."""
        if value is None:
            return []
        if isinstance(value, str):
            t = self.text(value, line, path)
            return [t] if t else []
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

    def number(
        self, value: Any, line: int, path: str, allow_approx: bool = False, signed: bool = False
    ) -> tuple[float | None, str]:
        """A number, or text like 320余 / 近300 / 2.3万; returns (value, approx word).

        Refused: NaN, infinities, magnitudes above MAX_VALUE, and negatives unless ``signed``
        (a rate may fall below zero, a count never does)."""
        if value is None:
            return None, ""
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.add(line, path, f"应为数字，写成了“{_show(value)}”。")
            return None, ""
        if isinstance(value, (int, float)):
            return self._in_range(value, line, path, signed), ""
        text = str(value).strip().replace(",", "").replace("，", "")
        m = _NUMBER_TEXT_RE.match(text)
        if m and (allow_approx or not (m.group(1) or m.group(4))):
            before, num, scale, after = m.groups()
            exact = Decimal(num) * NUMBER_SCALE.get(scale or "", 1)  # 2.3亿 is 230000000, not …99.99999997
            v = self._in_range(float(min(exact, Decimal(MAX_VALUE) * 2)), line, path, signed)
            if v is not None and v == int(v):
                v = int(v)
            return v, (before or after or "") if v is not None else ""
        if m:
            self.add(line, path, f"这里只能写确切的数字，不能带“余、多、近、约”：“{_show(value)}”。")
        else:
            hint = "如 300、2.3万、320余、近300" if allow_approx else "如 300 或 2.3万"
            self.add(line, path, f"应为阿拉伯数字（{hint}），写成了“{_show(value)}”。")
        return None, ""

    def _in_range(self, value: float, line: int, path: str, signed: bool) -> float | None:
        if isinstance(value, float) and math.isnan(value):
            self.add(line, path, "不是数字（.nan）。请填写实际数值，不知道就先空着。")
        elif isinstance(value, float) and math.isinf(value):
            self.add(line, path, "不是有效的数字（.inf，无穷大）。请填写实际数值。")
        elif abs(value) > MAX_VALUE:
            self.add(line, path, "数值大得不合常理（超过一千万亿）。请检查是否多写了位数或单位。")
        elif value < 0 and not signed:
            self.add(line, path, f"不能是负数（{_show(value)}）。减少的情况请照实填写今年和上年的数值，drafter 会写出“同比下降”。")
        else:
            return value
        return None

    def integer(self, value: Any, line: int, path: str, lo: int, hi: int, required: bool = False) -> int | None:
        if value is None:
            if required:
                self.add(line, path, "不能为空，请填写。")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            text = str(value).strip().rstrip("年")
            if text.isascii() and text.isdigit() and len(text) <= 9:
                value = int(text)
            else:
                self.add(line, path, f"应为四位数的年份（阿拉伯数字，如 2025），写成了“{_show(value)}”。")
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
        self.add(line, path, f"不是有效的日期：“{_show(value)}”。请写成 2025-12-10 或 2025年12月10日。")
        return None


def _show(value: Any, limit: int = 30) -> str:
    """A value as quoted in a message: short, on one line, without invisible characters."""
    text = UNSAFE_CHARS_RE.sub("", str(value) if not isinstance(value, (dict, list)) else repr(value)[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def _mapping(chk: _Checker, value: Any, line: int, path: str) -> LineDict | None:
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
    limit = MAX_YAML_CHARS * 4  # UTF-8 takes at most four bytes a character
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)  # never more than the cap, whatever the file's size
    except OSError as exc:
        raise DrafterError(f"无法读取数据文件 {path}：{exc.strerror or exc}。") from None
    if len(raw) > limit:
        raise FiguresError([Issue(str(path), 0, "", f"文件太大（超过 {limit // 1_000_000} MB）。数据文件只需写本单位的数字和要点，请检查是否选错了文件。")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise DrafterError(f"数据文件 {path} 的编码无法识别，请另存为 UTF-8 编码。") from None
    return parse_figures(text, str(path))


def parse_figures(text: str, name: str = "数据.yaml") -> Figures:
    data = parse_yaml(text, name)
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
    unit = chk.text(mapping.get("单位"), kl.get("单位", line), f"{path}.单位")
    signed = unit in PERCENT_UNITS
    value_, approx = chk.number(mapping.get("数值"), kl.get("数值", line), f"{path}.数值", allow_approx=True, signed=signed)
    last, _ = chk.number(mapping.get("上年"), kl.get("上年", line), f"{path}.上年", signed=signed)
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
                yy = chk.integer(y, yl, f"{path}.逐年.{_show(y)}", 1949, dt.date.today().year + 1)
                vv, _ = chk.number(v, yl, f"{path}.逐年.{_show(y)}", signed=signed)
                if yy is not None and vv is not None:
                    series[yy] = vv
    return Figure(item=item, value=value_, unit=unit, approx=approx, last_year=last, series=series, line=line)


