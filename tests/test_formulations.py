import json
import random

import pytest

from drafter.errors import DrafterError
from drafter.formulations import MINOR, FormulationMatcher, _fuzzy_fold, formulations_path, load_formulations

BANK = load_formulations()
BY_ID = {f.id: f for f in BANK}


@pytest.fixture(scope="module")
def matcher():
    return FormulationMatcher()


def test_bank_has_at_least_100_formulations_each_with_source_and_cases():
    assert len(BANK) >= 100
    assert len(BY_ID) == len(BANK), "duplicate ids"
    for f in BANK:
        assert f.source, f"{f.id}: no source"
        assert f.cases, f"{f.id}: no right and wrong case"


@pytest.mark.parametrize("fid", sorted(BY_ID))
def test_right_case_is_clean_and_wrong_case_is_found(matcher, fid):
    (right, wrong), = BY_ID[fid].cases
    assert matcher.find(right) == [], right
    hits = matcher.find(wrong)
    assert [h.formulation.id for h in hits] == [fid], wrong
    assert hits[0].found in wrong
    assert hits[0].formulation.right in hits[0].message


def test_wrong_forms_never_occur_inside_the_right_form():
    for f in BANK:
        for w in f.wrong:
            assert w not in f.right, f.id


def test_right_form_of_every_entry_is_clean(matcher):
    text = "。".join(f.right for f in BANK) + "。"
    assert matcher.find(text) == []


def _mutations(right: str, rng: random.Random, n: int):
    """Random single-character edits (substitution, deletion, insertion, swap) inside a form.

    The matcher needs the ends of a form to stand (one character each, two for forms of 10
    characters or more), so the edits are made between them.
    """
    filler = "了在是有为一中大新工会职"
    edge = 1 if len(right) < 10 else 2
    inner = [i for i in range(edge, len(right) - edge)]
    for _ in range(n):
        i = rng.choice(inner)
        kind = rng.choice(("sub", "del", "ins", "swap"))
        if kind == "sub":
            yield right[:i] + rng.choice([c for c in filler if c != right[i]]) + right[i + 1 :]
        elif kind == "del" and right[i] not in MINOR:  # a connective left out is not a misquote
            yield right[:i] + right[i + 1 :]
        elif kind == "ins":
            yield right[:i] + rng.choice(filler) + right[i:]
        elif i + 1 < len(right) - edge and right[i] != right[i + 1]:
            yield right[:i] + right[i + 1] + right[i] + right[i + 2 :]


@pytest.mark.parametrize("fid", sorted(f.id for f in BANK if f.is_fuzzy))
def test_every_fuzzy_formulation_is_found_with_a_random_single_edit(matcher, fid):
    f = BY_ID[fid]
    rng = random.Random(fid)
    right = _fuzzy_fold(f.right)
    quoted = lambda s: f"要“{s}”。" if len(right) < 6 else f"要{s}。"  # short forms count in quotes only
    assert matcher.find(quoted(right)) == []
    exempt = {_fuzzy_fold(g.right) for g in BANK} | {_fuzzy_fold(a) for g in BANK for a in g.also}
    tried = 0
    for variant in _mutations(right, rng, 6):
        if variant in exempt or variant == right:
            continue
        tried += 1
        hits = matcher.find(quoted(variant))
        assert [h.formulation.id for h in hits] == [fid], variant
        assert hits[0].fuzzy or hits[0].formulation.wrong or hits[0].formulation.patterns
    assert tried


def test_issue_examples(matcher):
    for text, fid in (
        ("坚持以习近平新时代中国特色社会义思想为指导", "xi-thought"),
        ("坚决做到“两个维户”", "two-upholds"),
        ("培育和践行社会主意核心价值观", "core-values-name"),
        ("贯彻全心全意依靠工人阶级的基本方针", "rely-on-working-class-policy"),
    ):
        assert [h.formulation.id for h in matcher.find(text)] == [fid], text


