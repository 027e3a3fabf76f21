"""`drafter serve` under load: /api/search with 8 concurrent clients on the embedded corpus.

Starts the real server (waitress, as `drafter serve` does) in a child process bound to
127.0.0.1 with a fresh drafter home, warms it (index build, first search), then sends a
bounded number of search requests from N client threads over loopback. Prints requests per
second, latency percentiles, and the server's resident memory (VmRSS) before and after each
block of 1,000 requests: memory must not grow with the number of requests.

    python benchmarks/serve_speed.py [--clients 8] [--blocks 3] [--per-block 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

QUERIES = [
    ("送温暖", "维权服务"), ("职工书屋", ""), ("劳动和技能竞赛", "建功立业"), ("户外劳动者服务站点", "维权"),
    ("新就业形态劳动者入会", "改革"), ("劳模工匠宣讲", "思想"), ("清廉工会", "党建"), ("职工代表大会", ""),
    ("困难职工帮扶", ""), ("智慧工会", "改革创新"), ("产业工人队伍建设改革", ""), ("集体协商", "维权"),
]

SERVE = """
import logging
import sys
from waitress import create_server
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
from drafter.web import create_app
server = create_server(create_app(sys.argv[1], sys.argv[2]), host="127.0.0.1", port=0, threads=8)
print(server.effective_port, flush=True)
server.run()
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get(conn: http.client.HTTPConnection, q: str, chapter: str) -> int:
    conn.request("GET", "/api/search?" + urlencode({"q": q, "chapter": chapter, "k": 10}))
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{resp.status}: {body[:200]!r}")
    return len(json.loads(body))


def run_block(port: int, clients: int, total: int, offset: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            q, ch = QUERIES[(i + offset) % len(QUERIES)]
            t = time.perf_counter()
            get(conn, q, ch)
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--blocks", type=int, default=3)
    ap.add_argument("--per-block", type=int, default=1000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DRAFTER_HOME": home}
        proc = subprocess.Popen([sys.executable, "-c", SERVE, f"{home}/corpus", f"{home}/web"],
                                stdout=subprocess.PIPE, env=env, text=True)
        try:
            port = int(proc.stdout.readline())
            t = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            hits = get(conn, *QUERIES[0])
            first = time.perf_counter() - t
            for q, ch in QUERIES:  # one of each: jieba, thesaurus and filters warmed
                get(conn, q, ch)
            conn.close()
            rows = []
            before = rss_mb(proc.pid)
            for b in range(args.blocks):
                seconds, lat = run_block(port, args.clients, args.per_block, b)
                lat.sort()
                rows.append((b + 1, len(lat), seconds, len(lat) / seconds, statistics.median(lat) * 1000,
                             lat[int(0.95 * (len(lat) - 1))] * 1000, lat[-1] * 1000, rss_mb(proc.pid)))
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    print(f"first search (index build included): {first:.1f} s, {hits} hits; {args.clients} clients; "
          f"server RSS after warm-up: {before:.0f} MB")
    print()
    print("| block | requests | time (s) | requests/s | median (ms) | p95 (ms) | max (ms) | server RSS after (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.1f} | {r[3]:.0f} | {r[4]:.1f} | {r[5]:.1f} | {r[6]:.1f} | {r[7]:.0f} |")


if __name__ == "__main__":
    main()
