"""The JSON API: the same shapes as the CLI's --json (README: 网页版)."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request

from ..errors import DrafterError

api = Blueprint("api", __name__, url_prefix="/api")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


def upload(field: str = "file", required: bool = True):
    storage = request.files.get(field)
    if storage is None or not storage.filename:
        if required:
            raise DrafterError(f"请求中没有文件（表单字段 {field}）。请选择一个文件再上传。")
        return None
    return storage


def figures_upload(field: str = "figures"):
    """An optional uploaded figures YAML, validated (FiguresError carries the located messages)."""
    from ..figures.validate import parse_figures
    from ..figures.yaml_loader import MAX_YAML_CHARS

    storage = upload(field, required=False)
    if storage is None:
        return None
    return parse_figures(yaml_text(storage.read(MAX_YAML_CHARS * 4 + 1), storage.filename), storage.filename)


def yaml_text(raw: bytes, name: str) -> str:
    """The CLI's decoding of a figures file: UTF-8 (with or without BOM), else GB18030."""
    from ..figures.model import FiguresError, Issue
    from ..figures.yaml_loader import MAX_YAML_CHARS

    if len(raw) > MAX_YAML_CHARS * 4:
        raise FiguresError([Issue(name, 0, "", f"文件太大（超过 {MAX_YAML_CHARS * 4 // 1_000_000} MB）。"
                                               "数据文件只需写本单位的数字和要点，请检查是否选错了文件。")])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DrafterError(f"数据文件 {name} 的编码无法识别，请另存为 UTF-8 编码。")


@api.get("/search")
def search():
    a = request.args
    hits, _ = g.workspace.search(a.get("q", ""), a.get("chapter"), a.get("org"), a.get("year"), a.get("kind"),
                                 a.get("k") or "10")
    return jsonify([h.to_json() for h in hits])


@api.get("/corpus")
def corpus():
    return jsonify(g.workspace.corpus_json())


@api.post("/corpus/remove")
def corpus_remove():
    names = request.form.getlist("name") or (request.get_json(silent=True) or {}).get("names") or []
    if not names:
        raise DrafterError("请给出要移除的文档（表单字段 name）。")
    out = g.workspace.remove(names)
    return jsonify(out), (404 if out["not_found"] else 200)


@api.post("/ingest")
def ingest():
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        raise DrafterError("请求中没有文件（表单字段 file，可以有多个）。请选择要加入的报告。")
    out = g.workspace.ingest(files, index=request.args.get("index", "1") != "0")
    return jsonify(out), (200 if not out["failed"] else 207)


@api.post("/sections")
def sections():
    return jsonify(g.workspace.sections(upload()))


@api.post("/check")
def check():
    findings, _, _ = g.workspace.check(upload(), figures_upload())
    return jsonify(findings)


@api.post("/draft")
def draft():
    from ..figures.validate import parse_figures

    if (request.mimetype or "") not in YAML_TYPES:
        raise DrafterError("请把数据文件（YAML）作为请求正文发送，并注明 Content-Type: application/yaml。")
    name = request.args.get("name") or "数据.yaml"
    figures = parse_figures(yaml_text(request.get_data(), name), name)
    fmt = request.args.get("format", "docx")
    if fmt not in ("docx", "md"):
        raise DrafterError(f"format 应为 docx 或 md，写成了“{fmt}”。")
    refs = request.args.get("refs", "3")
    if not refs.isdigit():
        raise DrafterError(f"refs 应为 0 或正整数，写成了“{refs}”。")
    result, data = g.workspace.draft(figures, fmt, int(refs))
    mime = DOCX_MIME if fmt == "docx" else "text/markdown; charset=utf-8"
    resp = Response(data, mimetype=mime)
    resp.headers["Content-Disposition"] = attachment(f"初稿.{fmt}")
    resp.headers["X-Drafter-Missing"] = str(len(result.missing))
    return resp


def attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"draft{filename[filename.rfind('.'):]}\"; filename*=UTF-8''{quote(filename)}"
