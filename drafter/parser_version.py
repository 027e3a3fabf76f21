"""``PARSER_VERSION`` without importing the parser.

The corpus needs the parser's version for its fingerprint on every command that reads it
(a draft's wording and comments, a search), but the parser itself only when a document is
read. Importing ``drafter.ingest`` compiles the segmenter's and cleaner's patterns (about
70 ms), so ``drafter.corpus`` takes the version from here and imports the parser lazily.

``drafter.ingest`` re-exports it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# The code that turns a file into a Document, in the order it is hashed.
PARSER_FILES = ("read.py", "read_docx.py", "read_pdf.py", "convert.py", "clean.py", "segment.py", "classify.py",
                "ingest.py", "model.py", "text.py")


def parser_version() -> str:
    """Changes whenever the code that turns a file into a Document changes, so that
    stored documents, caches and indexes made by an older parser are rebuilt."""
    digest = hashlib.sha256(b"drafter-parser-1")
    here = Path(__file__).resolve().parent
    for name in PARSER_FILES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            pass
    return digest.hexdigest()[:12]


PARSER_VERSION = parser_version()
