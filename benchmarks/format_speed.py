"""`drafter format` and `drafter check --layout-only` on long hand-typed Word files.

The files are tests/docx_samples.hand_typed with its middle part repeated until the
profile's grid predicts the wanted page count (python-docx defaults: Letter, Calibri,
theme fonts, a table). Each command runs as a fresh process (import time counts). With
--render, LibreOffice converts the formatted file to PDF and its real page count is shown.
Prints a table: pages (predicted / LibreOffice), paragraphs, and for format and check the
wall time, CPU time and peak memory of the process.

    python benchmarks/format_speed.py [--pages 50 500] [--render]

Target on the 2-core machine: a 500-page file formatted in under 30 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from docx_samples import hand_typed  # noqa: E402

from drafter.layout import predicted_pages  # noqa: E402
from drafter.typeset import open_docx  # noqa: E402


def build(folder: Path, pages: int) -> tuple[Path, int]:
    """A hand-typed file of about ``pages`` pages (by the grid's prediction)."""
    path = folder / f"{pages}.docx"
    one = predicted_pages(open_docx(hand_typed(path, repeat=2))) - predicted_pages(open_docx(hand_typed(path, repeat=1)))
    repeat = max(1, round(pages / max(one, 0.5)))
    # the page count of one block is not an integer: refine once from the real prediction
    got = predicted_pages(open_docx(hand_typed(path, repeat=repeat)))
    repeat = max(1, round(repeat * pages / got))
    hand_typed(path, repeat=repeat)
    return path, len(open_docx(path).paragraphs)


# run the CLI in a child that reports its own peak RSS when it exits
_WRAP = (
    "import atexit, resource, sys\n"
    "u = lambda: resource.getrusage(resource.RUSAGE_SELF)\n"
    "atexit.register(lambda: print('USAGE', u().ru_maxrss, u().ru_utime + u().ru_stime, file=sys.stderr))\n"
    "from drafter.cli import main\n"
    "main(sys.argv[1:], prog_name='drafter')\n"
)


def timed(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one fresh ``drafter`` process (CPU time
    says more than wall time when other processes share the cores)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAP, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"drafter {' '.join(args)} failed:\n{proc.stderr}")
    usage = [line.split()[1:] for line in proc.stderr.splitlines() if line.startswith("USAGE")][-1]
    return wall, float(usage[1]), int(usage[0]) / 1024


def lo_pages(path: Path, tmp: Path) -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return "-"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp), str(path)], check=True, capture_output=True, timeout=900)
    from pypdf import PdfReader

    return str(len(PdfReader(str(tmp / f"{path.stem}.pdf")).pages))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, nargs="+", default=[50, 500])
    ap.add_argument("--render", action="store_true", help="also count the pages LibreOffice renders")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| pages (grid) | pages (LibreOffice) | paragraphs | format wall (s) | format CPU (s) | format peak (MB) "
          "| check wall (s) | check CPU (s) | check peak (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for pages in args.pages:
            src, n_paras = build(tmp, pages)
            out = tmp / f"{pages}-排版.docx"
            fmt_s, fmt_cpu, fmt_mb = timed(["format", str(src), "-o", str(out), "--force"])
            chk_s, chk_cpu, chk_mb = timed(["check", str(src), "--layout-only", "--json"])
            grid = predicted_pages(open_docx(out))
            rendered = lo_pages(out, tmp) if args.render else "-"
            print(f"| {grid} | {rendered} | {n_paras:,} | {fmt_s:.1f} | {fmt_cpu:.1f} | {fmt_mb:.0f} "
                  f"| {chk_s:.1f} | {chk_cpu:.1f} | {chk_mb:.0f} |")


if __name__ == "__main__":
    main()
