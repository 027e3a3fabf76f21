"""Set formulations (固定提法) and the matcher that finds misquoted ones.

The curated list lives in ``drafter/data/formulations.json``. Each entry gives the
right form and either literal wrong forms, regular expressions of wrong forms, or
an order rule (items that must appear in one order when all are listed together).
The matcher only reports text that is wrong: a wrong-form hit inside an occurrence
of the right form is ignored, and an order rule needs every item in one list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DrafterError
from .resources import data_dir

QUOTES = "“”\"‘’'「」『』"
_QUOTE_CLASS = "[" + re.escape(QUOTES) + "]?"
# What may stand between the items of a listed formulation: 、，和与及, quotes, spaces.
_LIST_SEP = r"[、，,和与及\s" + re.escape(QUOTES) + r"]{0,4}"


@dataclass(frozen=True)
class Formulation:
    id: str
    right: str
    category: str = ""
    note: str = ""
    wrong: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other accepted forms of an order rule


@dataclass(frozen=True)
class Misquote:
    formulation: Formulation
    start: int
    end: int
    found: str

    @property
    def message(self) -> str:
        f = self.formulation
        if f.order and not (f.wrong or f.patterns):
            what = f"顺序不对，应为“{f.right}”"
        else:
            what = f"提法不准确，应为“{f.right}”"
        return f"“{self.found}”{what}" + (f"（{f.note}）" if f.note else "")


def literal_regex(text: str) -> str:
    """A literal form as a regex in which every quote mark matches any quote style or none."""
    return "".join(_QUOTE_CLASS if ch in QUOTES else re.escape(ch) for ch in text)


def formulations_path() -> Path:
    return data_dir() / "formulations.json"


def load_formulations(path: str | Path | None = None) -> list[Formulation]:
    path = Path(path) if path else formulations_path()
    return list(_load(str(path)))


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Formulation, ...]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DrafterError(f"固定提法数据文件 {path} 无法读取：{exc}。请重新安装 drafter。") from exc
    out = []
    for i, item in enumerate(data.get("formulations", [])):
        try:
            f = Formulation(
                id=item["id"],
                right=item["right"],
                category=item.get("category", ""),
                note=item.get("note", ""),
                wrong=tuple(item.get("wrong", ())),
                patterns=tuple(item.get("patterns", ())),
                order=tuple(item.get("order", ())),
                also=tuple(item.get("also", ())),
            )
            for p in f.patterns:
                re.compile(p)
        except (KeyError, re.error) as exc:
            raise DrafterError(f"固定提法数据文件 {path} 第 {i + 1} 条有误：{exc}。") from exc
        if not (f.wrong or f.patterns or f.order):
            raise DrafterError(f"固定提法数据文件 {path} 第 {i + 1} 条（{f.id}）既无错误写法也无顺序规则。")
        out.append(f)
    return tuple(out)


class FormulationMatcher:
    """Finds misquoted set formulations in a piece of text."""

    def __init__(self, formulations: list[Formulation] | None = None):
        self.formulations = formulations if formulations is not None else load_formulations()
        self._compiled = []
        for f in self.formulations:
            wrong = [literal_regex(w) for w in f.wrong] + list(f.patterns)
            self._compiled.append(
                (
                    f,
                    re.compile("|".join(f"(?:{w})" for w in wrong)) if wrong else None,
                    re.compile(literal_regex(f.right)),
                    self._order_regex(f.order) if f.order else None,
                )
            )

    @staticmethod
    def _order_regex(items: tuple[str, ...]) -> re.Pattern:
        alt = "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))
        return re.compile(f"(?:{alt})(?:{_LIST_SEP}(?:{alt}))+")

    def find(self, text: str) -> list[Misquote]:
        hits: list[Misquote] = []
        for f, wrong_re, right_re, order_re in self._compiled:
            if wrong_re is not None:
                right_spans = [m.span() for m in right_re.finditer(text)]
                for m in wrong_re.finditer(text):
                    if any(s <= m.start() and m.end() <= e for s, e in right_spans):
                        continue
                    hits.append(Misquote(f, m.start(), m.end(), m.group()))
            if order_re is not None:
                hits.extend(self._order_hits(f, order_re, text))
        hits.sort(key=lambda h: (h.start, -h.end))
        return _drop_overlaps(hits)

    @staticmethod
    def _order_hits(f: Formulation, order_re: re.Pattern, text: str) -> list[Misquote]:
        found = []
        item_re = re.compile("|".join(re.escape(i) for i in sorted(f.order, key=len, reverse=True)))
        for m in order_re.finditer(text):
            seq = item_re.findall(m.group())
            # Only a full listing, each item once, can be misordered.
            if len(seq) != len(f.order) or set(seq) != set(f.order) or tuple(seq) == f.order:
                continue
            if any(tuple(item_re.findall(a)) == tuple(seq) for a in f.also):
                continue
            found.append(Misquote(f, m.start(), m.end(), m.group()))
        return found


def _drop_overlaps(hits: list[Misquote]) -> list[Misquote]:
    """One finding per stretch of text: the first (longest) hit wins."""
    kept: list[Misquote] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept
