"""Chinese number conventions for report bodies (DOMAIN.md §3).

23.3万人次, 320余场 (余/多/近 only where the user wrote them), 同比增长12.5%,
never 0.0%, 累计 and 年均 over a series of years, Chinese numerals for 一是/二是.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .text import NUMBER_SCALE

CN_DIGITS = "零一二三四五六七八九"

# Written before the number (近300人) or after it (320余场, 3000多人).
APPROX_BEFORE = ("近", "约")
APPROX_AFTER = ("余", "多")

NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (enough for 一是… and headings)."""
    if n < 0 or n >= 100:
        raise ValueError(f"cn_numeral supports 0..99, got {n}")
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def plain(value: float | int | Decimal, places: int = 2) -> str:
    """A number with at most ``places`` decimals and no trailing zeros: 12, 23.3, 0.05."""
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_quantity(value: float | int, unit: str = "", approx: str = "") -> str:
    """The value as a writer puts it: 126场, 23.3万人次, 1.2亿元, 320余场, 近300人, 95.2%.

    Values of 10,000 and above are written in 万 (亿 from 100 million), up to two decimals.
    """
    if unit in ("%", "％"):
        num, scale = plain(value, 1), ""
    else:
        scale = next((s for s in ("亿", "万") if abs(value) >= NUMBER_SCALE[s]), "")
        num = plain(value / NUMBER_SCALE[scale]) if scale else plain(value)
    before = approx if approx in APPROX_BEFORE else ""
    after = approx if approx in APPROX_AFTER else ""
    return f"{before}{num}{scale}{after}{unit}"


def percent_change(value: float, last: float) -> float | None:
    """Change from ``last`` to ``value`` in percent, or None when there is no base."""
    if last == 0:
        return None
    return (value - last) / abs(last) * 100


def change_phrase(value: float, last: float, unit: str = "", prefix: str = "同比") -> str:
    """同比增长12.5% / 同比下降3.2% / 与上年持平; for rates, 提高/下降N个百分点.

    Never writes 0.0%: a change that rounds to zero is 基本持平.
    """
    if unit in ("%", "％"):
        diff = value - last
        text = plain(abs(diff), 1)
        if text == "0":
            return "与上年持平" if diff == 0 else "与上年基本持平"
        return f"{prefix}{'提高' if diff > 0 else '下降'}{text}个百分点"
    pct = percent_change(value, last)
    if pct is None:
        return ""
    text = plain(abs(pct), 1)
    if text == "0":
        return "与上年持平" if pct == 0 else "与上年基本持平"
    return f"{prefix}{'增长' if pct > 0 else '下降'}{text}%"


def series_phrase(series: dict[int, float], unit: str = "") -> str:
    """累计N, 年均M over a series by year; for rates, 由A%提高到B%."""
    years = sorted(series)
    if not years:
        return ""
    if unit in ("%", "％"):
        first, last = series[years[0]], series[years[-1]]
        verb = "提高到" if last >= first else "下降到"
        return f"由{years[0]}年的{format_quantity(first, unit)}{verb}{years[-1]}年的{format_quantity(last, unit)}"
    total = sum(series.values())
    mean = total / len(years)
    return f"累计{format_quantity(total, unit)}，年均{format_quantity(mean, unit)}"


def numbers_in(text: str) -> list[float]:
    """Every Arabic number written in ``text``; a number followed by 万/亿 also counts scaled."""
    out = []
    for m in NUMBER_RE.finditer(text):
        v = float(m.group())
        out.append(v)
        scale = NUMBER_SCALE.get(text[m.end() : m.end() + 1])
        if scale:
            out.append(round(v * scale, 6))
    return out
