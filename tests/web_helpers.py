"""The example figures file as the 写初稿 form's fields (used by the web tests and the browser test)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"


def example_fields(path: Path = EXAMPLE) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for key in ("单位", "类型", "年份", "半年", "起始年份", "标题"):
        if key in data:
            out[key] = str(data[key])
    if "上级单位" in data:
        out["上级单位"] = "，".join(data["上级单位"])
    for ch in ("思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设"):
        section = data.get(ch) or {}
        if "小标题" in section:
            out[f"{ch}.小标题"] = section["小标题"]
        for i, row in enumerate(section.get("数据") or [], 1):
            for key in ("项目", "数值", "单位", "上年"):
                if key in row:
                    out[f"{ch}.数据[{i}].{key}"] = str(row[key])
        if "亮点" in section:
            out[f"{ch}.亮点"] = "\n".join(section["亮点"])
    for key in ("问题", "打算"):
        if key in data:
            out[key] = "\n".join(data[key])
    for key, value in (data.get("落款") or {}).items():
        out[f"落款.{key}"] = str(value)
    return out
