"""Tokenising speed for the index build (issue 14): jieba against rjieba (jieba-rs) and
jieba_fast on the same text, and drafter's build path (``tokenize.analyze_many``) on one
and two worker processes.

The text is the seed passages repeated to about ``--mb`` megabytes of UTF-8, normalised
once. The raw rows time each library's ``cut_for_search`` with the project's union terms;
"same tokens" says whether it gave jieba's token stream on every passage. The drafter rows
time ``analyze_many("word", ...)``: jieba alone (``FAST_BUILD = False``) and the adopted
rjieba-where-it-agrees path, which gives jieba's tokens by construction and by test.

    python benchmarks/tokenize_speed.py [--mb 20]
"""

from __future__ import annotations

import argparse
import logging
import os
import time

from drafter import tokenize
from drafter.corpus import Corpus


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def _rjieba():
    try:
        import rjieba
    except ImportError:
        return None
    tok = rjieba.Jieba()
    for word, freq in tokenize.user_terms().items():
        tok.add_word(word, freq, None)
    return tok


def _jieba_fast():
    try:
        import jieba_fast
    except ImportError:
        return None
    jieba_fast.setLogLevel(logging.WARNING)
    tok = jieba_fast.Tokenizer()
    tok.initialize()
    for word, freq in tokenize.user_terms().items():
        tok.add_word(word, freq)
    return tok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="megabytes of text (UTF-8)")
    args = ap.parse_args()

    seeds = [p.text for p in Corpus.load().passages()]
    seed_bytes = sum(len(t.encode("utf-8")) for t in seeds)
    times = max(1, round(args.mb * 1e6 / seed_bytes))
    texts = seeds * times
    normal = [tokenize.normalize(t) for t in seeds] * times
    chars = sum(map(len, texts))
    print(f"text: {len(seeds)} seed passages × {times} = {len(texts)} passages, {chars / 1e6:.1f} M characters, "
          f"{seed_bytes * times / 1e6:.1f} MB; {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")

    rows = []
    full = tokenize._full_jieba()
    ref, secs = _timed(lambda: [list(full.cut_for_search(t)) for t in normal])
    n_ref = sum(map(len, ref))
    rows.append(("jieba 0.42 cut_for_search, 1 process", secs, n_ref, "—"))
    for name, make, cut in (
        ("rjieba (jieba-rs) cut_for_search, 1 process", _rjieba, lambda tok, t: tok.cut_for_search(t)),
        ("jieba_fast cut_for_search, 1 process", _jieba_fast, lambda tok, t: list(tok.cut_for_search(t))),
    ):
        tok = make()
        if tok is None:
            rows.append((name + " (not installed)", float("nan"), 0, "—"))
            continue
        out, secs = _timed(lambda: [cut(tok, t) for t in normal])
        same = sum(a == b for a, b in zip(out, ref))
        rows.append((name, secs, sum(map(len, out)), "yes" if same == len(ref) else f"no ({len(ref) - same} passages differ)"))
        del out

    expected = None
    for fast in (False, True):
        tokenize.FAST_BUILD = fast
        label = "rjieba where it agrees, else jieba" if fast else "jieba"
        for workers in (1, 2):
            out, secs = _timed(lambda: tokenize.analyze_many("word", texts, workers=workers))
            expected = expected if expected is not None else out
            same = "yes" if out == expected else "NO"
            rows.append((f"drafter analyze_many, {label}, {workers} worker{'s' if workers > 1 else ''}",
                         secs, sum(map(len, out)), same))
            del out
    tokenize.FAST_BUILD = True

    print()
    print("| tokenizer | seconds | M chars/s | k tokens/s | same tokens as jieba |")
    print("|---|---:|---:|---:|---|")
    for name, secs, n_tok, same in rows:
        print(f"| {name} | {secs:.2f} | {chars / secs / 1e6:.2f} | {n_tok / secs / 1e3:.0f} | {same} |")
    print("\n(drafter rows: content words after stop words and numbers are dropped, so fewer tokens;"
          " 'same' compares them with the jieba-only run)")


if __name__ == "__main__":
    main()
