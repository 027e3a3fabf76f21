"""The example draft converts with LibreOffice into one clean A4 document (skipped without soffice)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from drafter.docx_writer import write_docx
from drafter.draft import build_draft
from drafter.figures import load_figures

ROOT = Path(__file__).resolve().parent.parent
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("example, pages", [("青禾县总工会2025年度.yaml", (3, 4)), ("青禾县总工会五年工作综述.yaml", (2, 3))])
def test_example_converts_to_pdf(tmp_path, example, pages):
    from pypdf import PdfReader

    docx_path = write_docx(build_draft(load_figures(ROOT / "examples" / example), refs=0), tmp_path / "draft.docx")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
        check=True, capture_output=True, timeout=240,
    )
    reader = PdfReader(str(tmp_path / "draft.pdf"))
    assert pages[0] <= len(reader.pages) <= pages[1]
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4 in points
    first = reader.pages[0].extract_text()
    assert "青禾县总工会" in first and "一、" in first
    for n, page in enumerate(reader.pages, 1):
        assert f"— {n} —" in page.extract_text()  # the PAGE field was updated on every page