def test_fuzzy_hit_carries_the_replacement(matcher):
    (hit,) = matcher.find("坚持以习近平新时代中国特色社会义思想为指导")
    assert hit.fuzzy and hit.found == "习近平新时代中国特色社会义思想"
    assert hit.replacement == "习近平新时代中国特色社会主义思想"


def test_also_accepted_order_is_clean(matcher):
    assert matcher.find("广大职工感党恩、听党话、跟党走的信念更加坚定。") == []


def test_partial_listing_is_not_an_order_error(matcher):
    # Two of three items, or items spread over clauses, are not a misquoted list.
    assert matcher.find("工匠精神和劳模精神深入人心。") == []
    assert matcher.find("政治性进一步增强、先进性进一步体现、群众性进一步彰显。") == []


def test_short_forms_are_not_matched_fuzzily_outside_quotes(matcher):
    assert matcher.find("坚决做到两个维度的统一。") == []


def test_seed_000_misquote_is_found(seeds_dir, matcher):
    raw = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    text = "".join(raw.split())  # the seed breaks the formulation over two lines
    ids = [h.formulation.id for h in matcher.find(text)]
    assert "xi-thought" in ids


def test_broken_data_file_is_a_user_error(tmp_path):
    bad = tmp_path / "f.json"
    bad.write_text(json.dumps({"formulations": [{"id": "x", "right": "甲", "patterns": ["("]}]}), encoding="utf-8")
    with pytest.raises(DrafterError) as exc:
        load_formulations(bad)
    assert "第 1 条（第 1 行）" in exc.value.message and "patterns" in exc.value.message
    assert formulations_path().exists()


def test_user_file_extends_the_bank_json_and_yaml(tmp_path):
    own = {"formulations": [{"id": "own-brand", "right": "青禾工匠培育工程", "source": "本单位文件",
                             "cases": {"right": "实施青禾工匠培育工程。", "wrong": "实施青禾工匠培养工程。"}}]}
    js = tmp_path / "我的提法.json"
    js.write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    ym = tmp_path / "我的提法.yaml"
    ym.write_text("formulations:\n  - id: own-brand\n    right: 青禾工匠培育工程\n    source: 本单位文件\n", encoding="utf-8")
    for path in (js, ym):
        bank = load_formulations(extra=path)
        assert len(bank) == len(BANK) + 1
        hits = FormulationMatcher(bank).find("实施青禾工匠培养工程。")
        assert [h.formulation.id for h in hits] == ["own-brand"]


@pytest.mark.parametrize(
    "body, where, what",
    [
        ("formulations:\n  - id: a\n    right: 青禾工匠培育工程\n  - id: b\n    rigth: 甲乙丙丁戊己\n", "第 2 条（第 4 行）", "rigth"),
        ("formulations:\n  - id: a\n    right: 甲\n", "第 1 条（第 2 行）", "wrong"),
        ("formulations:\n  - id: a\n    right: 甲乙丙丁戊己\n    wrong: 甲\n", "第 1 条", "wrong"),
        ("formulations:\n  - id: a\n    right: 甲乙丙丁戊己\n  - id: a\n    right: 甲乙丙丁戊庚\n", "第 2 条", "重复"),
        ("formulations: [\n", "YAML", ""),
        ("- 甲\n", "formulations", ""),
    ],
)
def test_bad_user_entries_are_located(tmp_path, body, where, what):
    path = tmp_path / "提法.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DrafterError) as exc:
        load_formulations(extra=path)
    assert str(path) in exc.value.message and where in exc.value.message and what in exc.value.message


def test_replacement_only_where_the_found_text_stands_for_the_whole_form(matcher):
    got = {h.found: h.replacement for t in ("开通12315职工服务热线。", "推进全面从紧治党。", "贯彻创新、绿色、协调、开放、共享的理念。")
           for h in matcher.find(t)}
    assert got == {"12315": None, "全面从紧治党": "全面从严治党", "创新、绿色、协调、开放、共享": None}
