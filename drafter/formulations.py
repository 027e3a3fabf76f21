"""Set formulations (固定提法) and the matcher that finds misquoted ones.

The curated bank lives in ``drafter/data/formulations.json``; a user may add their own in
a JSON or YAML file of the same shape (``--formulations FILE``). Each entry gives the right
form, where it comes from, a right and a wrong example, and how wrong forms are found:

- literal wrong forms (``wrong``) and regular expressions of wrong forms (``patterns``);
- an order rule (``order``): items that must appear in one order when all are listed;
- fuzzy matching (every entry that is not an order rule, unless ``"fuzzy": false``): the
  right form with one character (two, for forms of 10 characters or more) wrong, missing,
  extra or swapped. Candidates are found with an Aho–Corasick automaton (pyahocorasick)
  over pieces of each right form — by the pigeonhole principle a form with k edits keeps
  one of k+1 pieces intact — and measured with rapidfuzz's optimal-string-alignment
  distance. Forms of under 6 characters (“两个维护”) are matched fuzzily only in quotes.

The matcher only reports text that is wrong: a wrong-form hit inside an occurrence of the
right form is ignored, a fuzzy candidate that is itself the right form of some entry (or
one of its ``also`` forms) is not a misquote, and an order rule needs every item in one list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import DrafterError
from .resources import data_dir
from .text import word_automaton

QUOTES = "“”\"‘’'「」『』"
_QUOTE_CLASS = "[" + re.escape(QUOTES) + "]?"
# What may stand between the items of a listed formulation: 、，和与及, quotes, spaces.
_LIST_SEP = r"[、，,和与及\s" + re.escape(QUOTES) + r"]{0,4}"
FUZZY_MIN = 4  # shorter right forms are matched exactly only
FUZZY_QUOTED_BELOW = 6  # right forms shorter than this are matched fuzzily only inside quotes
_KEYS = {"id", "right", "category", "note", "source", "wrong", "patterns", "order", "also", "cases", "fuzzy"}


@dataclass(frozen=True)
class Formulation:
    id: str
    right: str
    category: str = ""
    note: str = ""
    wrong: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other accepted forms (of an order rule, or near the right form)
    source: str = ""  # the document the right form comes from
    cases: tuple[tuple[str, str], ...] = ()  # (a right sentence, a wrong sentence)
    fuzzy: bool = True

    @property
    def is_fuzzy(self) -> bool:
        return self.fuzzy and not self.order and len(fold(self.right)) >= FUZZY_MIN


@dataclass(frozen=True)
class Misquote:
    formulation: Formulation
    start: int
    end: int
    found: str
    fuzzy: bool = False

    @property
    def message(self) -> str:
        f = self.formulation
        if f.order and not (f.wrong or f.patterns):
            what = f"顺序不对，应为“{f.right}”"
        elif self.fuzzy:
            what = f"疑似错字、漏字或多字，应为“{f.right}”"
        else:
            what = f"提法不准确，应为“{f.right}”"
        return f"“{self.found}”{what}" + (f"（{f.note}）" if f.note else "")

    @property
    def replacement(self) -> str | None:
        """The text to put in place of ``found``, where it stands for the whole right form.

        None for an order error (the writer reorders), for text with quote marks (the
        writer's own quotes stay), and for a curated wrong form that is only part of the
        formulation (12315 for 12351职工服务热线: replacing it would double the rest).
        """
        f = self.formulation
        right = fold(f.right)
        if (f.order and not (f.wrong or f.patterns)) or fold(self.found) != self.found:
            return None
        if self.fuzzy or (self.found[0] == right[0] and self.found[-1] == right[-1]):
            return right
        return None


def fold(text: str) -> str:
    """Text without quote marks (formulations are compared with quotes ignored)."""
    return text.translate(_NO_QUOTES)


_NO_QUOTES = str.maketrans("", "", QUOTES)


def literal_regex(text: str) -> str:
    """A literal form as a regex in which every quote mark matches any quote style or none."""
    return "".join(_QUOTE_CLASS if ch in QUOTES else re.escape(ch) for ch in text)


def formulations_path() -> Path:
    return data_dir() / "formulations.json"


def load_formulations(path: str | Path | None = None, extra: str | Path | None = None) -> list[Formulation]:
    """The bank at ``path`` (default: the shipped one), extended by the user's file ``extra``.

    An entry of ``extra`` with the id of a shipped entry replaces it.
    """
    bank = list(_load(str(Path(path) if path else formulations_path()), shipped=path is None))
    if extra:
        own = _load(str(Path(extra)), shipped=False)
        ids = {f.id for f in own}
        bank = [f for f in bank if f.id not in ids] + list(own)
    return bank


@lru_cache(maxsize=8)
def _load(path: str, shipped: bool) -> tuple[Formulation, ...]:
    where = f"固定提法文件 {path}"
    fix = "请重新安装 drafter。" if shipped else "请按 drafter/data/formulations.json 的格式修改。"
    items, lines = _read_entries(Path(path), where, fix)
    out, seen = [], {}
    for i, item in enumerate(items):
        at = f"{where} 第 {i + 1} 条" + (f"（第 {lines[i]} 行）" if lines and i < len(lines) else "")
        f = _entry(item, at, fix)
        if f.id in seen:
            raise DrafterError(f"{at}：编号“{f.id}”与第 {seen[f.id]} 条重复。请换一个编号。")
        seen[f.id] = i + 1
        out.append(f)
    return tuple(out)


def _read_entries(path: Path, where: str, fix: str) -> tuple[list, list[int]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DrafterError(f"找不到{where}。请检查路径。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DrafterError(f"{where} 无法读取（{exc}）。请保存为 UTF-8 编码的 JSON 或 YAML 文件。") from exc
    lines: list[int] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(raw)
            node = yaml.compose(raw)  # safe: builds nodes only; gives each entry its line
        except yaml.YAMLError as exc:
            raise DrafterError(f"{where} 不是有效的 YAML：{exc}。{fix}") from exc
        seq = _mapping_value(node, "formulations")
        if seq is not None and isinstance(seq, yaml.SequenceNode):
            lines = [n.start_mark.line + 1 for n in seq.value]
    else:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise DrafterError(f"{where} 不是有效的 JSON（{exc}）。{fix}") from exc
        # JSON gives no positions: an entry's line is where its "id" key stands, when every
        # entry has one (then the n-th "id" is the n-th entry's).
        starts = [m.start() for m in re.finditer(r'"id"\s*:', raw)]
        items = data.get("formulations") if isinstance(data, dict) else None
        if isinstance(items, list) and len(starts) == len(items):
            lines = [raw.count("\n", 0, i) + 1 for i in starts]
    if not isinstance(data, dict) or not isinstance(data.get("formulations"), list):
        raise DrafterError(f"{where} 的最外层应有“formulations”列表。{fix}")
    return data["formulations"], lines


def _mapping_value(node, key: str):
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return None


def _strings(item: dict, key: str, at: str) -> tuple[str, ...]:
    value = item.get(key, ())
    if isinstance(value, str) or not all(isinstance(x, str) and x for x in value):
        raise DrafterError(f"{at}：“{key}”应是非空文字的列表，例如 [\"错误写法一\", \"错误写法二\"]。")
    return tuple(value)


def _entry(item, at: str, fix: str) -> Formulation:
    if not isinstance(item, dict):
        raise DrafterError(f"{at}：应是一个含 id、right 等字段的对象。{fix}")
    unknown = set(item) - _KEYS
    if unknown:
        raise DrafterError(f"{at}：不认识的字段 {'、'.join(sorted(unknown))}。可用字段：{'、'.join(sorted(_KEYS))}。")
    for key in ("id", "right"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise DrafterError(f"{at}：缺少“{key}”（应为非空文字）。{fix}")
    cases = item.get("cases", {})
    if not isinstance(cases, dict) or not all(isinstance(cases.get(k, ""), str) for k in ("right", "wrong")):
        raise DrafterError(f"{at}：“cases”应为 {{\"right\": \"正确例句\", \"wrong\": \"错误例句\"}}。")
    f = Formulation(
        id=item["id"],
        right=item["right"],
        category=str(item.get("category", "")),
        note=str(item.get("note", "")),
        wrong=_strings(item, "wrong", at),
        patterns=_strings(item, "patterns", at),
        order=_strings(item, "order", at),
        also=_strings(item, "also", at),
        source=str(item.get("source", "")),
        cases=((cases["right"], cases["wrong"]),) if cases.get("right") and cases.get("wrong") else (),
        fuzzy=bool(item.get("fuzzy", True)),
    )
    for p in f.patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise DrafterError(f"{at}（{f.id}）：“patterns”中的正则表达式“{p}”有误：{exc}。") from exc
    if not (f.wrong or f.patterns or f.order or f.is_fuzzy):
        raise DrafterError(f"{at}（{f.id}）：既无错误写法，也无顺序规则，且太短不能模糊匹配。请补充“wrong”。")
    return f


@dataclass
class _Fuzzy:
    """The fuzzy part of a matcher: pieces of each right form in one automaton."""

    forms: list[tuple[Formulation, str, int]]  # (formulation, folded right form, edits allowed)
    exempt: set[str] = field(default_factory=set)  # texts that are right forms, never misquotes
    automaton: object = None
    short: list[int] = field(default_factory=list)  # forms matched in quotes only

    def build(self) -> "_Fuzzy":
        pieces: dict[str, list[tuple[int, int]]] = {}
        for idx, (_, right, k) in enumerate(self.forms):
            if len(right) < FUZZY_QUOTED_BELOW:
                continue  # short forms: compared with quoted stretches instead (see find)
            # 2k+1 pieces: k edits, a swap touching two pieces, leave one piece intact.
            n = 2 * k + 1
            cuts = [round(j * len(right) / n) for j in range(n + 1)]
            for a, b in zip(cuts, cuts[1:]):
                pieces.setdefault(right[a:b], []).append((idx, a))
        self.automaton = word_automaton((piece, (len(piece), where)) for piece, where in pieces.items())
        self.short = [i for i, (_, right, _k) in enumerate(self.forms) if len(right) < FUZZY_QUOTED_BELOW]
        return self

    def find(self, text: str) -> list[Misquote]:
        from rapidfuzz.distance import OSA

        folded, pos = [], []
        for i, ch in enumerate(text):
            if ch not in _SKIP:
                folded.append(ch)
                pos.append(i)
        s = "".join(folded)
        # (form, candidate start, candidate end) in folded text -> distance
        found: dict[tuple[int, int, int], int] = {}
        for end, (size, where) in self.automaton.iter(s) if self.automaton is not None else ():
            p = end - size + 1
            for idx, off in where:
                right, k = self.forms[idx][1], self.forms[idx][2]
                s0, m = p - off, len(right)
                for a in range(max(0, s0 - k), s0 + k + 1):
                    if not s.startswith(right[:k], a):
                        continue  # both ends of the form must stand (k characters each): edits inside only
                    for b in range(a + m - k, min(len(s), a + m + k) + 1):
                        if b > a + k and s[b - k : b] == right[-k:] and (idx, a, b) not in found:
                            found[(idx, a, b)] = OSA.distance(s[a:b], right, score_cutoff=k + 1)
        right_at = {(idx, a) for (idx, a, b), d in found.items() if d == 0}
        scored = []
        for (idx, a, b), d in found.items():
            f, right, k = self.forms[idx]
            cand = s[a:b]
            if not 0 < d <= k or cand in self.exempt or _only_minor(cand, right):
                continue
            # A right occurrence of the same form overlapping the candidate: not a misquote.
            if any((idx, x) in right_at for x in range(a - len(right) + 1, b)):
                continue
            start, end = pos[a], pos[b - 1] + 1
            scored.append((d, abs(b - a - len(right)), Misquote(f, start, end, text[start:end], fuzzy=True)))
        for m in _QUOTED.finditer(text):
            inner = m.group(1)
            for idx in self.short:
                f, right, k = self.forms[idx]
                if inner not in self.exempt and 0 < OSA.distance(inner, right, score_cutoff=k + 1) <= k:
                    scored.append((0, 0, Misquote(f, m.start(1), m.end(1), inner, fuzzy=True)))
        # Of overlapping candidates of one form keep the closest.
        hits: list[Misquote] = []
        for _, _, h in sorted(scored, key=lambda x: (x[0], x[1])):
            if not any(g.formulation is h.formulation and g.start < h.end and h.start < g.end for g in hits):
                hits.append(h)
        return hits


# Separators and connectives whose presence or absence is not a misquote (的 in 的重要论述,
# 、 between two halves, （） around an apposition); punctuation has rules of its own.
_SKIP = set(QUOTES + "、，,·•・ \u3000")
MINOR = "的和与及之（）()"


def _only_minor(cand: str, right: str) -> bool:
    """True when ``cand`` differs from ``right`` only by connectives added or left out."""
    from rapidfuzz.distance import Levenshtein

    ops = Levenshtein.editops(cand, right)
    if len({op.tag for op in ops if op.tag != "replace"}) > 1:
        return False  # a connective moved (deleted here, inserted there) is a slip
    for op in ops:
        if op.tag == "replace":  # one connective for another: 和 → （
            if cand[op.src_pos] not in MINOR or right[op.dest_pos] not in MINOR:
                return False
        elif (cand[op.src_pos] if op.tag == "delete" else right[op.dest_pos]) not in MINOR:
            return False
    return True


_QUOTED = re.compile(r"[“\"‘'「『]([^“”\"‘’'「」『』]{2,8})[”\"’'」』]")


def _fuzzy_fold(text: str) -> str:
    return "".join(ch for ch in text if ch not in _SKIP)


class FormulationMatcher:
    """Finds misquoted set formulations in a piece of text."""

    def __init__(self, formulations: list[Formulation] | None = None, fuzzy: bool = True):
        self.formulations = formulations if formulations is not None else load_formulations()
        # Which entries can apply to a text: an Aho–Corasick automaton over the literal wrong
        # forms and the listed items (quotes folded away); entries with regular expressions
        # always apply. Their regexes are compiled on first use (a cold check compiles few).
        self._always = [i for i, f in enumerate(self.formulations) if f.patterns]
        keys: dict[str, set[int]] = {}
        for i, f in enumerate(self.formulations):
            for w in f.wrong + f.order:
                keys.setdefault(fold(w), set()).add(i)
        self._literals = word_automaton(keys.items())
        self._regexes: dict[int, tuple] = {}
        forms = [(f, _fuzzy_fold(f.right), 1 if len(_fuzzy_fold(f.right)) < 10 else 2) for f in self.formulations if f.is_fuzzy]
        exempt = {_fuzzy_fold(f.right) for f in self.formulations} | {_fuzzy_fold(a) for f in self.formulations for a in f.also}
        self._fuzzy = _Fuzzy(forms, exempt).build() if fuzzy and forms else None

    def _compiled(self, i: int) -> tuple:
        """(wrong-form regex, right-form regex, order regex, item regex) of entry ``i``."""
        if i not in self._regexes:
            f = self.formulations[i]
            wrong = [literal_regex(w) for w in f.wrong] + list(f.patterns)
            items = "|".join(re.escape(x) for x in sorted(f.order, key=len, reverse=True))
            self._regexes[i] = (
                re.compile("|".join(f"(?:{w})" for w in wrong)) if wrong else None,
                re.compile(literal_regex(f.right)),
                self._order_regex(f.order) if f.order else None,
                re.compile(items) if f.order else None,
            )
        return self._regexes[i]

    def _candidates(self, text: str) -> list[int]:
        found = set(self._always)
        if self._literals is not None:
            for _, where in self._literals.iter(fold(text)):
                found |= where
        return sorted(found)

    @staticmethod
    def _order_regex(items: tuple[str, ...]) -> re.Pattern:
        alt = "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))
        return re.compile(f"(?:{alt})(?:{_LIST_SEP}(?:{alt}))+")

    def find(self, text: str) -> list[Misquote]:
        hits: list[Misquote] = []
        for i in self._candidates(text):
            f = self.formulations[i]
            wrong_re, right_re, order_re, item_re = self._compiled(i)
            if wrong_re is not None:
                right_spans = [m.span() for m in right_re.finditer(text)]
                for m in wrong_re.finditer(text):
                    if any(s <= m.start() and m.end() <= e for s, e in right_spans):
                        continue
                    hits.append(Misquote(f, m.start(), m.end(), m.group()))
            if order_re is not None:
                hits.extend(self._order_hits(f, order_re, item_re, text))
        if self._fuzzy is not None:
            hits.extend(self._fuzzy.find(text))
        # Curated wrong forms before fuzzy guesses at the same place; longest first.
        hits.sort(key=lambda h: (h.start, h.fuzzy, -h.end))
        return _drop_overlaps(hits)

    @staticmethod
    def _order_hits(f: Formulation, order_re: re.Pattern, item_re: re.Pattern, text: str) -> list[Misquote]:
        found = []
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
    """One finding per stretch of text: the first (longest, curated before fuzzy) hit wins."""
    kept: list[Misquote] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept
