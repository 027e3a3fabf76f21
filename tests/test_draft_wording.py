"""Figures worded the way the corpus words them (issue: drafting uses the patterns)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drafter.check import check_file
from drafter.draft import build_draft, corpus_wording
from drafter.figures import parse_figures

YAML = """单位: 白河县总工会
上级单位: [县委, 市总工会]
类型: 年度
年份: 2025
建功立业:
  数据:
    - 项目: 劳动和技能竞赛
      数值: 43
      单位: 项
    - 项目: 职工之家建会率
      数值: 93.5
      单位: "%"
维权服务:
  数据:
    - 项目: 职工法律援助案件
      数值: 58
      单位: 件
    - 项目: 新建户外劳动者服务站点
      数值: 12
      单位: 个
"""


def _body(draft) -> str:
    return "\n".join(b.full_text for b in draft.blocks if b.kind == "paragraph")


@pytest.fixture(scope="module")
def worded():
    figures = parse_figures(YAML)
    return build_draft(figures, refs=0, wording=corpus_wording())


def test_items_without_a_verb_get_the_corpus_verb(worded):
    body = _body(worded)
    assert "开展劳动和技能竞赛43项" in body
    assert "办理职工法律援助案件58件" in body


def test_items_with_a_verb_and_rates_stay_as_written(worded):
    body = _body(worded)
    assert "新建户外劳动者服务站点12个" in body
    assert "职工之家建会率达到93.5%" in body


def test_without_wording_the_items_are_as_written():
    plain = _body(build_draft(parse_figures(YAML), refs=0))
    assert "劳动和技能竞赛43项" in plain and "开展劳动和技能竞赛" not in plain


def test_worded_draft_holds_only_the_writers_numbers(tmp_path, worded):
    from drafter.markdown_writer import write_markdown

    figures_path = tmp_path / "数据.yaml"
    figures_path.write_text(YAML, encoding="utf-8")
    out = tmp_path / "初稿.md"
    write_markdown(worded, out, force=False)
    findings = [f for f in check_file(out, figures=figures_path) if f.type in ("number", "copy")]
    assert findings == []


def test_cli_no_wording_flag(tmp_path):
    src = tmp_path / "数据.yaml"
    src.write_text(YAML, encoding="utf-8")
    for flag, expected in (("--wording", "开展劳动和技能竞赛43项"), ("--no-wording", "全年劳动和技能竞赛43项")):
        out = tmp_path / f"{flag}.md"
        run = subprocess.run(
            [sys.executable, "-m", "drafter.cli", "draft", str(src), "-o", str(out), "--no-refs", flag],
            capture_output=True, text=True,
        )
        assert run.returncode == 0, run.stderr
        assert expected in out.read_text("utf-8")


DOUBLED = """单位: 白河县总工会
年份: 2025
维权服务:
  数据:
    - 项目: “两节”送温暖慰问困难职工和一线职工
      数值: 2350
      单位: 人次
    - 项目: 困难职工和一线职工
      数值: 1200
      单位: 人次
  亮点:
    - 评选“最美一线职工”
"""


def test_no_verb_doubled_onto_an_item_that_has_one():
    body = _body(build_draft(parse_figures(DOUBLED), refs=0, wording=corpus_wording()))
    assert "“两节”送温暖慰问困难职工和一线职工2350人次" in body
    assert "慰问“两节”" not in body


def test_has_lead_verb_known_list_quotes_and_pos():
    from drafter.prose import has_lead_verb

    assert has_lead_verb("“两节”送温暖慰问困难职工和一线职工")
    assert has_lead_verb("慰问困难职工")
    assert has_lead_verb("走访慰问困难职工")
    assert not has_lead_verb("劳动和技能竞赛")
    assert not has_lead_verb("职工法律援助案件")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("评选“最美一线职工”", "评选“最美一线职工”。"),
        ("提出“劳动最光荣。”", "提出“劳动最光荣。”"),
        ("印发《实施办法（试行）》", "印发《实施办法（试行）》。"),
        ("开展活动；", "开展活动。"),
        ("开展活动。", "开展活动。"),
        ("真好！", "真好！"),
    ],
)
def test_end_punctuation_after_closing_quotes(text, expected):
    from drafter.prose import end_sentence

    assert end_sentence(text) == expected


def test_highlight_ending_in_a_quote_gets_its_full_stop():
    body = _body(build_draft(parse_figures(DOUBLED), refs=0))
    assert "评选“最美一线职工”。" in body


def test_figures_grouped_into_sentences_by_what_they_measure():
    from drafter.prose import figure_sentences, group_figures
    from drafter.draft import _figure_view
    from drafter.figures import Figure

    views = [
        _figure_view(Figure("组织宣讲", 38, "场", last_year=30)),
        _figure_view(Figure("覆盖职工", 14200, "人次")),
        _figure_view(Figure("职工之家建会率", 93.5, "%", last_year=90.2)),
        _figure_view(Figure("新建职工书屋", 5, "家")),
        _figure_view(Figure("新建职工之家", 3, "家")),
        _figure_view(Figure("开展竞赛", 19, "项")),
        _figure_view(Figure("发放奖金", 12.5, "万元")),
    ]
    groups = [[f.item for f in g] for g in group_figures(views)]
    assert groups == [["组织宣讲", "覆盖职工"], ["新建职工书屋", "新建职工之家"], ["开展竞赛", "发放奖金"], ["职工之家建会率"]]
    sentences = figure_sentences(views, lead="上半年")
    assert sentences[0] == "上半年组织宣讲38场，同比增长26.7%，覆盖职工1.42万人次。"
    assert sentences[-1] == "职工之家建会率达到93.5%，同比提高3.3个百分点。"


def test_shipped_mined_cache_is_current():
    """The shipped cache is for the embedded corpus as it is now (else: python -m drafter.minedcache)."""
    import json

    from drafter.corpus import Corpus
    from drafter.minedcache import mine, shipped_path

    corpus = Corpus.load(Path("/nonexistent-drafter-corpus"))
    shipped = json.loads(shipped_path().read_text("utf-8"))
    assert shipped["fingerprint"] == corpus.fingerprint, "stale: run python -m drafter.minedcache"
    assert json.loads(json.dumps(mine(corpus), ensure_ascii=False)) == shipped


def test_mined_cache_beside_a_user_corpus(tmp_path):
    import json

    from drafter.corpus import Corpus
    from drafter.minedcache import _MEMO, mined

    seed = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))[1]
    mine_file = tmp_path / "旧稿.txt"
    # a report of the user's own, not a copy of a seed (that one is already embedded)
    mine_file.write_text(seed.read_text("utf-8").replace("工会", "工会组织", 3), encoding="utf-8")
    corpus = Corpus.load(tmp_path / "c")
    corpus.ingest([mine_file])
    data = mined(corpus)
    cached = json.loads((tmp_path / "c" / "mined.json").read_text("utf-8"))
    assert cached["fingerprint"] == corpus.fingerprint == data["fingerprint"]
    # read back from the file (not memory) it gives the same wording
    _MEMO.clear()
    again = Corpus.load(tmp_path / "c")
    assert mined(again) == cached
    body = _body(build_draft(parse_figures(YAML), refs=0, wording=corpus_wording(tmp_path / "c")))
    assert "开展劳动和技能竞赛43项" in body
