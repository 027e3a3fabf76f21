"""The year-aware guidance table: what a report of a given year names as current."""

import datetime

import pytest

from drafter.guidance import current_sessions, find_sessions, opening_phrase, sessions, stale_mentions, union_phrase


def test_table_is_sourced_sorted_and_consistent():
    table = sessions()
    assert [s.held for s in table] == sorted(s.held for s in table)
    assert len({s.key for s in table}) == len(table)
    for s in table:
        assert s.source and s.forms and s.body in ("party_congress", "party_plenum", "union_congress")
        assert s.name in s.forms
        assert datetime.date(2002, 1, 1) <= s.held <= datetime.date(2026, 1, 1)
    # Every plenum is held after its own congress and before the next one.
    congresses = {s.key: s for s in table if s.body == "party_congress"}
    for s in table:
        if s.body == "party_plenum":
            assert congresses[s.term].held <= s.held


@pytest.mark.parametrize(
    "year, phrase, union",
    [
        (2013, "深入学习贯彻党的十八大和十八届二中、三中全会精神", "中国工会十六大精神"),
        (2018, "深入学习贯彻党的十九大和十九届二中、三中全会精神", "中国工会十七大精神"),
        (2023, "深入学习贯彻党的二十大和二十届二中全会精神", "中国工会十八大精神"),
        (2024, "深入学习贯彻党的二十大和二十届二中、三中全会精神", "中国工会十八大精神"),
        (2025, "深入学习贯彻党的二十大和二十届二中、三中、四中全会精神", "中国工会十八大精神"),
    ],
)
def test_opening_phrase_per_year(year, phrase, union):
    assert opening_phrase(year) == phrase
    assert union_phrase(year) == union


def test_half_year_report_does_not_name_a_later_plenum():
    # 二十届三中全会 closed in July 2024: a report written in June does not name it.
    assert opening_phrase(2024, month=6) == "深入学习贯彻党的二十大和二十届二中全会精神"
    assert "cpc-20-3" in {s.key for s in current_sessions(2024, month=7)}


def test_congress_year_switches_to_the_new_congress():
    keys = {s.key for s in current_sessions(2022)}
    assert "cpc-20" in keys and "cpc-19" not in keys and "cpc-19-6" not in keys
    assert opening_phrase(2022) == "深入学习贯彻党的二十大精神"


def test_find_sessions_longest_form_and_lists():
    text = "深入学习贯彻党的二十大和二十届二中、三中全会精神，落实中国工会第十八次全国代表大会部署"
    found = [(s.key, text[a:b]) for s, a, b in find_sessions(text)]
    assert found == [
        ("cpc-20", "党的二十大"),
        ("cpc-20-2", "二中"),
        ("cpc-20-3", "三中"),
        ("acftu-18", "中国工会第十八次全国代表大会"),
    ]


def test_find_sessions_tells_union_from_party_by_context():
    text = "认真贯彻中国工会十七大、十八大精神。党的十八大以来，全总十八大提出"
    keys = [s.key for s, _, _ in find_sessions(text)]
    assert keys == ["acftu-17", "acftu-18", "cpc-18", "acftu-18"]
    # 二十大 is not read as a congress 十大, nor 二十届 as 十届.
    assert [s.key for s, _, _ in find_sessions("二十大")] == ["cpc-20"]


def test_stale_mentions_in_a_2025_report():
    text = "全面贯彻党的十九大和十九届四中全会精神，党的二十大胜利召开"
    stale = [s.key for s, _, _ in stale_mentions(text, 2025)]
    assert stale == ["cpc-19", "cpc-19-4"]
    assert stale_mentions(text, 2019) == []
