"""Run the drafter CLI in a child process under memory and CPU limits (for the limit tests).

A case that needs more than MEMORY_BYTES of address space fails in the child (MemoryError,
a traceback on stderr) and one that needs more than SECONDS is killed: either way the
test sees it, instead of the test run itself being exhausted.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass

MEMORY_BYTES = 500 * 2**20
SECONDS = 10


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def run_limited(*args: object, cwd: str | None = None) -> Result:
    """``python -m drafter.cli *args`` under the limits; wall time SECONDS too."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "drafter.cli", *map(str, args)],
            preexec_fn=_limits,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=SECONDS,
            cwd=cwd,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"drafter {' '.join(map(str, args))} ran over {SECONDS} s") from exc
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_draft_or_message(res: Result) -> None:
    """The run ended in a written draft (0) or a Chinese message (2), never a traceback or a kill."""
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    assert res.returncode in (0, 2), (res.returncode, res.stdout[-500:], res.stderr[-1000:])
    if res.returncode == 2:
        assert "错误：" in res.stdout + res.stderr
