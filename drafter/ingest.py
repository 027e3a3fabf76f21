"""From a file or a text to a labelled Document: read → clean/segment → classify → metadata."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from .classify import classify_article
from .model import Article, Document
from .read import read_file
from .segment import segment

def _parser_version() -> str:
    """Changes whenever the code that turns a file into a Document changes, so that
    stored documents, caches and indexes made by an older parser are rebuilt."""
    h = hashlib.sha256(b"drafter-parser-1")
    here = Path(__file__).resolve().parent
    for name in ("read.py", "read_docx.py", "read_pdf.py", "convert.py", "clean.py", "segment.py", "classify.py", "ingest.py", "model.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:12]


PARSER_VERSION = _parser_version()


def parse_text(text: str, name: str = "text.txt", path: str = "", sha256: str = "", encoding: str = "") -> Document:
    articles = segment(text)
    for article in articles:
        classify_article(article)
        _fill_metadata(article)
    if not sha256:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(name=name, path=path or name, sha256=sha256, encoding=encoding, articles=articles)


def parse_file(path: str | Path, embedded: bool = False) -> Document:
    path = Path(path)
    result = read_file(path)
    doc = parse_text(result.text, name=path.name, path=str(path), sha256=result.sha256, encoding=result.encoding)
    doc.embedded = embedded
    return doc


# --- metadata -------------------------------------------------------------------------

_PLACE = r"[\u4e00-\u9fff]{2,9}?(?:自治区|省|市|县|区|州|盟|旗|兵团|集团|公司|局)"
_ORG = re.compile(rf"({_PLACE}(?:总工会|教育工会|工会))")
_NATIONAL = re.compile(r"^(中国工会|全国总工会|中华全国总工会)")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")

_KIND_RULES = [
    ("half-year", re.compile(r"上半年|半年")),
    ("speech", re.compile(r"讲话|致辞|在.{2,20}(会议|大会)上的")),
    ("news", re.compile(r"纪实|侧记|掠影|观察|扫描|记事|召开|回眸")),
    ("five-year", re.compile(r"五年|(?<!\d)5年|代表大会以来|[十一二三四五六七八九]+大以来|工代会以来|综述|展望")),
    ("report", re.compile(r"汇报|工作报告")),
    ("experience", re.compile(r"工作法|经验|做法|典型材料|案例")),
    ("annual", re.compile(r"(20\d{2})\s*年.*(工作总结|工作情况)|年度.*总结|工作总结")),
]


def _fill_metadata(article: Article) -> None:
    head = f"{article.title} {article.subtitle}"
    body = "".join(p.text for s in article.sections for p in s.passages)
    article.org = _org(head, body)
    years = _YEAR.findall(head)
    article.year = int(years[0]) if years else None
    article.kind = ""
    for kind, pattern in _KIND_RULES:
        if pattern.search(head):
            article.kind = kind
            break
    if not article.kind and re.search(r"(五年来|(?<!\d)5年来|过去五年|五年间)", body[:600]):
        article.kind = "five-year"


def _org(head: str, body: str) -> str:
    if _NATIONAL.match(head.strip()):
        return "中华全国总工会"
    m = _ORG.search(head)
    if m:
        return _trim_org(m.group(1))
    # Else the unit the body names most (at least twice): 菏泽市总工会第八届委员会…
    counts = Counter(_trim_org(o) for o in _ORG.findall(body) if "全国" not in o)
    if counts:
        org, n = counts.most_common(1)[0]
        if n >= 3:
            return org
    return ""


def _trim_org(org: str) -> str:
    # A leading verb or preposition glued to the name: 在菏泽市总工会 → 菏泽市总工会.
    return re.sub(r"^(?:[五5]年来|近年来|多年来|今年|在|由|向|对|为|据|经|和|与|及|是|了|将|把|从|全|各)", "", org)
