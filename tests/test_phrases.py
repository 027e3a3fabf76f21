import re

import pytest

from drafter.corpus import Corpus
from drafter.errors import DrafterError
from drafter.model import PassageRecord
from drafter.phrases import (
    HEADING_STRUCTURES,
    Pattern,
    heading_structure,
    match_pattern,
    mine_formulations,
    mine_headings,
    mine_patterns,
    resolve_chapter,
    slot_text,
    strip_numbering,
    suggested_headings,
)

FAMILY = re.compile(r"竞赛[^，]*?\d[^，]*?项[，,].*?参与职工[^，]*?\d[^，]*?人次")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return Corpus.load(tmp_path_factory.mktemp("corpus"))


class TinyCorpus:
    """Hand-made passages: two chapters, enough to score one against the other."""

    fingerprint = "tiny"
    documents: list = []

    def __init__(self, records):
        self._records = records

    def passages(self):
        return self._records


def _rec(text, chapter, file="a.txt", article="甲"):
    return PassageRecord(text, (chapter,), file, article, "标题")


def test_chapter_short_forms_and_unknown_chapter():
    assert resolve_chapter("思想") == "思想引领"
    assert resolve_chapter("建功") == "建功立业"
    assert resolve_chapter("党建") == "党建自身建设"
    with pytest.raises(DrafterError) as exc:
        resolve_chapter("财务")
    assert "维权服务" in exc.value.message and "改革创新" in exc.value.message


@pytest.mark.parametrize(
    "heading, structure",
    [
        ("打造“暖心工会”", "打造“X工会”"),
        ("在建功立业中进一步凸显职工主力军作用", "在…中…"),
        ("凝心聚力勇担使命", "四字+四字对仗"),
        ("凝心聚力 勇担使命", "四字+四字对仗"),
        ("凝心聚力勇担使命 思想政治引领更加有力", "四字+四字对仗"),
        ("深耕基层建强队伍 让工会组织覆盖硬起来强起来", "四字+四字对仗"),
        ("打造温馨职工之家", "其他"),
        ("构建和谐劳动关系 政治安全防线更加稳固", "动宾短语，成效句"),
        ("劳动创造幸福 奋斗书写华章", "对仗（字数相同的两句）"),
        ("服务中心大局，答好匠心答卷", "对仗（字数相同的两句）"),
        ("强基铸魂，不断激发奋进力量", "动宾短语，成效句"),
        ("服务大局，凝心聚力建功立业", "动宾短语，成效句"),
        ("政治引领 画好最大“同心圆”", "“X”比喻式"),
        ("劳动者之光闪耀天府大地", "其他"),
    ],
)
def test_heading_structure(heading, structure):
    assert structure in HEADING_STRUCTURES
    assert heading_structure(heading) == structure


def test_strip_numbering():
    assert strip_numbering("二、服务大局，提升引领力") == "服务大局，提升引领力"
    assert strip_numbering("（三）打造“暖心工会”") == "打造“暖心工会”"
    assert strip_numbering("### 政治引领 画好最大“同心圆”") == "政治引领 画好最大“同心圆”"


def test_mine_headings_from_seeds_are_grouped_with_sources(seeds):
    groups = mine_headings(seeds, "建功")
    assert len(groups) >= 3
    order = [g.structure for g in groups]
    assert order == sorted(order, key=HEADING_STRUCTURES.index)
    texts = {h.text: g.structure for g in groups for h in g.headings}
    assert texts["在建功立业中进一步凸显职工主力军作用"] == "在…中…"
    for g in groups:
        for h in g.headings:
            assert h.sources and h.sources[0].file.endswith(".txt")
            assert not re.match(r"^[一二三四五六七八九十]+、", h.text)


def test_slot_text_turns_figures_into_slots():
    assert slot_text("开展市级劳动和技能竞赛322项，参与职工175万人次") == "开展市级劳动和技能竞赛{数}项，参与职工{数}万人次"
    assert slot_text("2025年以来开展竞赛1100余场") == "{年}年以来开展竞赛{数}余场"


def test_competition_family_is_one_group(seeds):
    patterns = mine_patterns(seeds, "建功立业", n=0)
    family = [p for p in patterns if any(FAMILY.search(e) for e in p.examples)]
    assert len(family) == 1, [p.template for p in family]
    p = family[0]
    assert p.count >= 3 and len(p.sources) >= 3
    assert "{数}" in p.template and not re.search(r"\d", p.template)
    assert all(not re.search(r"\d", v) for v in p.variants)
    assert [s.head for s in p.slots][-1] == "职工" and p.slots[-1].unit == "人次"


