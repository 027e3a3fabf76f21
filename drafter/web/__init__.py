"""`drafter serve`: a local web page over the same Python API as the CLI (Flask, Jinja templates).

create_app() builds the app; the server (waitress) is started by drafter.cli.serve_cmds.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
