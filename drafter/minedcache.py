"""What drafting takes from the corpus, mined once per corpus state and kept as JSON.

Wording a figure (``corpus_wording``) needs the figure patterns of every chapter, and the
comments need sub-heading suggestions; mining them runs jieba's part-of-speech tagger
over the whole corpus (seconds). They are cached keyed by the corpus fingerprint (which
changes whenever a document or the parser changes), so a stale cache is never used:

* ``drafter/data/mined-embedded.json`` ships with the package for the embedded corpus
  alone (a fresh machine drafts without mining; regenerate with
  ``python -m drafter.minedcache`` after changing the seeds or the parser — a test
  fails while it is stale);
* ``<corpus>/mined.json`` is written beside the user's corpus for any other state.

JSON only (no pickle); a cache that cannot be read or written is simply mined again.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .fsutil import atomic_write_json
from .resources import data_dir

VERSION = 1
CHAPTERS = ("思想引领", "建功立业", "维权服务", "改革创新", "党建自身建设")
HEADINGS_PER_CHAPTER = 3
SHIPPED = "mined-embedded.json"
_MEMO: dict[str, dict[str, Any]] = {}


def shipped_path() -> Path:
    return data_dir() / SHIPPED


def mine(corpus) -> dict[str, Any]:
    """Mine patterns and sub-heading suggestions of every drafting chapter, as JSON data."""
    from .phrases import mine_patterns, suggested_headings

    patterns = []
    for chapter in CHAPTERS:
        for p in mine_patterns(corpus, chapter, n=0):
            # What wording needs: the shape, its slots and how widely it is used; the
            # corpus sentences themselves (examples, variants) stay out of the cache.
            patterns.append({"template": p.template, "count": p.count, "chapter": p.chapter,
                             "slots": [asdict(s) for s in p.slots], "sources": [asdict(s) for s in p.sources],
                             "shape": p.shape})
    headings = {
        chapter: [{"text": h.text, "sources": [asdict(s) for s in h.sources[:1]]}
                  for h in suggested_headings(corpus, chapter, HEADINGS_PER_CHAPTER)]
        for chapter in CHAPTERS
    }
    return {"version": VERSION, "fingerprint": corpus.fingerprint, "patterns": patterns, "headings": headings}


def _read(path: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION or data.get("fingerprint") != fingerprint:
        return None
    return data


def mined(corpus) -> dict[str, Any]:
    """The mined data for ``corpus`` in its present state: from memory, the shipped file,
    the corpus's own cache, or mined now (and then cached beside the corpus)."""
    key = corpus.fingerprint
    if key in _MEMO:
        return _MEMO[key]
    local = Path(corpus.dir) / "mined.json"
    data = _read(shipped_path(), key) or _read(local, key)
    if data is None:
        data = mine(corpus)
        try:
            if Path(corpus.dir).is_dir():
                atomic_write_json(local, data)
        except OSError:
            pass  # a read-only corpus folder: mined again next time
    _MEMO[key] = data
    return data


def wording_patterns(corpus) -> list:
    """The corpus's figure patterns as ``drafter.phrases.Pattern`` (for ``match_pattern``)."""
    from .phrases import Pattern, Slot, Source

    def shape(value: Any) -> Any:
        return tuple(shape(v) for v in value) if isinstance(value, list) else value

    return [
        Pattern(template=p["template"], count=p["count"], slots=[Slot(**s) for s in p["slots"]],
                sources=[Source(**s) for s in p["sources"]], chapter=p["chapter"], shape=shape(p["shape"]))
        for p in mined(corpus)["patterns"]
    ]


def heading_examples(corpus, chapter: str) -> list:
    """Up to three sub-headings other reports used for ``chapter`` (``HeadingExample``)."""
    from .phrases import HeadingExample, Source

    return [HeadingExample(h["text"], [Source(**s) for s in h["sources"]])
            for h in mined(corpus)["headings"].get(chapter, [])]


def write_shipped() -> Path:
    """Mine the embedded corpus alone and write the shipped cache."""
    from .corpus import Corpus

    corpus = Corpus.load(Path("/nonexistent-drafter-corpus"))  # the embedded seeds only
    path = shipped_path()
    path.write_text(json.dumps(mine(corpus), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"written: {write_shipped()}")
