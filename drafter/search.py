"""Finding comparable passages: the TF-IDF retriever over the corpus passages.

    >>> r = Retriever(Corpus.load())
    >>> hits = r.search("职工驿站", chapter="维权")

The index lives behind a backend (drafter.backend: the memory-mapped arrays of
drafter.index, with the weights scikit-learn's TfidfVectorizer gives); a query is
vectorised here with the stored vocabulary and idf and scored by the backend with numpy
alone, so neither a cold search nor a cold build imports scikit-learn or scipy.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from . import thesaurus as thesaurus_mod
from . import tokenize
from .backend import Filters, InProcessIndex, top_k
from .errors import DrafterError
from .index import (
    INDEX_FORMAT,
    IndexData,
    IndexUnusable,
    Progress,
    index_fingerprint,
    read_meta,
    settings_hash,
    shipped_index,
    shipped_index_dir,
    shipped_meta,
    write_shipped_index,
)
from .model import PassageRecord, resolve_chapter, resolve_kind
from .text import is_traditional, word_automaton

DEFAULT_ANALYZER = "word+bigram"
# Query expansion through the thesaurus, tuned on the tuning half of
# benchmarks/paraphrase_queries.json with the main set of retrieval_queries.json kept
# from dropping (docs/benchmarks.md has the figures).
EXPANSION_WEIGHT = 0.7  # an expanded term scores at most this share of what its key would
UNSEEN_WEIGHT = 1.0  # the same for the part of a key the corpus never has (歇脚): no exact match
CHAPTER_PRIOR = 0.2  # passages of the chapter the expansions point to score this much more


HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE = "**", "**"


@dataclass(frozen=True)
class Source:
    file: str
    article: str
    heading: str
    org: str = ""
    year: int | None = None
    kind: str = ""


@dataclass
class Hit:
    rank: int
    score: float
    text: str
    chapters: list[str]
    file: str
    article: str
    heading: str
    highlighted: str  # text with each matched term between HIGHLIGHT_OPEN and HIGHLIGHT_CLOSE
    # Near-duplicates among the best-scored candidates (they score alike, so they are there).
    also_in: list[Source] = field(default_factory=list)
    org: str = ""
    year: int | None = None
    kind: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "text": self.text,
            "chapters": self.chapters,
            "file": self.file,
            "article": self.article,
            "heading": self.heading,
            "org": self.org,
            "year": self.year,
            "kind": self.kind,
            "also_in": [asdict(s) for s in self.also_in],
        }




class Retriever:
    """TF-IDF retrieval over the passages of a corpus, filtered by chapter.

    Parameters
    ----------
    corpus : a ``drafter.corpus.Corpus`` (anything with ``passages()``, ``fingerprint`` and
        ``dir``), or a plain sequence of PassageRecord (fitted in memory, never stored).
    analyzer : "word", "word+bigram" or "bigram" (see drafter.tokenize).
    heading_weight : how many times the section heading's tokens are added to each passage
        (0 by default: on the benchmark, heading words pulled in passages that do not
        themselves talk about the query).
    sublinear_tf : use 1 + log(tf) instead of raw counts.
    pivot_slope : pivoted length normalisation of the passages (1 = plain cosine).
    on_message : called with a Chinese message when the stored index is (re)built.
    progress : wraps the passages while the index is built (a progress bar in the CLI).
    thesaurus : a ``drafter.thesaurus.Thesaurus`` to expand queries with (default: the
        shipped one); None or ``expansion_weight=0`` turns expansion off.
    expansion_weight : what an expanded term is worth against the typed word it comes from
        (below 1: a synonym never outranks an exact match of equal quality).
    unseen_weight : the same for a typed key no passage can hold (one of its character
        bigrams is not in the vocabulary: 歇脚, 快递小哥): there is no exact match to keep
        ahead, so its synonyms stand in for it at this weight.
    chapter_prior : without a chapter filter, passages of the chapters the expansions
        belong to get their score multiplied by 1 + chapter_prior.
    prf : pseudo-relevance feedback: add the top terms of this many best passages (0: off).
    prf_terms, prf_weight : how many such terms, and their weight against the query.
    """

    def __init__(
        self,
        corpus,
        *,
        analyzer: str = DEFAULT_ANALYZER,
        heading_weight: int = 0,
        sublinear_tf: bool = True,
        pivot_slope: float = 0.5,
        on_message: Callable[[str], None] | None = None,
        progress: Progress | None = None,
        thesaurus: thesaurus_mod.Thesaurus | None | str = "default",
        expansion_weight: float = EXPANSION_WEIGHT,
        unseen_weight: float = UNSEEN_WEIGHT,
        chapter_prior: float = CHAPTER_PRIOR,
        prf: int = 0,
        prf_terms: int = 10,
        prf_weight: float = 0.3,
    ):
        self.corpus = corpus
        self.analyzer = analyzer
        self.heading_weight = heading_weight
        self.sublinear_tf = sublinear_tf
        self.pivot_slope = pivot_slope
        self.on_message = on_message
        self.progress = progress
        self.thesaurus = thesaurus_mod.default() if thesaurus == "default" else thesaurus
        self.expansion_weight = expansion_weight
        self.unseen_weight = unseen_weight
        self.chapter_prior = chapter_prior
        self.prf, self.prf_terms, self.prf_weight = prf, prf_terms, prf_weight
        self._term_feats: dict[str, list[str]] = {}
        self._expanded: dict[tuple, list[thesaurus_mod.Expansion]] = {}
        self._strict_save = False

    # --- configuration and state ---------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        if self.analyzer not in tokenize.ANALYZERS:
            raise ValueError(f"analyzer must be one of {tokenize.ANALYZERS}, not {self.analyzer!r}")
        return {
            "analyzer": self.analyzer,
            "heading_weight": self.heading_weight,
            "sublinear_tf": self.sublinear_tf,
            "pivot_slope": self.pivot_slope,
        }

    def _fingerprint(self) -> str:
        corpus_fp = getattr(self.corpus, "fingerprint", None)
        if corpus_fp is None:
            import hashlib

            h = hashlib.sha256()
            for p in self.corpus:
                h.update(repr(p).encode("utf-8"))
            corpus_fp = h.hexdigest()
        return index_fingerprint(corpus_fp, tokenize.dictionary_hash(), self._config())

    def _passages(self) -> list[PassageRecord]:
        return list(self.corpus.passages()) if hasattr(self.corpus, "passages") else list(self.corpus)

    def _parts(self) -> list[tuple[str, list[PassageRecord]]] | None:
        """(key, passages) per document, when the corpus can tell its documents apart."""
        parts = getattr(self.corpus, "passage_parts", None)
        return parts() if callable(parts) else None

    def _settings(self) -> str:
        return settings_hash(tokenize.dictionary_hash(), self._config())

    @property
    def index_dir(self) -> Path | None:
        folder = getattr(self.corpus, "dir", None)
        return Path(folder) / "index" if folder is not None else None

    def fit(self) -> Retriever:
        """Build the index in memory from the corpus passages."""
        parts = self._parts()
        passages = [p for _, recs in parts for p in recs] if parts is not None else self._passages()
        if not passages:
            raise DrafterError("语料库中还没有任何段落，无法建立检索索引。请先用 drafter ingest 加入报告。")
        backend = InProcessIndex(self._config(), self._fingerprint())
        backend.build(passages, progress=self.progress,
                      documents=[(k, len(recs)) for k, recs in parts] if parts is not None else None,
                      scratch_dir=self.index_dir)
        self._set_backend(backend)
        self.index_status_ = "built"
        return self

    def save(self) -> Retriever:
        self._check_fitted()
        if self.index_dir is None:
            raise ValueError("this corpus has no folder to store an index in")
        self.backend_.save(self.index_dir, settings=self._settings())
        self._set_backend(self.backend_)  # now mapped from the stored files
        return self

    def load(self) -> Retriever:
        """Use the stored index if it is current; otherwise rebuild and store it, with a message."""
        folder = self.index_dir
        if folder is None:
            return self.fit()
        fingerprint = self._fingerprint()
        backend = InProcessIndex(self._config(), fingerprint)
        meta: dict[str, Any] | None = None
        try:
            meta = read_meta(folder)
            if meta.get("format") != INDEX_FORMAT or meta.get("fingerprint") != fingerprint:
                raise IndexUnusable("语料库、词典或索引格式有变动")
            backend.load(folder, meta)
        except IndexUnusable as exc:
            status = "missing" if exc.missing else "rebuilt"
            shipped = shipped_index(fingerprint)  # the seeds alone, as shipped: no need to build
            if shipped is not None:
                self._set_backend(InProcessIndex(self._config(), fingerprint, shipped))
                if not exc.missing:
                    self._say(f"{exc.reason}，已换用软件自带的内置语料索引。")
            elif self._add_to_stored(folder, meta, exc):
                status = "updated"
            else:
                self._say(f"{exc.reason}，正在{'建立' if exc.missing else '重建'}检索索引……")
                self.fit()
            try:
                self.save()
            except DrafterError as err:
                if self._strict_save:
                    raise
                # Searching still works from the index in memory; only the next start pays again.
                self._say(f"{err.message}（本次检索不受影响，但下次还要重建索引。）")
            self.index_status_ = status
            if shipped is None and status != "updated":
                done = "建立" if exc.missing else "重建"
                self._say(f"检索索引已{done}：{len(self.passages_)} 个段落，{len(self.vocabulary_)} 个词项。")
            return self
        self._set_backend(backend)
        self.index_status_ = "loaded"
        return self

    def _add_to_stored(self, folder: Path, meta: dict[str, Any] | None, exc: IndexUnusable) -> bool:
        """Bring the stored index (or the shipped one, for a corpus of the seeds plus the
        user's reports) up to date by counting only the documents it lacks. False when
        neither can be used that way (other settings, damaged, or most documents new)."""
        parts = self._parts()
        if parts is None:
            return False
        settings = self._settings()
        candidates = []
        if meta is not None and meta.get("format") == INDEX_FORMAT and meta.get("settings") == settings:
            candidates.append((folder, meta))
        shipped = shipped_meta()
        if shipped is not None and shipped.get("format") == INDEX_FORMAT and shipped.get("settings") == settings:
            candidates.append((shipped_index_dir(), shipped))
        for where, where_meta in candidates:
            try:
                base = InProcessIndex(self._config(), where_meta["fingerprint"])
                base.load(where, where_meta)
                held = set(base.data.keys())
            except (IndexUnusable, DrafterError):
                continue
            wanted = [k for k, _ in parts]
            new = [k for k in wanted if k not in held]
            if not held & set(wanted) or len(new) > len(wanted) // 2 + 1:
                continue  # little to keep: a full build is as quick and simpler
            n_new = sum(len(recs) for k, recs in parts if k not in held)
            self._say(f"{exc.reason}，正在更新检索索引（沿用已有索引，只读入新增的 {len(new)} 个文档）……")
            counted = base.add(parts, fingerprint=self._fingerprint(), progress=self.progress if n_new else None,
                               scratch_dir=folder)
            self._set_backend(base)
            self._say(f"检索索引已更新：{len(self.passages_)} 个段落，{len(self.vocabulary_)} 个词项"
                      f"（只读入了新增的 {counted} 个文档）。")
            return True
        return False

    def refresh(self) -> Retriever:
        """Bring the stored index up to date, counting only new documents when it can
        (``drafter ingest``); unlike ``load``, an index that cannot be stored is an error."""
        self._strict_save = True
        try:
            return self.load()
        finally:
            self._strict_save = False

    def rebuild(self) -> Retriever:
        """Build and store the index whatever state it is in (``drafter index``)."""
        self.fit()
        if self.index_dir is not None:
            self.save()
        return self

    def _say(self, message: str) -> None:
        if self.on_message is not None:
            self.on_message(message)

    def _set_backend(self, backend: InProcessIndex) -> None:
        self.backend_ = backend
        self._data: IndexData = backend.data
        self.passages_ = backend.passages  # a PassageTable: records are made for hits only
        self.vocabulary_ = backend.vocabulary  # a Vocabulary: term -> column, looked up by hash
        self.idf_ = backend.idf
        self._top_idf = float(self.idf_.max()) if len(self.idf_) else 1.0
        self._term_stats: dict[str, _TermStats] = {}  # thesaurus term -> what expanding needs
        self._sources: dict[tuple, Source] = {}  # a source as stored -> its Source, for hits

    def _check_fitted(self) -> None:
        if not hasattr(self, "passages_"):
            raise ValueError("Retriever is not fitted: call fit() or load() first")

    def _ensure_ready(self) -> None:
        if not hasattr(self, "passages_"):
            self.load()

    # --- queries ----------------------------------------------------------------------------

    def query_vector(self, text: str, word_tokens: list[str] | None = None) -> dict[int, float]:
        """term number -> weight, as TfidfVectorizer.transform would give (L2-normalised)."""
        self._check_fitted()
        feats = tokenize.analyze(self.analyzer, text, compact=True, word_tokens=word_tokens)
        return _unit(self._raw_vector(feats))

    def _raw_vector(self, feats: list[str]) -> dict[int, float]:
        """term number -> tf·idf of the features found in the vocabulary (not normalised)."""
        counts = Counter(self.vocabulary_[t] for t in feats if t in self.vocabulary_)
        vec = {}
        for term, n in counts.items():
            tf = 1.0 + math.log(n) if self.sublinear_tf else float(n)
            vec[term] = tf * float(self.idf_[term])
        return vec

    def _feats(self, term: str) -> list[str]:
        """The features of a thesaurus term, without single characters (新 of 新经济组织
        would match every passage that says 新, and each target alike)."""
        if term not in self._term_feats:
            feats = tokenize.analyze(self.analyzer, term, compact=True)
            self._term_feats[term] = [f for f in feats if len(f) > 1]
        return self._term_feats[term]

    def _self_score(self, feats: list[str], *, unseen: bool) -> float:
        """What a passage made of ``feats`` alone would score against them, before normalising:
        sum of weight·idf. ``unseen``: count features missing from the corpus at the top idf
        (a colloquial key such as 歇脚 is worth as much as a rare word)."""
        top = self._top_idf
        total = 0.0
        for t, n in Counter(feats).items():
            i = self.vocabulary_.get(t)
            if i is None and not unseen:
                continue
            idf = top if i is None else float(self.idf_[i])
            total += (1.0 + math.log(n) if self.sublinear_tf else n) * idf * idf
        return total

    def _may_occur(self, key: str) -> bool:
        """False when no passage can hold ``key``: one of its character bigrams (or, without
        bigrams, one of its words) is missing from the vocabulary."""
        grams = tokenize.char_bigrams(key) if self.analyzer != "word" else []
        return all(g in self.vocabulary_ for g in (grams or self._feats(key)))

    def _term(self, term: str) -> _TermStats:
        """What expanding with a thesaurus term needs of it, worked out once per index."""
        stats = self._term_stats.get(term)
        if stats is None:
            feats = self._feats(term)
            stats = _TermStats(self._raw_vector(feats), self._self_score(feats, unseen=False),
                               self._self_score(feats, unseen=True), self._may_occur(term))
            if len(self._term_stats) > 100_000:
                self._term_stats.clear()
            self._term_stats[term] = stats
        return stats

    def expansions(self, text: str) -> list[thesaurus_mod.Expansion]:
        """The thesaurus terms ``text`` gains that the corpus has (empty when expansion is off)."""
        if self.thesaurus is None or self.expansion_weight <= 0:
            return []
        self._check_fitted()
        # Asked for twice per query (vector and highlighting): the last few are kept.
        key = (id(self.thesaurus), self.expansion_weight, id(self.backend_), text)
        if key not in self._expanded:
            if len(self._expanded) > 64:
                self._expanded.clear()
            self._expanded[key] = [e for e in self.thesaurus.expansions(text) if self._term(e.target).vector]
        return list(self._expanded[key])

    def expanded_vector(
        self, text: str, word_tokens: list[str] | None = None
    ) -> tuple[dict[int, float], list[thesaurus_mod.Expansion]]:
        """The query vector with the thesaurus terms added, and the expansions used.

        Each expanded term is scaled so that a passage holding it scores at most
        ``expansion_weight`` of what the same passage holding the typed key would, counting
        what it already gets from features it shares with the query (新经济组织 and 两新组织
        share 组织): a synonym never outranks an exact match of equal quality. A feature the
        query already has keeps the query's weight.
        """
        self._check_fitted()
        feats = tokenize.analyze(self.analyzer, text, compact=True, word_tokens=word_tokens)
        vec = self._raw_vector(feats)
        used = self.expansions(text)
        extra: dict[int, float] = {}
        for e in used:
            if any(o.key == e.key and e.target != o.target and e.target in o.target for o in used):
                continue  # 宣讲 beside 理论宣讲: the longer one carries it, one budget per passage
            target_stats = self._term(e.target)
            target = target_stats.vector
            new = {t: w for t, w in target.items() if t not in vec}
            if not new:
                continue
            # The target's worth spread over all its features, those the corpus lacks too: a
            # target the corpus barely has does not pour its weight onto one common part.
            own = target_stats.full - sum(w * float(self.idf_[t]) for t, w in target.items() if t in vec)
            # What a passage holding the target already gets from the typed words it shares.
            shared = sum(vec[t] * float(self.idf_[t]) for t in target if t in vec)
            key = self._term(e.key)
            seen, full = key.seen, key.full
            if not full:  # a bare number (12351): the key stands for the target itself
                budget = self.unseen_weight * (own + shared)
            elif key.may_occur:
                budget = self.expansion_weight * seen
            else:
                budget = self.expansion_weight * seen + self.unseen_weight * (full - seen)
            scale = (budget - shared) / own
            for term, w in new.items():
                if scale > 0:
                    extra[term] = max(extra.get(term, 0.0), w * scale)
        vec.update(extra)
        return _unit(vec), used

    def search(
        self,
        query: str,
        chapter: str | None = None,
        k: int = 10,
        org: str | None = None,
        year: int | None = None,
        kind: str | None = None,
    ) -> list[Hit]:
        """The k passages closest to ``query``, best first, near-duplicates folded together."""
        if not query or not query.strip():
            raise DrafterError("检索词为空。请输入要查找的内容，例如：drafter search \"职工驿站\" --chapter 维权")
        word_tokens = tokenize.words(query, compact=True)
        if not word_tokens:  # 12351 alone is a number, but the thesaurus knows it
            self._ensure_ready()
        if not word_tokens and not self.expansions(query):
            raise DrafterError(
                f"检索词“{query.strip()}”只有标点、数字或“的、和、开展”之类的常用词，无法检索。"
                "请换成具体的工作内容，例如“困难职工帮扶”。"
            )
        return self._rank(query, word_tokens, chapter=chapter, k=k, org=org, year=year, kind=kind)

    def similar(self, text: str, chapter: str | None = None, k: int = 10) -> list[Hit]:
        """Passages close to a paragraph the user wrote (its own words, no thesaurus)."""
        if not text or not text.strip():
            raise DrafterError("要比对的段落为空。请用 --text 给出一段文字，或用 --file 指定一个文件。")
        word_tokens = tokenize.words(text, compact=True)
        if not word_tokens:
            raise DrafterError("要比对的段落只有标点、数字或常用词，无法比对。请给出一段完整的文字。")
        return self._rank(text, word_tokens, chapter=chapter, k=k, expand=False)

    def similar_paragraphs(
        self, text: str, chapter: str | None = None, k: int = 5, progress: Progress | None = None
    ) -> list[tuple[str, list[Hit]]]:
        """Each paragraph of a whole draft with the passages closest to it, in order.

        Headings and other short lines (under MIN_PARAGRAPH Han characters) are left out.
        """
        paragraphs = draft_paragraphs(text)
        if not paragraphs:
            raise DrafterError(
                f"文件中没有可比对的段落（每段至少 {MIN_PARAGRAPH} 个汉字，标题不计）。请检查文件内容。"
            )
        if len(paragraphs) > MAX_PARAGRAPHS:
            raise DrafterError(
                f"文件有 {len(paragraphs)} 段，超过逐段比对的上限 {MAX_PARAGRAPHS} 段。"
                "这不像一篇稿子；请只给自己的稿子，或拆成几个文件分别比对。"
            )
        out = []
        for para in progress(paragraphs) if progress is not None else paragraphs:
            tokens = tokenize.words(para, compact=True)
            hits = self._rank(para, tokens, chapter=chapter, k=k, expand=False) if tokens else []
            out.append((para, hits))
        return out

    def scores(self, text: str, chapter=None, org=None, year=None, kind=None, word_tokens=None, expand=True):
        """Score of every passage for ``text`` (the query's L2-normalised TF-IDF vector, with
        the thesaurus expansions, dotted with the passages' length-normalised ones); 0 for
        passages the filters leave out."""
        scores, mask = self._scores(text, chapter, org, year, kind, word_tokens, expand)
        if mask is not None:
            scores *= mask  # 0 where the filters leave a passage out
        return scores

    def _scores(self, text, chapter, org, year, kind, word_tokens, expand):
        """The scores before the filters, and the filters' mask (None: all passages)."""
        chapter = resolve_chapter(chapter) if chapter else None
        kind = resolve_kind(kind) if kind else None
        self._ensure_ready()
        mask = self.backend_.filter_mask(Filters(chapter, org, year, kind))
        if expand:
            vec, used = self.expanded_vector(text, word_tokens)
        else:
            vec, used = self.query_vector(text, word_tokens), []
        scores = self._dot(vec)
        if self.prf > 0:
            scores = self._dot(self._feedback(vec, scores, mask))
        if not chapter and self.chapter_prior > 0:
            self._apply_chapter_prior(scores, used)
        return scores, mask

    def _dot(self, vec: dict[int, float]):
        return self.backend_.scores(vec)

    def _feedback(self, vec: dict[int, float], scores, mask) -> dict[int, float]:
        """Rocchio: the query plus ``prf_weight`` times the centroid of the best passages'
        vectors, cut to their ``prf_terms`` heaviest terms the query lacks."""
        import numpy as np

        ranked = np.where(mask, scores, 0.0) if mask is not None else scores
        n = min(self.prf, int(np.count_nonzero(ranked)))
        if n == 0:
            return vec
        best = np.argpartition(-ranked, n - 1)[:n]
        centroid: Counter = Counter()
        for i in best.tolist():
            for term, w in _unit(self._raw_vector(tokenize.analyze(
                self.analyzer, self.passages_.text(i), compact=True))).items():
                if term not in vec:
                    centroid[term] += w / n
        out = dict(vec)
        for term, w in centroid.most_common(self.prf_terms):
            out[term] = self.prf_weight * w
        return _unit(out)

    def _apply_chapter_prior(self, scores, used: list[thesaurus_mod.Expansion]) -> None:
        """Favour the chapter(s) most of the expansions belong to (a soft prior, not a filter)."""
        votes = Counter(e.chapter for e in used if e.chapter)
        if not votes:
            return
        top = max(votes.values())
        wanted = frozenset(c for c, v in votes.items() if v == top)
        scores *= self.backend_.chapter_factor(wanted, self.chapter_prior)

    def _rank(self, text, word_tokens, *, chapter, k, org=None, year=None, kind=None, expand=True) -> list[Hit]:
        if not isinstance(k, int) or k <= 0:
            raise DrafterError(f"结果条数 -k 必须是正整数，现在是 {k}。")
        scores, mask = self._scores(text, chapter, org, year, kind, word_tokens, expand)
        # Look past k so that near-duplicates folded away still leave k hits. The filters are
        # applied to the candidates only, not to a million scores.
        cand = top_k(scores, 3 * k + 10, mask)
        if not cand:
            return []
        return self._fold(cand, scores, k, self._highlight_terms(text, word_tokens, expand))

    def _fold(self, cand: list[int], scores, k: int, terms: list[str]) -> list[Hit]:
        """Keep the best of each group of near-duplicates; list where the others are."""
        same = self.backend_.duplicates(cand)
        kept: list[int] = []  # positions in cand of the hits shown
        also: dict[int, list[Source]] = {}
        for j in range(len(cand)):
            match = same.first_match(kept, j)
            if match is not None:  # only its source is shown: the text is not decoded
                also.setdefault(kept[match], []).append(self._source(cand[j]))
            elif len(kept) < k:
                kept.append(j)
        hits = []
        for rank, j in enumerate(kept, 1):
            i = cand[j]
            text, src = self.passages_.text(i), self._source(i)
            hits.append(Hit(rank=rank, score=float(scores[i]), text=text, chapters=list(self.passages_.chapters(i)),
                            file=src.file, article=src.article, heading=src.heading,
                            highlighted=highlight(text, terms), also_in=also.get(j, []),
                            org=src.org, year=src.year, kind=src.kind))
        return hits

    def _source(self, i: int) -> Source:
        """Passage ``i``'s source; hits come from few sources, so each is made once."""
        found = self.passages_.source(i)
        src = self._sources.get(found)
        if src is None:
            if len(self._sources) > 10_000:
                self._sources.clear()
            src = self._sources[found] = Source(*found)
        return src

    def _highlight_terms(self, text: str, word_tokens: list[str], expand: bool = True) -> list[str]:
        """Surfaces of the query's features found in the vocabulary, longest first.

        Words when the analyzer has them (bigrams would light up every 工作 of 工作室).
        """
        feats = tokenize.char_bigrams(text) if self.analyzer == "bigram" else word_tokens
        terms = {tokenize.surface(t) for t in feats if t in self.vocabulary_}
        if expand:
            terms.update(e.target for e in self.expansions(text))
        return sorted(terms, key=len, reverse=True)


class _TermStats(NamedTuple):
    vector: dict[int, float]  # tf·idf of its features the corpus has (not normalised)
    seen: float  # what it scores against itself, over the features the corpus has
    full: float  # the same with the features the corpus lacks at the top idf
    may_occur: bool  # a passage can hold it (all its character bigrams are in the vocabulary)


def _unit(vec: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


MIN_PARAGRAPH = 12  # Han characters: shorter lines of a draft are headings or titles
MAX_PARAGRAPHS = 2000  # a draft, not a corpus: bounded time for similar --file
_SENTENCE_END = tuple("。！？；：…”」）)!?;")
_CLAUSE_END = tuple("，、,")


def draft_paragraphs(text: str) -> list[str]:
    """The paragraphs of a draft as read from its file, hard-wrapped lines joined again.

    A line is continued by the next one when it ends in a comma, or when it is long (a
    wrapped line, not a heading) and does not end a sentence.
    """
    paras: list[str] = []
    joinable = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            joinable = False
            continue
        if joinable:
            paras[-1] += line
        else:
            paras.append(line)
        last = paras[-1]
        joinable = last.endswith(_CLAUSE_END) or (len(last) >= 2 * MIN_PARAGRAPH and not last.endswith(_SENTENCE_END))
    return [p for p in paras if len(_HAN_CHARS.findall(p)) >= MIN_PARAGRAPH]


_HAN_CHARS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


# Characters whose normalised form (drafter.tokenize.normalize) could match a term where the
# character itself does not: anything but ASCII, Han, and the punctuation Chinese text uses.
# A missing term (most are: synonyms the passage lacks) costs a normalisation only then.
_NORMALIZED_DIFFERS = re.compile("[^\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\u3001-\u3003\u3008-\u3011"
                                 "\u00b7\u2013-\u2015\u2018\u2019\u201c\u201d\u2022\u2026\u2027\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]")


def highlight(text: str, terms: Sequence[str]) -> str:
    """``text`` with every occurrence of the terms marked; overlapping matches merged."""
    hay = text.lower()
    if (_NORMALIZED_DIFFERS.search(text) or is_traditional(text)) and not all(term in hay for term in terms):
        norm = tokenize.normalize(text)  # full-width or traditional characters: find them too
        if len(norm) == len(text):
            hay = norm
    automaton = _term_automaton(tuple(terms))
    spans = sorted((end - size + 1, end + 1) for end, size in automaton.iter(hay)) if automaton else None
    if not spans:
        return text
    out, at = [], 0
    run_start, run_end = spans[0]
    for start, end in spans:
        if start > run_end:  # a gap: the marked run so far is complete
            out += (text[at:run_start], HIGHLIGHT_OPEN, text[run_start:run_end], HIGHLIGHT_CLOSE)
            at, run_start = run_end, start
        if end > run_end:  # overlapping or touching: one marked run
            run_end = end
    out += (text[at:run_start], HIGHLIGHT_OPEN, text[run_start:run_end], HIGHLIGHT_CLOSE, text[run_end:])
    return "".join(out)


@lru_cache(maxsize=64)
def _term_automaton(terms: tuple[str, ...]):
    """The terms as one automaton (None: no terms): every occurrence in one pass over a hit
    (half the time of a search per term)."""
    return word_automaton((term, len(term)) for term in terms)


def write_shipped() -> Path:
    """Build the index of the embedded corpus alone and store it in the package."""
    from .corpus import Corpus

    r = Retriever(Corpus.load(Path("/nonexistent-drafter-corpus"))).fit()
    return write_shipped_index(r._data, settings=r._settings())


if __name__ == "__main__":
    print(f"written: {write_shipped()}")
