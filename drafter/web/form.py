"""The 写初稿 form: built from the figures file's schema (drafter.figures), read back into the
same YAML `drafter init` writes, and validated by the same parse_figures as `drafter draft`.

Every form field is named by its key path in the YAML (单位, 维权服务.数据[2].数值, 落款.日期):
the validator's Issue.path then says which field a message belongs next to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from ..figures.model import FIGURE_CHAPTERS, HALVES, KIND_NAMES, FiguresError
from ..figures.scaffold import CHAPTER_NOTES
from ..figures.validate import FIGURE_KEYS, parse_figures

# Form columns of one 数据 row (逐年 is for five-year reviews; kept out of the form: YAML upload).
ROW_KEYS = tuple(k for k in FIGURE_KEYS if k != "逐年")
LIST_KEYS = ("亮点",)  # textareas, one item a line
MIN_ROWS = 3
MAX_ROWS = 60
FORM_NAME = "表单"
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ROW_FIELD = re.compile(r"^(?P<ch>[^.]+)\.数据\[(?P<i>\d+)\]\.(?P<key>.+)$")


@dataclass
class ChapterForm:
    name: str
    note: str
    heading: str = ""
    rows: list[dict[str, str]] = field(default_factory=list)
    highlights: str = ""


@dataclass
class FiguresForm:
    values: dict[str, str] = field(default_factory=dict)
    chapters: list[ChapterForm] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)  # field name -> messages
    kinds: tuple[str, ...] = tuple(KIND_NAMES)
    halves: tuple[str, ...] = HALVES

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])


def empty_form() -> FiguresForm:
    form = FiguresForm(values={"类型": "年度"})
    for ch in FIGURE_CHAPTERS:
        form.chapters.append(ChapterForm(ch, CHAPTER_NOTES[ch], rows=[_blank_row() for _ in range(MIN_ROWS)]))
    return form


def _blank_row() -> dict[str, str]:
    return {k: "" for k in ROW_KEYS}


def form_from_request(data) -> FiguresForm:
    """The form as posted (a MultiDict), rows in order, blank rows dropped but MIN_ROWS kept."""
    form = FiguresForm(values={k: (data.get(k) or "").strip() for k in
                               ("单位", "上级单位", "类型", "年份", "半年", "起始年份", "标题", "问题", "打算",
                                "落款.单位", "落款.日期")})
    rows: dict[str, dict[int, dict[str, str]]] = {ch: {} for ch in FIGURE_CHAPTERS}
    for name in data:
        m = _ROW_FIELD.match(name)
        if m and m["ch"] in rows and m["key"] in ROW_KEYS and int(m["i"]) <= MAX_ROWS:
            rows[m["ch"]].setdefault(int(m["i"]), _blank_row())[m["key"]] = (data.get(name) or "").strip()
    for ch in FIGURE_CHAPTERS:
        filled = [r for _, r in sorted(rows[ch].items()) if any(r.values())]
        form.chapters.append(ChapterForm(
            ch, CHAPTER_NOTES[ch], heading=(data.get(f"{ch}.小标题") or "").strip(),
            rows=filled + [_blank_row() for _ in range(max(1, MIN_ROWS - len(filled)))],
            highlights=(data.get(f"{ch}.亮点") or "").strip()))
    return form


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _scalar(text: str):
    """Plain numbers as numbers (what a hand-written YAML gives); 320余, 1.86万 stay text."""
    if _PLAIN_NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def form_yaml(form: FiguresForm) -> str:
    """The form as a figures file (only what was filled in), in the schema's key order."""
    v = form.values
    data: dict = {}
    for key in ("单位", "类型", "年份", "半年", "起始年份", "标题"):
        if key == "半年" and v.get("类型") != "半年" or key == "起始年份" and v.get("类型") != "五年":
            continue
        if v.get(key):
            data[key] = _scalar(v[key]) if key in ("年份", "起始年份") else v[key]
    if v.get("上级单位"):
        data["上级单位"] = [x.strip() for x in re.split(r"[，,、;；\n]", v["上级单位"]) if x.strip()]
    for ch in form.chapters:
        section: dict = {}
        if ch.heading:
            section["小标题"] = ch.heading
        rows = []
        for r in ch.rows:
            if any(r.values()):
                rows.append({k: _scalar(r[k]) if k in ("数值", "上年") else r[k] for k in ROW_KEYS if r[k]})
        if rows:
            section["数据"] = rows
        if _lines(ch.highlights):
            section["亮点"] = _lines(ch.highlights)
        if section:
            data[ch.name] = section
    for key in ("问题", "打算"):
        if _lines(v.get(key, "")):
            data[key] = _lines(v[key])
    sign = {k: v[f"落款.{k}"] for k in ("单位", "日期") if v.get(f"落款.{k}")}
    if sign:
        data["落款"] = sign
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def field_for(path: str, form: FiguresForm) -> str:
    """The form field an Issue.path belongs to (数据[2].数值 -> that cell; 亮点[3] -> the 亮点 box)."""
    if not path:
        return ""
    m = _ROW_FIELD.match(path)
    if m:
        return path if m["key"] in ROW_KEYS else f"{m['ch']}.数据[{m['i']}].项目"
    return re.sub(r"\[\d+\]$", "", path)


def validate(form: FiguresForm):
    """Figures from the form, or None with form.errors filled from the validator's issues."""
    try:
        return parse_figures(form_yaml(form), FORM_NAME)
    except FiguresError as exc:
        for issue in exc.issues:
            form.errors.setdefault(field_for(issue.path, form), []).append(issue.message)
        return None
