"""The index holds scikit-learn's TF-IDF weights with pivoted lengths in posting order, and a
cold first search of the built-in corpus (shipped index) imports neither scikit-learn nor scipy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from drafter import tokenize
from drafter.corpus import Corpus
from drafter.index import build_index
from drafter.model import PassageRecord

ROOT = Path(__file__).resolve().parent.parent


def _records(n: int | None = 300) -> list[PassageRecord]:
    recs = Corpus.load(Path("/nonexistent-drafter-corpus")).passages()  # the embedded seeds
    return recs[:n] if n else recs


@pytest.mark.parametrize("sublinear,heading_weight,slope", [(True, 0, 0.5), (False, 2, 1.0), (True, 1, 0.2)])
def test_build_matches_scikit_learn(sublinear, heading_weight, slope):
    from sklearn.feature_extraction.text import TfidfVectorizer

    recs = _records()
    analyze = tokenize.make_analyzer("word+bigram")

    def doc_tokens(rec):
        return analyze(rec.text) + analyze(rec.heading) * heading_weight

    config = {"analyzer": "word+bigram", "heading_weight": heading_weight, "sublinear_tf": sublinear,
              "pivot_slope": slope}
    data = build_index(recs, "word+bigram", config=config, fingerprint="x")
    vec = TfidfVectorizer(analyzer=doc_tokens, sublinear_tf=sublinear, norm=None)
    m = vec.fit_transform(recs).toarray()
    norms = np.sqrt((m**2).sum(axis=1))
    pivot = (1 - slope) * norms.mean() + slope * norms
    pivot[pivot == 0] = 1
    expected = m / pivot[:, None]
    names = vec.get_feature_names_out().tolist()
    assert sorted(data.vocabulary) == names
    cols = np.array([data.vocabulary[t] for t in names])  # our column of each of scikit-learn's
    np.testing.assert_allclose(data.idf[cols], vec.idf_, rtol=1e-5)
    ours = np.zeros_like(expected)
    for j, col in enumerate(cols):
        lo, hi = data.indptr[col], data.indptr[col + 1]
        rows = data.rows[lo:hi]
        assert np.all(np.diff(rows) > 0)  # each posting list in passage order
        ours[rows, j] = data.weights[lo:hi]
    np.testing.assert_allclose(ours, expected, rtol=2e-5, atol=1e-6)


def test_empty_vocabulary_is_a_user_error():
    from drafter.errors import DrafterError

    rec = PassageRecord("2023年，100%。", ("思想引领",), "f", "a", "", "", None, "")
    with pytest.raises(DrafterError, match="没有可检索的词"):
        build_index([rec], "word", config={"heading_weight": 0, "sublinear_tf": True,
                                                                   "pivot_slope": 0.5}, fingerprint="x")


def test_cold_first_search_of_the_builtin_corpus_imports_neither_scikit_learn_nor_scipy(tmp_path):
    code = (
        "import sys\n"
        "from drafter.corpus import Corpus\n"
        "from drafter.search import Retriever\n"
        f"r = Retriever(Corpus.load({str(tmp_path / 'c')!r}))\n"
        "assert r.search('送温暖')\n"
        "print(r.index_status_, sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"DRAFTER_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}, check=True)
    assert out.stdout.split() == ["missing", "[]"]


def test_vectorised_hash_equals_the_one_by_one_hash():
    words = ["", "a", "职工", "职工之家建设", "12351热线", "x" * 70, "送温暖", "ﬁ"] + [f"词{i}" for i in range(50)]
    assert tokenize._hash64_many(words).tolist() == [tokenize._hash64(w) for w in words]
    assert len(set(tokenize._hash64_many(words).tolist())) == len(words)


def test_jieba_loads_without_pkg_resources_and_segments_the_same(tmp_path):
    code = (
        "import sys\n"
        "from drafter import tokenize\n"
        "toks = tokenize.words('全面贯彻落实党的二十大精神，职工之家建设')\n"
        "pos = [(w.word, w.flag) for w in tokenize.posseg().cut('慰问困难职工')]\n"
        "print('pkg_resources' in sys.modules, '|'.join(toks), pos)\n"
        "import pkg_resources  # still importable afterwards\n"
    )
    env = {"DRAFTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    blocked, toks, pos = out.stdout.strip().split(" ", 2)
    assert blocked == "False"
    assert toks == "|".join(tokenize.words("全面贯彻落实党的二十大精神，职工之家建设"))
    import jieba.posseg

    assert pos == str([(w.word, w.flag) for w in jieba.posseg.cut("慰问困难职工")])


def test_compact_dictionary_from_disk_segments_like_the_full_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path))
    tokenize._compact_jieba.cache_clear()
    try:
        first = tokenize._compact_jieba()  # writes the cache, serves from the full dictionary
        assert first is tokenize._full_jieba() and tokenize.compact_dict_path().is_file()
        tokenize._compact_jieba.cache_clear()
        assert isinstance(tokenize._compact_jieba().FREQ, tokenize.HashedFreq)  # read back from disk
        for rec in _records(200):
            assert tokenize.words(rec.text, compact=True) == tokenize.words(rec.text, compact=False)
    finally:
        tokenize._compact_jieba.cache_clear()


def test_shipped_index_is_current():
    """The shipped index is the embedded corpus's as it is now (else: python -m drafter.search)."""
    from drafter.index import read_meta, shipped_index, shipped_index_dir
    from drafter.search import Retriever

    r = Retriever(Corpus.load(Path("/nonexistent-drafter-corpus")))
    assert read_meta(shipped_index_dir())["fingerprint"] == r._fingerprint(), "stale: run python -m drafter.search"
    shipped, built = shipped_index(r._fingerprint()), r.fit()._data
    assert list(shipped.vocabulary) == list(built.vocabulary)
    for name in ("idf", "indptr", "rows", "weights"):
        np.testing.assert_allclose(getattr(shipped, name), getattr(built, name), rtol=1e-6)
    assert list(shipped.passages) == list(built.passages)


def test_fresh_home_uses_the_shipped_index_and_stores_it(tmp_path, monkeypatch):
    from drafter.search import Retriever

    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    said: list[str] = []
    corpus = Corpus.load(tmp_path / "c")
    r = Retriever(corpus, on_message=said.append).load()
    assert r.index_status_ == "missing" and not any("建立" in m for m in said)
    names = sorted(p.name for p in (tmp_path / "c" / "index").iterdir())
    assert len(names) == 2 and names[0].startswith("gen-") and names[1] == "meta.json"
    again = Retriever(Corpus.load(tmp_path / "c")).load()
    assert again.index_status_ == "loaded"
    fitted = Retriever(Corpus.load(tmp_path / "c")).fit()
    for query in ("送温暖", "劳动和技能竞赛", "职工之家建设"):
        assert [h.to_json() for h in again.search(query)] == [h.to_json() for h in fitted.search(query)]
    # Another configuration has another fingerprint: built, not taken from the shipped copy.
    assert Retriever(Corpus.load(tmp_path / "c"), analyzer="word").load().index_status_ == "rebuilt"
