"""`drafter serve`: the web pages for clerks who never open a terminal (drafter.web)."""

from __future__ import annotations

import errno
import logging
import threading
from pathlib import Path

import click

from ..errors import DrafterError
from .common import corpus_option


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="端口。")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址。默认只有本机能打开；写成局域网地址或 0.0.0.0 时同一网络的电脑也能打开（会提示）。")
@click.option("--open", "open_browser", is_flag=True, help="启动后自动用浏览器打开。")
@click.option("--max-upload", type=click.IntRange(1, 2048), default=50, show_default=True, metavar="MB",
              help="每次上传的大小上限（MB）。")
@corpus_option
def serve(port: int, host: str, open_browser: bool, max_upload: int, corpus_dir: Path | None) -> None:
    """启动本机网页版：我的资料库、找参考、写初稿、查稿子。按 Ctrl-C 停止。

    \b
    例：drafter serve --open
        drafter serve --port 9000
    上传的文件保存在 $DRAFTER_HOME/web（未设置时为 ~/.local/share/drafter/web）。
    """
    from waitress import create_server

    from ..web import create_app
    from ..web.app import is_loopback

    # waitress warns "Task queue depth is N" whenever all threads are busy for a moment.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(corpus_dir, host=host, max_upload_mb=max_upload)
    try:
        server = create_server(app, host=host, port=port, threads=8, ident="drafter")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise DrafterError(f"端口 {port} 已被占用（可能 drafter serve 已经在运行）。请用 --port 换一个端口。") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise DrafterError(f"本机没有地址 {host}。请用 --host 127.0.0.1。") from None
        raise
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{server.effective_port}/"
    if not is_loopback(host):
        click.echo(f"注意：监听地址是 {host}，同一网络中的其他电脑也能打开这个网页并使用本机的资料库。"
                   "只在本机使用时请去掉 --host。", err=True)
    click.echo(f"drafter 网页版已启动：{url}　（按 Ctrl-C 停止）")
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    click.echo("已停止。")
