"""Line- and text-level cleaning of raw report text (DOMAIN.md §5).

Everything here is a pure function on strings, so each rule can be tested alone:
punctuation repair, furniture/byline/caption recognition, doubled glyphs, and
recognising a compilation's table of contents.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .text import CLOSERS, HAN, TERMINAL, ends_sentence, fix_punctuation, han_count, numbered_level, simplified, strip_numbering  # noqa: F401 (shared rules)

CJK = HAN

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def normalize(text: str) -> str:
    """Unify line ends and invisible characters; keep full-width spaces (they mark indents)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    text = text.replace("\u00a0", " ").replace("\u2003", "\u3000")
    return unicodedata.normalize("NFC", text)


# Spaces inside Chinese text: between CJK/digits/full-width punctuation they are layout, not meaning
# (a space before 。 or ， too). The check reads drafts by the same rule.
_INNER_SPACE = re.compile(rf"(?<=[{CJK}\d%，。；：、“”）（《》])[ \u3000]+(?=[{CJK}\d“”（《，。；：、）》])")


def tidy_body(text: str) -> str:
    """Full-width punctuation and no layout spaces inside running Chinese text."""
    text = fix_punctuation(text.strip(" \u3000\t"))
    return _INNER_SPACE.sub("", text)


def tidy_heading(text: str) -> str:
    """Headings keep one space between their phrases (政治引领 画好最大“同心圆”)."""
    text = fix_punctuation(text.strip(" \u3000\t#"))
    text = re.sub(r"(?<=[，；：、])\s+", "", text)
    return re.sub(r"[ \u3000]+", " ", text)


def cjk_count(text: str) -> int:
    return han_count(text)


# --- page furniture, bylines, captions -----------------------------------------

_FURNITURE = [
    re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"),  # a bare date line (newspaper page)
    re.compile(r"^[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日$"),  # 成文日期 in numerals
    re.compile(r"^(星期|礼拜)[一二三四五六日天]$"),
    re.compile(r"^(责任编辑|美术编辑|稿件统筹|编辑|校对|审核|排版|版式|值班主任|主编|责编|通讯员)\s*[:：]"),
    re.compile(r"^(电话|传真|邮箱|E-?mail|网址|地址|邮编)\s*[:：]", re.I),
    re.compile(r"^[（(]?本版.{0,12}(图片|照片|图).{0,8}[)）]?$"),
    re.compile(r"^[（(].{0,10}(图片|照片|摄影).{0,10}[)）]$"),
    re.compile(r"^[□■◆◇●○]"),  # news byline markers: □牡丹晚报全媒体记者 冯 错
    re.compile(r"(记者|通讯员|摄影)\s*[:：]?\s*\S{1,4}(\s\S{1,3})?\s*(摄|报道)?$"),
    re.compile(r"^▶"),  # photo caption marker
    re.compile(r"\s摄$"),
    re.compile(r"^\S{2,3}(?<![难问主课专话标议])题$"),  # calligraphy credit (丁志刚题)
    re.compile(r"^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$|^[-—–]\s*\d+\s*[-—–]$|^\d{1,8}$"),  # page numbers
    re.compile(r"(联合)?主办$"),
]


# The 落款 of a report: the issuing unit on a line of its own, then the date it was written.
_SIGN_UNIT = re.compile(r"^[^，。；：！？,;:!?]{2,30}(工会|委员会|工委|总工会|联合会|局|办公室|公司|集团|中心|学校|学院|医院|街道|政府)$")
_DATE_LINE = re.compile(r"^[（(]?(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
                        r"(\s*[\d一二三四五六七八九十]{1,3}\s*日)?[)）]?$")


def is_signature(line: str, next_line: str) -> bool:
    """A 落款 line: a unit's name alone on its line with the date of writing right under it."""
    return bool(_SIGN_UNIT.match(line)) and bool(_DATE_LINE.match(next_line))


# Advertising that document-sharing sites paste into downloaded reports.
_ADVERT = re.compile(r"【[^】]{1,10}(素材库|代笔|文库|资料库)】|添加客服|持续接单|svip|会员群|网盘群|谨防假冒", re.I)
# Contact watermarks injected mid-sentence: 围绕生态文明建设新高地，联系AAA11241618，广泛开展…
_WATERMARK = re.compile(r"[，,]?\s*联系[A-Z]{2,}\d{5,}\s*(?=[，,])|联系[A-Z]{2,}\d{5,}[，,]?")