def test_each_shape_shows_once(seeds):
    patterns = mine_patterns(seeds, "维权", n=0)
    assert patterns
    assert len({p.shape for p in patterns}) == len(patterns)
    assert len({p.template for p in patterns}) == len(patterns)
    assert sum(p.count for p in patterns) > len(patterns)  # some shapes gather several instances
    counts = [len(p.sources) for p in patterns]
    assert counts == sorted(counts, reverse=True)


def test_mine_formulations_scores_against_other_chapters():
    recs = []
    for i in range(4):
        recs.append(_rec(f"大力弘扬劳模精神，开展劳模工匠宣讲活动第{i}场。", "思想引领", article=f"文{i}"))
        recs.append(_rec(f"开展劳动和技能竞赛，组织职工岗位练兵第{i}次。", "建功立业", article=f"文{i}"))
        recs.append(_rec("全市各级工会认真履行职责，组织职工参加活动。", "思想引领", article=f"文{i}"))
        recs.append(_rec("全市各级工会认真履行职责，组织职工参加活动。", "建功立业", article=f"文{i}"))
    found = mine_formulations(TinyCorpus(recs), "思想", n=5)
    texts = [e.text for e in found]
    assert any("劳模" in t for t in texts)
    assert not any("竞赛" in t or "履行职责" in t for t in texts)
    top = found[0]
    assert top.count >= 3 and top.other_count == 0 and top.articles >= 2
    assert top.text in top.example and top.source.article.startswith("文")


def test_mine_formulations_on_seeds(seeds):
    found = mine_formulations(seeds, "思想引领", n=15)
    assert len(found) == 15
    scores = [e.score for e in found]
    assert scores == sorted(scores, reverse=True)
    for e in found:
        assert e.count >= 3 and e.text in e.example
    # One entry per expression: no entry is a piece of another.
    texts = [e.text for e in found]
    assert not any(a != b and a in b for a in texts for b in texts)


def test_match_pattern_writes_the_users_item_with_the_pattern_wording(seeds):
    m = match_pattern("劳动和技能竞赛", seeds, unit="项", chapter="建功")
    assert m is not None and m.slot.head == "竞赛" and m.slot.unit == "项"
    clause = m.render("劳动和技能竞赛", "43项")
    assert clause == m.verb + "劳动和技能竞赛43项" and m.verb
    # An item that already has a verb keeps its own.
    assert m.render("开展劳动和技能竞赛", "43项") == "开展劳动和技能竞赛43项"
    assert m.render("新命名劳动和技能竞赛", "4项") == "新命名劳动和技能竞赛4项"
    # 场 and 场次 count the same kind of thing; 万 in the unit does not matter.
    assert match_pattern("劳动和技能竞赛", seeds, unit="场次", chapter="建功")
    money = match_pattern("为职工挽回经济损失", seeds, unit="万元", chapter="维权")
    assert money is not None and money.render("为职工挽回经济损失", "236.5万元") == "为职工挽回经济损失236.5万元"
    assert match_pattern("茶叶烘焙温度", seeds, unit="摄氏度") is None


def test_match_pattern_on_a_pattern_list():
    recs = [
        _rec("开展劳动竞赛12项，参与职工3万人次。", "建功立业", article="甲"),
        _rec("开展劳动竞赛30项，参与职工5万人次。", "建功立业", article="乙"),
    ]
    patterns = mine_patterns(TinyCorpus(recs), "建功", n=0)
    assert len(patterns) == 1 and isinstance(patterns[0], Pattern)
    assert patterns[0].template == "开展劳动竞赛{数}项，参与职工{数}万人次"
    m = match_pattern("技能竞赛", patterns, unit="项")
    assert m is not None and m.render("技能竞赛", "7项") == "开展技能竞赛7项"
    assert match_pattern("技能竞赛", patterns, unit="人") is None


def test_unknown_chapter_is_a_user_error(seeds):
    for fn in (mine_headings, mine_formulations, mine_patterns):
        with pytest.raises(DrafterError):
            fn(seeds, "不存在")


def test_suggested_headings_take_one_structure_at_a_time(seeds):
    picks = suggested_headings(seeds, "维权", k=3)
    assert len(picks) == 3
    structures = [heading_structure(h.text) for h in picks]
    assert len(set(structures)) == 3 and "其他" not in structures
    assert all(h.sources for h in picks)
