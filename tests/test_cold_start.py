"""What a cold ``drafter draft`` pays for (issue 14, cold commands).

No timings here (they depend on the machine and its load; docs/benchmarks.md has them):
these tests hold the causes. A cold draft does not import what its path does not need,
the compact query dictionary is a memory-mapped ``.npy`` that segments like jieba's own
and is rebuilt when damaged, and the shortcuts taken for start-up give the same results
as the long way round.
"""

from __future__ import annotations

import json
import mmap
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from drafter import draft as draft_mod
from drafter import profile, tokenize
from drafter.corpus import Corpus
from drafter.figures import load_figures

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"

# Runs the CLI in a fresh interpreter and writes the names of the modules it imported.
_WRAPPER = """
import json, sys
out = sys.argv[1]
sys.argv = ["drafter", *sys.argv[2:]]
from drafter.cli import main
try:
    main(prog_name="drafter")
finally:
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(sorted(sys.modules), fh)
"""

# Never needed by a draft: the part-of-speech tagger (mined patterns are cached), the build's
# libraries, pkg_resources (jieba and zhconv import it unless kept from it), the parser
# (the corpus needs only its version) and LibreOffice's wrapper (only for .pdf).
NEVER = ("jieba.posseg", "sklearn", "scipy", "pkg_resources", "drafter.ingest", "drafter.segment", "drafter.convert")
# Nor, without comments, anything of retrieval.
NOT_WITHOUT_REFS = ("jieba", "numpy", "drafter.search", "drafter.index", "drafter.tokenize", "zhconv")


def _modules_after(home: Path, tmp: Path, *args: str) -> set[str]:
    out = tmp / "modules.json"
    env = {**os.environ, "DRAFTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(out), "draft", str(EXAMPLE), "-o", str(tmp / "初稿.docx"), "--force", *args],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(out.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def used_home(tmp_path_factory) -> Path:
    """A drafter home used once (index and caches in place), as for a second draft."""
    home = tmp_path_factory.mktemp("cold_home")
    _modules_after(home, tmp_path_factory.mktemp("first"))
    return home


def test_cold_draft_without_refs_imports_no_retrieval(used_home, tmp_path):
    modules = _modules_after(used_home, tmp_path, "--no-refs")
    assert "drafter.phrases" in modules  # wording is on: the figure patterns come from the cache
    assert not [m for m in (*NEVER, *NOT_WITHOUT_REFS) if m in modules]


def test_cold_draft_with_refs_imports_no_tagger_nor_build(used_home, tmp_path):
    modules = _modules_after(used_home, tmp_path)
    assert "drafter.search" in modules and "jieba" in modules
    assert not [m for m in NEVER if m in modules]


# --- the compact query dictionary ---------------------------------------------------------


@pytest.fixture
def compact_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path))
    tokenize._compact_jieba.cache_clear()
    yield tmp_path
    tokenize._compact_jieba.cache_clear()


def _mapped(array) -> bool:
    base = array
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None) if isinstance(base, np.ndarray) else getattr(base, "obj", None)
    return isinstance(base, mmap.mmap)


def _reloaded():
    tokenize._compact_jieba.cache_clear()
    return tokenize._compact_jieba()


def test_compact_dictionary_is_a_mapped_npy_that_segments_like_jieba(compact_home):
    first = tokenize._compact_jieba()  # writes the cache; this process uses the full dictionary
    path = tokenize.compact_dict_path()
    assert first is tokenize._full_jieba()
    assert path.suffix == ".npy" and path.parent.parent == compact_home
    np.load(path, allow_pickle=False)  # plain numpy data, no pickle inside
    tok = _reloaded()
    assert isinstance(tok.FREQ, tokenize.HashedFreq)
    assert _mapped(tok.FREQ._keys) and _mapped(tok.FREQ._freqs)  # opened in place, not copied
    full = tokenize._full_jieba()
    assert tok.total == full.total and len(tok.FREQ) == len(full.FREQ)
    for rec in Corpus.load(compact_home / "corpus").passages():
        assert tokenize.words(rec.text, compact=True) == tokenize.words(rec.text, compact=False)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "unsorted", "wrong dtype"])
def test_damaged_compact_dictionary_is_rebuilt(compact_home, damage):
    tokenize._compact_jieba()
    path = tokenize.compact_dict_path()
    good = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a numpy file" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "unsorted":
        data = np.load(path, allow_pickle=False)
        n = len(data) // 2
        data[:n] = data[:n][::-1].copy()
        np.save(path, data)
    else:
        np.save(path, np.zeros(7, dtype=np.float64))
    tok = _reloaded()
    assert tok is tokenize._full_jieba()  # the damaged file was not used ...
    assert path.read_bytes() == good  # ... and was written again, whole
    assert isinstance(_reloaded().FREQ, tokenize.HashedFreq)
    assert tokenize.words("户外劳动者服务站点建设", compact=True) == tokenize.words("户外劳动者服务站点建设")


# --- shortcuts that must give what the long way gives ---------------------------------------


def test_parser_version_without_the_parser_matches_the_parser():
    from drafter import ingest, parser_version

    assert parser_version.PARSER_VERSION == ingest.PARSER_VERSION
    assert set(parser_version.PARSER_FILES) >= {"ingest.py", "segment.py", "text.py"}


def test_shipped_profiles_read_the_same_with_libyaml():
    for path in profile.shipped_profiles().values():
        text = path.read_text(encoding="utf-8-sig")
        assert yaml.load(text, Loader=profile._SHIPPED_LOADER) == yaml.safe_load(text)  # noqa: S506


def test_draft_compiles_its_template_once(monkeypatch):
    compiled = []
    original = draft_mod.LimitedSandbox.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(draft_mod.LimitedSandbox, "compile", counting)
    figs = load_figures(EXAMPLE)
    plain = draft_mod.build_draft(figs, refs=0)
    worded = draft_mod.build_draft(figs, refs=0, wording=lambda chapter, f: f"开展{f.item}" if f.item else "")
    assert compiled == ["annual.md.j2", "annual.md.j2"]  # once per draft, though rendered twice with wording
    assert plain.blocks != worded.blocks
    text, _ = draft_mod.render_template(figs)  # the public one-off render gives what build_draft renders
    assert draft_mod.parse_blocks(text, source="x") == plain.blocks
