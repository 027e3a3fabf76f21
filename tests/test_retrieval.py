"""The retriever: tokenising, the stored index, search filters, highlighting, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from drafter import tokenize
from drafter.errors import DrafterError
from drafter.model import PassageRecord
from drafter.search import HIGHLIGHT_OPEN, Retriever, highlight, resolve_chapter

P = PassageRecord

PASSAGES = [
    P("各级工会建成户外劳动者服务站点320个，为环卫工人、快递员提供歇脚饮水服务。", ("维权服务",),
      "a.txt", "甲市总工会2023年工作总结", "（三）情系职工，维权服务更加有力", "甲市总工会", 2023, "annual"),
    P("开展“夏送清凉”活动，走访慰问高温一线职工1.2万人次。", ("维权服务",),
      "a.txt", "甲市总工会2023年工作总结", "（三）情系职工，维权服务更加有力", "甲市总工会", 2023, "annual"),
    P("深入开展劳动和技能竞赛，命名劳模创新工作室15家，职工提出合理化建议3000余条。", ("建功立业",),
      "a.txt", "甲市总工会2023年工作总结", "（二）建功立业舞台更加宽广", "甲市总工会", 2023, "annual"),
    P("组建劳模工匠宣讲团，深入企业开展宣讲120余场，引导职工听党话、跟党走。", ("思想引领",),
      "b.txt", "乙县工会五年工作综述", "一、凝心铸魂", "乙县总工会", 2022, "five-year"),
    P("推进新就业形态劳动者建会入会，新发展会员2.1万人。", ("改革创新",),
      "b.txt", "乙县工会五年工作综述", "四、改革创新", "乙县总工会", 2022, "five-year"),
    P("依托工会驿站为户外劳动者提供热饭热水，驿站全天开放。", ("维权服务",),
      "b.txt", "乙县工会五年工作综述", "三、暖心服务", "乙县总工会", 2022, "five-year"),
    # The same sentence as the first passage, in another report: a near-duplicate.
    P("各级工会建成户外劳动者服务站点320个，为环卫工人、快递员提供歇脚饮水服务。", ("维权服务",),
      "c.txt", "丙区总工会工作汇报", "二、主要做法", "丙区总工会", 2021, "report"),
]


class FakeCorpus:
    """What the retriever needs of drafter.corpus.Corpus."""

    def __init__(self, folder: Path, passages=PASSAGES, fingerprint="v1"):
        self.dir = folder
        self._passages = list(passages)
        self.fingerprint = fingerprint
        self.passages_calls = 0

    def passages(self):
        self.passages_calls += 1
        return list(self._passages)


@pytest.fixture
def corpus(tmp_path):
    return FakeCorpus(tmp_path / "corpus")


@pytest.fixture
def messages():
    return []


@pytest.fixture
def retriever(corpus, messages):
    return Retriever(corpus, on_message=messages.append).load()


# --- tokenising --------------------------------------------------------------------------


def test_union_terms_kept_whole_with_their_parts():
    toks = tokenize.words("推进产业工人队伍建设改革，设立12351热线")
    assert "产业工人队伍建设改革" in toks
    assert {"产业", "工人", "改革"} <= set(toks)  # search mode: a short query still matches
    assert "12351热线" in toks


def test_numbers_and_stop_words_do_not_become_vocabulary():
    toks = tokenize.words("2023年开展活动320余场，覆盖23.3万人次，同比增长15%")
    assert not any(ch.isdigit() for t in toks for ch in t)
    assert "的" not in tokenize.words("职工的权益") and "开展" not in toks


def test_full_width_digits_are_numbers_too():
    assert tokenize.words("３２０个驿站") == tokenize.words("320个驿站")


def test_compact_dictionary_segments_like_jieba():
    for rec in PASSAGES:
        assert tokenize.words(rec.text, compact=True) == tokenize.words(rec.text, compact=False)


def test_unwritable_home_still_tokenises(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("DRAFTER_HOME", str(blocker / "home"))
    tokenize._compact_jieba.cache_clear()
    try:
        assert tokenize.words("户外劳动者服务站点", compact=True) == tokenize.words("户外劳动者服务站点")
    finally:
        tokenize._compact_jieba.cache_clear()


def test_char_bigrams_stay_inside_han_runs():
    assert tokenize.char_bigrams("职工，驿站2个") == ["~职工", "~驿站"]


# --- the index ---------------------------------------------------------------------------


def test_query_vector_matches_scikit_learn(corpus):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    r = Retriever(corpus).fit()
    analyze = tokenize.make_analyzer(r.analyzer)
    vec = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, norm=None).fit([p.text for p in PASSAGES])
    query = "户外劳动者服务站点和驿站建设"
    expected = normalize(vec.transform([query])).toarray().ravel()
    ours = np.zeros(len(r.vocabulary_))
    for term, w in r.query_vector(query).items():
        ours[term] = w
    names = vec.get_feature_names_out()
    got = np.array([ours[r.vocabulary_[t]] for t in names])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def _generation(folder: Path) -> Path:
    (gen,) = [p for p in folder.iterdir() if p.name.startswith("gen-")]
    return gen


def test_first_load_builds_and_stores_only_json_and_npy(corpus, messages, retriever):
    tokenize._compact_jieba.cache_clear()  # so that this home gets its own dictionary cache
    assert retriever.search("驿站")
    assert retriever.index_status_ == "missing"
    assert any("建立" in m for m in messages)
    files = sorted(p.name for p in (corpus.dir / "index").iterdir())
    assert len(files) == 2 and files[0].startswith("gen-") and files[1] == "meta.json"
    gen = _generation(corpus.dir / "index")
    assert {p.suffix for p in gen.iterdir()} == {".npy", ".json"}
    for p in gen.glob("*.npy"):
        assert np.load(p, allow_pickle=False).dtype != object
    home_files = [p for p in Path(tokenize.user_home()).rglob("*") if p.is_file()]
    assert home_files and all(p.suffix in (".json", ".npz", ".npy") for p in home_files), home_files
    for p in list(home_files) + list((corpus.dir / "index").rglob("*.*")):
        assert not p.read_bytes().startswith(b"\x80"), f"{p} looks like a pickle"


def test_second_load_uses_stored_index_without_reading_passages(corpus, retriever):
    calls = corpus.passages_calls
    again = Retriever(corpus).load()
    assert again.index_status_ == "loaded"
    assert corpus.passages_calls == calls  # no re-tokenising of the corpus
    assert [h.text for h in again.search("劳模创新工作室")] == [h.text for h in retriever.search("劳模创新工作室")]


def test_stored_passages_round_trip(corpus, retriever):
    assert list(Retriever(corpus).load().passages_) == PASSAGES


def test_changed_corpus_triggers_rebuild(corpus, retriever):
    new = P("组织职工开展龙舟比赛和登山健身活动。", ("思想引领",), "d.txt", "丁市工会", "文体", "丁市总工会", 2024, "annual")
    corpus._passages.append(new)
    corpus.fingerprint = "v2"
    msgs = []
    r = Retriever(corpus, on_message=msgs.append).load()
    assert r.index_status_ == "rebuilt"
    assert msgs and "变动" in msgs[0]
    assert r.search("龙舟比赛")[0].text == new.text
    assert json.loads((corpus.dir / "index" / "meta.json").read_text("utf-8"))["passages"] == len(PASSAGES) + 1


def test_changed_configuration_triggers_rebuild(corpus, retriever):
    assert Retriever(corpus, analyzer="word").load().index_status_ == "rebuilt"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (_generation(d) / "weights.npy").write_bytes(b"not an array"),
        lambda d: (_generation(d) / "tables.json").write_text('{"build_id": "x", "chap', encoding="utf-8"),
        lambda d: (d / "meta.json").write_text("[]", encoding="utf-8"),
        lambda d: (_generation(d) / "rows.npy").unlink(),
        lambda d: np.save(_generation(d) / "rows.npy", np.load(_generation(d) / "rows.npy") + 1000),
        lambda d: np.save(_generation(d) / "indptr.npy", np.load(_generation(d) / "indptr.npy")[:-1]),
        lambda d: shutil.rmtree(_generation(d)),
    ],
    ids=["npy-garbage", "json-truncated", "meta-wrong-shape", "npy-missing", "rows-out-of-range",
         "indptr-short", "generation-gone"],
)
def test_corrupt_index_is_rebuilt_with_a_message(corpus, retriever, damage):
    damage(corpus.dir / "index")
    msgs = []
    r = Retriever(corpus, on_message=msgs.append).load()
    assert r.index_status_ == "rebuilt"
    assert any("损坏" in m for m in msgs), msgs
    assert r.search("户外劳动者")
    assert Retriever(corpus).load().index_status_ == "loaded"


def test_files_from_two_builds_are_not_mixed(corpus, retriever):
    folder = corpus.dir / "index"
    old_tables = (_generation(folder) / "tables.json").read_bytes()
    Retriever(corpus).rebuild()
    (_generation(folder) / "tables.json").write_bytes(old_tables)
    r = Retriever(corpus).load()
    assert r.index_status_ == "rebuilt"


def test_unwritable_index_folder_still_searches(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    msgs = []
    r = Retriever(FakeCorpus(blocker / "corpus"), on_message=msgs.append).load()
    assert r.search("驿站")
    assert any("无法写入检索索引" in m for m in msgs), msgs
    with pytest.raises(DrafterError, match="无法写入检索索引"):
        Retriever(FakeCorpus(blocker / "corpus")).rebuild()


# --- search ------------------------------------------------------------------------------


def test_chapter_filter(retriever):
    hits = retriever.search("劳动者", chapter="改革")
    assert hits and all("改革创新" in h.chapters for h in hits)
    assert all("维权服务" in h.chapters for h in retriever.search("劳动者", chapter="维权服务"))


def test_org_year_kind_filters(retriever):
    assert {h.org for h in retriever.search("户外劳动者", org="乙县")} == {"乙县总工会"}
    assert {h.year for h in retriever.search("户外劳动者", year=2023)} == {2023}
    assert {h.kind for h in retriever.search("户外劳动者", kind="五年")} == {"five-year"}
    assert {h.kind for h in retriever.search("户外劳动者", kind="report")} == {"report"}


def test_best_passage_first_with_source(retriever):
    top = retriever.search("劳模创新工作室", k=3)[0]
    assert "劳模创新工作室" in top.text
    assert (top.file, top.article, top.heading) == ("a.txt", "甲市总工会2023年工作总结", "（二）建功立业舞台更加宽广")
    assert top.rank == 1 and 0 < top.score


def test_highlighting_marks_query_terms(retriever):
    hit = retriever.search("工会驿站", k=1)[0]
    assert f"{HIGHLIGHT_OPEN}驿站{HIGHLIGHT_OPEN}" in hit.highlighted
    assert hit.highlighted.replace(HIGHLIGHT_OPEN, "") == hit.text


def test_highlight_merges_overlapping_terms():
    assert highlight("户外劳动者服务站点", ["户外劳动者", "劳动", "站点"]) == "**户外劳动者**服务**站点**"


def test_near_duplicates_show_once_with_other_sources(retriever):
    hits = retriever.search("户外劳动者服务站点", chapter="维权")
    same = [h for h in hits if h.text.startswith("各级工会建成户外劳动者服务站点")]
    assert len(same) == 1
    assert [s.file for s in same[0].also_in] == ["c.txt" if same[0].file == "a.txt" else "a.txt"]


def test_k_limits_hits(retriever):
    assert len(retriever.search("职工", k=2)) == 2


def test_similar_finds_close_paragraph(retriever):
    hits = retriever.similar("今年我们新建了一批工会驿站，给户外劳动者送上热饭热水。", chapter="维权", k=2)
    assert hits[0].text.startswith("依托工会驿站")


@pytest.mark.parametrize(
    "query, expect",
    [("", "为空"), ("   ", "为空"), ("，。！？……", "标点"), ("的 和 开展", "常用词"), ("2023 320", "数字")],
)
def test_bad_queries(retriever, query, expect):
    with pytest.raises(DrafterError, match=expect):
        retriever.search(query)


def test_k_must_be_positive(retriever):
    with pytest.raises(DrafterError, match="-k"):
        retriever.search("驿站", k=0)


def test_chapter_short_forms_and_unknown_names():
    assert [resolve_chapter(x) for x in ("思想", "建功", "维权", "改革", "党建")] == [
        "思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设"]
    with pytest.raises(DrafterError) as err:
        resolve_chapter("宣传")
    assert "思想引领" in err.value.message and "党建自身建设" in err.value.message


def test_chapter_without_passages(retriever):
    with pytest.raises(DrafterError, match="党建自身建设"):
        retriever.search("作风建设", chapter="党建")


def test_empty_corpus(tmp_path):
    with pytest.raises(DrafterError, match="没有任何段落"):
        Retriever(FakeCorpus(tmp_path / "c", passages=[])).search("驿站")
    only_numbers = [P("2023年：320、23.3%。", ("其他",), "x.txt", "", "")]
    with pytest.raises(DrafterError, match="没有可检索的词"):
        Retriever(FakeCorpus(tmp_path / "d", passages=only_numbers)).search("驿站")


def test_filters_that_leave_nothing(retriever):
    with pytest.raises(DrafterError, match="1999"):
        retriever.search("驿站", year=1999)


def test_empty_similar_text(retriever):
    with pytest.raises(DrafterError, match="为空"):
        retriever.similar("  ")


# --- the commands ------------------------------------------------------------------------


def _cli(*args):
    from drafter.cli import main

    return CliRunner().invoke(main, list(args))


def test_cli_search_json_on_embedded_corpus():
    res = _cli("search", "户外劳动者服务站点", "--chapter", "维权", "-k", "3", "--json")
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 3
    assert {"rank", "score", "text", "chapters", "file", "article", "heading"} <= set(hits[0])
    assert all("维权服务" in h["chapters"] for h in hits)
    assert any(w in hits[0]["text"] for w in ("驿站", "服务站"))


def test_cli_errors_are_chinese_without_traceback():
    for args, expect in [
        (["search", "驿站", "-k", "0"], "正整数"),
        (["search", "驿站", "-c", "宣传"], "可用的章节"),
        (["search", "的"], "常用词"),
        (["similar"], "--text"),
    ]:
        res = _cli(*args)
        assert res.exit_code == 2, (args, res.output)
        assert expect in res.output and "Traceback" not in res.output


def test_cli_index_rebuilds(tmp_path):
    res = _cli("index", "--corpus", str(tmp_path / "c"), "--json")
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["passages"] > 500 and (tmp_path / "c" / "index" / "meta.json").exists()


def test_seed_compilation_duplicate_shows_once():
    # 江西 and 安徽 in the 004 compilation print the same paragraph on building unions.
    from drafter.corpus import Corpus

    r = Retriever(Corpus.load()).load()
    hits = r.similar("职工在哪里，工会组织就建到哪里，工会工作就延伸到哪里。全省各级工会通过单独建会、联合建会、行业建会、区域建会", k=5)
    top = hits[0]
    assert top.also_in and all(s.article != top.article for s in top.also_in)
    assert {top.article, top.also_in[0].article} == {"江西省工会五年工作综述", "安徽省工会工作综述"}
    assert sum(h.text.startswith("职工在哪里，工会组织就建到哪里") for h in hits) == 1


def test_cli_terminal_highlights_matched_terms():
    from drafter.cli import main

    res = CliRunner().invoke(main, ["search", "劳模创新工作室", "-c", "建功", "-k", "2"], color=True)
    assert res.exit_code == 0, res.output
    styled = __import__("re").findall(r"\x1b\[[0-9;]*m([^\x1b]+)\x1b\[0m", res.output)
    assert "劳模创新工作室" in styled or "创新工作室" in styled
    plain = CliRunner().invoke(main, ["search", "劳模创新工作室", "-c", "建功", "-k", "2"])
    assert "\x1b[" not in plain.output and "[1]" in plain.output and "[2]" in plain.output


def test_cli_similar_from_file(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("今年我们为环卫工人和快递小哥建了一批爱心驿站，夏天送清凉，冬天送温暖。", encoding="gb18030")
    res = _cli("similar", "--file", str(mine), "-c", "维权", "-k", "3", "--json")
    assert res.exit_code == 0, res.output
    (group,) = json.loads(res.stdout)
    assert group["paragraph"] == 1 and group["text"].startswith("今年我们")
    assert len(group["hits"]) == 3 and all("维权服务" in h["chapters"] for h in group["hits"])


def test_draft_paragraphs_join_wrapped_lines_and_leave_out_headings():
    from drafter.search import draft_paragraphs

    text = (
        "一、维权服务\n\n今年我们为环卫工人和快递小哥建了一批爱心驿站，夏天送清凉，冬天送温暖。\n"
        "组织劳模工匠宣讲团深入企业宣讲党的二十大精神，\n引导职工听党话跟党走。\n"
        "（二）围绕中心建功立业，激发职工创新活力\n深化劳动和技能竞赛，全年命名劳模创新工作室15家，"
        "职工提出合理化建议\n3000余条，创造经济效益1.2亿元。\n"
    )
    assert draft_paragraphs(text) == [
        "今年我们为环卫工人和快递小哥建了一批爱心驿站，夏天送清凉，冬天送温暖。",
        "组织劳模工匠宣讲团深入企业宣讲党的二十大精神，引导职工听党话跟党走。",
        "（二）围绕中心建功立业，激发职工创新活力",
        "深化劳动和技能竞赛，全年命名劳模创新工作室15家，职工提出合理化建议3000余条，创造经济效益1.2亿元。",
    ]


def test_cli_similar_whole_draft_one_list_per_paragraph(tmp_path):
    draft = tmp_path / "初稿.md"
    draft.write_text(
        "# 工作总结\n\n今年我们为环卫工人和快递小哥建了一批爱心驿站，夏天送清凉，冬天送温暖。\n\n"
        "组织劳模工匠宣讲团深入企业开展宣讲，引导职工听党话、跟党走。\n\n"
        "深化劳动和技能竞赛，命名一批劳模创新工作室，职工提出合理化建议。\n",
        encoding="utf-8",
    )
    res = _cli("similar", "--file", str(draft), "-k", "2", "--json")
    assert res.exit_code == 0, res.output
    groups = json.loads(res.stdout)
    assert [g["paragraph"] for g in groups] == [1, 2, 3]
    tops = [g["hits"][0]["text"] for g in groups]
    assert "驿站" in tops[0] and "宣讲" in tops[1] and "创新工作室" in tops[2]
    assert all(len(g["hits"]) == 2 for g in groups)
    text = _cli("similar", "--file", str(draft), "-k", "1")
    assert text.exit_code == 0 and "第 1 段" in text.output and "第 3 段" in text.output
    empty = tmp_path / "标题.txt"
    empty.write_text("一、维权服务\n二、建功立业\n", encoding="utf-8")
    res = _cli("similar", "--file", str(empty))
    assert res.exit_code == 2 and "没有可比对的段落" in res.output


def test_whole_draft_paragraphs_are_bounded(retriever, monkeypatch):
    import drafter.search

    monkeypatch.setattr(drafter.search, "MAX_PARAGRAPHS", 2)
    text = "\n".join(["今年我们为环卫工人和快递小哥建了一批爱心驿站，夏天送清凉。"] * 3)
    with pytest.raises(DrafterError, match="超过逐段比对的上限 2 段"):
        retriever.similar_paragraphs(text)
    assert len(retriever.similar_paragraphs(text.split("\n", 1)[1], k=1)) == 2


def test_hits_carry_org_year_kind(retriever):
    (hit,) = retriever.search("宣讲团", k=1)
    assert (hit.org, hit.year, hit.kind) == ("乙县总工会", 2022, "five-year")
    assert {"org": "乙县总工会", "year": 2022, "kind": "five-year"}.items() <= hit.to_json().items()
    (dup,) = [h for h in retriever.search("户外劳动者服务站点", k=3) if h.also_in]
    assert dup.to_json()["also_in"][0]["org"] in {"甲市总工会", "丙区总工会"}


def test_sources_shown_by_title_unit_and_year():
    from drafter.cli.search_cmds import source_label

    assert source_label("甲市总工会2023年工作总结", "甲市总工会", 2023, "a.txt") == "《甲市总工会2023年工作总结》"
    assert source_label("五年工作综述", "乙县总工会", 2022, "b.txt") == "《五年工作综述》，乙县总工会，2022年"
    assert source_label("001_x.txt", "", None, "001_x.txt") == "无标题文稿（001_x.txt）"
    assert source_label("001_x", "丙区总工会", 2021, "001_x.txt") == "丙区总工会，2021年"


def test_cli_search_shows_titles_not_file_names_and_takes_chinese_kinds():
    res = _cli("search", "宣讲团", "-c", "思想", "--type", "五年", "-k", "3")
    assert res.exit_code == 0, res.output
    assert "《" in res.output and "004_5b471ee912e3ac09.txt" not in res.output
    hits = json.loads(_cli("search", "宣讲团", "--kind", "五年综述", "-k", "3", "--json").stdout)
    assert hits and all(h["kind"] == "five-year" and "org" in h and "year" in h for h in hits)


def test_cli_bad_year_and_kind():
    assert "正整数" in _cli("search", "驿站", "--year", "二〇二三").output
    res = _cli("search", "驿站", "--kind", "年报")
    assert res.exit_code == 2 and "可用的类型" in res.output


def test_search_from_stored_index_needs_no_scikit_learn(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from drafter.cli import main\n"
        "import drafter.cli.search_cmds\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'docx', 'numpy', 'jieba') if m in sys.modules))\n"
        "main(['search', '驿站', '-k', '1'], standalone_mode=False)\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'docx') if m in sys.modules))\n"
    )
    env = dict(os.environ, DRAFTER_HOME=str(tmp_path / "home"))
    root = Path(__file__).resolve().parent.parent
    first = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "[]"  # the command module imports nothing heavy
    second = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True)
    assert second.stdout.splitlines()[-1] == "[]", second.stdout  # index loaded, not rebuilt
