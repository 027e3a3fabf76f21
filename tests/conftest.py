from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own drafter home, so the user's real corpus is never touched."""
    home = tmp_path_factory.mktemp("drafter_home")
    monkeypatch.setenv("DRAFTER_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The embedded corpus (byte-identical copies of ../shared/seeds)."""
    return ROOT / "corpus"


@pytest.fixture(scope="session")
def gold_headings_path() -> Path:
    path = SHARED / "gold" / "seed_headings.tsv"
    if not path.exists():
        pytest.skip("../shared/gold/seed_headings.tsv is not beside the checkout")
    return path
