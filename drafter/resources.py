"""Where drafter finds its shipped files and the user's own data."""

from __future__ import annotations

import importlib
import os
import sys
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


def import_without_pkg_resources(name: str):
    """Module ``name``, imported without ``pkg_resources`` (0.1–0.3 s of every cold command).

    jieba 0.42 and zhconv 1.4 read their data files through ``pkg_resources`` when it can
    be imported and otherwise open them by path beside their own modules (the same files);
    blocking ``pkg_resources`` while they are imported takes the second way. Anything
    imported later still gets the real ``pkg_resources``.
    """
    if name in sys.modules:
        return sys.modules[name]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes its import fail
    try:
        return importlib.import_module(name)
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
