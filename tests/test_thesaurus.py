"""The union thesaurus: its file format and errors, the shipped entries, and how expansion ranks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drafter.errors import DrafterError
from drafter.model import PassageRecord
from drafter.search import Retriever
from drafter.thesaurus import Expansion, Thesaurus, parse, shipped_path

P = PassageRecord


# --- the file format ---------------------------------------------------------------------


def test_equivalents_one_way_entries_and_chapters():
    entries = parse("# 注释\n职代会 = 职工代表大会\n[维权]\n歇脚、喝水 > 驿站、服务站点  # 行尾注释\n[通用]\n产改 = 产业工人队伍建设改革\n")
    assert Expansion("职代会", "职工代表大会", None) in entries
    assert Expansion("职工代表大会", "职代会", None) in entries
    assert {(e.key, e.target) for e in entries if e.chapter == "维权服务"} == {
        ("歇脚", "驿站"), ("歇脚", "服务站点"), ("喝水", "驿站"), ("喝水", "服务站点")}
    assert ("驿站", "歇脚") not in {(e.key, e.target) for e in entries}  # one way only
    assert Expansion("产改", "产业工人队伍建设改革", None) in entries  # [通用] ends the chapter


def test_full_width_letters_and_digits_are_normalised():
    assert parse("ＡＢ热线 = １２３５１热线") == [Expansion("ab热线", "12351热线", None), Expansion("12351热线", "ab热线", None)]


@pytest.mark.parametrize(
    "line, expect",
    [
        ("职代会 职工代表大会", "既没有“=”也没有“>”"),
        ("职代会 =", "没有词"),
        ("> 驿站", "没有词"),
        ("歇脚 > 驿站 > 服务站", "只能有一个"),
        ("职代会 = 职工代表大会 > 民主管理", "同时有"),
        ("会 = 工会", "只有一个字"),
        ("[宣传]", "章节“宣传”无法识别"),
    ],
)
def test_bad_line_is_named_with_its_number(line, expect):
    text = "# 我的词表\n\n职代会 = 职工代表大会\n" + line + "\n产改 = 产业工人队伍建设改革\n"
    with pytest.raises(DrafterError) as err:
        parse(text, "我的词表.txt")
    assert "我的词表.txt 第 4 行" in err.value.message and expect in err.value.message


def test_user_file_adds_to_the_shipped_one(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("[建功]\n小改小革 > 五小\n", encoding="utf-8")
    th = Thesaurus.load([mine])
    assert Expansion("小改小革", "五小", "建功立业") in th.expansions("车间小改小革")
    assert th.expansions("开职代会") == Thesaurus.load().expansions("开职代会")  # shipped entries kept
    assert len(Thesaurus.load([mine], shipped=False)) == 1


def test_unreadable_thesaurus_files(tmp_path):
    with pytest.raises(DrafterError, match="找不到同义词表文件"):
        Thesaurus.load([tmp_path / "none.txt"])
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("职代会 = 职工代表大会\n".encode("gbk"))
    with pytest.raises(DrafterError, match="UTF-8"):
        Thesaurus.load([gbk])


def test_expansions_skip_terms_typed_and_keys_inside_longer_keys():
    th = Thesaurus(parse("快递员 > 户外劳动者\n快递员之家 > 驿站\n职代会 = 职工代表大会\n"))
    assert [e.target for e in th.expansions("快递员之家建设")] == ["驿站"]
    assert th.expansions("职代会即职工代表大会") == []  # both already typed
    assert [e.target for e in th.expansions("开好ＸＸ职代会")] == ["职工代表大会"]


# --- the shipped entries -----------------------------------------------------------------


def _shipped_lines():
    """(line number, line, entries) of the shipped file, each line parsed in its chapter."""
    header = ""
    for n, raw in enumerate(shipped_path().read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            header = line
        elif line:
            yield n, line, parse(header + "\n" + line)


SHIPPED = list(_shipped_lines())


@pytest.fixture(scope="module")
def seeds():
    from drafter.corpus import Corpus

    return Retriever(Corpus.load()).load()


def test_shipped_thesaurus_has_every_part_the_issue_names():
    th = Thesaurus.load()
    for typed, official in [
        ("职代会", "职工代表大会"), ("产改", "产业工人队伍建设改革"), ("两新组织", "新经济组织"),
        ("八大群体", "货车司机"), ("12351", "12351热线"), ("快递小哥", "新就业形态劳动者"),
        ("骑手", "新就业形态劳动者"), ("涨工资", "工资集体协商"), ("讨薪", "欠薪"), ("讨薪", "劳动争议"),
        ("歇脚", "驿站"), ("冬天", "送温暖"), ("孩子上学", "金秋助学"), ("防暑", "送清凉"),
        ("生产安全", "安康杯"), ("小发明", "五小"), ("工会的钱", "经费审查"),
    ]:
        assert official in {e.target for e in th.expansions(typed)}, (typed, official)


@pytest.mark.parametrize("n, line, entries", SHIPPED, ids=[f"line{n}" for n, _, _ in SHIPPED])
def test_each_shipped_entry_finds_its_passages(seeds, n, line, entries):
    """The first key of each line, searched alone, brings passages holding one of the line's
    words into the top 10 of the embedded corpus, and its expansions are what the line says."""
    key = entries[0].key
    words = {e.target for e in entries} | {e.key for e in entries}
    expected = {e.target for e in entries if e.key == key and e.target not in key}
    assert expected <= {e.target for e in Thesaurus(entries).expansions(key)}
    hits = seeds.search(key, k=10)
    assert any(any(w in h.text for w in words) for h in hits), (n, line)


def test_expansion_reaches_passages_without_the_typed_word(seeds):
    plain = Retriever(seeds.corpus, thesaurus=None).load()
    for query, concept in [("快递小哥入会", "新就业形态"), ("户外工作者歇脚的地方", "驿站"), ("开职代会", "职工代表大会")]:
        with_exp = [h for h in seeds.search(query, k=5) if concept in h.text]
        without = [h for h in plain.search(query, k=5) if concept in h.text]
        assert len(with_exp) > len(without), query


@pytest.mark.parametrize("query", ["送温暖", "冬天送钱送物"])
def test_chapter_prior_prefers_the_entries_chapter(seeds, query):
    import numpy as np

    from drafter.search import CHAPTER_PRIOR

    hits = seeds.search(query, k=5)
    assert sum("维权服务" in h.chapters for h in hits) >= 4
    flat = Retriever(seeds.corpus, chapter_prior=0).load().scores(query)
    scored = seeds.scores(query)
    ours = np.array(["维权服务" in seeds.passages_[i].chapters for i in range(len(scored))])
    assert np.allclose(scored[ours], flat[ours] * (1 + CHAPTER_PRIOR))
    assert np.allclose(scored[~ours], flat[~ours]) and (scored[~ours] > 0).any()  # a prior, not a filter
    # With --chapter the user has chosen: no prior on top of the filter.
    chosen = seeds.scores(query, chapter="思想")
    assert np.allclose(chosen, Retriever(seeds.corpus, chapter_prior=0).load().scores(query, chapter="思想"))


def test_pseudo_relevance_feedback_adds_terms_of_the_best_passages(seeds):
    prf = Retriever(seeds.corpus, thesaurus=None, prf=5).load()
    plain = Retriever(seeds.corpus, thesaurus=None).load()
    query = "户外劳动者服务站点"
    before, after = plain.scores(query), prf.scores(query)
    assert (after > 0).sum() > (before > 0).sum()  # passages reached through the feedback terms
    assert "驿站" in prf.search(query, k=1)[0].text or "服务站" in prf.search(query, k=1)[0].text


# --- ranking: a synonym never beats the word typed ---------------------------------------

BACKGROUND = [
    "全年组织开展职工技能培训班十二期，培训职工三千余人次。",
    "深化劳动和技能竞赛，命名一批创新工作室。",
    "推进基层工会规范化建设，完成换届选举工作。",
    "组织劳模工匠宣讲团深入企业宣讲，覆盖职工两万余人。",
    "建成职工书屋二十家，开展读书分享活动。",
    "开展法律援助和劳动争议调解，为职工挽回经济损失。",
]
TEMPLATE = "市总工会指导各区{}，相关工作扎实推进，群众反映良好。"


def _equal_quality_pairs():
    """(key, target) of the shipped entries whose key and target differ as words."""
    th = Thesaurus.load()
    seen = set()
    for key in th.keys():
        for e in th.expansions(key):
            if e.key == key and key not in e.target and (key, e.target) not in seen:
                seen.add((key, e.target))
                yield key, e.target


def test_expanded_term_never_outranks_an_exact_match_of_equal_quality():
    """Every (typed key, expansion) pair of the shipped thesaurus, in the same sentence."""
    pairs = list(_equal_quality_pairs())
    assert len(pairs) > 100
    found = 0
    for key, target in pairs:
        exact = TEMPLATE.format(key)
        synonym = TEMPLATE.format(target)
        passages = [P(t, ("维权服务",), "a.txt", "甲", "一") for t in [synonym, exact, *BACKGROUND]]
        s = Retriever(passages).fit().scores(key)
        assert s[1] > s[0], (key, target, s[:2])
        found += s[0] > 0
    assert found >= 0.95 * len(pairs)  # and the synonym is found (not 12351, a number)


# --- the command line --------------------------------------------------------------------


def _cli(*args):
    from drafter.cli import main

    return CliRunner().invoke(main, list(args))


def test_cli_bad_thesaurus_line_has_its_number(tmp_path):
    mine = tmp_path / "词表.txt"
    mine.write_text("职代会 = 职工代表大会\n\n歇脚 驿站\n", encoding="utf-8")
    res = _cli("search", "开职代会", "--thesaurus", str(mine))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"同义词表 {mine} 第 3 行" in res.output and "“歇脚 驿站”既没有“=”也没有“>”" in res.output


def test_cli_user_thesaurus_and_no_expand(tmp_path):
    mine = tmp_path / "词表.txt"
    mine.write_text("[维权]\n暖心小屋 > 驿站\n", encoding="utf-8")
    res = _cli("search", "暖心小屋", "--thesaurus", str(mine), "-k", "3", "--json")
    assert res.exit_code == 0, res.output
    assert all("驿站" in h["text"] for h in json.loads(res.stdout))
    res = _cli("search", "暖心小屋", "--no-expand", "-k", "3", "--json")
    assert sum("驿站" in h["text"] for h in json.loads(res.stdout or "[]")) < 3


def test_cli_shows_the_expansions_used():
    res = _cli("search", "开职代会", "-k", "1")
    assert res.exit_code == 0, res.output
    assert "也按这些说法查找：职代会→职工代表大会" in res.output


def test_docs_describe_the_file_format():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "thesaurus.md").read_text(encoding="utf-8")
    for part in ("--thesaurus", " = ", " > ", "[维权服务]", "第"):
        assert part in doc


def test_keys_found_in_one_pass_are_the_keys_each_test_finds(tmp_path):
    """The automaton finds the keys a substring test of every key finds, in the table's order,
    on real queries and passages; a key added later (a user's file) is found too."""
    from drafter.corpus import Corpus
    from drafter.tokenize import normalize

    th = Thesaurus.load()
    root = Path(__file__).resolve().parents[1]
    queries = json.loads((root / "benchmarks" / "retrieval_queries.json").read_text(encoding="utf-8"))["queries"]
    para = json.loads((root / "benchmarks" / "paraphrase_queries.json").read_text(encoding="utf-8"))
    texts = [q["query"] for q in queries] + [q["query"] for q in para["tune"] + para["heldout"]]
    texts += [p.text for p in Corpus.load(Path("/nonexistent-drafter-corpus")).passages()[:300]]
    texts += ["", "职代会", "开职代会和工代会", "ＡＢＣ12351热线"]
    seen = 0
    for text in texts:
        norm = normalize(text)
        expected = [k for k in th.keys() if k in norm]
        assert th._keys_in(norm) == expected, text
        seen += bool(expected)
    assert seen > 50
    extra = tmp_path / "mine.txt"
    extra.write_text("歇个脚 > 驿站\n", encoding="utf-8")
    more = Thesaurus.load([extra])
    assert more._keys_in("想歇个脚") == ["歇个脚"]
    assert [e.target for e in more.expansions("想歇个脚")] == ["驿站"]
