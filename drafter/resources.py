"""Where drafter finds its shipped files and the user's own data."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # A wheel carries corpus/ and templates/ inside the package (see pyproject);
    # a source checkout or editable install has them at the top level.
    inside = _PKG / "_embedded" / name
    return inside if inside.is_dir() else _PKG.parent / name


def embedded_corpus_dir() -> Path:
    return _shipped("corpus")


def templates_dir() -> Path:
    return _shipped("templates")


def data_dir() -> Path:
    """Data files of the package itself (dictionary, stop words, formulations)."""
    return _PKG / "data"


def user_home() -> Path:
    """drafter's own folder for the user's corpus and indexes.

    ``DRAFTER_HOME`` if set, else ``$XDG_DATA_HOME/drafter`` or ``~/.local/share/drafter``.
    """
    env = os.environ.get("DRAFTER_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "drafter"


def default_corpus_dir() -> Path:
    return user_home() / "corpus"
