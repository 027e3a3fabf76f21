"""Small typed objects passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import DrafterError

# The chapter taxonomy of DOMAIN.md §2, in the order reports usually walk through it.
CHAPTERS: tuple[str, ...] = (
    "思想引领",
    "建功立业",
    "维权服务",
    "改革创新",
    "党建自身建设",
    "问题短板",
    "展望",
    "其他",
)
MAIN_CHAPTERS: tuple[str, ...] = CHAPTERS[:4]

# Short forms users type (思想, 建功 …) for the chapter names.
CHAPTER_ALIASES: dict[str, str] = {
    "思想": "思想引领",
    "建功": "建功立业",
    "维权": "维权服务",
    "服务": "维权服务",
    "改革": "改革创新",
    "党建": "党建自身建设",
    "自身建设": "党建自身建设",
    "问题": "问题短板",
    "短板": "问题短板",
    "打算": "展望",
}


def resolve_chapter(name: str) -> str:
    """A chapter name as users type it (full name, short form, or a unique part) -> the full name."""
    name = name.strip()
    matches = [c for c in CHAPTERS if name and name in c]
    if name not in CHAPTERS and name not in CHAPTER_ALIASES and len(matches) == 1:
        return matches[0]
    return _resolve(name, CHAPTERS, CHAPTER_ALIASES, "章节", lambda c, a: f"{c}（{a}）")


def _resolve(name: str, names: tuple[str, ...], aliases: dict[str, str], what: str, show) -> str:
    """``name`` if valid, else its alias; otherwise an error listing every valid name with a short form."""
    name = name.strip()
    if name in names:
        return name
    if name in aliases:
        return aliases[name]
    listed = "、".join(
        show(n, a) if (a := next((a for a, v in aliases.items() if v == n), "")) else n for n in names
    )
    raise DrafterError(f"没有名为“{name}”的{what}。可用的{what[-2:]}：{listed}。")


KINDS: tuple[str, ...] = ("annual", "half-year", "five-year", "report", "experience", "news", "speech")
# How the kinds are shown to users.
KIND_LABELS: dict[str, str] = {
    "annual": "年度总结",
    "half-year": "半年总结",
    "five-year": "五年综述",
    "report": "工作汇报",
    "experience": "经验材料",
    "news": "新闻纪实",
    "speech": "讲话",
}
# What users type for them (--kind 年度 …).
KIND_ALIASES: dict[str, str] = {
    "年度": "annual",
    "年度总结": "annual",
    "半年": "half-year",
    "半年总结": "half-year",
    "五年": "five-year",
    "综述": "five-year",
    "工作综述": "five-year",
    "汇报": "report",
    "工作汇报": "report",
    "经验": "experience",
    "经验材料": "experience",
    "新闻": "news",
    "讲话": "speech",
}


def resolve_kind(name: str) -> str:
    """A document kind as users type it (年度, 五年 … or annual, five-year …) -> its code."""
    return _resolve(name, KINDS, KIND_ALIASES, "文稿类型", lambda k, a: f"{a}（{k}）")


@dataclass
class Passage:
    """A paragraph (or a piece of a long one) of running text."""

    text: str
    chapters: list[str] = field(default_factory=list)
    line: int = 0  # 1-based line in the source where the passage starts


@dataclass
class Section:
    """A heading and the passages under it. level 0 is the text before the first heading."""

    heading: str
    level: int
    chapters: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    line: int = 0


@dataclass
class Article:
    title: str
    subtitle: str = ""
    org: str = ""
    year: int | None = None
    kind: str = ""
    sections: list[Section] = field(default_factory=list)
    line: int = 0

    @property
    def chars(self) -> int:
        return sum(len(p.text) for s in self.sections for p in s.passages)


@dataclass
class Document:
    """One source file as drafter understood it."""

    name: str  # file name shown to users
    path: str  # where it was read from
    sha256: str  # of the source bytes
    encoding: str = ""
    articles: list[Article] = field(default_factory=list)
    embedded: bool = False

    @property
    def chars(self) -> int:
        return sum(a.chars for a in self.articles)

    @property
    def title(self) -> str:
        return self.articles[0].title if self.articles else self.name

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        arts = []
        for a in data.get("articles", []):
            secs = [
                Section(
                    heading=s["heading"],
                    level=s["level"],
                    chapters=list(s.get("chapters", [])),
                    passages=[Passage(**p) for p in s.get("passages", [])],
                    line=s.get("line", 0),
                )
                for s in a.get("sections", [])
            ]
            arts.append(
                Article(
                    title=a["title"],
                    subtitle=a.get("subtitle", ""),
                    org=a.get("org", ""),
                    year=a.get("year"),
                    kind=a.get("kind", ""),
                    sections=secs,
                    line=a.get("line", 0),
                )
            )
        return cls(
            name=data["name"],
            path=data["path"],
            sha256=data["sha256"],
            encoding=data.get("encoding", ""),
            articles=arts,
            embedded=data.get("embedded", False),
        )


@dataclass(frozen=True)
class PassageRecord:
    """A passage with where it comes from: the unit the retriever indexes."""

    text: str
    chapters: tuple[str, ...]
    file: str
    article: str
    heading: str
    org: str = ""
    year: int | None = None
    kind: str = ""