# A site's domain pasted into sentences: 利用“**”example.com：公众号…
_DOMAIN_MARK = re.compile(rf"(?<=[{CJK}“”\"*])[A-Za-z0-9-]{{3,}}\.(?:com|cn|net|org)(?:\.cn)?[:：]?(?=[{CJK}])")
# A site's name glued to the start of lines: 某某学习网2、努力建设…
_LINE_MARK = re.compile(rf"^[ \u3000]*([{CJK}]{{2,12}}网)", re.M)


def remove_watermarks(text: str) -> str:
    text = _DOMAIN_MARK.sub("", _WATERMARK.sub("", text))
    counts = Counter(m.group(1) for m in _LINE_MARK.finditer(text))
    for mark, n in counts.items():
        if n >= 3:  # the same site name opening three lines is not the writer's
            text = re.sub(rf"(?m)^([ \u3000]*){re.escape(mark)}", r"\1", text)
    return text


# Web-page furniture: breadcrumbs, page headers and footers, document-sharing sites' notices,
# template sites' introductions, salutations and hidden-text gaps (see docs/text-rules.md).
_SITE = [
    re.compile(r"^(当前位置|您的位置|你的位置|您现在的位置|位置)\s*[:：]|^首页\s*$|^首页\s*[>＞»]|^[>＞»]"),
    # breadcrumbs (某某网 > 范文 > …); a longer line keeps its text (cut_breadcrumbs)
    re.compile(r"^(?=.{0,60}$).*(\S\s*(>>|[>＞»›])\s*\S.*(>>|[>＞»›])|\S\s*(>>|»)\s*\S)"),
    re.compile(r"[\s。！]\S{2,4}\s*摄$"),  # a photo caption ending in its byline: …召开。刘安 摄
    re.compile(r"^[|｜]"),  # | 某某网2
    re.compile(r"^[-•·*]?\s*(时间|发布时间|更新时间|发布日期|日期|来源|作者|浏览|浏览次数|字体|字号|上传人|上传时间|文档编号|编辑)\s*[:：]"),
    re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}"),  # a date-time stamp
    re.compile(r"本文档|文档编号|下载文档|由会员分享|资源描述|版权归属|网站客服|收益归属|仅部分预览|copyright|"
               r"all rights reserved|此处隐藏|下载后查看|精选优质文档|倾情为你奉上|点击查看更多|_第\d+页$|"
               r"第\s*\d+\s*页\s*/\s*共|^[-•·*]?\s*[\d.]+\s*(KB|MB|页)$", re.I),
    re.compile(r"^(返回|下载|相关|举报|分享|收藏|打印|关闭|关于我们)(\s+\S{2,4}){0,5}$|^.{0,10}网上家园$|[|｜].*[|｜]"),
    # Template sites' introductions: 下面是小编为您整理的…，供您参考！
    re.compile(r"(下面是|以下是|下面小编|欢迎阅读).{0,60}(小编|整理|参考|参阅|喜欢|范文|分享|带来)|"
               r"供您参考|供大家参考|仅供参考|感谢您的(阅读|参阅)|小编.{0,10}(为|给)(您|大家|你)"),
    # A date line under a title: （2013年1月30日） (2013130)
    re.compile(r"^[（(]\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]?\d{1,2}[-./]?\d{1,2}|\d{6,8})\s*[)）]$"),
    # Salutations: 各位代表、同志们：
    re.compile(r"^(各位|尊敬的|同志们|亲爱的)[^。！？]{0,30}[:：!！]$"),
]


_CRUMBS = re.compile(r"^.*(>>|[>＞»›])\s*")


def cut_breadcrumbs(line: str) -> str:
    """A site's breadcrumb trail glued to the start of a long line (首页 > 新闻 > 某某县总工会…): the
    text after its last separator, or the line as it is."""
    s = line.strip(" \u3000")
    if s.count(">") + s.count("»") + s.count("＞") < 2:
        return line
    m = _CRUMBS.match(s[:80])
    # crumbs are short names; a long tail after the last one is text glued to the trail
    return s[m.end():] if m and len(s) - m.end() > 25 else line


def is_site_furniture(line: str) -> bool:
    s = simplified(line.strip(" \u3000"))
    return len(s) <= 250 and any(p.search(s) for p in _SITE)


