"""From a file or a text to a labelled Document: read → clean/segment → classify → metadata."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from .classify import classify_article
from .model import Article, Document
from .parser_version import PARSER_VERSION  # noqa: F401 (re-exported: the parser's version)
from .read import read_file
from .segment import segment
from .text import simplified


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

# Characters of a unit's name: Han characters that are not function words (在, 和, 被 …).
_NAME_CH = r"[^\W\d_在和被的我以及与对向是了将把从为由该项年来等各其]"
_PLACE = rf"{_NAME_CH}{{2,9}}?(?:自治区|省|市|县|区|州|盟|旗|镇|乡|街道|兵团|集团|公司|局)"
_ORG = re.compile(rf"({_PLACE}(?:总工会|教育工会|工会))")
_NATIONAL = re.compile(r"^(中国工会|全国总工会|中华全国总工会)")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")
# In a title the year may stand without 年: 2020交通局工会工作总结.
_HEAD_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)(?=\s*年|[\u4e00-\u9fff])")
# The year a body opens with names the period reported on: 2025年，… 回望2025年，… 2023年上半年…
# (Not 2021年以来: that is where a longer period starts.)
_BODY_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*年(?=度|[上下]半年|全年|[，,、是里中])")
_OPENING = 300  # characters of the body where the period and the unit are named
# A unit opening a clause, after an optional period: 2025年，青溪县总工会… 某某区总工会以…
_SUBJECT_ORG = re.compile(
    rf"(?:^|[。，,；])\s*(?:(?:20\d{{2}}|19\d{{2}})\s*年(?:上半年|下半年|以来|度)?[，,]?\s*)?({_PLACE}(?:总工会|教育工会|工会))"
)
_NOT_ORG = re.compile(r"开创|推进|奋力|打造|构建|新时代|建设")

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
    article.year = _year(head, body)
    article.kind = ""
    for kind, pattern in _KIND_RULES:
        if pattern.search(head):
            article.kind = kind
            break
    if not article.kind and re.search(r"(五年来|(?<!\d)5年来|过去五年|五年间)", body[:600]):
        article.kind = "five-year"


def _year(head: str, body: str) -> int | None:
    """The year of the title, else the year the body's opening reports on (XX年 stays unknown)."""
    years = _HEAD_YEAR.findall(simplified(head))
    if years:
        return int(years[0])
    opening = Counter(_BODY_YEAR.findall(simplified(body[:_OPENING])))
    if opening:
        return int(opening.most_common(1)[0][0])
    return None


def _org(head: str, body: str) -> str:
    if _NATIONAL.match(head.strip()):
        return "中华全国总工会"
    head, body = simplified(head), simplified(body)
    m = _ORG.search(head)
    if m and not _NOT_ORG.search(m.group(1)):
        return _trim_org(m.group(1))
    # The unit named as the subject of the opening sentence: 2025年，青溪县总工会紧扣…
    m = _SUBJECT_ORG.search(body[:_OPENING])
    if m and "全国" not in m.group(1) and not _NOT_ORG.search(m.group(1)):
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
