"""drafter.web: every API route with Flask's test client, against what the CLI prints with --json."""

from __future__ import annotations

import io
import json
import re
from dataclasses import asdict
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from drafter.cli import main
from drafter.figures import load_figures
from drafter.web import create_app
from drafter.web.form import form_from_request, form_yaml
from drafter.figures.validate import parse_figures
from web_helpers import EXAMPLE, ROOT, example_fields

SEED = ROOT / "corpus" / "000_062a9b2cfb7d55e4.txt"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    return base / "corpus", base / "data"


@pytest.fixture(scope="module")
def app(dirs):
    return create_app(*dirs)


@pytest.fixture()
def client(app):
    return app.test_client()


def cli_json(*args):
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def upload(path: Path | None = None, name: str | None = None, data: bytes | None = None, field: str = "file"):
    data = path.read_bytes() if data is None else data
    return {field: (io.BytesIO(data), name or path.name)}


# --- pages ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url, title", [("/library", "我的资料库"), ("/search", "找参考"), ("/draft", "写初稿"),
                                        ("/check", "查稿子")])
def test_pages_render_in_chinese(client, url, title):
    r = client.get(url)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page and 'lang="zh-CN"' in page


def test_root_goes_to_library(client):
    assert client.get("/").headers["Location"].endswith("/library")


def test_unknown_page_is_a_chinese_message(client):
    r = client.get("/nothing-here")
    assert r.status_code == 404 and "没有这个页面" in r.get_data(as_text=True)
    assert client.get("/api/nothing").get_json() == {"error": "没有这个页面。请从上方的菜单进入。"}


# --- search and corpus: the CLI's --json shapes ---------------------------------------------

def test_api_search_is_the_cli_json(client, dirs):
    r = client.get("/api/search", query_string={"q": "送温暖", "chapter": "维权", "k": "3"})
    assert r.status_code == 200
    assert r.get_json() == cli_json("search", "送温暖", "--chapter", "维权", "-k", "3", "--corpus", str(dirs[0]))
    assert r.get_json() and all(h["chapters"] == ["维权服务"] or "维权服务" in h["chapters"] for h in r.get_json())


def test_api_search_filters(client):
    # The seeds name no year of their own in their openings: add a report that does.
    text = ("青溪县总工会2024年工作总结\n\n2024年，青溪县总工会团结引领广大职工建功立业，各项工作取得新成效。\n\n"
            "一、维权服务\n\n全年走访慰问困难职工320户，为职工办实事。\n").encode("utf-8")
    added = client.post("/api/ingest", data=upload(name="年份测试.txt", data=text)).get_json()
    assert added["added"], added
    try:
        hits = client.get("/api/search", query_string={"q": "职工", "year": "2024", "k": "20"}).get_json()
        assert hits and {h["year"] for h in hits} == {2024}
    finally:
        client.post("/api/corpus/remove", data={"name": "年份测试.txt"})
    hits = client.get("/api/search", query_string={"q": "职工", "kind": "五年综述", "k": "20"}).get_json()
    assert hits and {h["kind"] for h in hits} == {"five-year"}


@pytest.mark.parametrize("params, cli_args", [
    ({"q": "职工", "k": "abc"}, ["职工", "-k", "abc"]),
    ({"q": "职工", "year": "0"}, ["职工", "--year", "0"]),
    ({"q": "职工", "chapter": "天文"}, ["职工", "--chapter", "天文"]),
    ({"q": "职工", "kind": "诗歌"}, ["职工", "--kind", "诗歌"]),
])
def test_api_search_errors_are_the_cli_messages(client, dirs, params, cli_args):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 400
    cli = CliRunner().invoke(main, ["search", *cli_args, "--corpus", str(dirs[0])])
    assert cli.exit_code == 2
    assert cli.stderr.strip() == f"错误：{r.get_json()['error']}"


def test_api_search_needs_words(client):
    r = client.get("/api/search", query_string={"q": "  "})
    assert r.status_code == 400 and "请输入要查找的词" in r.get_json()["error"]


def test_search_page_highlights_and_copies(client):
    page = client.get("/search", query_string={"q": "送温暖", "chapter": "维权服务"}).get_data(as_text=True)
    assert "<mark>送温暖</mark>" in page
    assert 'class="small copy" data-copy="' in page and "〔" not in page
    assert re.search(r"维权服务｜《[^》]+》", page)


def test_search_page_error_and_nothing_found(client):
    page = client.get("/search", query_string={"q": "职工", "year": "abc"}).get_data(as_text=True)
    assert "年份 --year 必须是正整数" in page
    page = client.get("/search", query_string={"q": "量子纠缠超导磁体"}).get_data(as_text=True)
    assert "没有找到与“量子纠缠超导磁体”相关的段落" in page