def is_furniture(line: str) -> bool:
    """Newspaper and page furniture: date, weekday, editors, phone, e-mail, bylines, credits, ads,
    and web-page furniture (breadcrumbs, site notices, template introductions, salutations)."""
    s = line.strip(" \u3000")
    if not s:
        return False
    if _ADVERT.search(s) or is_site_furniture(s):
        return True
    if len(s) > 40:
        return bool(re.match(r"^▶", s))
    return any(p.search(s) for p in _FURNITURE)


_DOUBLED = re.compile(r"(.{2,}?)\1")


def has_doubled_glyphs(line: str) -> bool:
    """Bold PDF text extracted twice: ““春风送岗春风送岗 暖心就业暖心就业””."""
    s = line.strip()
    if "““" in s or "””" in s:
        return True
    hits = [m.group(1) for m in _DOUBLED.finditer(s) if cjk_count(m.group(1)) >= 2]
    return sum(len(h) for h in hits) * 2 >= max(len(s) * 0.5, 6)


# Words that end photo captions and rarely end a heading.
_CAPTION_END = re.compile(
    r"(活动|仪式|现场|会议|大会|开幕式|闭幕式|颁奖|一隅|协议|专场|招聘会|比赛|讲话|下基层|宣讲|"
    r"送温暖|送清凉|合影|留影|签约|揭牌|启动|演出|展演|座谈会|调研|慰问|走访|培训班|运动会|作用|"
    r"面貌|风采|瞬间|场景|剪影|掠影)$"
)
_PERSON_TITLE = re.compile(r"(主席|副主任|书记|部长|局长|市长|县长|主任|经理|院长|处长)\S{2,3}(出席|主持|到|为|在|参加|看望|慰问|调研|讲话)")


def looks_like_caption(line: str) -> bool:
    s = line.strip(" \u3000")
    if has_doubled_glyphs(s):
        return True
    if ends_sentence(s) or len(s) > 60:
        return False
    return bool(_CAPTION_END.search(s.rstrip("”\""))) or bool(_PERSON_TITLE.search(s))


# --- table of contents ------------------------------------------------------------

_TOC_HEAD = re.compile(r"^目\s*录$|^目\s+录$|^contents$", re.I)
_TOC_PAGE = re.compile(r"(?:[\s\u3000.．…·]+|[…．.]{2,})\s*\d{0,4}\s*$")
_TOC_PREFIX = re.compile(r"^\d{1,3}\s*[：:]")


def toc_entry_title(line: str) -> str:
    """The title of a TOC entry: page number, dot leaders and a stray 24： prefix removed."""
    s = line.strip(" \u3000")
    s = _TOC_PAGE.sub("", s)
    s = _TOC_PREFIX.sub("", s)
    return s.rstrip("…．.· \u3000")


def title_key(text: str) -> str:
    """A comparison key for titles and headings: no spaces, punctuation or numbering differences."""
    s = fix_punctuation(text)
    return re.sub(r"[\s\u3000#，,、。：:；;“”\"‘’'…·•（）()《》!！?？—–-]", "", s)


def find_toc(lines: list[str]) -> tuple[int, int, list[str]] | None:
    """Locate a table of contents: (first index, index after it, entry titles).

    The TOC starts at a 目录 line and ends right before the first body line that
    repeats one of its entries (the first article title).
    """
    start = next((i for i, l in enumerate(lines[:400]) if _TOC_HEAD.match(l.strip(" \u3000"))), None)
    if start is None:
        return None
    entries: list[str] = []
    keys: set[str] = set()
    paged = False
    for i in range(start + 1, len(lines)):
        s = lines[i].strip(" \u3000")
        if not s:
            continue
        key = title_key(strip_numbering(toc_entry_title(s)))
        if key in keys and key:
            return start, i, entries
        if len(s) > 80 or ends_sentence(s):
            break
        if _TOC_PAGE.search(s) or s.endswith(("…", "…　")):
            paged = True
        elif not (len(s) <= 60 and numbered_level(s)):
            continue  # group labels such as 一、各级工会 are part of the TOC but are not entries
        title = strip_numbering(toc_entry_title(s))
        entries.append(title)
        keys.add(title_key(title))
    if not entries or not paged:
        return None  # entries without page numbers count only when the body repeats one
    return start, i, entries


def toc_matches(entry_keys: set[str], line: str) -> bool:
    key = title_key(line)
    if not key:
        return False
    if key in entry_keys:
        return True
    # An entry cut short with …… in the TOC still names its title by prefix.
    return any(len(k) >= 8 and key.startswith(k) for k in entry_keys)
