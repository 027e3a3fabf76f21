"""The figures file's result objects: what a validated figures file becomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import DrafterError
from ..numbers import change_phrase, format_quantity, series_phrase

# The chapters a figures file carries, in report order (the first five of model.CHAPTERS).
FIGURE_CHAPTERS: tuple[str, ...] = ("思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设")

KIND_NAMES = {"年度": "annual", "半年": "half-year", "五年": "five-year"}
KIND_LABELS = {v: k for k, v in KIND_NAMES.items()}
HALVES = ("上半年", "下半年")


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

