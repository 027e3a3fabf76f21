"""The four pages a clerk uses: 我的资料库, 找参考, 写初稿, 查稿子 (server-rendered, Chinese)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from ..errors import DrafterError
from .api import DOCX_MIME, attachment, figures_upload, upload
from .form import empty_form, form_from_request, form_yaml, validate

pages = Blueprint("pages", __name__)
_HEADING = re.compile(r"^(#{1,6}) (.*)$", re.S)


def _nav(active: str, **context):
    from ..model import CHAPTERS, KIND_LABELS

    return render_template(f"{active}.html", active=active, chapters=CHAPTERS, kind_labels=KIND_LABELS, **context)


@pages.get("/")
def home():
    return redirect(url_for("pages.library"))


@pages.get("/library")
def library():
    ws = g.workspace
    error = None
    try:
        data = ws.corpus_json()
    except DrafterError as exc:
        data, error = {"articles": [], "documents": 0, "corpus": str(ws.corpus_dir)}, exc.message
    opened = request.args.get("file")
    sections = None
    if opened:
        try:
            sections = ws.document_sections(opened)
        except DrafterError as exc:
            error = exc.message
    return _nav("library", corpus=data, sections=sections, error=error,
                removed=request.args.getlist("removed"), max_mb=_max_mb())


@pages.post("/library/remove")
def library_remove():
    try:
        out = g.workspace.remove(request.form.getlist("name"))
    except DrafterError as exc:
        return _nav("library", corpus=g.workspace.corpus_json(), sections=None, error=exc.message,
                    removed=[], max_mb=_max_mb())
    return redirect(url_for("pages.library", removed=out["removed"]))


@pages.get("/search")
def search():
    from ..cli.search_cmds import source_label
    from ..search import HIGHLIGHT_OPEN

    a = request.args
    hits, used, error = [], [], None
    if a.get("q", "").strip():
        try:
            hits, used = g.workspace.search(a["q"], a.get("chapter"), a.get("org"), a.get("year"), a.get("kind"),
                                            a.get("k") or "10")
        except DrafterError as exc:
            error = exc.message
    shown = [{
        "hit": h,
        "pieces": [(p, bool(i % 2)) for i, p in enumerate(h.highlighted.split(HIGHLIGHT_OPEN))],
        "source": source_label(h.article, h.org, h.year, h.file),
        "also": [source_label(s.article, s.org, s.year, s.file) for s in h.also_in],
    } for h in hits]
    return _nav("search", q=a.get("q", ""), args=a, hits=shown, used=used, error=error,
                searched=bool(a.get("q", "").strip()))


@pages.route("/draft", methods=["GET", "POST"])
def draft():
    from ..cli.draft_cmds import draft_json

    if request.method == "GET":
        return _nav("draft", form=empty_form(), result=None, error=None)
    form, error, figures = form_from_request(request.form), None, None
    try:
        if request.form.get("source") == "yaml":
            figures = figures_upload("yaml")
            if figures is None:
                raise DrafterError("请选择一个数据文件（.yaml）再上传。")
        else:
            figures = validate(form)
            if figures is None:
                error = "表单有 {} 处需要修改，见各栏下方的红字（未生成初稿）。".format(sum(map(len, form.errors.values())))
        if figures is not None:
            result, data = g.workspace.draft(figures, "docx")
            from ..markdown_writer import draft_markdown

            token = g.workspace.keep_download("初稿.docx", DOCX_MIME, data)
            summary = draft_json(result, "初稿.docx", "docx", None)
            return _nav("draft", form=form, error=None, result={
                "token": token, "markdown": draft_markdown(result), "summary": summary})
    except DrafterError as exc:
        error = exc.message
    return _nav("draft", form=form, result=None, error=error)


@pages.get("/draft/figures.yaml")
def draft_yaml():
    """The form as a figures file, to keep and reuse with `drafter draft`."""
    return Response(form_yaml(form_from_request(request.args)), mimetype="application/yaml")


@pages.route("/check", methods=["GET", "POST"])
def check():
    if request.method == "GET":
        return _nav("check", result=None, error=None)
    try:
        storage = upload()
        name = storage.filename
        findings, paragraphs, fixed = g.workspace.check(storage, figures_upload(), fix=True)
    except DrafterError as exc:
        return _nav("check", result=None, error=exc.message)
    from ..checks.finding import TYPE_LABELS

    by_para: dict[int, list[dict]] = {}
    for f in findings:
        by_para.setdefault(f["paragraph"] or 0, []).append(f)
    token = g.workspace.keep_download("修订稿.docx", DOCX_MIME, fixed) if fixed is not None else None
    # The readers mark Word headings as Markdown (# …): shown as headings, not as hashes.
    shown = [(len(m[1]), m[2]) if (m := _HEADING.match(p)) else (0, p) for p in paragraphs]
    return _nav("check", error=None, result={
        "name": name, "paragraphs": shown, "by_para": by_para, "count": len(findings),
        "labels": TYPE_LABELS, "token": token})


@pages.get("/download/<token>")
def download(token: str):
    found = g.workspace.download(token)
    if found is None:
        abort(404)
    filename, mime, data = found
    resp = Response(data, mimetype=mime)
    resp.headers["Content-Disposition"] = attachment(filename)
    return resp


def _max_mb() -> int:
    from flask import current_app

    return current_app.config["MAX_UPLOAD_MB"]
