"""The numbers a draft made from a figures file may contain (for the guard and check)."""

from __future__ import annotations

from ..numbers import format_quantity, numbers_in
from .model import Figures

def allowed_numbers(figures: Figures) -> set[float]:
    """Every number a draft made from ``figures`` may contain, as floats.

    The writer's own values (and their 万/亿 forms), years and dates, and everything
    derived from them (同比 percentages, 累计, 年均), plus any number in a text the writer
    typed. A number in a draft body that is not in this set was not the unit's own.
    For the check command: compare numbers read with ``drafter.numbers.numbers_in``.
    """
    texts = list(figures.user_texts())
    p = figures.period
    years = [p.year] if p.year else []
    if p.start_year:
        years += list(range(p.start_year, p.year + 1))
    texts.append(p.label)
    if figures.date:
        texts.append(f"{figures.date.year}年{figures.date.month}月{figures.date.day}日")
    for ch in figures.chapters:
        for f in ch.figures:
            years += list(f.series)
            for v in (f.value, f.last_year, *f.series.values()):
                if v is not None:
                    texts.append(format_quantity(v, f.unit))
                    texts.append(str(v))
            texts += [f.quantity, f.change, f.series_text]
    out = {float(y) for y in years}
    for t in texts:
        out.update(numbers_in(t))
    return out


