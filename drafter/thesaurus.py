"""The union thesaurus: what a clerk types -> the words reports use for it.

    >>> th = Thesaurus.load()                    # the shipped data/thesaurus.txt
    >>> th = Thesaurus.load([Path("我的词表.txt")])  # plus the user's own files
    >>> [(e.key, e.target, e.chapter) for e in th.expansions("开职代会")]
    [('职代会', '职工代表大会', None)]

File format (docs/thesaurus.md), one group a line:

    甲 = 乙 = 丙        equivalents (abbreviation and full form): each finds the others
    甲、乙 > 丙、丁      one way (colloquial -> official): 甲 or 乙 typed also finds 丙, 丁
    [维权服务]          the chapter of the lines that follow ([通用]: none)

Keys are matched as substrings of the normalised query, so a colloquial phrase is found
however jieba splits it. The retriever (drafter.search) weights what they add below the
words typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DrafterError
from .model import resolve_chapter
from .resources import data_dir
from .text import word_automaton
from .tokenize import normalize

GENERAL = "通用"  # the section header of entries without a chapter
_SPLIT = re.compile(r"[、，,；;\s]+")
_HEADER = re.compile(r"^\[(.*)\]$")
MIN_TERM = 2  # a single character would match inside half the words of a query


@dataclass(frozen=True)
class Expansion:
    """One term a query gains: ``target`` because ``key`` was typed."""

    key: str
    target: str
    chapter: str | None  # the section the entry is in (a soft prior for the ranking)


def shipped_path() -> Path:
    return data_dir() / "thesaurus.txt"


class Thesaurus:
    """Key -> expansions, from one or more thesaurus files (later files add to earlier ones)."""

    def __init__(self, pairs: Iterable[Expansion] = ()):
        self._by_key: dict[str, list[Expansion]] = {}
        self._keys_found = None  # an Aho–Corasick automaton of the keys, made on first use
        for e in pairs:
            self._add(e)

    def _add(self, e: Expansion) -> None:
        if e.key not in self._by_key:
            self._keys_found = None
        found = self._by_key.setdefault(e.key, [])
        if e.target != e.key and all(x.target != e.target for x in found):
            found.append(e)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def keys(self) -> list[str]:
        return list(self._by_key)

    @classmethod
    def load(cls, extra: Sequence[Path] = (), *, shipped: bool = True) -> "Thesaurus":
        th = cls()
        paths = ([shipped_path()] if shipped else []) + [Path(p) for p in extra]
        for path in paths:
            for e in parse(_read(path), str(path)):
                th._add(e)
        return th

    def expansions(self, text: str) -> list[Expansion]:
        """What ``text`` gains: every entry whose key it contains, minus terms it already has.

        A key inside a longer key that also matched is skipped (快递员 in 快递员之家 is one
        thing typed, not two).
        """
        norm = normalize(text)
        keys = self._keys_in(norm)
        keys = [k for k in keys if not any(k != o and k in o for o in keys)]
        out: dict[str, Expansion] = {}
        for k in sorted(keys, key=len, reverse=True):
            for e in self._by_key[k]:
                if e.target not in norm and e.target not in out:
                    out[e.target] = e
        return list(out.values())


    def _keys_in(self, norm: str) -> list[str]:
        """The keys that occur in ``norm``, in the thesaurus's order: one pass over the text
        (a user's table may hold thousands of keys; testing each would cost per query)."""
        if self._keys_found is None:
            self._keys_found = word_automaton((key, (order, key)) for order, key in enumerate(self._by_key))
        if self._keys_found is None:  # no keys
            return []
        return [key for _, key in sorted({found for _, found in self._keys_found.iter(norm)})]


@lru_cache(maxsize=1)
def default() -> Thesaurus:
    return Thesaurus.load()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DrafterError(f"找不到同义词表文件 {path}。请检查路径。") from None
    except UnicodeDecodeError:
        raise DrafterError(f"同义词表文件 {path} 不是 UTF-8 编码的文本。请另存为 UTF-8 后再试。") from None
    except OSError as exc:
        raise DrafterError(f"无法读取同义词表文件 {path}：{exc.strerror or exc}。") from None


def _terms(side: str, where: str) -> list[str]:
    terms = [normalize(t) for t in _SPLIT.split(side) if t]
    if not terms:
        raise DrafterError(f"{where}：“=”或“>”的一边没有词。每边至少写一个词，例如：职代会 = 职工代表大会")
    short = [t for t in terms if len(t) < MIN_TERM]
    if short:
        raise DrafterError(f"{where}：“{short[0]}”只有一个字，会误配很多词。请写至少两个字的词。")
    return terms


def parse(text: str, source: str = "同义词表") -> list[Expansion]:
    """The entries of a thesaurus file; a bad line raises DrafterError naming file and line."""
    chapter: str | None = None
    out: list[Expansion] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"同义词表 {source} 第 {n} 行"
        header = _HEADER.match(line)
        if header:
            name = header.group(1).strip()
            if name == GENERAL:
                chapter = None
                continue
            try:
                chapter = resolve_chapter(name)
            except DrafterError as exc:
                raise DrafterError(f"{where}：章节“{name}”无法识别。{exc.message}") from None
            continue
        if ">" in line and "=" in line:
            raise DrafterError(f"{where}：一行里同时有“=”和“>”。请分成两行：同义的用“=”，单向的用“>”。")
        if ">" in line:
            parts = line.split(">")
            if len(parts) != 2:
                raise DrafterError(f"{where}：“>”只能有一个，例如：快递小哥、外卖骑手 > 新就业形态劳动者")
            keys, targets = (_terms(p, where) for p in parts)
            out += [Expansion(k, t, chapter) for k in keys for t in targets]
        elif "=" in line:
            terms = [t for side in line.split("=") for t in _terms(side, where)]
            out += [Expansion(k, t, chapter) for k in terms for t in terms if k != t]
        else:
            raise DrafterError(
                f"{where}：“{line}”既没有“=”也没有“>”。"
                "同义词写成“职代会 = 职工代表大会”，口语到正式说法写成“快递小哥 > 新就业形态劳动者”。"
            )
    return out
