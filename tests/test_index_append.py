"""Adding documents to a stored index without a full rebuild, the backend interface, and
the query path's pieces (top-k, near-duplicates from MinHash signatures)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from drafter import backend as backend_mod
from drafter import index as index_mod
from drafter import tokenize
from drafter.backend import Filters, InProcessIndex, SearchBackend, top_k
from drafter.corpus import Corpus
from drafter.index import build_index, minhash_signatures, stored_counts, update_index
from drafter.search import Retriever

CONFIG = {"analyzer": "word+bigram", "heading_weight": 0, "sublinear_tf": True, "pivot_slope": 0.5}


@pytest.fixture(scope="module")
def parts():
    """The seeds as (key, passages) per document, each document cut in two to have more of them."""
    out = []
    for key, recs in Corpus.load(Path("/nonexistent-drafter-corpus")).passage_parts():
        half = len(recs) // 2
        out += [(key + "#1", recs[:half]), (key + "#2", recs[half:])]
    return out


def _build(parts, **kw):
    recs = [p for _, rs in parts for p in rs]
    return build_index(recs, CONFIG["analyzer"], config=CONFIG, fingerprint="f",
                       documents=[(k, len(rs)) for k, rs in parts], **kw)


def _dense(data):
    """{(passage text, term): weight} of an index: comparable whatever the column order."""
    out = {}
    terms = list(data.vocabulary)
    for col, term in enumerate(terms):
        lo, hi = int(data.indptr[col]), int(data.indptr[col + 1])
        for r, w in zip(data.rows[lo:hi].tolist(), data.weights[lo:hi].tolist()):
            out[(r, term)] = w
    return out


def _assert_same_index(a, b):
    assert list(a.passages) == list(b.passages)
    assert sorted(a.vocabulary) == sorted(b.vocabulary)
    idf_a = dict(zip(a.vocabulary, a.idf.tolist()))
    idf_b = dict(zip(b.vocabulary, b.idf.tolist()))
    assert idf_a == pytest.approx(idf_b, rel=1e-6)
    da, db = _dense(a), _dense(b)
    assert da.keys() == db.keys()
    assert np.allclose([da[k] for k in da], [db[k] for k in da], rtol=2e-5, atol=1e-7)
    np.testing.assert_array_equal(a.passages.minhash, b.passages.minhash)
    assert a.keys() == b.keys()
    np.testing.assert_array_equal(a.doc_offsets, b.doc_offsets)


def test_counts_are_recovered_from_the_stored_weights(parts):
    data = _build(parts[:4])
    rows, cols, counts = stored_counts(data)
    terms = list(data.vocabulary)
    recs = list(data.passages)
    for r in random.Random(1).sample(range(len(recs)), 20):
        expected = {}
        for t in tokenize.analyze("word+bigram", recs[r].text):
            expected[t] = expected.get(t, 0) + 1
        got = {terms[c]: int(n) for c, n in zip(cols[rows == r], counts[rows == r])}
        assert got == expected


def test_counts_recovered_block_by_block_are_the_whole(parts):
    data = _build(parts[:4])
    whole = stored_counts(data)
    blocks = [stored_counts(data, a, b) for a, b in index_mod._column_blocks(data.indptr, size=1000)]
    assert len(blocks) > 3
    for got, expected in zip((np.concatenate(x) for x in zip(*blocks)), whole):
        np.testing.assert_array_equal(got, expected)


def test_adding_documents_gives_the_index_a_full_build_gives(parts):
    old = _build(parts[:6])
    updated, counted = update_index(old, parts, fingerprint="f", workers=1)
    assert counted == len(parts) - 6
    _assert_same_index(updated, _build(parts))


def test_removing_and_reordering_documents_gives_a_full_build(parts):
    old = _build(parts)
    wanted = parts[5:] + parts[:2]  # three documents gone, the rest in another order
    updated, counted = update_index(old, wanted, fingerprint="f", workers=1)
    assert counted == 0
    full = _build(wanted)
    _assert_same_index(updated, full)
    gone = {t for _, rs in parts[2:5] for p in rs for t in tokenize.analyze("word+bigram", p.text)}
    kept = {t for _, rs in wanted for p in rs for t in tokenize.analyze("word+bigram", p.text)}
    assert all(t not in updated.vocabulary for t in list(gone - kept)[:50])  # terms of removed documents pruned


def test_only_the_new_documents_are_tokenised(parts, monkeypatch):
    old = _build(parts[:8])
    seen = []
    real = tokenize.analyze

    def counting(name, text, **kw):
        seen.append(text)
        return real(name, text, **kw)

    monkeypatch.setattr(tokenize, "analyze", counting)
    update_index(old, parts, fingerprint="f", workers=1)
    new_texts = {p.text for _, rs in parts[8:] for p in rs}
    assert seen and set(seen) <= new_texts


def test_the_pool_counts_as_one_process_does(parts):
    _assert_same_index(_build(parts, workers=2), _build(parts, workers=1))


class PartsCorpus:
    """A corpus with documents, a folder and a fingerprint, like drafter.corpus.Corpus."""

    def __init__(self, folder, parts):
        self.dir, self._parts = folder, list(parts)

    @property
    def fingerprint(self):
        return "parts-" + "|".join(k for k, _ in self._parts)

    def passage_parts(self):
        return list(self._parts)

    def passages(self):
        return [p for _, rs in self._parts for p in rs]


def test_retriever_adds_new_documents_to_the_stored_index(tmp_path, parts):
    corpus = PartsCorpus(tmp_path / "c", parts[:6])
    assert Retriever(corpus).load().index_status_ == "missing"
    corpus._parts = parts[:7]
    said = []
    r = Retriever(corpus, on_message=said.append).load()
    assert r.index_status_ == "updated"
    assert any("只读入了新增的 1 个文档" in m for m in said), said
    fitted = Retriever(corpus).fit()
    for q in ("送温暖", "劳动和技能竞赛", "职工之家建设", "产业工人队伍建设改革"):
        assert [h.to_json() for h in r.search(q)] == [h.to_json() for h in fitted.search(q)]
    assert Retriever(corpus).load().index_status_ == "loaded"  # and it was stored


def test_mostly_new_documents_are_built_afresh(tmp_path, parts):
    corpus = PartsCorpus(tmp_path / "c", parts[:2])
    Retriever(corpus).load()
    corpus._parts = parts
    assert Retriever(corpus).load().index_status_ == "rebuilt"


def test_in_process_index_is_a_search_backend(parts):
    b = InProcessIndex(CONFIG, "f")
    b.build([p for _, rs in parts for p in rs])
    assert isinstance(b, InProcessIndex)
    backend: SearchBackend = b  # the Protocol's attributes and methods are all there
    for name in ("build", "add", "load", "save", "scores", "filter_mask", "search", "vocabulary", "idf", "passages"):
        assert hasattr(backend, name)
    col = b.vocabulary["职工"]
    rows, scores = b.search({col: 1.0}, Filters(chapter="维权服务"), 5)
    assert len(rows) == 5 and scores == sorted(scores, reverse=True)
    assert all("维权服务" in b.passages[r].chapters for r in rows)


def test_scores_read_only_the_query_columns_and_match_a_dense_product(parts):
    data = _build(parts)
    b = InProcessIndex(CONFIG, "f", data)
    vec = {data.vocabulary["职工"]: 0.5, data.vocabulary["~驿站"]: 0.8}
    dense = np.zeros(len(data.passages))
    for col, w in vec.items():
        lo, hi = int(data.indptr[col]), int(data.indptr[col + 1])
        dense[data.rows[lo:hi]] += w * data.weights[lo:hi]
    np.testing.assert_allclose(b.scores(vec), dense, rtol=1e-6)


def test_top_k_is_the_stable_sort_of_positive_scores():
    rng = np.random.default_rng(3)
    for _ in range(200):
        scores = rng.integers(0, 5, size=rng.integers(1, 60)).astype(np.float64)
        k = int(rng.integers(1, 12))
        order = np.argsort(-scores, kind="stable")
        expected = [int(i) for i in order if scores[i] > 0][:k]
        assert top_k(scores, k) == expected


def _exact_overlap(a: str, b: str) -> float:
    def shingles(t):
        t = index_mod.shingle_text(t)
        return {t} if len(t) <= 4 else {t[i : i + 4] for i in range(len(t) - 3)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / min(len(x), len(y))


def test_minhash_verdicts_agree_with_exact_shingles(parts):
    """Near-duplicate verdicts from the stored signatures against exact shingle overlap, on
    hits of real queries over the seeds: clear cases always right, borderline ones nearly."""
    data = _build(parts)
    b = InProcessIndex(CONFIG, "f", data)
    texts = [p.text for p in data.passages]
    wrong = borderline_wrong = total = 0
    for query in ("职工驿站", "劳动和技能竞赛", "送温暖", "产业工人队伍建设改革", "职工之家", "困难职工帮扶",
                  "劳模创新工作室", "工会经费", "新就业形态劳动者", "主题教育"):
        vec = {c: 1.0 for c in (data.vocabulary.get(t) for t in tokenize.analyze("word+bigram", query)) if c is not None}
        rows = top_k(b.scores(vec), 40)
        same = b.duplicates(rows)
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                exact = _exact_overlap(texts[rows[i]], texts[rows[j]])
                total += 1
                if same[i, j] != (exact >= backend_mod.DUP_OVERLAP):
                    if abs(exact - backend_mod.DUP_OVERLAP) < 0.15:
                        borderline_wrong += 1
                    else:
                        wrong += 1
    assert total > 5000
    assert wrong == 0
    assert borderline_wrong <= total // 1000


def test_signatures_find_edited_copies():
    base = "全市工会共商共建户外劳动者驿站589个，其中全国最美站点10个、省级示范站点32个、市级示范站点66个。"
    edited = base.replace("589", "600").replace("66", "70")
    other = "深入开展劳动和技能竞赛，组织职工参加岗位练兵、技术比武活动，培育高技能人才队伍。"
    sigs, counts = minhash_signatures([base, edited, other])
    assert counts.min() > 10
    assert (sigs[0] == sigs[1]).mean() > 0.6 > (sigs[0] == sigs[2]).mean()


def test_damaged_row_numbers_are_a_message_not_a_crash(parts):
    data = _build(parts[:3])
    rows = np.array(data.rows)
    rows[int(data.indptr[data.vocabulary["职工"]])] = len(data.passages) + 5
    data.rows = rows
    from drafter.errors import DrafterError

    with pytest.raises(DrafterError, match="重建索引"):
        InProcessIndex(CONFIG, "f", data).scores({data.vocabulary["职工"]: 1.0})


def test_vocabulary_finds_every_term_and_nothing_else(parts):
    data = _build(parts[:3])
    terms = list(data.vocabulary)
    assert all(data.vocabulary[t] == i for i, t in enumerate(terms))
    assert "量子纠缠" not in data.vocabulary and data.vocabulary.get(5) is None
    assert len(index_mod.make_vocabulary(["a", "b"])) == 2


def test_scipy_kernel_and_numpy_score_alike(parts, monkeypatch):
    pytest.importorskip("scipy")
    data = _build(parts)
    vec = {data.vocabulary[t]: w for t, w in (("职工", 0.3), ("~驿站", 0.8), ("服务", 0.2), ("~工会", 0.1))}
    cold = InProcessIndex(CONFIG, "f", data)
    monkeypatch.delitem(__import__("sys").modules, "scipy.sparse", raising=False)
    numpy_scores = cold.scores(vec)
    assert cold._queries <= backend_mod.WARM_AFTER
    warm = InProcessIndex(CONFIG, "f", data)
    warm._queries = backend_mod.WARM_AFTER  # a long-running process
    kernel_scores = warm.scores(vec)
    assert warm._checked  # went through the kernel
    np.testing.assert_allclose(kernel_scores, numpy_scores, rtol=1e-5, atol=1e-7)


def test_kernel_refuses_damaged_row_numbers(parts):
    pytest.importorskip("scipy")
    from drafter.errors import DrafterError

    data = _build(parts[:3])
    rows = np.array(data.rows)
    rows[int(data.indptr[data.vocabulary["职工"]])] = -3
    data.rows = rows
    warm = InProcessIndex(CONFIG, "f", data)
    warm._queries = backend_mod.WARM_AFTER
    with pytest.raises(DrafterError, match="重建索引"):
        warm.scores({data.vocabulary["职工"]: 1.0})


def test_top_k_on_a_million_scores_uses_a_floor_and_stays_exact():
    rng = np.random.default_rng(5)
    scores = rng.random(1_000_000).astype(np.float32)
    scores[rng.random(1_000_000) < 0.3] = 0
    scores[[10, 20, 30]] = scores.max()  # ties at the top, in position order
    expected = np.argsort(-scores, kind="stable")[:13].tolist()
    assert top_k(scores, 13) == expected
    mask = rng.random(1_000_000) < 0.2
    masked = np.where(mask, scores, 0)
    assert top_k(scores, 13, mask) == np.argsort(-masked, kind="stable")[:13].tolist()


def test_blocks_and_slices_give_the_index_one_chunk_gives(parts, monkeypatch):
    expected = _build(parts, workers=1)
    monkeypatch.setattr(index_mod, "COUNT_CHUNK", 97)  # many chunks, joined into blocks
    monkeypatch.setattr(index_mod, "BLOCK_BYTES", 300_000)
    monkeypatch.setattr(index_mod, "SCATTER_SLICE", 3_001)  # and each block weighed in slices
    _assert_same_index(_build(parts, workers=1), expected)


def test_org_filter_finds_parts_of_names_never_across_two():
    import numpy as np

    orgs = ["", "东山县总工会", "白河市总工会", "青禾县总工会"]
    table = index_mod.StringTable(*_string_table(orgs))
    assert index_mod.org_matches(table, "总工会").tolist() == [False, True, True, True]
    assert index_mod.org_matches(table, "白河").tolist() == [False, False, True, False]
    assert index_mod.org_matches(table, "工会白河").tolist() == [False] * 4  # across two names
    assert index_mod.org_matches(table, "会青").tolist() == [False] * 4
    assert not index_mod.org_matches(index_mod.StringTable(*_string_table([])), "x").any()


def _string_table(strings):
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def test_a_big_build_waits_on_disk_and_cleans_up(parts, monkeypatch, tmp_path):
    expected = _build(parts, workers=1)
    monkeypatch.setattr(index_mod, "COUNT_CHUNK", 97)
    monkeypatch.setattr(index_mod, "BLOCK_BYTES", 300_000)
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 50_000)  # every block, the texts and signatures
    data = _build(parts, workers=1, scratch_dir=tmp_path)
    (folder,) = tmp_path.iterdir()
    assert len(list(folder.glob("*.npy"))) > 3
    assert not data.passages.texts.utf8.flags.writeable  # mapped from the scratch folder
    _assert_same_index(data, expected)
    del data
    import gc

    gc.collect()
    assert not list(tmp_path.iterdir())


def test_a_big_append_waits_on_disk_too(parts, monkeypatch, tmp_path):
    old = _build(parts[:6])
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 2_000)
    updated, _ = update_index(old, parts, fingerprint="f", workers=1, scratch_dir=tmp_path)
    assert list(next(tmp_path.iterdir()).glob("*.npy"))
    _assert_same_index(updated, _build(parts))


# --- adding documents in bounded memory ----------------------------------------------------


def _array_fields(data):
    """Everything stored of an index, as numpy arrays by name (drafter.index._arrays)."""
    return {k: np.asarray(v) for k, v in index_mod._arrays(data).items()}


@pytest.fixture(scope="module")
def changed(parts):
    """An old index and what is wanted of it: two documents gone, the rest reordered, new
    documents between kept ones (runs of stored passages that do not follow each other)."""
    old = _build(parts[:8])
    wanted = parts[8:10] + parts[3:6] + parts[10:12] + parts[:2] + parts[12:]
    return old, wanted


def test_appending_block_by_block_gives_the_index_of_one_block(changed, monkeypatch, tmp_path):
    old, wanted = changed
    whole, _ = update_index(old, wanted, fingerprint="f", workers=1)
    monkeypatch.setattr(index_mod, "APPEND_BLOCK", 997)  # hundreds of column blocks
    monkeypatch.setattr(index_mod, "TABLE_ROWS", 7)  # stored passages copied 7 at a time
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 4_000)  # every big array written to disk and mapped
    monkeypatch.setattr(index_mod, "COPY_BYTES", 5_000)
    monkeypatch.setattr(index_mod, "TEXT_BUFFER", 300)  # new passages' texts into the sink a few at a time
    blocks = []
    real = index_mod._column_blocks
    monkeypatch.setattr(index_mod, "_column_blocks", lambda *a, **k: (blocks.append(x) or x for x in real(*a, **k)))
    small, _ = update_index(old, wanted, fingerprint="f", workers=1, scratch_dir=tmp_path)
    assert len(blocks) > 100
    assert not small.weights.flags.writeable and not small.rows.flags.writeable  # in the scratch folder, mapped
    a, b = _array_fields(whole), _array_fields(small)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert list(small.passages) == list(whole.passages)
    _assert_same_index(small, _build(wanted))


def test_an_append_with_an_empty_document_on_disk(parts, monkeypatch, tmp_path):
    old = _build(parts[:3])
    wanted = parts[:2] + [("empty", [])] + parts[3:5] + [("empty too", [])]
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 1_000)  # the signatures' sink on disk, an empty block written
    updated, counted = update_index(old, wanted, fingerprint="f", workers=1, scratch_dir=tmp_path)
    assert counted == 4
    _assert_same_index(updated, _build(wanted))


def test_an_append_keeps_passage_order_within_columns_and_pruned_columns_out(changed):
    old, wanted = changed
    updated, _ = update_index(old, wanted, fingerprint="f", workers=1)
    full = _build(wanted)
    _assert_same_index(updated, full)
    assert len(updated.idf) == len(updated.vocabulary) == len(full.vocabulary)
    assert np.all(np.diff(updated.indptr) > 0)  # no empty column: terms of removed documents are gone
    # A column lists the kept documents' passages in their stored order, then the new ones.
    old_row = {}  # new row -> old row of the kept passages
    row, where = 0, {k: i for i, k in enumerate(old.keys())}
    for key, recs in wanted:
        if key in where:
            a, b = int(old.doc_offsets[where[key]]), int(old.doc_offsets[where[key] + 1])
            old_row.update(zip(range(row, row + b - a), range(a, b)))
            row += b - a
        else:
            row += len(recs)
    for term in ("职工", "工会", "~驿站"):
        col = updated.vocabulary[term]
        rows = updated.rows[updated.indptr[col] : updated.indptr[col + 1]].tolist()
        assert rows == sorted(rows, key=lambda r: (r not in old_row, old_row.get(r, r)))
        assert any(r not in old_row for r in rows) and any(r in old_row for r in rows)


def test_an_append_stores_the_passage_tables_a_full_build_stores(changed, monkeypatch):
    """Texts copied as slices, sources and units numbered in order of first sight: the same
    arrays as a full build, byte for byte (sources shared by new and kept documents too)."""
    old, wanted = changed
    shared = [(key + "+copy", rs) for key, rs in wanted[2:3]]  # a new document with a kept one's sources
    monkeypatch.setattr(index_mod, "TABLE_ROWS", 11)
    updated, _ = update_index(old, wanted + shared, fingerprint="f", workers=1)
    a, b = _array_fields(updated), _array_fields(_build(wanted + shared))
    for name in ("text_utf8", "text_offsets", "source_ids", "chapter_set_ids", "source_utf8", "source_offsets",
                 "source_year", "source_kind", "source_org", "org_utf8", "org_offsets", "doc_offsets", "minhash",
                 "shingles"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert updated.passages.chapter_sets == _build(wanted + shared).passages.chapter_sets


def test_the_vocabulary_after_an_append_is_the_one_make_vocabulary_gives(parts):
    old = _build(parts[:4])
    keep = np.ones(len(old.vocabulary), dtype=bool)
    keep[::3] = False
    terms = [t for t, k in zip(old.vocabulary, keep.tolist()) if k] + ["新词甲", "新词乙", "z"]
    got = index_mod._vocabulary_after(old.vocabulary, keep, ["新词甲", "新词乙", "z"])
    expected = index_mod.make_vocabulary(terms)
    assert list(got) == terms
    np.testing.assert_array_equal(got.hashes, expected.hashes)
    np.testing.assert_array_equal(got.by_hash, expected.by_hash)
    assert got["新词乙"] == len(terms) - 2
    whole = index_mod._vocabulary_after(old.vocabulary, np.ones(len(keep), dtype=bool), [])
    assert list(whole) == list(old.vocabulary)


def test_columns_of_terms_are_found_by_hash_and_checked_by_bytes(parts, monkeypatch):
    old = _build(parts[:3])
    terms = list(old.vocabulary)
    asked = terms[::7] + ["量子纠缠", ""] + terms[:3]
    expected = [old.vocabulary.get(t, -1) for t in asked]
    assert index_mod._columns_of(old.vocabulary, asked).tolist() == expected
    # With hashes that collide all the time, the bytes still pick the right column.
    real = tokenize._hash64_many
    monkeypatch.setattr(tokenize, "_hash64_many", lambda words: real(words) % np.uint64(5))
    crowded = index_mod.make_vocabulary(terms[:200])
    asked = terms[:200:3] + ["量子纠缠"] + terms[200:210]
    assert index_mod._columns_of(crowded, asked).tolist() == [i for i in range(0, 200, 3)] + [-1] * 11


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no RssFile in /proc/self/status")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_released_pages_of_a_mapped_array_leave_memory_and_come_back_when_read(tmp_path):
    path = tmp_path / "a.npy"
    expected = np.arange(16 << 20, dtype=np.int32)  # 64 MB
    np.save(path, expected)
    arr = np.load(path, mmap_mode="r").view(np.ndarray)
    before = _resident_mb()
    assert int(arr.sum(dtype=np.int64)) == int(expected.sum(dtype=np.int64))  # every page read
    read = _resident_mb()
    assert read - before > 50
    index_mod.release_pages(arr, 0, len(arr) // 2)
    half = _resident_mb()
    assert 20 < read - half < 40
    index_mod.release_pages(arr)
    assert _resident_mb() - before < 5
    np.testing.assert_array_equal(arr, expected)  # read again from the file


def test_pages_of_memory_or_a_copy_on_write_mapping_are_never_dropped(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros(1 << 20, dtype=np.int32))
    private = np.load(path, mmap_mode="c")
    private[::1024] = 7  # changes that live only in this process's pages
    index_mod.release_pages(private)
    assert int(private[::1024].min()) == 7
    plain = np.full(1 << 20, 3, dtype=np.int32)
    index_mod.release_pages(plain)
    assert int(plain.min()) == 3
    assert index_mod._mapping(plain) is None and index_mod._mapping(private) is None
    assert index_mod._mapping(np.load(path, mmap_mode="r").view(np.ndarray)[10:20]) is not None


@pytest.mark.parametrize("shape,dtype", [((100_003,), np.float32), ((1_001, 64), np.uint32), ((0,), np.int64)])
def test_a_mapped_array_is_saved_slice_by_slice_as_np_save_writes_it(tmp_path, monkeypatch, shape, dtype):
    import io

    monkeypatch.setattr(index_mod, "COPY_BYTES", 4_096)
    arr = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    np.save(tmp_path / "a.npy", arr)
    mapped = index_mod._open_array(tmp_path / "a.npy")
    out = io.BytesIO()
    index_mod._write_array(out, mapped)
    assert out.getvalue() == (tmp_path / "a.npy").read_bytes()


class _FullDisk:
    """A file whose writes fail after ``room`` of them (a disk that fills up)."""

    def __init__(self, fh, room):
        self.fh, self.room = fh, room

    def write(self, data):
        self.room -= 1
        if self.room < 0:
            raise OSError(28, "No space left on device")
        return self.fh.write(data)

    def __getattr__(self, name):
        return getattr(self.fh, name)


@pytest.mark.parametrize("room", [0, 2, 100])
def test_a_sink_gives_its_blocks_back_in_memory_on_disk_or_after_a_full_disk(tmp_path, monkeypatch, room):
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 1_000)
    expected = np.arange(30 * 64, dtype=np.uint32).reshape(30, 64)
    sink = index_mod.Scratch(tmp_path).sink(np.uint32, (30, 64))
    assert sink.fh is not None
    sink.fh = _FullDisk(sink.fh, room)
    for lo in range(0, 30, 4):
        sink.write(expected[lo : lo + 4])
    got = sink.done()
    np.testing.assert_array_equal(got, expected)
    assert got.flags.writeable == (room < 8)  # kept in memory once the disk was full
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 1 << 30)
    small = index_mod.Scratch(tmp_path).sink(np.int32, 5)
    small.write(np.arange(5))
    assert small.done().tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        index_mod.Scratch(tmp_path).sink(np.int32, 5).done()


def _mapped_files() -> set[str]:
    """The files this process maps (/proc/self/maps)."""
    maps = Path("/proc/self/maps").read_text()
    return {line.split(None, 5)[5].strip() for line in maps.splitlines() if len(line.split(None, 5)) == 6}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_a_saved_append_maps_the_stored_files_not_deleted_scratch(parts, monkeypatch, tmp_path):
    """drafter serve keeps its index after an ingest: once saved, the added-to index must be
    the stored generation, not the scratch files the save removed (their disk space would
    stay held while the process runs)."""
    folder = tmp_path / "corpus" / "index"
    folder.mkdir(parents=True)
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 2_000)  # everything through scratch files
    b = InProcessIndex(CONFIG, "f")
    b.build([p for _, rs in parts[:6] for p in rs], documents=[(k, len(rs)) for k, rs in parts[:6]],
            scratch_dir=folder)
    b.save(folder)
    b.add(parts, fingerprint="g", scratch_dir=folder)
    b.save(folder)
    assert b.data.scratch is None and b.data.fingerprint == "g"
    mapped = _mapped_files()
    assert not [m for m in mapped if str(tmp_path) in m and ("(deleted)" in m or ".tmp" in m)], mapped
    assert [m for m in mapped if str(folder) in m and "/gen-" in m]  # the stored generation
    _assert_same_index(b.data, _build(parts))
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no scratch left behind


def test_a_saved_index_is_not_swapped_for_another_writers(parts, monkeypatch, tmp_path):
    """If another process stored a newer index between this save and the remapping, the
    backend keeps the index it built (mapped from its scratch files) rather than take on
    another one unawares."""
    folder = tmp_path / "corpus" / "index"
    folder.mkdir(parents=True)
    monkeypatch.setattr(index_mod, "SPILL_BYTES", 2_000)
    b = InProcessIndex(CONFIG, "f")
    b.build([p for _, rs in parts[:4] for p in rs], scratch_dir=folder)
    built = b.data
    monkeypatch.setattr(backend_mod, "read_meta", lambda where: {**index_mod.read_meta(where), "build_id": "other"})
    b.save(folder)
    assert b.data is built and b.data.scratch is not None
