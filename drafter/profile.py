"""Layout profiles: the GB/T 9704 default and local variants from a YAML file.

A profile file names only what differs from the profile it is based on (``基于``, default
国标); the two are merged key by key, so a local file that sets the margins changes the
margins and nothing else. Shipped profiles live in ``drafter/data/profiles/``; ``--profile``
takes either such a name or a path. The schema is documented in docs/format.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import DrafterError
from .resources import data_dir

DEFAULT = "国标"

# 字号 names → points
SIZE_NAMES = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16, "小三": 15,
    "四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5,
}
# profile level key → role used by the writers
LEVELS = {
    "标题": "title", "副标题": "subtitle", "一级标题": "h1", "二级标题": "h2", "三级标题": "h3",
    "四级标题": "h4", "正文": "body", "表格": "table",
}
ROLE_NAMES = {v: k for k, v in LEVELS.items()}
PAGE_NUMBER_POSITIONS = ("单右双左", "居中", "居右")
_TRUE = {True, "是", "对", "要"}
_FALSE = {False, "否", "不", "不要"}

# key -> allowed sub-keys (None: a scalar)
_SCHEMA: dict[str, Any] = {
    "名称": None, "基于": None, "纸张": {"宽", "高"}, "页边距": {"上", "下", "左", "右"},
    "页眉距离": None, "页脚距离": None, "行距": None, "每行字数": None, "西文字体": None,
    "字体": set(LEVELS), "标题": {"行距", "下空行"},
    "页码": {"样式", "位置", "缩进", "字体", "字号"}, "表格": {"边框", "表头加粗"},
}
_FONT_KEYS = {"字体", "备用", "字号", "加粗"}


@dataclass(frozen=True)
class Font:
    name: str  # East Asian font
    size: float  # pt
    bold: bool = False
    fallbacks: tuple[str, ...] = ()

    def label(self) -> str:
        return f"{self.name}{size_label(self.size)}" + ("加粗" if self.bold else "")


@dataclass(frozen=True)
class Profile:
    name: str
    page_width: float  # mm
    page_height: float
    margins: tuple[float, float, float, float]  # top, bottom, left, right (mm)
    header_distance: float
    footer_distance: float
    line_pitch: float  # pt, exact line spacing of the body and the grid
    chars_per_line: int
    latin_font: str
    fonts: dict[str, Font]  # role -> Font
    title_line: float  # pt
    title_blank_lines: int
    page_number_format: str  # contains {页}
    page_number_position: str
    page_number_indent: float  # characters
    page_number_font: Font
    table_border: float  # pt, 0 = none
    table_header_bold: bool
    source: str = ""  # the file(s) it came from

    @property
    def text_width_pt(self) -> float:
        return (self.page_width - self.margins[2] - self.margins[3]) * 72 / 25.4

    @property
    def text_height_pt(self) -> float:
        return (self.page_height - self.margins[0] - self.margins[1]) * 72 / 25.4

    @property
    def lines_per_page(self) -> int:
        return max(1, int(self.text_height_pt / self.line_pitch + 1e-6))

    @property
    def line_twips(self) -> int:
        return round(self.line_pitch * 20)

    @property
    def char_spacing_twips(self) -> int:
        """Character spacing (twips) of the body font that gives ``chars_per_line`` a line."""
        body = self.fonts["body"].size
        return min(0, math.floor((self.text_width_pt / self.chars_per_line - body) * 20))

    def font(self, role: str) -> Font:
        return self.fonts.get(role) or self.fonts["body"]

    def page_number_text(self, n: int | str) -> str:
        return self.page_number_format.replace("{页}", str(n))


def size_label(pt: float) -> str:
    for name, value in SIZE_NAMES.items():
        if abs(value - pt) < 0.01:
            return name
    return f"{pt:g}磅"


_SHIPPED_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shipped_profiles() -> dict[str, Path]:
    return {p.stem: p for p in sorted((data_dir() / "profiles").glob("*.yaml"))}


def load_profile(spec: str | Path | None = None) -> Profile:
    """The profile named ``spec`` (a shipped name such as 国标, or a YAML file); None → 国标."""
    raw, sources = _load_raw(str(spec) if spec is not None else DEFAULT, [])
    return _build(raw, " ← ".join(sources))


def _load_raw(spec: str, seen: list[str]) -> tuple[dict, list[str]]:
    shipped = shipped_profiles()
    path = shipped.get(spec)
    if path is None:
        path = Path(spec)
        if not path.is_file():
            names = "、".join(shipped)
            raise DrafterError(f"找不到版式文件 {spec}。请给出 .yaml 文件的路径，或内置版式的名称（{names}）。")
    key = str(path.resolve())
    if key in seen:
        raise DrafterError(f"版式文件 {path} 的“基于”形成了循环，请检查“基于”一项。")
    # A shipped profile is read with libyaml when PyYAML has it (about 10 ms less per draft;
    # the same data, tested); a user's file with the pure-Python loader, whose messages we quote.
    loader = _SHIPPED_LOADER if path == shipped.get(path.stem) else yaml.SafeLoader
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=loader)  # noqa: S506 - a safe loader
    except UnicodeDecodeError:
        raise DrafterError(f"版式文件 {path} 不是 UTF-8 编码，请另存为 UTF-8。") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise DrafterError(f"版式文件 {path} 第 {line} 行格式有误（{exc.problem}），请对照 docs/format.md 中的示例。") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DrafterError(f"版式文件 {path} 应是“键: 值”的形式，请对照 docs/format.md 中的示例。")
    _validate(data, path)
    data.setdefault("名称", path.stem)
    base = data.get("基于", None if path == shipped.get(DEFAULT) else DEFAULT)
    if base is None:
        return data, [path.name]
    base = str(base)
    if base not in shipped and not Path(base).is_absolute():
        base = str(path.parent / base)  # relative to the profile file, not the working folder
    base_raw, sources = _load_raw(base, [*seen, key])
    return _merge(base_raw, data), [path.name, *sources]


def _validate(data: dict, path: Path) -> None:
    for key, value in data.items():
        if key not in _SCHEMA:
            raise DrafterError(f"版式文件 {path}：不认识的项“{key}”。可用的项：{'、'.join(_SCHEMA)}。")
        allowed = _SCHEMA[key]
        if allowed is None:
            continue
        if not isinstance(value, dict):
            raise DrafterError(f"版式文件 {path}：“{key}”下应是若干“键: 值”，例如 {key}: {{{next(iter(allowed))}: …}}。")
        for sub, v in value.items():
            if sub not in allowed:
                raise DrafterError(f"版式文件 {path}：“{key}”下不认识的项“{sub}”。可用的项：{'、'.join(sorted(allowed))}。")
            if key == "字体":
                if not isinstance(v, dict) or set(v) - _FONT_KEYS:
                    raise DrafterError(
                        f"版式文件 {path}：“字体 → {sub}”应写成 {{字体: 仿宋_GB2312, 备用: [仿宋], 字号: 三号, 加粗: 否}}，"
                        f"可用的项：{'、'.join(sorted(_FONT_KEYS))}。"
                    )


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def _num(raw: dict, where: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise DrafterError(f"版式“{raw.get('名称', '')}”：“{where}”应是 {lo:g} 到 {hi:g} 之间的数，现在是“{value}”。")
    return float(value)


def _size(raw: dict, where: str, value: Any) -> float:
    if isinstance(value, str):
        v = value.strip().replace("磅", "")
        if v in SIZE_NAMES:
            return float(SIZE_NAMES[v])
        try:
            value = float(v)
        except ValueError:
            raise DrafterError(
                f"版式“{raw.get('名称', '')}”：“{where}”应是字号名（如 三号、小四）或磅值，现在是“{value}”。"
            ) from None
    return _num(raw, where, value, 5, 72)


def _bool(raw: dict, where: str, value: Any) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE or value is None:
        return False
    raise DrafterError(f"版式“{raw.get('名称', '')}”：“{where}”应是 是 或 否，现在是“{value}”。")


def _font(raw: dict, where: str, spec: dict, base: Font | None = None) -> Font:
    name = spec.get("字体", base.name if base else None)
    if not isinstance(name, str) or not name.strip():
        raise DrafterError(f"版式“{raw.get('名称', '')}”：“{where} → 字体”应是字体名，例如 仿宋_GB2312。")
    fallbacks = spec.get("备用", list(base.fallbacks) if base else [])
    if isinstance(fallbacks, str):
        fallbacks = [fallbacks]
    if not isinstance(fallbacks, list) or not all(isinstance(f, str) for f in fallbacks):
        raise DrafterError(f"版式“{raw.get('名称', '')}”：“{where} → 备用”应是字体名的列表，例如 [仿宋, FangSong]。")
    size = _size(raw, f"{where} → 字号", spec["字号"]) if "字号" in spec else (base.size if base else 16)
    bold = _bool(raw, f"{where} → 加粗", spec["加粗"]) if "加粗" in spec else (base.bold if base else False)
    return Font(name.strip(), size, bold, tuple(f.strip() for f in fallbacks if f.strip()))


def _build(raw: dict, source: str) -> Profile:
    def get(key: str, sub: str | None = None):
        try:
            return raw[key] if sub is None else raw[key][sub]
        except (KeyError, TypeError):
            raise DrafterError(f"版式“{raw.get('名称', source)}”缺少“{key}{' → ' + sub if sub else ''}”一项。") from None

    fonts: dict[str, Font] = {}
    body = _font(raw, "字体 → 正文", get("字体", "正文"))
    for key, role in LEVELS.items():
        spec = raw["字体"].get(key)
        fonts[role] = body if spec is None else _font(raw, f"字体 → {key}", spec, None if role == "body" else body)
    position = get("页码", "位置")
    if position not in PAGE_NUMBER_POSITIONS:
        raise DrafterError(f"版式“{raw.get('名称', '')}”：“页码 → 位置”应是 {'、'.join(PAGE_NUMBER_POSITIONS)} 之一，现在是“{position}”。")
    fmt = get("页码", "样式")
    if not isinstance(fmt, str) or fmt.count("{页}") != 1:
        raise DrafterError(f"版式“{raw.get('名称', '')}”：“页码 → 样式”应含一处 {{页}}，例如 \"— {{页}} —\"，现在是“{fmt}”。")
    page = raw["页码"]
    page_font = _font(raw, "页码", {"字体": page.get("字体", "宋体"), "字号": page.get("字号", "四号")})
    m = get("页边距")
    for side in ("上", "下", "左", "右"):
        get("页边距", side)
    width, height = _num(raw, "纸张 → 宽", get("纸张", "宽"), 50, 1000), _num(raw, "纸张 → 高", get("纸张", "高"), 50, 1000)
    margins = tuple(_num(raw, f"页边距 → {s}", m[s], 0, 200) for s in ("上", "下", "左", "右"))
    if margins[2] + margins[3] >= width - 20 or margins[0] + margins[1] >= height - 20:
        raise DrafterError(f"版式“{raw.get('名称', '')}”：页边距太大，纸上放不下正文，请检查“页边距”。")
    return Profile(
        name=str(raw.get("名称") or source),
        page_width=width,
        page_height=height,
        margins=margins,  # type: ignore[arg-type]
        header_distance=_num(raw, "页眉距离", get("页眉距离"), 0, 100),
        footer_distance=_num(raw, "页脚距离", get("页脚距离"), 0, 100),
        line_pitch=_num(raw, "行距", get("行距"), 8, 80),
        chars_per_line=int(_num(raw, "每行字数", get("每行字数"), 5, 80)),
        latin_font=str(get("西文字体")),
        fonts=fonts,
        title_line=_num(raw, "标题 → 行距", get("标题", "行距"), 8, 100),
        title_blank_lines=int(_num(raw, "标题 → 下空行", get("标题", "下空行"), 0, 5)),
        page_number_format=fmt,
        page_number_position=position,
        page_number_indent=_num(raw, "页码 → 缩进", page.get("缩进", 1), 0, 10),
        page_number_font=page_font,
        table_border=_num(raw, "表格 → 边框", get("表格", "边框"), 0, 6),
        table_header_bold=_bool(raw, "表格 → 表头加粗", get("表格", "表头加粗")),
        source=source,
    )
