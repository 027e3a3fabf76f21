"""The one record every check returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass

FINDING_TYPES = ("formulation", "usage", "timeliness", "placeholder", "number", "copy", "structure", "layout")
TYPE_LABELS = {
    "formulation": "提法",
    "usage": "用语",
    "timeliness": "时效",
    "placeholder": "占位符",
    "number": "数字",
    "copy": "照抄",
    "structure": "结构",
    "layout": "版式",
}


@dataclass
class Finding:
    type: str  # one of FINDING_TYPES
    paragraph: int  # 1-based paragraph number; 0 for the document as a whole
    text: str  # the text around the finding
    message: str
    suggestion: str = ""  # advice, or the right form where there is one
    source: str = ""  # corpus file and article, for a copy; the source document, for a formulation
    rule: str = ""  # id of the rule or formulation that fired
    found: str = ""  # the exact wrong text, when ``replacement`` may replace it
    replacement: str | None = None  # the text to put in its place (a tracked change); None: a comment
    source_text: str = ""  # the corpus sentence, for a copy
    overlap: int = 0  # percent of the draft sentence's wording found in the corpus sentence, for a copy

    def to_dict(self) -> dict:
        return asdict(self)

    def details(self) -> list[tuple[str, str]]:
        """(label, text) lines that follow the message, as printed and as commented."""
        pairs = (("建议", self.suggestion), ("旧稿", self.source_text), ("出处", self.source))
        return [(label, text) for label, text in pairs if text]


def around(text: str, start: int, end: int, width: int = 20) -> str:
    """The finding with up to ``width`` characters either side."""
    left = "…" if start > width else ""
    right = "…" if len(text) - end > width else ""
    return left + text[max(0, start - width) : end + width] + right
