"""The user's figures file: YAML with Chinese keys, validated before anything is written.

Every mistake is reported in Chinese with the file, the line and the key path
(建功立业.数据[2].数值), and all of them at once, so that one run shows the writer
everything to fix.

The package is split along its seams: ``model`` (the result objects), ``yaml_loader``
(safe, bounded YAML with line numbers), ``validate`` (load_figures, parse_figures),
``allowed`` (the numbers a draft may contain) and ``scaffold`` (`drafter init`).
"""

from .allowed import allowed_numbers
from .model import FIGURE_CHAPTERS, HALVES, KIND_LABELS, KIND_NAMES, Chapter, Figure, Figures, FiguresError, Issue, Period
from .scaffold import scaffold_yaml
from .validate import (
    CHAPTER_KEYS,
    FIGURE_KEYS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_VALUE,
    SIGN_KEYS,
    TOP_KEYS,
    load_figures,
    parse_figures,
)
from .yaml_loader import MAX_YAML_CHARS, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = [
    "CHAPTER_KEYS",
    "FIGURE_CHAPTERS",
    "FIGURE_KEYS",
    "HALVES",
    "KIND_LABELS",
    "KIND_NAMES",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_VALUE",
    "MAX_YAML_CHARS",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "SIGN_KEYS",
    "TOP_KEYS",
    "Chapter",
    "Figure",
    "Figures",
    "FiguresError",
    "Issue",
    "Period",
    "allowed_numbers",
    "load_figures",
    "parse_figures",
    "scaffold_yaml",
]
