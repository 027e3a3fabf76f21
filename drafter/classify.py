"""Chapter labels (DOMAIN.md §2) for sections and passages, read from heading and body.

A transparent keyword model: each chapter has a lexicon of weighted terms; a
text's score for a chapter is the weighted count of its terms. Headings weigh
more than body text, but metaphor headings (打造“暖心工会”) carry little
lexicon, so the body decides where the heading is silent.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .model import CHAPTERS, MAIN_CHAPTERS, Article, Section
from .text import POINT, POINT_START, simplified, strip_numbering

MAIN_NAMES = MAIN_CHAPTERS

# term -> weight; longer, more specific terms weigh more.
LEXICON: dict[str, dict[str, float]] = {
    "思想引领": {
        "思想政治引领": 3, "思想引领": 3, "政治引领": 2, "凝心铸魂": 3, "铸魂": 2, "思想": 1,
        "宣讲": 2, "宣讲团": 2, "主题教育": 2, "理论武装": 2, "学习贯彻": 1, "党的创新理论": 2,
        "习近平新时代中国特色社会主义思想": 1, "听党话": 2, "跟党走": 2, "感党恩": 2,
        "中国梦": 2, "劳动美": 2, "劳模精神": 2, "劳动精神": 1.5, "工匠精神": 1.5,
        "社会主义核心价值观": 2, "职工书屋": 2, "宣传教育": 2, "舆论": 2, "网上": 1, "意识形态": 2,
        "文化": 1, "读书": 1.5, "主旋律": 2, "正能量": 1.5, "思政": 2, "引领": 1, "忠诚": 1.5,
        "理想信念": 2, "党史学习教育": 2, "初心": 1, "凝聚思想": 2, "思想共识": 2, "引领力": 2,
        "弘扬": 1, "精神": 0.5, "演讲": 1, "宣传": 1,
        "理论学习": 2, "集中学习": 1.5, "政治学习": 2, "师德": 2, "思想教育": 2, "学习型": 1.5,
    },
    "建功立业": {
        "建功立业": 3, "劳动和技能竞赛": 3, "技能竞赛": 3, "劳动竞赛": 3, "立功竞赛": 3, "竞赛": 2,
        "产业工人队伍建设改革": 3, "产业工人": 2, "产改": 3, "工匠": 2, "大国工匠": 2, "劳模创新工作室": 3,
        "创新工作室": 3, "五小": 2, "职工创新": 2, "创新成果": 2, "合理化建议": 3, "技术攻关": 2,
        "技能": 1.5, "岗位练兵": 2, "技术比武": 2, "主力军": 2, "高质量发展": 1, "工友创业": 2,
        "创业园": 2, "技能人才": 2, "技术工人": 2, "匠心": 2, "匠才": 2, "服务大局": 2, "围绕中心": 2,
        "工人先锋号": 1.5, "五一劳动奖": 1.5, "劳动模范": 1, "安康杯": 2, "安全生产": 1.5, "建功": 2,
        "发展动力": 1.5, "服务发展": 2, "经济": 0.5, "职业技能": 2, "培训": 0.5, "人才": 1, "乡村振兴": 1,
        "有为": 1, "担当": 0.5,
        "业务学习": 1.5, "业务培训": 1.5, "职工素质": 1.5, "素质": 1,
    },
    "维权服务": {
        "维权": 3, "维护职工合法权益": 3, "合法权益": 2, "法律援助": 3, "集体协商": 3, "职代会": 2,
        "职工代表大会": 2, "厂务公开": 2, "民主管理": 2, "和谐劳动关系": 3, "劳动关系": 2, "困难职工": 3,
        "帮扶": 2, "送温暖": 3, "送清凉": 3, "金秋助学": 3, "疗休养": 3, "驿站": 3, "服务站点": 3,
        "户外劳动者": 2, "12351": 2, "热线": 2, "女职工": 2, "普惠": 2, "婚恋": 2, "交友": 2, "托管": 2,
        "托育": 2, "妈妈小屋": 2, "解困脱困": 3, "慰问": 2, "救助": 2, "医疗互助": 2, "就业": 1.5,
        "服务职工": 2, "暖心": 2, "温暖": 1.5, "关爱": 2, "娘家": 2, "贴心": 1.5, "幸福": 1, "生活品质": 2,
        "职工之家": 0.5, "文体": 1.5, "运动会": 1.5, "权益": 2, "农民工": 1.5, "欠薪": 2, "调解": 2,
        "争议": 1.5, "法治": 1.5, "劳动争议": 2, "维稳": 2, "稳定": 1, "服务": 0.5, "职工群众": 0.5,
        "新就业形态": 0.5, "心灵": 1, "健康": 1, "帮扶资金": 2, "同心圆": 1.5, "获得感": 1,
        "安全感": 1, "文化活动": 1,
        "劳资纠纷": 2, "教代会": 1, "教职工代表大会": 1.5, "校务公开": 2, "协商": 1.5, "文体活动": 2,
    },
    "改革创新": {
        "工会改革": 3, "改革": 2, "改革创新": 2, "基层组织": 2, "基层工会": 2, "基层基础": 3,
        "建会入会": 3, "建会": 2, "入会": 2, "会员": 1.5, "新就业形态劳动者": 1.5, "智慧工会": 3,
        "数字化": 2, "数字": 1, "网上工会": 2, "职工之家": 2, "赋能": 1.5, "强基": 2.5, "固本": 2,
        "县级工会加强年": 3, "社会工作者": 2, "工会干部": 1, "经费": 1.5, "审计": 1.5, "审查": 1,
        "资产": 1.5, "覆盖": 1, "组织覆盖": 2, "活力": 1.5, "夯实": 1, "规范化建设": 2, "创新": 0.5,
        "四化": 1.5, "三性": 1.5, "工作机制": 1, "阵地": 1, "服务阵地": 1, "产业工会": 1.5,
        "行业工会": 1.5, "区域工会": 1.5, "联合会": 1, "工联": 1, "小三级": 2, "新领域": 1.5,
        "新业态": 1.5, "快递": 1, "外卖": 1, "网约": 1,
        "组建": 2, "组织建设": 2,
    },
    "党建自身建设": {
        "全面从严治党": 3, "从严治党": 3, "党风廉政": 3, "廉政": 2, "廉洁": 2, "清廉": 3, "勤廉": 3,
        "模范机关": 3, "作风": 2, "作风建设": 3, "八项规定": 3, "四风": 3, "自身建设": 3, "党组": 1,
        "党建": 1.5, "纪检": 2, "巡察": 2, "政治生态": 2, "干部队伍": 2, "管党治党": 3,
        "学习": 0.5, "执行": 1, "效能": 1.5, "真本领": 2, "主体责任": 2, "机关": 1, "纪律": 2,
        "形式主义": 2, "官僚主义": 2, "政治建设": 2, "战斗力": 2,
        "领导": 0.5, "自身": 1,
    },
    "问题短板": {
        "存在的问题": 4, "问题和不足": 4, "不足": 2, "短板": 3, "差距": 2, "薄弱": 2, "不够": 1.5,
        "有待": 1.5, "不平衡": 1.5, "仍然": 1, "还存在": 2, "不强": 1, "不高": 1, "困难和问题": 3,
        "因循守旧": 2, "僵化": 2,
    },
    "展望": {
        "下一步": 4, "今后": 2, "未来五年": 3, "新征程": 1.5, "将继续": 2.5, "将": 0.5, "展望": 3,
        "打算": 3, "工作思路": 2, "措施": 1, "奋斗目标": 2, "开创": 1, "再创": 1.5, "新篇章": 1,
        "十五五": 2, "谱写": 1, "奋力": 0.5, "要进一步": 2, "要": 0.3,
    },
}

_PATTERNS = {ch: re.compile("|".join(sorted(map(re.escape, terms), key=len, reverse=True))) for ch, terms in LEXICON.items()}
HEADING_WEIGHT = 5.0
# A second label is kept when it scores at least this share of the first.
SECOND_LABEL_SHARE = 0.75


def score(text: str) -> Counter:
    """Weighted lexicon hits per chapter; longest terms are matched first.

    A term counts 1 + log(n) for n occurrences, so that a generic word repeated through
    a long text (服务, 职工群众) does not outweigh several distinct specific ones."""
    out: Counter = Counter()
    text = simplified(text)  # traditional characters and pinyin in brackets read as simplified
    for chapter, pattern in _PATTERNS.items():
        weights = LEXICON[chapter]
        counts = Counter(m.group(0) for m in pattern.finditer(text))
        for term, n in counts.items():
            out[chapter] += weights[term] * (1 + math.log(n))
    return out


def labels(scores: Counter, min_score: float = 2.0, share: float = SECOND_LABEL_SHARE) -> list[str]:
    ranked = [(c, s) for c, s in scores.most_common() if s > 0]
    if not ranked or ranked[0][1] < min_score:
        return ["其他"]
    top = ranked[0][1]
    chosen = [ranked[0][0]]
    if len(ranked) > 1 and ranked[1][1] >= share * top:
        chosen.append(ranked[1][0])
    return chosen


def classify_text(text: str) -> list[str]:
    """Chapters of a free piece of text, best first ("其他" when nothing stands out)."""
    return labels(score(text))


def _normalise(body: Counter, length: int) -> Counter:
    # Body evidence grows with length; damp it so long sections don't drown the heading.
    scale = 1.0 / max(1.0, (length / 600) ** 0.5)
    return Counter({c: s * scale for c, s in body.items()})


def classify_section(section: Section, body_text: str | None = None, last: bool = False) -> list[str]:
    """Chapters of a section. ``body_text`` may include the text of its sub-sections."""
    heading = strip_numbering(simplified(section.heading)).lstrip(".．")
    head = score(heading)
    problem_or_plan = _problem_or_plan(heading, head)
    if problem_or_plan:
        return [problem_or_plan]
    if is_umbrella(heading):
        return ["其他"]
    named = [c for c in MAIN_NAMES if c in heading]
    if len(named) == 1:
        return named  # a heading that names its chapter outright (改革创新)
    if body_text is None:
        body_text = "".join(p.text for p in section.passages)
    body_text = simplified(body_text)
    # A closing section of plans: the last one, whose text is dense with future markers
    # (将继续, 新征程 …; at least one per 125 characters, unlike a work section that ends on a plan).
    future = len(_FUTURE.findall(body_text))
    if last and future >= 2 and future * 125 >= len(body_text) and max(head.values(), default=0) < 2:
        return ["展望"]
    if _is_mixed_summary(body_text) and max(head.values(), default=0) < 3:
        return ["其他"]
    body = _normalise(score(body_text), len(body_text))
    total = Counter()
    for c in CHAPTERS:
        total[c] = head.get(c, 0) * HEADING_WEIGHT + body.get(c, 0)
    return labels(total, min_score=3.0)


_PROBLEM = re.compile(r"(存在的?问题|问题和不足|不足之处|短板|差距和不足|困难和问题)")
_PLAN = re.compile(r"(下一步|工作打算|今后|明年|未来五年|展望|工作思路|措施|目标任务|奋斗书写|新征程|新局面)")


# What an umbrella heading is made of: 一、2022年主要工作, 一、上半年工作总结, 一年来工会工作的回顾.
_UMBRELLA_WORDS = re.compile(
    r"\d{4}\s*年度?|[Xx×]{2}\s*年度?|20[Xx×]{2}\s*年度?|20__\s*年度?|[上下]半年|全年|本年度|年度|今年|去年|一年来|"
    r"工会|主要|重点|基本|开展|的|工作|情况|成效|成绩|总结|回顾|完成|进展|做法|取得|及|和|与|[\s:：，,。、]"
)


def is_umbrella(heading: str) -> bool:
    """A heading that only says "the work of the year" holds several chapters: 其他."""
    return bool(heading) and not _UMBRELLA_WORDS.sub("", heading)


def _problem_or_plan(heading: str, head: Counter) -> str | None:
    if _PROBLEM.search(heading) and not re.search(r"(措施|解决)", heading):
        return "问题短板"
    if re.search(r"(下一步|工作打算|今后|明年|下半年|未来五年|展望|解决.*措施|工作(安排|设想|计划|思路))", heading):
        return "展望"
    # Closing exhortations (开创新局面, 再创新辉煌) only when the heading names no work area.
    other = max((v for c, v in head.items() if c != "展望"), default=0)
    if other < 1.5 and re.search(r"(开创.{0,6}新局面|再创.{0,3}新辉煌|谱写.{0,4}新篇章)", heading):
        return "展望"
    return None


_FUTURE = re.compile(r"(将继续|将进一步|将坚持|将以|将着力|新征程|新起点|十五五|未来|下一步|今后)")


def _is_mixed_summary(body_text: str) -> bool:
    """An 一是…五是 summary whose points are about different chapters."""
    points = [m.start() for m in POINT.finditer(body_text)]
    if len(points) < 3:
        return False
    pieces = [body_text[a:b] for a, b in zip(points, points[1:] + [len(body_text)])]
    tops = {scores.most_common(1)[0][0] for scores in map(score, pieces) if scores}
    return len(tops & set(CHAPTERS[:5])) >= 3


def classify_article(article: Article) -> None:
    """Label every section and passage of an article in place.

    A passage takes its own chapter when its text is clearly about one; otherwise
    it inherits the section's (so a mixed 一是…五是 section gives each point its own).
    """
    sections = article.sections
    for i, section in enumerate(sections):
        # A section's body includes its sub-sections (思想铸魂 / 深挖… / text).
        body = [section]
        for sub in sections[i + 1 :]:
            if sub.level <= section.level:
                break
            body.append(sub)
        # Sub-headings count as body text (一是… points cut off as run-in headings included).
        body_text = "".join((s.heading if s is not section else "") + "".join(p.text for p in s.passages) for s in body)
        last = section.level <= 1 and not any(s.level == section.level for s in sections[i + 1 :])
        if section.level == 0:
            section.chapters = ["其他"]  # the lead-in (导语) before the first heading is an overview
        elif section.passages or body_text or section.heading:
            section.chapters = classify_section(section, body_text, last=last)
        else:
            section.chapters = ["其他"]
        for passage in section.passages:
            # A point of its own (三是… under 二是…) speaks for itself, like the points of an overview.
            own = ["其他"] if POINT_START.match(passage.text) else section.chapters
            passage.chapters = _passage_chapters(passage.text, own)
    # A heading that only holds sub-sections of different areas (一、主要工作及成效) is a container.
    for i, section in enumerate(sections):
        if section.passages or section.chapters[0] in ("问题短板", "展望"):
            continue
        heading = strip_numbering(simplified(section.heading))
        if max(score(heading).values(), default=0) >= 1.5 or any(c in heading for c in MAIN_NAMES):
            continue  # the heading names its area (（一）思想引领持续强化): not a mere container
        subs = []
        for sub in sections[i + 1 :]:
            if sub.level <= section.level:
                break
            if sub.level == section.level + 1 and not POINT_START.match(sub.heading):
                subs.append(sub.chapters[0])  # 一是/二是 points are the section's own text
        if len(set(subs)) >= 2:
            section.chapters = ["其他"]


def _passage_chapters(text: str, section_chapters: list[str]) -> list[str]:
    ranked = score(text).most_common(2)
    top, top_score = ranked[0] if ranked else ("其他", 0.0)
    second_score = ranked[1][1] if len(ranked) > 1 else 0.0
    strong = top_score >= 4 and top_score >= 1.5 * second_score
    lead = section_chapters[0]
    if lead == "其他":
        # Overviews and 一是…五是 summaries: each point speaks for itself.
        return [top] if top_score >= 2 else ["其他"]
    if lead in ("展望", "问题短板"):
        # A plan or a shortcoming stays one, and says which work area it is about.
        return [lead, top] if strong and top != lead else [lead]
    if strong and top not in section_chapters:
        return [top]
    return list(section_chapters)
