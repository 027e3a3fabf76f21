"""`drafter check --fix`: findings written into the Word file as tracked changes and comments."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from drafter.check import check_file, read_raw_paragraphs
from drafter.cli import main
from drafter.docx_writer import write_docx
from drafter.draft import build_draft
from drafter.figures import load_figures
from drafter.revisions import write_revisions

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _bad_draft(tmp_path: Path) -> Path:
    """The example draft with a misquote, a usage slip, a doubled character and a placeholder."""
    import docx

    path = write_docx(build_draft(load_figures(EXAMPLE), refs=0), tmp_path / "初稿.docx")
    document = docx.Document(str(path))
    body = next(p for p in document.paragraphs if "习近平新时代中国特色社会主义思想" in p.text)
    for run in body.runs:
        run.text = run.text.replace("中国特色社会主义思想", "中国特色社会义思想")
    body.add_run("截止2025年底，全县的的职工【待补充】。")
    document.save(str(path))
    return path


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8") if part in z.namelist() else ""


def _changes(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(deleted texts, inserted texts, authors) of the tracked changes of a .docx."""
    from lxml import etree

    root = etree.fromstring(_xml(path, "word/document.xml").encode())
    dels = ["".join(d.itertext()) for d in root.iter(f"{W}del")]
    ins = ["".join(i.itertext()) for i in root.iter(f"{W}ins")]
    authors = [e.get(f"{W}author") for e in root.iter(f"{W}del", f"{W}ins")]
    return dels, ins, authors


def test_fix_writes_tracked_changes_and_comments(tmp_path):
    src = _bad_draft(tmp_path)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "修订稿.docx"
    res = CliRunner().invoke(main, ["check", str(src), "--figures", str(EXAMPLE), "--fix", "-o", str(out),
                                    "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 1, res.output
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # the source is untouched
    dels, ins, authors = _changes(out)
    assert sorted(zip(dels, ins)) == sorted([
        ("习近平新时代中国特色社会义思想", "习近平新时代中国特色社会主义思想"),
        ("截止", "截至"),
        ("的的", "的"),
    ])
    assert set(authors) == {"drafter"}
    dates = re.findall(r'w:date="([^"]+)"', _xml(out, "word/document.xml"))
    assert dates and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d) for d in dates)
    comments = _xml(out, "word/comments.xml")
    # The placeholder, and the reason of the tracked formulation fix; usage fixes need none.
    assert comments.count("<w:comment ") == 2 and "已作为修订改为" in comments
    assert "【待补充】" in comments and 'w:author="drafter"' in comments
    # Accepting every change gives the corrected text; rejecting every change the original.
    accepted, rejected = _versions(out)
    assert "截至2025年底，全县的职工【待补充】。" in accepted and "社会义思想" not in accepted
    assert "截止2025年底，全县的的职工【待补充】。" in rejected and "中国特色社会义思想" in rejected


def _versions(path: Path) -> tuple[str, str]:
    from lxml import etree

    texts = []
    for drop, keep in ((f"{W}del", f"{W}t"), (f"{W}ins", f"{W}delText")):
        root = etree.fromstring(_xml(path, "word/document.xml").encode())
        for el in list(root.iter(drop)):
            el.getparent().remove(el)
        texts.append("".join(t.text or "" for t in root.iter(f"{W}t", keep)))
    return texts[0], texts[1]


def test_fix_refuses_to_overwrite_and_non_docx(tmp_path):
    src = _bad_draft(tmp_path)
    out = tmp_path / "修订稿.docx"
    out.write_bytes(b"x")
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(src), "--fix", "-o", str(out), "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 2 and "--force" in res.output and out.read_bytes() == b"x"
    res = runner.invoke(main, ["check", str(src), "--fix", "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 2 and "-o" in res.output
    txt = tmp_path / "稿.txt"
    txt.write_text("截止2025年底，全县职工。", encoding="utf-8")
    res = runner.invoke(main, ["check", str(txt), "--fix", "-o", str(tmp_path / "x.docx"), "--corpus", str(tmp_path / "c")])
    assert res.exit_code == 2 and ".docx" in res.output


def test_change_across_runs_keeps_formatting(tmp_path):
    import docx

    path = tmp_path / "稿.docx"
    d = docx.Document()
    p = d.add_paragraph("截")
    p.add_run("止").bold = True
    p.add_run("2025年底，全县职工。")
    d.save(str(path))
    found = check_file(path, disabled={"copy", "structure"})
    write_revisions(path, found, tmp_path / "o.docx", read_raw_paragraphs(path))
    dels, ins, _ = _changes(tmp_path / "o.docx")
    assert (dels, ins) == (["截止"], ["截至"])


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_round_trip(tmp_path):
    from pypdf import PdfReader

    src = _bad_draft(tmp_path)
    out = tmp_path / "修订稿.docx"
    write_revisions(src, check_file(src, disabled={"copy"}), out, read_raw_paragraphs(src))
    profile = tmp_path / "lo-profile"
    conv = tmp_path / "conv"
    for fmt in ("pdf", "docx"):
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt, "--outdir", str(conv), str(out)],
            check=True, capture_output=True, timeout=240,
        )
    text = "".join(page.extract_text() for page in PdfReader(str(conv / "修订稿.pdf")).pages)
    assert "社会主义思想" in text and "截至" in text  # the inserted text is shown
    dels, ins, authors = _changes(conv / "修订稿.docx")  # LibreOffice kept the changes as changes
    assert "截至" in ins and "截止" in dels and "drafter" in authors
    assert "【待补充】" in _xml(conv / "修订稿.docx", "word/comments.xml")
