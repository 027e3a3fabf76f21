import json

import pytest

from drafter.check import check_paragraphs
from drafter.checks.usage import load_usage_rules, rule_ids, usage_hits, usage_rules_path

RULES = {r.id: r for r in load_usage_rules()}


def test_at_least_50_rules_with_unique_ids():
    assert len(RULES) >= 50
    assert len(rule_ids()) == len(RULES), "duplicate ids"


@pytest.mark.parametrize("rid", sorted(RULES))
def test_rule_fires_on_its_wrong_case_only(rid):
    rule = RULES[rid]
    assert usage_hits(rule.right) == [], rule.right
    hits = usage_hits(rule.wrong)
    assert hits and {h[0].id for h in hits} == {rid}, rule.wrong
    # A replacement, where there is one, makes the wrong case right for this rule.
    fixed, shift = rule.wrong, 0
    if all(h[3] is not None for h in hits):
        for _, a, b, rep in hits:
            fixed = fixed[: a + shift] + rep + fixed[b + shift :]
            shift += len(rep) - (b - a)
        assert not [h for h in usage_hits(fixed) if h[0].id == rid], fixed


@pytest.mark.parametrize("rid", sorted(RULES))
def test_every_rule_can_be_switched_off(rid):
    assert usage_hits(RULES[rid].wrong, disabled={rid}) == []


def test_group_can_be_switched_off():
    assert usage_hits("再接再励，开展劳动竟赛。", disabled={"成语", "错别字"}) == []


def test_usage_findings_carry_found_text_and_replacement():
    found = check_paragraphs(["截止2025年底,全县的的职工。"], disabled={"structure"})
    got = [(f.rule, f.found, f.replacement) for f in found if f.type == "usage"]
    assert got == [("jiezhi-date", "截止", "截至"), ("ascii-punct", ",", "，"), ("doubled-char", "的的", "的")]


def test_legitimate_doubles_and_wrapped_quotes_are_clean():
    for text in ("要不了了之。", "的的确确如此。", "现在在家门口就业。", "实实在在的福利。", "开展“五\n"):
        assert usage_hits(text) == [], text


def test_shipped_rule_file_is_valid_json():
    data = json.loads(usage_rules_path().read_text(encoding="utf-8"))
    assert all({"id", "group", "pattern", "message", "cases"} <= set(r) for r in data["rules"])
