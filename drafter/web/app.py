"""The Flask app: security checks shared by every route, error pages, and the two blueprints."""

from __future__ import annotations

import errno
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, g, jsonify, render_template, request

from ..errors import DrafterError
from .service import Workspace

DEFAULT_MAX_UPLOAD_MB = 50
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(netloc: str) -> str:
    """'localhost:8765' -> 'localhost', '[::1]:8765' -> '::1'."""
    try:
        return (urlsplit("//" + netloc).hostname or "").lower()
    except ValueError:
        return ""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _same_origin(origin: str, netloc: str, host_ok) -> bool:
    """Origin names this server: the same port, and the same host or both loopback."""
    try:
        there, here = urlsplit(origin), urlsplit("//" + netloc)
        if there.scheme not in ("http", "https") or there.port != here.port:
            return False
    except ValueError:
        return False
    a, b = (there.hostname or "").lower(), (here.hostname or "").lower()
    return host_ok(a) and (a == b or is_loopback(a) and is_loopback(b) or a == "localhost" and is_loopback(b)
                           or b == "localhost" and is_loopback(a))


def create_app(corpus_dir: str | Path | None = None, data_dir: str | Path | None = None, *,
               host: str = "127.0.0.1", max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_upload_mb * 1024 * 1024
    app.config["MAX_UPLOAD_MB"] = max_upload_mb
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.extensions["drafter"] = Workspace(corpus_dir, data_dir)
    allowed = set(LOOPBACK_NAMES) | {host.lower()}
    # Bound to every interface: IP literals are fine (a rebinding attack needs a DNS name),
    # and so is this machine's own name.
    any_ip = host in ("0.0.0.0", "::")
    if any_ip:
        import socket

        allowed.add(socket.gethostname().lower())

    def host_ok(name: str) -> bool:
        return name in allowed or (any_ip and _is_ip(name))

    @app.before_request
    def guard():
        # DNS rebinding: a page on evil.example whose name now points at 127.0.0.1.
        if not host_ok(_hostname(request.host)):
            return _refuse(403, f"拒绝访问：地址“{request.host}”不是本机的 drafter（请用 http://127.0.0.1 打开）。")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("Origin")
            # No cross-origin writes: browsers send Origin on every cross-site POST.
            if origin is not None and not _same_origin(origin, request.host, host_ok):
                return _refuse(403, "拒绝访问：这个请求来自别的网页，不是 drafter 自己的页面。")
            if request.headers.get("Sec-Fetch-Site") == "cross-site":
                return _refuse(403, "拒绝访问：这个请求来自别的网页，不是 drafter 自己的页面。")
        g.workspace = app.extensions["drafter"]

    @app.errorhandler(413)
    def too_large(_exc):
        mb = app.config["MAX_UPLOAD_MB"]
        return _refuse(413, f"上传的文件太大（超过 {mb} MB）。请分开上传，或检查是否选错了文件。")

    @app.errorhandler(404)
    def not_found(_exc):
        return _refuse(404, "没有这个页面。请从上方的菜单进入。")

    @app.errorhandler(405)
    def not_allowed(_exc):
        return _refuse(405, "这个地址不接受这种请求。")

    @app.errorhandler(DrafterError)
    def user_error(exc: DrafterError):
        return _refuse(422 if hasattr(exc, "issues") else 400, exc.message, exc)

    @app.errorhandler(OSError)
    def os_error(exc: OSError):
        from ..cli import _ENVIRONMENT_ERRNOS
        from ..fsutil import os_error_reason

        if exc.errno not in _ENVIRONMENT_ERRNOS or (exc.errno == errno.ENOENT and not exc.filename):
            raise exc
        reason, advice = os_error_reason(exc)
        return _refuse(500, f"读写失败：{reason}。{advice}。")

    from .api import api
    from .pages import pages

    app.register_blueprint(api)
    app.register_blueprint(pages)
    return app


def _refuse(status: int, message: str, exc: DrafterError | None = None):
    """A user-facing error: JSON for the API, the page layout for a browser."""
    if request.path.startswith("/api/"):
        body = {"error": message}
        if exc is not None and hasattr(exc, "issues"):
            body["issues"] = [{"line": i.line, "path": i.path, "message": i.message} for i in exc.issues]
        return jsonify(body), status
    return render_template("error.html", message=message, status=status), status
