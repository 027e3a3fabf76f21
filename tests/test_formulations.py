import json

import pytest

from drafter.errors import DrafterError
from drafter.formulations import FormulationMatcher, formulations_path, load_formulations

# id -> (a sentence with the right form, a sentence with a wrong form)
CASES = {
    "xi-thought": ("坚持以习近平新时代中国特色社会主义思想为指导。", "坚持以习近平中国特色社会主义思想为指导。"),
    "xi-discourse-union": (
        "深入学习习近平总书记关于工人阶级和工会工作的重要论述。",
        "深入学习习近平总书记关于工会和工人阶级工作的重要论述。",
    ),
    "two-establishes": ("深刻领悟“两个确立”的决定性意义。", "深刻领悟“两个确定”的决定性意义。"),
    "four-consciousness": ("增强“四个意识”、坚定“四个自信”。", "坚定“四个意识”，做到“两个维护”。"),
    "four-confidence": ("增强“四个意识”、坚定“四个自信”。", "增强四个意识、增强四个自信。"),
    "new-development-concept": ("贯彻创新、协调、绿色、开放、共享的新发展理念。", "贯彻创新、绿色、协调、开放、共享的新发展理念。"),
    "core-values-state": ("富强、民主、文明、和谐是国家层面的价值目标。", "民主、富强、文明、和谐是国家层面的价值目标。"),
    "core-values-society": ("倡导自由、平等、公正、法治。", "倡导平等、自由、公正、法治。"),
    "core-values-citizen": ("倡导爱国、敬业、诚信、友善。", "倡导爱国、诚信、敬业、友善。"),
    "original-aspiration": ("开展“不忘初心、牢记使命”主题教育。", "开展“牢记使命、不忘初心”主题教育。"),
    "theme-education-2023": ("落实学思想、强党性、重实践、建新功的总要求。", "落实学思想、重实践、强党性、建新功的总要求。"),
    "party-history-education": (
        "做到学史明理、学史增信、学史崇德、学史力行。",
        "做到学史增信、学史明理、学史崇德、学史力行。",
    ),
    "strict-party-governance": ("坚定不移推进全面从严治党。", "坚定不移推进全面从紧治党。"),
    "eight-point-rules": ("严格落实中央八项规定及其实施细则精神。", "严格落实中央八条规定。"),
    "clean-governance": ("扎实推进党风廉政建设和反腐败工作。", "扎实推进党风廉洁建设。"),
    "listen-follow": ("团结引导职工群众听党话、跟党走。", "团结引导职工群众跟党走、听党话。"),
    "listen-grateful-follow": ("引导职工听党话、感党恩、跟党走。", "引导职工跟党走、感党恩、听党话。"),
    "three-spirits": ("大力弘扬劳模精神、劳动精神和工匠精神。", "大力弘扬劳动精神、劳模精神、工匠精神。"),
    "model-worker-spirit": (
        "爱岗敬业、争创一流、艰苦奋斗、勇于创新、淡泊名利、甘于奉献的劳模精神。",
        "争创一流、爱岗敬业、艰苦奋斗、勇于创新、淡泊名利、甘于奉献的劳模精神。",
    ),
    "labour-spirit": ("崇尚劳动、热爱劳动、辛勤劳动、诚实劳动的劳动精神。", "热爱劳动、崇尚劳动、辛勤劳动、诚实劳动的劳动精神。"),
    "craftsman-spirit": ("执着专注、精益求精、一丝不苟、追求卓越的工匠精神。", "精益求精、执着专注、一丝不苟、追求卓越的工匠精神。"),
    "labour-glory": ("营造劳动光荣、技能宝贵、创造伟大的时代风尚。", "营造技能宝贵、劳动光荣、创造伟大的时代风尚。"),
    "china-dream-labour": ("深化“中国梦•劳动美”主题宣传教育。", "深化“劳动美·中国梦”主题宣传教育。"),
    "industrial-workforce-reform": ("深化产业工人队伍建设改革。", "深化产业队伍建设改革。"),
    "union-development-path": ("坚定不移走中国特色社会主义工会发展道路。", "坚定不移走中国特色社会主义工会道路。"),
    "rely-on-working-class": ("贯彻全心全意依靠工人阶级的根本方针。", "贯彻全心全意依赖工人阶级的根本方针。"),
    "worker-centred-orientation": ("坚持以职工为中心的工作导向。", "坚持以职工为本的工作导向。"),
    "three-natures": ("保持和增强政治性、先进性、群众性。", "保持和增强先进性、政治性、群众性。"),
    "four-tendencies": ("着力解决机关化、行政化、贵族化、娱乐化问题。", "着力解决行政化、机关化、贵族化、娱乐化问题。"),
    "basic-duty": ("履行维护职工合法权益、竭诚服务职工群众的基本职责。", "履行竭诚服务职工群众、维护职工合法权益的基本职责。"),
    "bridge-link": ("工会是党联系职工群众的桥梁和纽带。", "工会是党联系职工群众的纽带和桥梁。"),
    "centre-overall": ("坚持围绕中心、服务大局。", "坚持服务大局、围绕中心。"),
    "acftu-name": ("中华全国总工会印发通知。", "中国总工会印发通知。"),
    "union-constitution": ("认真学习《中国工会章程》。", "认真学习《中华全国总工会章程》。"),
    "new-employment-workers": ("推动新就业形态劳动者入会。", "推动新就业形式劳动者入会。"),
    "hotline-12351": ("开通12351职工服务热线。", "开通12315职工服务热线。"),
}


@pytest.fixture(scope="module")
def matcher():
    return FormulationMatcher()


def test_data_file_has_at_least_30_formulations_each_with_a_case():
    ids = [f.id for f in load_formulations()]
    assert len(ids) >= 30
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert sorted(ids) == sorted(CASES), "every formulation needs a right/wrong case below"


@pytest.mark.parametrize("fid", sorted(CASES))
def test_right_form_is_clean_and_wrong_form_is_found(matcher, fid):
    right, wrong = CASES[fid]
    assert matcher.find(right) == []
    hits = matcher.find(wrong)
    assert [h.formulation.id for h in hits] == [fid]
    assert hits[0].found in wrong
    assert hits[0].formulation.right in hits[0].message


def test_wrong_forms_never_occur_inside_the_right_form():
    for f in load_formulations():
        for w in f.wrong:
            assert w not in f.right, f.id


def test_right_form_of_every_entry_is_clean(matcher):
    text = "。".join(f.right for f in load_formulations()) + "。"
    assert matcher.find(text) == []


def test_also_accepted_order_is_clean(matcher):
    assert matcher.find("广大职工感党恩、听党话、跟党走的信念更加坚定。") == []


def test_partial_listing_is_not_an_order_error(matcher):
    # Two of three items, or items spread over clauses, are not a misquoted list.
    assert matcher.find("工匠精神和劳模精神深入人心。") == []
    assert matcher.find("政治性进一步增强、先进性进一步体现、群众性进一步彰显。") == []


def test_seed_000_misquote_is_found(seeds_dir, matcher):
    raw = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    text = "".join(raw.split())  # the seed breaks the formulation over two lines
    ids = [h.formulation.id for h in matcher.find(text)]
    assert "xi-thought" in ids


def test_broken_data_file_is_a_user_error(tmp_path):
    bad = tmp_path / "f.json"
    bad.write_text(json.dumps({"formulations": [{"id": "x", "right": "甲", "patterns": ["("]}]}), encoding="utf-8")
    with pytest.raises(DrafterError):
        load_formulations(bad)
    assert formulations_path().exists()
