"""`drafter serve` itself: prints the address, answers, stops cleanly on Ctrl-C, warns off loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from click.testing import CliRunner

from drafter.cli import main


def start(*args: str, home) -> subprocess.Popen:
    env = {**os.environ, "DRAFTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "drafter.cli", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def address(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    assert line.startswith("drafter 网页版已启动：http://127.0.0.1:"), line + proc.stderr.read()
    return line.split("：", 1)[1].split()[0]


def test_serve_answers_and_stops_on_ctrl_c(_isolated_home):
    proc = start(home=_isolated_home)
    try:
        url = address(proc)
        with urllib.request.urlopen(url + "api/corpus", timeout=60) as resp:
            assert json.loads(resp.read())["documents"] == 5
        with urllib.request.urlopen(url, timeout=60) as resp:
            assert "我的资料库" in resp.read().decode()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.strip().endswith("已停止。") and "Traceback" not in err and "注意" not in err


def test_serve_warns_off_loopback(_isolated_home):
    proc = start("--host", "0.0.0.0", home=_isolated_home)
    try:
        address(proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert "注意：监听地址是 0.0.0.0，同一网络中的其他电脑也能打开" in err


def test_serve_port_in_use_is_a_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"端口 {port} 已被占用" in result.stderr


def test_serve_listed_in_help():
    assert "启动本机网页版" in CliRunner().invoke(main, ["--help"]).output


def test_serve_open_starts_the_browser(_isolated_home, tmp_path):
    opened = tmp_path / "opened.txt"
    # webbrowser runs $BROWSER with the address in place of %s: a stand-in that notes it.
    browser = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.argv[2])\" {opened} %s"
    proc = subprocess.Popen([sys.executable, "-m", "drafter.cli", "serve", "--port", "0", "--open"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "DRAFTER_HOME": str(_isolated_home), "BROWSER": browser,
                                 "PYTHONUNBUFFERED": "1"})
    try:
        url = address(proc)
        deadline = time.time() + 30
        while not opened.exists() and time.time() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert opened.read_text() == url
