"""Reading speed per page for every format drafter reads, and the PDF extractor comparison.

Writes articles of the embedded seeds as offices keep them (.txt, .docx with bold typed
headings and a table, .docx with automatic list numbering, and through LibreOffice PDF,
.doc and .rtf; a scan of the first pages rendered to images), then times ``read_file`` +
segmentation (``parse_file``) on each, several runs, and prints ms per page (pages as
LibreOffice lays out the article in A4). A second table compares the PDF text extractors
on the same PDFs: the share of the source's passages found intact (in order, quotation
marks in place) in each extractor's text.

    python benchmarks/read_formats.py [--runs 3] [--scan-pages 2]

Needs LibreOffice; the scan row needs Tesseract (chi_sim) and poppler.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from drafter.ingest import parse_file  # noqa: E402
from make_formats import bold_docx, numbered_docx, scanned_pdf, soffice_convert  # noqa: E402

SEEDS = ROOT / "corpus"
ARTICLES = ["000", "001", "002", "003"]


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _pages(pdf: Path) -> int:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return len(doc.pages)


def _time(path: Path, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse_file(path)
        best = min(best, time.perf_counter() - started)
    return best


def _extractors():
    from pdfminer.high_level import extract_text

    def plumber(path: Path) -> str:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return "\n".join(p.extract_text() or "" for p in pdf.pages)

    out = {"pdfminer.six extract_text": lambda p: extract_text(str(p)), "pdfplumber extract_text": plumber}
    try:
        from pypdf import PdfReader

        out["pypdf (plain)"] = lambda p: "\n".join(x.extract_text() for x in PdfReader(p).pages)
        out["pypdf (layout mode)"] = lambda p: "\n".join(
            x.extract_text(extraction_mode="layout") for x in PdfReader(p).pages
        )
    except ImportError:
        pass
    from drafter.read import read_file

    out["drafter (pdfplumber lines + rejoin)"] = lambda p: read_file(p).text
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scan-pages", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources, bold, numbered = {}, [], []
        for seed in ARTICLES:
            (txt,) = SEEDS.glob(f"{seed}_*.txt")
            doc = parse_file(txt)
            article = max(doc.articles, key=lambda a: a.chars)
            sources[seed] = article
            plain = folder / f"{seed}.txt"
            # The plain text of the article, as the seeds would give it (title, headings, paragraphs).
            lines = [article.title, ""]
            for s in article.sections:
                if s.level:
                    lines += [s.heading, ""]
                lines += [p.text + "\n" for p in s.passages]
            plain.write_text("\n".join(lines), "utf-8")
            bold.append(bold_docx(article, folder / f"{seed}-bold.docx"))
            numbered.append(numbered_docx(article, folder / f"{seed}-numbered.docx"))
        pdfs = soffice_convert(bold, "pdf", folder / "pdf")
        files = {
            "txt": [folder / f"{s}.txt" for s in ARTICLES],
            "docx (bold headings, table)": bold,
            "docx (list numbering)": numbered,
            "pdf (LibreOffice)": pdfs,
            "doc (via LibreOffice)": soffice_convert(bold, "doc", folder / "doc"),
            "rtf (via LibreOffice)": soffice_convert(bold, "rtf", folder / "rtf"),
        }
        pages = [_pages(p) for p in pdfs]
        print(f"Articles {', '.join(ARTICLES)}: {sum(pages)} A4 pages ({', '.join(map(str, pages))}); "
              f"best of {args.runs} runs, read + segment + classify.\n")
        print("| format | files | pages | time (s) | ms/page |")
        print("|---|---:|---:|---:|---:|")
        for name, paths in files.items():
            total = sum(_time(p, args.runs) for p in paths)
            print(f"| {name} | {len(paths)} | {sum(pages)} | {total:.2f} | {1000 * total / sum(pages):.0f} |")
        from drafter.convert import ocr_available

        if ocr_available():
            print(f"| scan (OCR) | – | – | – | skipped: {ocr_available()} |")
        else:
            scan = scanned_pdf(pdfs[1], folder / "scan.pdf", pages=args.scan_pages)
            n = _pages(scan)
            total = _time(scan, 1)
            print(f"| scan (Tesseract chi_sim, 300 dpi) | 1 | {n} | {total:.2f} | {1000 * total / n:.0f} |")

        print("\nPDF extractors: source passages found intact in the extracted text (whitespace ignored).\n")
        print("| extractor | passages intact | time (s) |")
        print("|---|---:|---:|")
        wanted = [[_norm(p.text) for s in sources[seed].sections for p in s.passages] for seed in ARTICLES]
        for name, extract in _extractors().items():
            found = total = 0
            started = time.perf_counter()
            for pdf, passages in zip(pdfs, wanted):
                text = _norm(extract(pdf))
                found += sum(p in text for p in passages)
                total += len(passages)
            print(f"| {name} | {found}/{total} = {found / total:.3f} | {time.perf_counter() - started:.2f} |")


if __name__ == "__main__":
    main()