def test_api_corpus_is_the_cli_json(client, dirs):
    assert client.get("/api/corpus").get_json() == cli_json("corpus", "--corpus", str(dirs[0]))


# --- sections -------------------------------------------------------------------------------

def test_api_sections_is_the_cli_json(client):
    r = client.post("/api/sections", data=upload(SEED))
    assert r.status_code == 200
    cli = cli_json("sections", str(SEED))
    assert r.get_json() == {**cli, "file": SEED.name}


@pytest.mark.parametrize("name, data, message", [
    ("空.txt", b"", "是空的"),
    ("病毒.exe", b"MZ\x90\x00", "不是可读取的文件类型（.exe"),
    ("坏.docx", b"this is not a zip", "坏.docx"),
    (".txt", b"abc", "不是可读取的文件类型"),
    ("/", b"abc", "没有文件名"),
])
def test_api_sections_bad_uploads(client, name, data, message):
    r = client.post("/api/sections", data=upload(name=name, data=data))
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert message in error and "Traceback" not in error and "/tmp" not in error


def test_api_sections_needs_a_file(client):
    r = client.post("/api/sections", data={})
    assert r.status_code == 400 and "表单字段 file" in r.get_json()["error"]


# --- ingest and remove ----------------------------------------------------------------------

def test_api_ingest_lists_and_removes(dirs, tmp_path):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    client = create_app(corpus, data).test_client()
    text = "青禾县总工会2024年工作总结\n\n一、思想引领\n\n我们组织职工开展送温暖活动，走访困难职工120户。\n".encode()
    r = client.post("/api/ingest?index=0", data={"file": [(io.BytesIO(text), "../../青禾.txt"),
                                                          (io.BytesIO(b"x"), "说明.exe")]})
    assert r.status_code == 200
    out = r.get_json()
    stored = data / "uploads" / "青禾.txt"
    assert out["added"] == [str(stored)] and stored.read_bytes() == text
    assert out["skipped"] == [{"file": "说明.exe", "reason": "不是可读取的报告文件类型（.exe；可读取 "
                                                          + out["skipped"][0]["reason"].split("可读取 ")[1]}]
    assert out["failed"] == []
    bad = client.post("/api/ingest?index=0", data=upload(name="坏.docx", data=b"not a zip")).get_json()
    assert bad["failed"][0]["file"].endswith("坏.docx") and bad["added"] == []
    assert not (data / "uploads" / "坏.docx").exists()
    assert not (tmp_path / "青禾.txt").exists()
    listed = client.get("/api/corpus").get_json()
    assert any(a["file"] == "青禾.txt" and not a["embedded"] for a in listed["articles"])
    hits = client.get("/api/search", query_string={"q": "走访困难职工", "org": "青禾"}).get_json()
    assert hits and hits[0]["file"] == "青禾.txt"
    # the same upload again: unchanged
    again = client.post("/api/ingest?index=0", data=upload(name="青禾.txt", data=text)).get_json()
    assert client.post("/api/ingest?index=0", data=upload(name="坏.docx", data=b"x")).status_code == 207
    assert again["unchanged"] == [str(stored)]
    page = client.get("/library", query_string={"file": "青禾.txt"}).get_data(as_text=True)
    assert "青禾.txt 被读成的样子" in page and "〈思想引领〉" in page
    r = client.post("/api/corpus/remove", data={"name": "青禾.txt"})
    assert r.get_json() == {"removed": [str(stored)], "not_found": []}
    assert not any(a["file"] == "青禾.txt" for a in client.get("/api/corpus").get_json()["articles"])
    assert not stored.exists()
    r = client.post("/api/corpus/remove", data={"name": "青禾.txt"})
    assert r.status_code == 404 and r.get_json()["not_found"] == ["青禾.txt"]


def test_api_ingest_needs_files(client):
    r = client.post("/api/ingest", data={})
    assert r.status_code == 400 and "表单字段 file" in r.get_json()["error"]


