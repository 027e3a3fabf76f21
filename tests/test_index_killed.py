"""A build or an append killed at any moment leaves the previous index usable: a real
process is killed with SIGKILL while counting, while writing arrays, and just before the
switch of meta.json."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drafter.corpus import Corpus
from drafter.search import Retriever

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

CORPUS = """
import sys
from pathlib import Path
from dataclasses import replace
from drafter.corpus import Corpus

SEEDS = Corpus.load(Path("/nonexistent-drafter-corpus")).passage_parts()


class Parts:
    def __init__(self, folder, copies, extra=0):
        self.dir = Path(folder)
        self._parts = []
        for c in range(copies):
            for key, recs in SEEDS:
                self._parts.append((f"{key}@{c}", [replace(r, text=f"第{c}份{r.text}") for r in recs]))
        self._parts += [(f"extra{i}", SEEDS[i][1]) for i in range(extra)]
        self.fingerprint = f"parts-{copies}-{extra}"

    def passage_parts(self):
        return list(self._parts)

    def passages(self):
        return [p for _, rs in self._parts for p in rs]
"""

KILL_AT_META = """
import os, signal
from drafter import index
def _die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
index.atomic_write_bytes = _die
"""

KILL_IN_ARRAYS = """
import os, signal
import numpy as np
_real, _n = np.save, [0]
def _save(*a, **k):
    _n[0] += 1
    if _n[0] == 6:
        os.kill(os.getpid(), signal.SIGKILL)
    return _real(*a, **k)
np.save = _save
"""


def _run(code: str, folder: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "DRAFTER_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(folder.parent))


def _old_index(tmp_path: Path):
    namespace: dict = {}
    exec(CORPUS, namespace)
    small = namespace["Parts"](tmp_path / "c", 1)
    Retriever(small).load()
    expected = [h.to_json() for h in Retriever(small).load().search("劳动和技能竞赛")]
    return small, expected


def _still_usable(small, expected):
    r = Retriever(small).load()
    assert r.index_status_ == "loaded"
    assert [h.to_json() for h in r.search("劳动和技能竞赛")] == expected
    # The next writer clears what the killed one left behind.
    Retriever(small).rebuild()
    names = sorted(p.name for p in (small.dir / "index").iterdir())
    assert len(names) == 2 and names[1] == "meta.json", names


@pytest.mark.parametrize("after", [0.5, 2.5])
def test_a_build_killed_while_counting_leaves_the_old_index(tmp_path, monkeypatch, after):
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    small, expected = _old_index(tmp_path)
    code = CORPUS + f"\nfrom drafter.search import Retriever\nRetriever(Parts({str(small.dir)!r}, 40)).rebuild()\n"
    proc = _run(code, small.dir, tmp_path / "home")
    time.sleep(after)
    assert proc.poll() is None, "the build ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    _still_usable(small, expected)


@pytest.mark.parametrize("hook", [KILL_IN_ARRAYS, KILL_AT_META], ids=["writing-arrays", "before-meta-switch"])
def test_a_build_killed_while_writing_leaves_the_old_index(tmp_path, monkeypatch, hook):
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    small, expected = _old_index(tmp_path)
    code = CORPUS + hook + f"\nfrom drafter.search import Retriever\nRetriever(Parts({str(small.dir)!r}, 2)).rebuild()\n"
    proc = _run(code, small.dir, tmp_path / "home")
    assert proc.wait(timeout=300) == -signal.SIGKILL
    assert any(p.name.startswith((".gen-", "gen-")) for p in (small.dir / "index").iterdir() if p.is_dir())
    _still_usable(small, expected)


def test_an_append_killed_before_its_commit_leaves_the_old_index(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_HOME", str(tmp_path / "home"))
    small, expected = _old_index(tmp_path)
    code = CORPUS + KILL_AT_META + (
        "\nfrom drafter.search import Retriever\n"
        f"r = Retriever(Parts({str(small.dir)!r}, 1, extra=1))\n"
        "r.load()\n")
    proc = _run(code, small.dir, tmp_path / "home")
    assert proc.wait(timeout=300) == -signal.SIGKILL
    _still_usable(small, expected)
