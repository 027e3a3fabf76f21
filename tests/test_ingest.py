"""Reading, cleaning, segmentation and chapters, measured on the seeds and on small made-up texts."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drafter.classify import classify_text
from drafter.clean import fix_punctuation, has_doubled_glyphs, is_furniture, tidy_body
from drafter.corpus import Corpus
from drafter.errors import InputFileError
from drafter.ingest import parse_file, parse_text
from drafter.read import read_file

SEEDS = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))


def _gold(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def parsed():
    return {p.name: parse_file(p) for p in SEEDS}


# --- against the gold headings ------------------------------------------------------------


def test_all_gold_articles_found(parsed, gold_headings_path):
    rows = [r for r in _gold(gold_headings_path) if r["kind"] == "article"]
    missing = []
    for r in rows:
        doc = parsed[r["file"]]
        lines = {a.line: a.title for a in doc.articles}
        if int(r["line"]) not in lines:
            missing.append((r["file"], r["line"], r["heading"]))
        else:
            assert re.sub(r"\W", "", lines[int(r["line"])]) == re.sub(r"\W", "", r["heading"])
    assert not missing
    assert len(parsed["004_5b471ee912e3ac09.txt"].articles) == 34


def test_first_level_headings_recall_and_precision(parsed, gold_headings_path):
    gold = {(r["file"], int(r["line"])) for r in _gold(gold_headings_path) if r["kind"] == "h1"}
    mine = {(name, s.line) for name, d in parsed.items() for a in d.articles for s in a.sections if s.level == 1}
    tp = len(gold & mine)
    recall, precision = tp / len(gold), tp / len(mine)
    assert recall >= 0.95, sorted(gold - mine)
    assert precision >= 0.90, sorted(mine - gold)


def test_chapter_of_first_level_headings(parsed, gold_headings_path):
    rows = [r for r in _gold(gold_headings_path) if r["kind"] == "h1"]
    by_line = {(name, s.line): s for name, d in parsed.items() for a in d.articles for s in a.sections}
    right = sum(1 for r in rows if by_line[(r["file"], int(r["line"]))].chapters[0] in r["chapters"].split("|"))
    assert right / len(rows) >= 0.90


# --- cleaning -------------------------------------------------------------------------------

JUNK = [
    "市总工会与山东管理学院签订战略合作框架协议",
    "记者 王振宇",
    "本版部分图片为资料片",
    "牡丹晚报全媒体记者",
    "春风送岗春风送岗",
    "帮扶送教育帮扶送教育",
    "责任编辑",
    "E-mail",
    "mdwbq@163.com",
    "星期一",
    "讲话市总工会党组书记",  # two stacked captions of 003 glued into the body
    "主持会议肺炎疫情",
    "日新月异的都市面貌",
    "郓城县暖心驿站一隅",
    "济宁市总工会送文艺下基层",
    "目　录",
    "哒哒",  # advertising pasted in by a document-sharing site (004)
    "AAA11241618",  # contact watermark injected mid-sentence (004)
]


def test_no_caption_byline_or_furniture_in_passages(parsed):
    texts = [p.text for d in parsed.values() for a in d.articles for s in a.sections for p in s.passages]
    for junk in JUNK:
        hits = [t[:40] for t in texts if junk in t]
        assert not hits, (junk, hits)


def test_no_line_break_or_ascii_punctuation_inside_passages(parsed):
    cjk = "\u4e00-\u9fff"
    for d in parsed.values():
        for a in d.articles:
            for s in a.sections:
                for p in s.passages:
                    assert "\n" not in p.text
                    assert not re.search(rf"[{cjk}][,;:?][{cjk}]", p.text), p.text[:60]


def test_paragraphs_broken_by_layout_are_joined(parsed):
    texts = "\n".join(p.text for d in parsed.values() for a in d.articles for s in a.sections for p in s.passages)
    # 000: "亮点特" / blank line / "品牌…"; "帮助" / blank line / "3.241万户"; "扎实" / captions / "推进女职工工作"
    assert "惠工富民亮点特品牌“四赢”工作平台" in texts
    assert "帮助3.241万户困难职工实现解困脱困" in texts
    assert "扎实推进女职工工作" in texts
    # 003: a paragraph interrupted by two photo captions
    assert "第一时间" in texts and "发出" in texts
    # 000: hard wraps with two trailing spaces
    assert "时光流逝，见证时代变迁，留下奋斗足迹。" in texts


def test_punctuation_and_furniture_rules():
    assert fix_punctuation("时光流逝,见证时代") == "时光流逝，见证时代"
    assert fix_punctuation("镇街(园区)工会") == "镇街（园区）工会"
    assert fix_punctuation("增长3.5%,达到") == "增长3.5%，达到"
    assert tidy_body("筹集款物 5800 余万元") == "筹集款物5800余万元"
    assert fix_punctuation("E-mail:abc@163.com") == "E-mail:abc@163.com"
    for line in ("记者 王振宇", "牡丹晚报全媒体记者 冯 错 摄", "2020年9月21日", "星期一", "电话:5969581"):
        assert is_furniture(line), line
    for line in ("政治引领 画好最大“同心圆”", "思想铸魂", "破解难题", "一、重点工作完成情况"):
        assert not is_furniture(line), line
    assert has_doubled_glyphs("““春风送岗春风送岗 暖心就业暖心就业””专场招聘")
    assert not has_doubled_glyphs("听党话、跟党走，一幕幕、一帧帧")


# --- segmentation on made-up texts --------------------------------------------------------------

REPORT = """青禾县总工会2025年工作总结