def test_library_remove_page(dirs, tmp_path):
    client = create_app(tmp_path / "c", tmp_path / "d").test_client()
    r = client.post("/api/ingest?index=0", data=upload(name="旧报告.txt", data=SEED.read_bytes() + "\n另加一段。\n".encode()))
    assert r.status_code == 200 and r.get_json()["added"]
    assert "旧报告.txt" in client.get("/library").get_data(as_text=True)
    r = client.post("/library/remove", data={"name": "旧报告.txt"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "已从资料库移除" in page and 'value="旧报告.txt"' not in page


# --- check ----------------------------------------------------------------------------------

DRAFT_TEXT = "青禾县总工会2025年工作总结\n\n今年我们认真学习贯彻党的二十大精神，开展劳动竞赛99项。\n"


def test_api_check_is_the_cli_json(client, dirs, tmp_path):
    draft = tmp_path / "稿子.txt"
    draft.write_text(DRAFT_TEXT, encoding="utf-8")
    r = client.post("/api/check", data={**upload(draft), **upload(EXAMPLE, field="figures")})
    assert r.status_code == 200
    cli = cli_json("check", str(draft), "--figures", str(EXAMPLE), "--corpus", str(dirs[0]))
    assert r.get_json() == cli
    assert any(f["type"] == "number" and "99" in f["message"] for f in cli)


def test_api_check_bad_figures_are_located(client, tmp_path):
    r = client.post("/api/check", data={**upload(name="稿子.txt", data=DRAFT_TEXT.encode()),
                                        **upload(name="数据.yaml", data="单位: 青禾\n年份: 二〇二五\n".encode(), field="figures")})
    assert r.status_code == 422
    body = r.get_json()
    assert body["issues"] == [{"line": 2, "path": "年份", "message": body["issues"][0]["message"]}]
    assert body["error"].startswith("数据文件需要修改") and "数据.yaml 第2行，年份" in body["error"]


def test_check_page_findings_and_fixed_docx(client, tmp_path):
    d = docx.Document()
    for line in DRAFT_TEXT.split("\n\n"):
        d.add_paragraph(line.strip())
    buf = io.BytesIO()
    d.save(buf)
    r = client.post("/check", data={**upload(name="稿子.docx", data=buf.getvalue()),
                                    **upload(EXAMPLE, field="figures")})
    page = r.get_data(as_text=True)
    assert "发现" in page and "处问题" in page and "99" in page
    link = re.search(r'id="fixed-download" href="([^"]+)"', page).group(1)
    fixed = client.get(link)
    assert fixed.mimetype == DOCX_MIME
    assert docx.Document(io.BytesIO(fixed.data)).paragraphs[1].text.startswith("今年")


def test_check_page_bad_upload_is_a_message(client):
    r = client.post("/check", data=upload(name="稿子.docx", data=b"\x00\x01garbage"))
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'id="page-error"' in page and "稿子.docx" in page and "Traceback" not in page


# --- draft ----------------------------------------------------------------------------------

def test_api_draft_returns_a_docx(client):
    r = client.post("/api/draft?refs=0", data=EXAMPLE.read_bytes(), content_type="application/yaml")
    assert r.status_code == 200 and r.mimetype == DOCX_MIME
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    assert "青禾县总工会" in text and "办理职工法律援助案件58件" in text.replace(" ", "")


def test_api_draft_markdown(client):
    r = client.post("/api/draft?format=md&refs=0", data=EXAMPLE.read_bytes(), content_type="application/yaml")
    assert r.status_code == 200 and r.mimetype == "text/markdown"
    assert r.get_data(as_text=True).startswith("#")


def test_api_draft_yaml_errors_are_the_cli_messages(client, tmp_path):
    bad = "单位: 青禾县总工会\n年份: 2025\n维权服务:\n  数据:\n    - 项目: 慰问\n      数值: 很多\n"
    r = client.post("/api/draft?name=我的数据.yaml", data=bad.encode(), content_type="application/yaml")
    assert r.status_code == 422
    path = tmp_path / "我的数据.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_figures(path)
    assert r.get_json()["error"] == info.value.message.replace(str(path), "我的数据.yaml")
    assert r.get_json()["issues"][0]["path"] == "维权服务.数据[1].数值"


@pytest.mark.parametrize("body, ctype, status, message", [
    ("单位: [\n", "application/yaml", 422, "YAML 格式错误"),
    ("", "application/yaml", 422, "文件是空的"),
    ("单位: 青禾\n年份: 2025\n", "application/json", 400, "Content-Type: application/yaml"),
])
def test_api_draft_bad_requests(client, body, ctype, status, message):
    r = client.post("/api/draft", data=body.encode(), content_type=ctype)
    assert r.status_code == status and message in r.get_json()["error"]


def test_api_draft_bad_options(client):
    r = client.post("/api/draft?format=pdf", data=EXAMPLE.read_bytes(), content_type="application/yaml")
    assert r.status_code == 400 and "format 应为 docx 或 md" in r.get_json()["error"]


# --- the 写初稿 form ------------------------------------------------------------------------

def test_form_gives_the_same_figures_as_the_file():
    from werkzeug.datastructures import MultiDict

    def without_lines(figures):
        for ch in figures.chapters:
            for f in ch.figures:
                f.line = 0
        figures.path = ""
        return asdict(figures)

    form = form_from_request(MultiDict(example_fields()))
    assert without_lines(parse_figures(form_yaml(form), "x")) == without_lines(load_figures(EXAMPLE))


def test_draft_page_messages_next_to_fields(client):
    fields = {**example_fields(), "年份": "二〇二五", "维权服务.数据[2].数值": "很多"}
    page = client.post("/draft", data=fields).get_data(as_text=True)
    assert "表单有 2 处需要修改" in page
    cell = re.search(r'name="维权服务.数据\[2\].数值" value="很多"[^>]*>(.*?)</td>', page, re.S).group(1)
    assert 'class="field-error"' in cell and "很多" in cell
    year = re.search(r'name="年份" value="二〇二五"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert "应为四位数的年份" in year
    assert "下载 Word 初稿" not in page


def test_draft_page_form_to_docx(client):
    page = client.post("/draft", data=example_fields()).get_data(as_text=True)
    assert 'id="draft-preview"' in page and "青禾县总工会" in page
    link = re.search(r'id="draft-download" href="([^"]+)"', page).group(1)
    r = client.get(link)
    assert r.mimetype == DOCX_MIME and "filename*=UTF-8''" in r.headers["Content-Disposition"]
    assert any("青禾" in p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)


def test_draft_page_yaml_upload(client):
    page = client.post("/draft", data={"source": "yaml", **upload(EXAMPLE, field="yaml")}).get_data(as_text=True)
    assert 'id="draft-download"' in page
    page = client.post("/draft", data={"source": "yaml", **upload(name="数据.yaml", data="单位: [\n".encode(), field="yaml")}).get_data(as_text=True)
    assert "数据.yaml 第2行" in page and "YAML 格式错误" in page


def test_unknown_download_token(client):
    assert client.get("/download/nope").status_code == 404


# --- safety ---------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.nip.io", "192.168.1.9"])
def test_foreign_host_refused(client, host):
    for r in (client.get("/api/corpus", headers={"Host": host}), client.get("/library", headers={"Host": host})):
        assert r.status_code == 403
    assert "拒绝访问" in r.get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8765", "[::1]:8765", "LOCALHOST:8765"])
def test_loopback_hosts_accepted(client, host):
    assert client.get("/api/corpus", headers={"Host": host}).status_code == 200


def test_any_interface_accepts_ip_literals_only():
    client = create_app(host="0.0.0.0").test_client()
    assert client.get("/check", headers={"Host": "192.168.1.9:8765"}).status_code == 200
    assert client.get("/check", headers={"Host": "evil.example:8765"}).status_code == 403


@pytest.mark.parametrize("origin, status", [
    ("http://evil.example", 403), ("http://localhost:9999", 403), ("null", 403),
    ("http://localhost:8765", 400), ("http://127.0.0.1:8765", 400),
])
def test_origin_checked_on_post(client, origin, status):
    r = client.post("/api/ingest", headers={"Host": "127.0.0.1:8765", "Origin": origin}, data={})
    assert r.status_code == status  # 400: let through, and told that no file came


def test_cross_site_fetch_refused(client):
    r = client.post("/check", headers={"Sec-Fetch-Site": "cross-site"}, data={})
    assert r.status_code == 403 and "拒绝访问" in r.get_data(as_text=True)


def test_oversized_upload_is_413(tmp_path):
    client = create_app(tmp_path / "c", tmp_path / "d", max_upload_mb=1).test_client()
    big = upload(name="大.txt", data=b"a" * (1024 * 1024 + 10))
    r = client.post("/api/ingest", data=big)
    assert r.status_code == 413 and "超过 1 MB" in r.get_json()["error"]
    r = client.post("/check", data=upload(name="大.txt", data=b"a" * (1024 * 1024 + 10)))
    assert r.status_code == 413 and "超过 1 MB" in r.get_data(as_text=True)
    assert not (tmp_path / "d" / "uploads").exists()


def test_default_upload_cap_is_50_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 50 * 1024 * 1024


def test_generated_files_kept_in_memory_are_bounded(tmp_path, monkeypatch):
    from drafter.web import service

    ws = service.Workspace(tmp_path / "c", tmp_path / "d")
    monkeypatch.setattr(service, "MAX_DOWNLOAD_BYTES", 1000)
    tokens = [ws.keep_download(f"{i}.docx", DOCX_MIME, b"x" * 400) for i in range(5)]
    assert [ws.download(t) is not None for t in tokens] == [False, False, False, True, True]
    tokens = [ws.keep_download(f"{i}.docx", DOCX_MIME, b"x") for i in range(service.MAX_DOWNLOADS + 3)]
    assert sum(ws.download(t) is not None for t in tokens) == service.MAX_DOWNLOADS
