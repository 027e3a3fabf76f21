"""Hostile figures files and templates: how long a fresh `drafter draft` takes to refuse
them and how much memory it uses, plus split_title on long titles.

Each case is a fresh `python -m drafter.cli draft …` (import time counts), with --no-refs
--no-wording; peak memory is the child's maximum resident set (os.wait4). Prints two tables.

    python benchmarks/limits_hostile.py

Issue 16 measured before the limits: the 653-byte alias file 4.2 GB and a traceback,
`'ab' * 10**9` 5.7 GB, nested ranges and lipsum(n=2000000) hung, a 4,000-character
title 31 s in split_title.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{n}: &{n} [{','.join(['*' + p] * 9)}]" for p, n in zip("abcdefg", "bcdefgh")),
        "单位: *h",
        "年份: 2025",
    ]
)
YAML_CASES = {
    "alias bomb (653 B)": BOMB,
    "flow nesting 5,000 deep": "单位: " + "[" * 5000 + "]" * 5000 + "\n",
    "values .nan / .inf / 1e40": "单位: 甲\n年份: 2025\n建功立业:\n  数据:\n    - {项目: a, 数值: .nan}\n    - {项目: b, 数值: .inf}\n    - {项目: c, 数值: 1.0e+40}\n",
}
TEMPLATE_CASES = {
    "'ab' * 10**9": "@p {{ 'ab' * 10**9 }}",
    "lipsum(n=2000000)": "@p {{ lipsum(n=2000000) }}",
    "nested range(10000) ×2": "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}@p x",
    "nested loops over a string": "{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}@p x",
    "output 10 M characters": "{% for i in range(10000) %}@p {{ 'x' * 1000 }}\n{% endfor %}",
    "2,000 paragraphs": "@title t\n{% for i in range(2000) %}@p {{ i }}\n{% endfor %}",
    "one paragraph of 900,000 lines": "@title t\n@p a\n{% for i in range(300) %}{% for j in range(3000) %}字\n{% endfor %}{% endfor %}",
}


def run_case(args: list[str]) -> tuple[float, float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "drafter.cli", "draft", *args, "--no-refs", "--no-wording", "--force"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    out, err = proc.stdout.read(), proc.stderr.read()  # a few lines each; communicate() would reap the child
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the maximum over all children
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    lines = (err or out).decode("utf-8", "replace").strip().splitlines()
    first = next((line for line in reversed(lines) if line.strip()), "")
    return wall, usage.ru_maxrss / 1024, proc.returncode, first.strip()[:60]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        print("| case | exit | wall (s) | peak RSS (MB) | message |")
        print("|---|---:|---:|---:|---|")
        for name, text in YAML_CASES.items():
            data = tmp_path / "case.yaml"
            data.write_text(text, encoding="utf-8")
            wall, peak, code, msg = run_case([str(data), "-o", str(tmp_path / "o.docx")])
            print(f"| YAML: {name} | {code} | {wall:.2f} | {peak:.1f} | {msg} |")
        for name, source in TEMPLATE_CASES.items():
            tpl = tmp_path / "t.md.j2"
            tpl.write_text(source, encoding="utf-8")
            wall, peak, code, msg = run_case([str(EXAMPLE), "--template", str(tpl), "-o", str(tmp_path / "o.docx")])
            print(f"| template: {name} | {code} | {wall:.2f} | {peak:.1f} | {msg} |")

    print()
    # In a child too: importing drafter here would raise the peak RSS the children report
    # (ru_maxrss counts the pages a child shares with this process before its exec).
    subprocess.run([sys.executable, "-c", SPLIT_TITLE_TABLE], env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True)


SPLIT_TITLE_TABLE = """
import time
from drafter.docx_writer import split_title
print("| title length | lines | split_title (ms) |")
print("|---:|---:|---:|")
unit = "青禾县总工会关于2025年工作的报告ab12产业工人队伍建设改革"
for n in (100, 1_000, 4_000, 100_000):
    title = (unit * (n // len(unit) + 1))[:n]
    t0 = time.perf_counter()
    lines = split_title(title)
    print(f"| {n:,} | {len(lines):,} | {(time.perf_counter() - t0) * 1000:.1f} |")
"""


if __name__ == "__main__":
    main()