2025年，县总工会在县委和市总工会的坚强领导下，团结带领全县职工奋发进取，各项工作取得新成效。

一、主要工作及成效

（一）强化思想政治引领。全年开展劳模工匠宣讲45场，覆盖职工1.2万人次。

（二）组织职工建功立业

1.开展劳动和技能竞赛

全县开展劳动和技能竞赛18项，参与职工2.3万人次。

（1）建设劳模创新工作室

新建劳模创新工作室6个。

二、存在的问题和不足

基层工会活力不足，服务新就业形态劳动者的手段还不多。

三、下一步工作打算

2026年，我们将继续深化产业工人队伍建设改革。
"""


def test_numbered_heading_levels_and_run_in_headings():
    doc = parse_text(REPORT, "r.txt")
    (article,) = doc.articles
    assert article.title == "青禾县总工会2025年工作总结"
    assert article.org == "青禾县总工会" and article.year == 2025 and article.kind == "annual"
    levels = [(s.heading, s.level) for s in article.sections if s.level]
    assert levels == [
        ("一、主要工作及成效", 1),
        ("（一）强化思想政治引领", 2),
        ("（二）组织职工建功立业", 2),
        ("1.开展劳动和技能竞赛", 3),
        ("（1）建设劳模创新工作室", 4),
        ("二、存在的问题和不足", 1),
        ("三、下一步工作打算", 1),
    ]
    by_heading = {s.heading: s for s in article.sections}
    assert by_heading["（一）强化思想政治引领"].passages[0].text.startswith("全年开展劳模工匠宣讲45场")
    assert by_heading["二、存在的问题和不足"].chapters == ["问题短板"]
    assert by_heading["三、下一步工作打算"].chapters == ["展望"]
    assert by_heading["（一）强化思想政治引领"].chapters[0] == "思想引领"


def test_marked_up_and_paired_headings():
    marked = "# 标题一\n\n## ——某某县总工会工作纪实\n\n正文第一段。\n\n### 政治引领 凝心铸魂\n\n正文第二段讲宣讲。\n"
    (a,) = parse_text(marked).articles
    assert a.title == "标题一" and a.subtitle == "某某县总工会工作纪实"
    assert [(s.heading, s.level) for s in a.sections if s.level] == [("政治引领 凝心铸魂", 1)]
    paired = "导语段落说明全年情况。\n\n夯实基础激发活力\n改革创新氛围更加浓厚\n\n扎实开展县级工会加强年专项工作，发展会员。\n"
    (b,) = parse_text(paired).articles
    assert [s.heading for s in b.sections if s.level] == ["夯实基础激发活力 改革创新氛围更加浓厚"]
    assert b.sections[-1].chapters[0] == "改革创新"


def test_long_paragraph_split_at_points_keeps_section():
    points = "".join(
        f"{n}是{t}。" + "内容" * 60 + "。"
        for n, t in zip("一二三四", ["抓好思想政治引领宣讲", "开展劳动和技能竞赛", "做好困难职工帮扶送温暖", "推进建会入会智慧工会"])
    )
    text = "一、重点工作\n\n" + points + "\n"
    (a,) = parse_text(text).articles
    # Each point with a short lead sentence is a run-in heading one level below 一、
    subs = [s for s in a.sections if s.level == 2]
    assert [s.heading[:2] for s in subs] == ["一是", "二是", "三是", "四是"]
    assert all(len(s.passages) == 1 and len(s.passages[0].text) <= 400 for s in subs)
    assert [s.chapters[0] for s in subs] == ["思想引领", "建功立业", "维权服务", "改革创新"]
    assert a.sections[0].heading == "一、重点工作" and a.sections[0].chapters == ["其他"]


def test_mixed_points_section_gives_passages_their_own_chapters(parsed):
    article = parsed["003_538a83465ddcf2c0.txt"].articles[0]
    section = next(s for s in article.sections if s.heading.startswith("攻坚克难"))
    assert section.chapters == ["其他"]
    i = article.sections.index(section)
    points = [s for s in article.sections[i + 1 :] if s.level == section.level + 1 and s.heading[1:2] == "是"]
    # Points with a short lead are run-in sub-headings; a long one stays a passage of its own.
    chapters = {s.heading[:2]: s.chapters[0] for s in points}
    chapters.update({p.text[:2]: p.chapters[0] for s in points for p in s.passages if p.text[1] == "是"})
    assert chapters["一是"] == "思想引领"
    assert chapters["三是"] == "建功立业"
    assert chapters["四是"] == "维权服务"
    assert chapters["五是"] == "改革创新"


def test_classify_metaphor_text():
    assert classify_text("打造暖心工会，建成户外劳动者服务站点120个，开展送温暖活动") == ["维权服务"]
    assert classify_text("举办职工技能竞赛，新建劳模创新工作室")[0] == "建功立业"


# --- the same report in other encodings and formats -----------------------------------------


def _structure(doc):
    return [(a.title, [(s.heading, s.level) for s in a.sections]) for a in doc.articles]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
@pytest.mark.parametrize("seed", ["000_062a9b2cfb7d55e4.txt", "001_a4f1093690759cf1.txt", "004_5b471ee912e3ac09.txt"])
def test_other_encodings_read_the_same(tmp_path, parsed, seed, encoding):
    text = (Path(SEEDS[0]).parent / seed).read_text("utf-8")
    target = tmp_path / f"copy.txt"
    target.write_bytes(text.encode(encoding))
    doc = parse_file(target)
    assert _structure(doc) == _structure(parsed[seed])


@pytest.mark.parametrize("seed", ["000_062a9b2cfb7d55e4.txt", "002_083f2ba9b5ccd482.txt", "004_5b471ee912e3ac09.txt"])
def test_docx_reads_the_same(tmp_path, parsed, seed):
    import docx

    text = (Path(SEEDS[0]).parent / seed).read_text("utf-8")
    document = docx.Document()
    for line in text.split("\n"):
        m = re.match(r"^(#+)\s*(.*)$", line)
        if m:  # marked-up headings become Word heading styles
            document.add_paragraph(m.group(2), style="Title" if len(m.group(1)) == 1 else f"Heading {len(m.group(1)) - 1}")
        else:
            document.add_paragraph(line)
    path = tmp_path / "copy.docx"
    document.save(path)
    assert _structure(parse_file(path)) == _structure(parsed[seed])


def test_pdf_text_layer(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "r.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(["一、强化思想政治引领", "全年开展劳模工匠宣讲45场，覆盖职工1.2万人次。"]):
        c.drawString(72, 760 - 20 * i, line)
    c.save()
    text = read_file(path).text
    assert "宣讲45场" in text


# --- bad input -----------------------------------------------------------------------------------


def _encrypted_pdf(path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret")
    with open(path, "wb") as fh:
        w.write(fh)


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("empty.txt", b"", "空"),
        ("blank.txt", b"  \n\n ", "空"),
        ("binary.txt", bytes(range(256)) * 20, "二进制"),
        ("table.xlsx", b"PK\x03\x04whatever", "不支持"),
        ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "加密"),
        ("broken.docx", b"this is not a zip", "docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("latin.txt", bytes([0x81, 0x30, 0xff, 0xfe, 0x80]) * 3, "编码"),
    ],
)
def test_bad_files_are_named_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        read_file(path)
    assert name in err.value.message and reason in err.value.message


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "locked.pdf"
    _encrypted_pdf(path)
    with pytest.raises(InputFileError, match="加密"):
        read_file(path)


# --- the corpus store -------------------------------------------------------------------------------


def _hash_tree(folder: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_ingest_adds_skips_replaces_and_never_touches_sources(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(REPORT, encoding="gb18030")
    (src / "b.txt").write_text(REPORT.replace("青禾县", "白河县"), encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    before = _hash_tree(src)
    corpus = Corpus.load(tmp_path / "corpus")
    report = corpus.ingest([src])
    assert sorted(Path(p).name for p in report.added) == ["a.txt", "b.txt"]
    assert [Path(p).name for p, _ in report.failed] == ["empty.txt"]
    assert [Path(p).name for p in report.skipped] == ["photo.jpg"]
    fp1 = corpus.fingerprint

    again = Corpus.load(tmp_path / "corpus").ingest([src / "a.txt", src / "b.txt"])
    assert len(again.unchanged) == 2 and not again.added and not again.replaced

    (src / "a.txt").write_text(REPORT.replace("18项", "19项"), encoding="gb18030")
    before["changed"] = True
    corpus2 = Corpus.load(tmp_path / "corpus")
    changed = corpus2.ingest([src / "a.txt"])
    assert [Path(p).name for p in changed.replaced] == ["a.txt"]
    assert corpus2.fingerprint != fp1
    texts = [p.text for p in corpus2.passages() if p.file == "a.txt"]
    assert any("19项" in t for t in texts) and not any("18项" in t for t in texts)
    # sources are read only; the store holds one JSON per document and no temp files
    assert _hash_tree(src)[str(src / "b.txt")] == before[str(src / "b.txt")]
    stored = sorted(p.name for p in (tmp_path / "corpus").rglob("*") if p.is_file())
    assert stored.count("manifest.json") == 1 and not [n for n in stored if n.endswith(".tmp")]
    assert len([n for n in stored if n not in ("manifest.json", ".lock")]) == 2


def test_corpus_contains_embedded_and_user_documents(tmp_path):
    corpus = Corpus.load(tmp_path / "c")
    corpus.ingest([_write(tmp_path / "mine.txt", REPORT)])
    names = [d.name for d in Corpus.load(tmp_path / "c").documents]
    assert names[:5] == [p.name for p in SEEDS] and names[5:] == ["mine.txt"]
    # a copy of a seed is already in the corpus
    dup = Corpus.load(tmp_path / "c").ingest([SEEDS[0]])
    assert dup.unchanged and not dup.added


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_corrupt_manifest_is_rebuilt_from_the_stored_documents(tmp_path, caplog):
    folder = tmp_path / "c"
    source = _write(tmp_path / "mine.txt", REPORT)
    Corpus.load(folder).ingest([source])
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    assert [d.name for d in Corpus.load(folder).documents if not d.embedded] == ["mine.txt"]
    assert "语料库清单已损坏，已按存储的文档重建" in caplog.text
    assert json.loads((folder / "manifest.json").read_text("utf-8"))["documents"]


# --- the command line -----------------------------------------------------------------------------


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "drafter.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_ingest_reports_bad_files_and_exits_nonzero(tmp_path):
    good = _write(tmp_path / "good.txt", REPORT)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    out = _run("ingest", str(good), str(bad), "--corpus", str(tmp_path / "c"), "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert [Path(p).name for p in data["added"]] == ["good.txt"]
    assert data["failed"][0]["file"].endswith("bad.txt") and "空" in data["failed"][0]["reason"]
    text = _run("ingest", str(bad), "--corpus", str(tmp_path / "c"))
    assert "bad.txt" in text.stderr and "Traceback" not in text.stderr


def test_cli_sections_json_shape():
    out = _run("sections", str(SEEDS[1]), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    section = data["articles"][0]["sections"][1]
    assert set(data["articles"][0]) >= {"title", "org", "year", "kind", "sections"}
    assert set(section) >= {"heading", "level", "chapters", "passages"}
    assert section["heading"] == "夯实基础激发活力 改革创新氛围更加浓厚" and section["level"] == 1
    assert set(section["passages"][0]) >= {"text", "chapters"}


def test_cli_corpus_lists_embedded_reports(tmp_path):
    out = _run("corpus", "--json", "--corpus", str(tmp_path / "c"))
    data = json.loads(out.stdout)
    assert data["documents"] == 5 and len(data["articles"]) == 39
    row = next(r for r in data["articles"] if r["title"].startswith("济南市"))
    assert row["org"] == "济南市工会" and row["kind"] == "five-year" and row["sections"] == 6


def test_cli_missing_file_is_a_chinese_error(tmp_path):
    out = _run("sections", str(tmp_path / "nope.txt"))
    assert out.returncode != 0 and "不存在" in out.stderr and "Traceback" not in out.stderr


def test_installed_package_finds_embedded_corpus(tmp_path):
    """A non-editable install carries the seeds inside the package; any working directory works."""
    code = "import drafter.resources as r; print(r.embedded_corpus_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    if out.returncode != 0:
        pytest.skip("drafter is not installed in this interpreter")
    folder = Path(out.stdout.strip())
    assert sorted(p.name for p in folder.glob("*.txt")) == [p.name for p in SEEDS]
    for p in SEEDS:
        assert (folder / p.name).read_bytes() == p.read_bytes()


def test_docx_headings_from_styles_and_list_numbering(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("某县总工会2025年工作总结", style="Title")
    d.add_paragraph("全年工作取得新成效。")
    d.add_paragraph("强化思想政治引领", style="List Number")
    d.add_paragraph("开展宣讲45场，覆盖职工1.2万人次。")
    d.add_paragraph("维护职工合法权益", style="Heading 1")
    d.add_paragraph("建成户外劳动者服务站点12个。")
    path = tmp_path / "n.docx"
    d.save(path)
    (article,) = parse_file(path).articles
    assert article.title == "某县总工会2025年工作总结"
    # The list number Word shows (1.) is part of the heading, as the reader sees it.
    assert [(s.heading, s.chapters[0]) for s in article.sections if s.level] == [
        ("1.强化思想政治引领", "思想引领"),
        ("维护职工合法权益", "维权服务"),
    ]


def test_compilation_without_toc_splits_where_numbering_restarts():
    lines = (SEEDS[0].parent / "004_5b471ee912e3ac09.txt").read_text("utf-8").split("\n")
    body = "\n".join(lines[78:])  # the compilation without its title and table of contents
    titles = [a.title for a in parse_text(body).articles]
    assert len(titles) >= 25
    assert "甘肃省工会第十二次代表大会以来工作综述" in titles and "济南市工会五年工作综述" in titles


def test_one_paragraph_per_line_without_blank_lines():
    text = "\n".join(line for line in REPORT.split("\n") if line.strip())
    (article,) = parse_text(text).articles
    assert article.title == "青禾县总工会2025年工作总结"
    headings = [s.heading for s in article.sections if s.level]
    assert headings[:3] == ["一、主要工作及成效", "（一）强化思想政治引领", "（二）组织职工建功立业"]
    lead = article.sections[0]
    assert lead.level == 0 and lead.passages[0].text.startswith("2025年，县总工会")
    # 一、主要工作及成效 only holds sub-sections of several areas: it is a container, not one area
    assert article.sections[1].chapters == ["其他"]


def test_documents_read_by_an_older_parser_are_read_again(tmp_path):
    folder = tmp_path / "c"
    source = _write(tmp_path / "mine.txt", REPORT)
    Corpus.load(folder).ingest([source])
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    (entry,) = manifest["documents"].values()
    entry["parser"] = "old"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    corpus = Corpus.load(folder)
    assert [d.name for d in corpus.documents if not d.embedded] == ["mine.txt"]
    (entry,) = json.loads((folder / "manifest.json").read_text("utf-8"))["documents"].values()
    assert entry["parser"] != "old"


def test_cli_ingest_builds_the_search_index(tmp_path):
    good = _write(tmp_path / "good.txt", REPORT)
    out = _run("ingest", str(good), "--corpus", str(tmp_path / "c"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "c" / "index" / "meta.json").exists()
    skipped = _run("ingest", str(_write(tmp_path / "more.txt", REPORT.replace("青禾", "白河"))), "--no-index",
                   "--corpus", str(tmp_path / "d"))
    assert skipped.returncode == 0 and not (tmp_path / "d" / "index").exists()


def test_remove_documents_from_the_user_corpus(tmp_path):
    source = _write(tmp_path / "mine.txt", REPORT)
    _write(tmp_path / "other.txt", REPORT.replace("青禾", "白河"))
    corpus = Corpus.load(tmp_path / "c")
    corpus.ingest([source, tmp_path / "other.txt"])
    fingerprint = corpus.fingerprint
    removed, unknown = corpus.remove(["mine.txt", "000_062a9b2cfb7d55e4.txt"])
    assert removed == [str(source.resolve())] and unknown == ["000_062a9b2cfb7d55e4.txt"]
    assert source.exists()
    again = Corpus.load(tmp_path / "c")
    assert [d.name for d in again.documents if not d.embedded] == ["other.txt"]
    assert again.fingerprint != fingerprint
    assert len(list((tmp_path / "c" / "docs").glob("*.json"))) == 1
    out = _run("corpus", "--remove", str(tmp_path / "other.txt"), "--corpus", str(tmp_path / "c"), "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["removed"] == [str((tmp_path / "other.txt").resolve())]
    missing = _run("corpus", "--remove", "nothing.txt", "--corpus", str(tmp_path / "c"))
    assert missing.returncode == 1 and "nothing.txt" in missing.stderr
