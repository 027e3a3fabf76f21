"""The user corpus as a store: one writer at a time, content-addressed copies, self-repair.

Concurrency and crash tests run real `drafter` processes; the crash test's long version
(60 kills) is benchmarks/crash_store.py.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drafter import fsutil
from drafter.corpus import MANIFEST, Corpus
from drafter.errors import WriteError

REPORT = """{org}县总工会2025年工作总结

2025年，县总工会在县委和市总工会的坚强领导下，团结带领全县职工奋发进取，各项工作取得新成效。

一、主要工作及成效

（一）强化思想政治引领。全年开展劳模工匠宣讲{n}场，覆盖职工1.2万人次。

（二）组织职工建功立业

全县开展劳动和技能竞赛{m}项，参与职工2.3万人次，新建{org}劳模创新工作室6个。

二、存在的问题和不足

基层工会活力不足，服务新就业形态劳动者的手段还不多。

三、下一步工作打算

2026年，我们将继续深化产业工人队伍建设改革。
"""

ORGS = "青禾 白河 东山 西岭 南湖 北川 金沙 玉泉 古城 新桥 石门 柳林 松江 桃源 云台 梅岭 竹溪 凤鸣".split()


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    return tmp_path_factory.mktemp("store_home")


@pytest.fixture(autouse=True)
def _shared_caches(_isolated_home, shared_home, monkeypatch):
    """One drafter home (parse cache of the seeds, compact jieba dictionary) for the module:
    every test names its own --corpus, so only the caches are shared."""
    monkeypatch.setenv("DRAFTER_HOME", str(shared_home))


def report(org: str, n: int = 45) -> str:
    return REPORT.format(org=org, n=n, m=n % 17 + 3)


def make_sources(folder: Path, orgs=ORGS, n: int = 45) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for org in orgs:
        path = folder / f"{org}.txt"
        path.write_text(report(org, n), encoding="utf-8")
        paths.append(path)
    return paths


def run(*args, timeout=300, env=None):
    return subprocess.run([sys.executable, "-m", "drafter.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def user_names(corpus: Corpus) -> list[str]:
    return sorted(d.name for d in corpus.documents if not d.embedded)


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if fsutil.is_temp_name(p.name)]


def assert_store_sound(folder: Path, expected: set[str]) -> None:
    """Every expected source in the manifest, every stored copy sound, nothing to repair."""
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    assert {e["name"] for e in manifest["documents"].values()} == expected
    corpus = Corpus.load(folder, include_embedded=False)
    assert all(corpus._load_doc(i, e) is not None for i, e in manifest["documents"].items())
    check = run("corpus", "--check", "--json", "--corpus", folder)
    assert check.returncode == 0, check.stderr
    result = json.loads(check.stdout)
    assert result["clean"], result
    assert not temp_files(folder)


# --- content addressing and the commit point ------------------------------------------------------


def test_a_replaced_document_never_overwrites_the_live_copy(tmp_path, monkeypatch):
    (source,) = make_sources(tmp_path / "src", ["青禾"])
    corpus = Corpus.load(tmp_path / "c")
    corpus.ingest([source])
    (live,) = (tmp_path / "c" / "docs").glob("*.json")
    live_bytes = live.read_bytes()

    source.write_text(report("青禾", 99), encoding="utf-8")
    real_replace = os.replace

    def full_at_manifest(src, dst, *a, **k):
        if Path(dst).name == MANIFEST:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(fsutil.os, "replace", full_at_manifest)
    with pytest.raises(WriteError, match="磁盘空间已满") as info:
        Corpus.load(tmp_path / "c").ingest([source])
    assert MANIFEST in info.value.message
    monkeypatch.setattr(fsutil.os, "replace", real_replace)

    # The new copy was written beside the live one, which the manifest still names.
    assert live.read_bytes() == live_bytes
    again = Corpus.load(tmp_path / "c")
    texts = [p.text for p in again.passages() if p.file == "青禾.txt"]
    assert any("宣讲45场" in t for t in texts)
    result = again.check()
    assert result.orphans_removed == 1 and not result.dropped and not temp_files(tmp_path / "c")

    done = Corpus.load(tmp_path / "c").ingest([source])
    assert [Path(p).name for p in done.replaced] == ["青禾.txt"]
    assert not live.exists()  # collected once the manifest switched
    assert any("宣讲99场" in p.text for p in Corpus.load(tmp_path / "c").passages() if p.file == "青禾.txt")


# --- self-repair -------------------------------------------------------------------------------------------


def _three_documents(tmp_path: Path) -> list[Path]:
    sources = make_sources(tmp_path / "src", ORGS[:3])
    Corpus.load(tmp_path / "c").ingest(sources)
    return sources


def _damage_one(folder: Path) -> Path:
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    entry = next(e for e in manifest["documents"].values() if e["name"] == "白河.txt")
    stored = folder / "docs" / f"{entry['stored'][:32]}.json"
    stored.write_bytes(stored.read_bytes()[:100])
    return stored


def test_a_read_that_meets_a_damaged_copy_rereads_it_from_the_source(tmp_path, caplog):
    sources = _three_documents(tmp_path)
    _damage_one(tmp_path / "c")
    assert user_names(Corpus.load(tmp_path / "c")) == ["东山.txt", "白河.txt", "青禾.txt"]
    assert "已从原文件重新读取：白河.txt" in caplog.text
    assert_store_sound(tmp_path / "c", {"东山.txt", "白河.txt", "青禾.txt"})


def test_a_damaged_copy_whose_source_is_gone_is_dropped_with_a_message(tmp_path):
    sources = _three_documents(tmp_path)
    _damage_one(tmp_path / "c")
    sources[1].unlink()
    out = run("corpus", "--check", "--corpus", tmp_path / "c")
    assert out.returncode == 1, out.stderr
    assert "已移除：白河.txt" in out.stdout and "原文件" in out.stdout and "也已不在" in out.stdout
    assert "Traceback" not in out.stderr
    assert_store_sound(tmp_path / "c", {"东山.txt", "青禾.txt"})


def test_a_missing_copy_is_repaired_by_the_next_command_that_reads_it(tmp_path):
    sources = _three_documents(tmp_path)
    _damage_one(tmp_path / "c").unlink()
    out = run("phrases", "--chapter", "建功", "--type", "headings", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    assert "提示：已从原文件重新读取：白河.txt" in out.stderr
    assert_store_sound(tmp_path / "c", {"东山.txt", "白河.txt", "青禾.txt"})


def test_reingesting_a_source_whose_copy_is_damaged_repairs_it(tmp_path):
    sources = _three_documents(tmp_path)
    _damage_one(tmp_path / "c")
    out = run("ingest", sources[1], "--no-index", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    assert "未变化 0 个" in out.stdout  # not skipped as unchanged
    assert_store_sound(tmp_path / "c", {"东山.txt", "白河.txt", "青禾.txt"})


def test_check_removes_temp_files_left_by_killed_writes(tmp_path):
    Corpus.load(tmp_path / "c").ingest(make_sources(tmp_path / "src", ORGS[:2]))
    leftovers = [tmp_path / "c" / ".manifest.json.k3j2.tmp", tmp_path / "c" / "docs" / ".abc.json.x1.tmp",
                 tmp_path / "c" / "index" / ".matrix.npz.q9w8.tmp"]
    for p in leftovers:
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(b"half")
    out = run("corpus", "--check", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    assert "已删除中断时留下的临时文件 3 个" in out.stdout
    assert not any(p.exists() for p in leftovers)


def test_an_ingest_with_nothing_new_still_clears_leftover_temp_files(tmp_path):
    sources = make_sources(tmp_path / "src", ORGS[:2])
    Corpus.load(tmp_path / "c").ingest(sources)
    leftover = tmp_path / "c" / "docs" / ".abc.json.x1.tmp"
    leftover.write_bytes(b"half")
    out = run("ingest", tmp_path / "src", "--corpus", tmp_path / "c")
    assert out.returncode == 0 and "未变化 2 个" in out.stdout
    assert not leftover.exists()


def _corrupt_entry(manifest: dict, how: str) -> None:
    entry = next(e for e in manifest["documents"].values() if e["name"] == "白河.txt")
    if how == "no sha256":
        del entry["sha256"]
    elif how == "numeric name":
        entry["name"] = 12345
    elif how == "entry not a table":
        key = next(k for k, e in manifest["documents"].items() if e is entry)
        manifest["documents"][key] = 5


@pytest.mark.parametrize("how", ["no sha256", "numeric name", "entry not a table"])
def test_a_crafted_manifest_entry_is_detected_and_rebuilt(tmp_path, how):
    sources = make_sources(tmp_path / "src", ORGS[:3])
    Corpus.load(tmp_path / "c").ingest(sources)
    path = tmp_path / "c" / MANIFEST
    manifest = json.loads(path.read_text("utf-8"))
    _corrupt_entry(manifest, how)
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    out = run("corpus", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    assert "提示：语料库清单" in out.stderr and "有损坏" in out.stderr
    assert "白河.txt" in out.stdout  # repaired (from its source, or from its sound stored copy)
    assert_store_sound(tmp_path / "c", {"东山.txt", "白河.txt", "青禾.txt"})


def test_a_crafted_entry_whose_source_is_gone_is_rebuilt_from_its_stored_copy(tmp_path):
    sources = make_sources(tmp_path / "src", ORGS[:3])
    Corpus.load(tmp_path / "c").ingest(sources)
    sources[1].unlink()
    path = tmp_path / "c" / MANIFEST
    manifest = json.loads(path.read_text("utf-8"))
    _corrupt_entry(manifest, "numeric name")
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    corpus = Corpus.load(tmp_path / "c")
    assert user_names(corpus) == ["东山.txt", "白河.txt", "青禾.txt"]
    assert_store_sound(tmp_path / "c", {"东山.txt", "白河.txt", "青禾.txt"})


@pytest.mark.parametrize("content", ["{not json", "[]", '{"documents": 5}', "\udcff"])
def test_an_unreadable_manifest_is_rebuilt_from_the_stored_copies(tmp_path, content):
    sources = make_sources(tmp_path / "src", ORGS[:2])
    Corpus.load(tmp_path / "c").ingest(sources)
    (tmp_path / "c" / MANIFEST).write_bytes(content.encode("utf-8", "surrogateescape"))
    out = run("corpus", "--check", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    assert "语料库清单已损坏，已按存储的文档重建" in out.stdout
    assert_store_sound(tmp_path / "c", {"白河.txt", "青禾.txt"})


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, shared_home) -> Path:
    """A corpus of two documents with its search index (copied by each test that damages it)."""
    root = tmp_path_factory.mktemp("indexed")
    sources = make_sources(root / "src", ORGS[:2])
    out = run("ingest", *sources, "--corpus", root / "c", env={**os.environ, "DRAFTER_HOME": str(shared_home)})
    assert out.returncode == 0, out.stderr
    return root / "c"


@pytest.mark.parametrize(
    "file, change",
    [
        ("tables.json", lambda d: d.update(chapter_sets=5)),
        ("tables.json", lambda d: d.update(kinds=[[1, 2]])),
        ("meta.json", lambda d: d.update(build_id=5)),
    ],
)
def test_a_crafted_index_is_detected_and_rebuilt(tmp_path, indexed, file, change):
    shutil.copytree(indexed, tmp_path / "c")
    folder = tmp_path / "c" / "index"
    path = folder / file if file == "meta.json" else next(folder.glob("gen-*")) / file
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = run("search", "劳动和技能竞赛", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    # rebuilt, or the shipped index of the seeds brought up to date with the two reports
    assert "已损坏" in out.stderr and ("检索索引已重建" in out.stderr or "只读入了新增的 2 个文档" in out.stderr)
    assert "劳动和技能竞赛" in out.stdout


def test_check_removes_a_damaged_index(tmp_path, indexed):
    shutil.copytree(indexed, tmp_path / "c")
    (next((tmp_path / "c" / "index").glob("gen-*")) / "weights.npy").write_bytes(b"\x93NUMPY garbage")
    out = run("corpus", "--check", "--json", "--corpus", tmp_path / "c")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["index"] == "removed"
    assert not (tmp_path / "c" / "index" / "meta.json").exists()


# --- one writer at a time ----------------------------------------------------------------------------


_HOLD_LOCK = """
import sys, time
from drafter.fsutil import store_lock
with store_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_lock(folder: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(folder), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_writer_waits_for_the_lock_with_a_note_then_gives_up_with_a_message(tmp_path):
    sources = make_sources(tmp_path / "src", ORGS[:2])
    Corpus.load(tmp_path / "c").ingest(sources[:1])
    holder = _hold_lock(tmp_path / "c", 30)
    try:
        env = {**os.environ, "DRAFTER_LOCK_TIMEOUT": "1"}
        out = run("corpus", "--remove", "青禾.txt", "--corpus", tmp_path / "c", env=env)
    finally:
        holder.kill()
        holder.wait()
    assert out.returncode == 2
    assert "提示：另一个 drafter 进程正在写入语料库" in out.stderr
    assert "正被另一个 drafter 进程写入，等了 1 秒仍未结束" in out.stderr
    assert user_names(Corpus.load(tmp_path / "c")) == ["青禾.txt"]


def test_a_writer_goes_on_once_the_lock_is_released(tmp_path):
    sources = make_sources(tmp_path / "src", ORGS[:2])
    holder = _hold_lock(tmp_path / "c", 1.5)
    out = run("ingest", *sources, "--no-index", "--corpus", tmp_path / "c")
    holder.wait()
    assert out.returncode == 0, out.stderr
    assert "等它写完" in out.stderr
    assert user_names(Corpus.load(tmp_path / "c")) == ["白河.txt", "青禾.txt"]


def test_concurrent_ingests_on_overlapping_folders_lose_nothing(tmp_path):
    parts = [make_sources(tmp_path / "src" / f"part{i}", ORGS[6 * i: 6 * i + 6]) for i in range(3)]
    folders = [tmp_path / "src" / f"part{i}" for i in range(3)]
    expected = {f"{org}.txt" for org in ORGS}
    for round_ in range(2):
        corpus = tmp_path / f"c{round_}"
        if round_:
            # The second round also replaces documents while the others add theirs.
            assert run("ingest", folders[0], "--no-index", "--corpus", corpus).returncode == 0
            for path in parts[0][:3]:
                path.write_text(report(path.stem, 77), encoding="utf-8")
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "drafter.cli", "ingest", str(folders[i]), str(folders[(i + 1) % 3]),
                 "--corpus", str(corpus)] + ([] if i == 0 else ["--no-index"]),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for i in range(3)
        ]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
        assert_store_sound(corpus, expected)
        if round_:
            texts = [p.text for p in Corpus.load(corpus).passages() if p.file == parts[0][0].name]
            assert any("宣讲77场" in t for t in texts)
        out = run("search", "劳模创新工作室", "--corpus", corpus, "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)


# --- crashes ------------------------------------------------------------------------------------------------


def kill_at_random(args: list, seconds: float, rng: random.Random) -> float:
    """Start `drafter ARGS`, SIGKILL it after a random delay; return the delay."""
    proc = subprocess.Popen([sys.executable, "-m", "drafter.cli", *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    delay = rng.uniform(0.1, seconds)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return delay


def test_killed_ingests_and_index_builds_lose_nothing(tmp_path):
    """A few kills here; benchmarks/crash_store.py does 60."""
    rng = random.Random(16)
    sources = make_sources(tmp_path / "src", ORGS[:10])
    corpus = tmp_path / "c"
    committed: set[str] = set()
    for i in range(6):
        if i % 3 == 2:
            kill_at_random(["index", "--corpus", corpus], 3.0, rng)
        else:
            for path in rng.sample(sources, 3):  # a changed source replaces its stored copy
                path.write_text(report(path.stem, rng.randrange(10, 99)), encoding="utf-8")
            kill_at_random(["ingest", tmp_path / "src", "--corpus", corpus], 4.0, rng)
        if (corpus / MANIFEST).exists():
            now = {e["name"] for e in json.loads((corpus / MANIFEST).read_text("utf-8"))["documents"].values()}
            assert committed <= now  # a kill never takes away a committed document
            committed = now
            store = Corpus.load(corpus, include_embedded=False)
            assert len(user_names(store)) == len(now)
    out = run("ingest", tmp_path / "src", "--corpus", corpus)
    assert out.returncode == 0, out.stderr
    assert_store_sound(corpus, {p.name for p in sources})
    assert run("search", "劳模创新工作室", "--corpus", corpus).returncode == 0


def test_a_store_from_before_content_addressing_still_reads_and_checks_clean(tmp_path):
    _three_documents(tmp_path)
    path = tmp_path / "c" / MANIFEST
    manifest = json.loads(path.read_text("utf-8"))
    for doc_id, entry in manifest["documents"].items():  # the layout of manifest version 1
        (tmp_path / "c" / "docs" / f"{entry.pop('stored')[:32]}.json").rename(tmp_path / "c" / "docs" / f"{doc_id}.json")
    manifest["version"] = 1
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    assert user_names(Corpus.load(tmp_path / "c")) == ["东山.txt", "白河.txt", "青禾.txt"]
    result = Corpus.load(tmp_path / "c").check()
    assert result.clean and result.checked == 3


_REPLACE_LOOP = """
import sys
from pathlib import Path
from drafter.corpus import Corpus
folder, corpus, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
paths = sorted(folder.glob("*.txt"))
for n in range(rounds):
    for path in paths:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("宣讲", "宣讲" if n % 2 else "开展宣讲", 1) + "补记第%d次。\\n" % n,
                        encoding="utf-8")
    Corpus(corpus, include_embedded=False).ingest(paths)
"""


def test_reads_take_no_lock_and_always_see_a_whole_corpus(tmp_path, caplog):
    sources = make_sources(tmp_path / "src", ORGS[:4])
    Corpus.load(tmp_path / "c").ingest(sources)
    writer = subprocess.Popen([sys.executable, "-c", _REPLACE_LOOP, str(tmp_path / "src"), str(tmp_path / "c"), "8"])
    reads = 0
    try:
        while writer.poll() is None or reads < 3:
            corpus = Corpus.load(tmp_path / "c", include_embedded=False)
            assert user_names(corpus) == sorted(p.name for p in sources)
            reads += 1
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert "损坏" not in caplog.text  # a replaced copy is never met half-way, nor mistaken for damage
    assert reads >= 3
