"""Every write that the machine refuses ends in a Chinese message naming the path, never a
traceback; odd file names are read and shown; an output never overwrites an input.

Read-only and full disks are real tmpfs mounts when the tests run as root (skipped where
mounting is not allowed); a full disk at one precise write is simulated by patching
os.replace in the drafter process.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drafter import fsutil
from drafter.corpus import MANIFEST, Corpus
from drafter.errors import DrafterError, WriteError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "青禾县总工会2025年度.yaml"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_store import make_sources, report  # noqa: E402


def run(*args, preamble: str = "", env=None):
    """`drafter ARGS` in a fresh process; ``preamble`` runs first (to simulate a broken disk)."""
    code = preamble + "\nimport sys\nfrom drafter.cli import main\nsys.exit(main(sys.argv[1:], prog_name='drafter'))"
    return subprocess.run([sys.executable, "-c", code, *map(os.fsdecode, args)], capture_output=True, text=True,
                          timeout=300, env=env, errors="replace")


def no_traceback(out) -> None:
    assert "Traceback" not in out.stderr, out.stderr


FULL_AT = """
import errno, os
_real_replace = os.replace
def _full(src, dst, *a, **k):
    if os.path.basename(os.fsdecode(dst)) == {name!r}:
        raise OSError(errno.ENOSPC, "No space left on device")
    return _real_replace(src, dst, *a, **k)
os.replace = _full
"""


# --- mounts -----------------------------------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path):
    """mount(name, size) -> a fresh tmpfs folder; remount(folder) makes it read-only."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "4m") -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        target = tmp_path / name
        target.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def make_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


# --- full disk ---------------------------------------------------------------------------------------------


def test_a_full_disk_at_the_manifest_write_is_a_message_and_changes_nothing(tmp_path):
    sources = make_sources(tmp_path / "src", ["青禾", "白河"])
    Corpus.load(tmp_path / "c").ingest(sources[:1])
    before = (tmp_path / "c" / MANIFEST).read_bytes()
    out = run("ingest", sources[1], "--corpus", tmp_path / "c", preamble=FULL_AT.format(name=MANIFEST))
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {tmp_path / 'c' / MANIFEST}：磁盘空间已满。请清理磁盘空间后重试" in out.stderr
    assert (tmp_path / "c" / MANIFEST).read_bytes() == before
    assert not [p for p in (tmp_path / "c").rglob("*") if fsutil.is_temp_name(p.name)]


def test_a_full_disk_while_writing_the_index_is_a_message(tmp_path):
    sources = make_sources(tmp_path / "src", ["青禾"])
    out = run("ingest", *sources, "--corpus", tmp_path / "c", preamble=FULL_AT.format(name="meta.json"))
    no_traceback(out)
    # The documents are in; the index could not be stored, which the next search retries.
    assert out.returncode == 2
    assert f"错误：无法写入检索索引，索引没有更新。无法写入 {tmp_path / 'c' / 'index' / 'meta.json'}：磁盘空间已满" in out.stderr
    assert not list((tmp_path / "c" / "index").iterdir())  # the new generation went with its failed commit
    assert "新加入 1 个" in out.stdout and "文档已加入，下次检索时会再试着建立索引" in out.stderr
    assert [d.name for d in Corpus.load(tmp_path / "c").documents if not d.embedded] == ["青禾.txt"]


def test_a_really_full_disk_during_ingest(tmp_path, tmpfs):
    disk = tmpfs("small", size="64k")
    (disk / "filler").write_bytes(b"\0" * (40 << 10))
    sources = make_sources(tmp_path / "src", [f"单位{i}" for i in range(30)])
    out = run("ingest", *sources, "--no-index", "--corpus", disk / "c")
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {disk / 'c'}" in out.stderr and "磁盘空间已满" in out.stderr
    # What was committed before the disk filled is sound; no temp file is left.
    (disk / "filler").unlink()
    check = run("corpus", "--check", "--json", "--corpus", disk / "c")
    assert check.returncode == 0, check.stderr
    assert not json.loads(check.stdout)["dropped"]
    assert not [p for p in (disk / "c").rglob("*") if fsutil.is_temp_name(p.name)]


def test_a_full_disk_for_the_draft_is_a_message(tmp_path, tmpfs):
    disk = tmpfs("small", size="16k")
    out = run("draft", EXAMPLE, "-o", disk / "初稿.docx", "--no-refs", "--no-wording")
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {disk / '初稿.docx'}：磁盘空间已满" in out.stderr
    assert not list(disk.iterdir())


# --- read-only places -------------------------------------------------------------------------------------


def test_corpus_remove_on_a_read_only_home(tmp_path, tmpfs):
    home = tmpfs("home")
    env = {**os.environ, "DRAFTER_HOME": str(home)}
    sources = make_sources(tmp_path / "src", ["青禾", "白河"])
    assert run("ingest", *sources, "--no-index", env=env).returncode == 0
    manifest_path = home / "corpus" / MANIFEST
    manifest = json.loads(manifest_path.read_text("utf-8"))
    stale = next(e for e in manifest["documents"].values() if e["name"] == "青禾.txt")
    stale["parser"] = "older"  # would be read again if it could
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    make_read_only(home)
    out = run("corpus", "--remove", "青禾.txt", env=env)
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {home / 'corpus'}：所在的磁盘是只读的。请换一个可写的位置" in out.stderr
    listed = run("corpus", "--json", env=env)  # reading still works
    assert listed.returncode == 0, listed.stderr
    assert "提示：无法用新版本重新读取旧文档：无法写入" in listed.stderr
    assert {"青禾.txt", "白河.txt"} <= {a["file"] for a in json.loads(listed.stdout)["articles"]}
    sources[0].unlink()
    more = run("ingest", sources[1], env=env)  # the up-to-date one is unchanged: no write, no error
    assert more.returncode == 0 and "未变化 1 个" in more.stdout


def test_ingest_into_a_read_only_corpus(tmp_path, tmpfs):
    disk = tmpfs("ro")
    make_read_only(disk)
    out = run("ingest", *make_sources(tmp_path / "src", ["青禾"]), "--corpus", disk / "c")
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {disk / 'c'}：所在的磁盘是只读的" in out.stderr


@pytest.mark.parametrize("command", ["init", "draft"])
def test_an_output_on_a_read_only_disk(tmp_path, tmpfs, command):
    disk = tmpfs("ro")
    make_read_only(disk)
    if command == "init":
        out = run("init", disk / "数据.yaml")
    else:
        out = run("draft", EXAMPLE, "-o", disk / "初稿.docx", "--no-refs", "--no-wording")
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {disk}/" in out.stderr and "所在的磁盘是只读的。请换一个可写的位置" in out.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a folder without write permission")
def test_an_output_in_a_folder_without_write_permission(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = run("init", folder / "数据.yaml")
    finally:
        folder.chmod(0o755)
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {folder / '数据.yaml'}：没有写入权限" in out.stderr


# --- bad output paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "draft", "ingest"])
def test_an_output_whose_parent_is_a_file(tmp_path, command):
    blocker = tmp_path / "报告.txt"
    blocker.write_text("我是文件", encoding="utf-8")
    if command == "init":
        out = run("init", blocker / "数据.yaml")
    elif command == "draft":
        out = run("draft", EXAMPLE, "-o", blocker / "sub" / "初稿.docx", "--no-refs", "--no-wording")
    else:
        out = run("ingest", *make_sources(tmp_path / "src", ["青禾"]), "--corpus", blocker / "c")
    no_traceback(out)
    assert out.returncode == 2
    assert f"错误：无法写入 {blocker}" in out.stderr
    assert "路径中的某一级是文件而不是文件夹" in out.stderr
    assert blocker.read_text(encoding="utf-8") == "我是文件"


def test_an_output_equal_to_an_input_is_refused_even_with_force(tmp_path):
    data = tmp_path / "数据.yaml"
    shutil.copy(EXAMPLE, data)
    template = tmp_path / "模板.j2"
    template.write_text("{{ 单位 }}工作总结\n", encoding="utf-8")
    link = tmp_path / "链接.yaml"
    link.symlink_to(data)
    before = data.read_bytes(), template.read_bytes()
    for output, extra in ((data, []), (link, []), (template, ["--template", template])):
        out = run("draft", data, "-o", output, "--format", "md", "--force", "--no-refs", *extra)
        no_traceback(out)
        assert out.returncode == 2
        assert "就是输入文件" in out.stderr and "加 --force 也不会覆盖输入文件" in out.stderr
    assert (data.read_bytes(), template.read_bytes()) == before


def test_check_can_write_names_the_input_it_protects(tmp_path):
    data = tmp_path / "a.yaml"
    data.write_text("x", encoding="utf-8")
    with pytest.raises(DrafterError, match=r"输出文件 .*a\.yaml 就是输入文件"):
        fsutil.check_can_write(tmp_path / "." / "a.yaml", force=True, inputs=[None, data])
    assert fsutil.check_can_write(tmp_path / "b.yaml", force=False, inputs=[data]) == tmp_path / "b.yaml"


def test_a_name_the_system_cannot_encode_is_a_message(tmp_path):
    with pytest.raises(WriteError, match="文件名含有本系统无法表示的字符"):
        fsutil.atomic_write_bytes(tmp_path / "坏\ud800名.txt", b"x")
    assert not list(tmp_path.iterdir())


# --- file names that are not UTF-8 ---------------------------------------------------------------------------


def test_non_utf8_file_names_are_read_shown_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "旧档案"
    make_sources(folder, ["青禾"])
    gbk = os.fsencode(folder) + b"/" + "古城县总结".encode("gbk") + b".txt"
    with open(gbk, "wb") as fh:
        fh.write(report("古城").encode("gbk"))
    broken = os.fsencode(folder) + b"/" + "空".encode("gbk") + b"\xff.txt"  # not GB18030 either
    open(broken, "wb").close()
    out = run("ingest", folder, "--no-index", "--json", "--corpus", tmp_path / "c")
    no_traceback(out)
    assert out.returncode == 1  # the empty file failed, the others went in
    result = json.loads(out.stdout)
    assert sorted(Path(p).name for p in result["added"]) == ["古城县总结.txt", "青禾.txt"]
    (failed,) = result["failed"]
    assert failed["file"].endswith("\\xff.txt")
    listed = run("corpus", "--corpus", tmp_path / "c")
    assert listed.returncode == 0 and "古城县总结.txt" in listed.stdout
    # The stored source keeps the real bytes: the document can be read again and removed.
    assert run("corpus", "--check", "--corpus", tmp_path / "c").returncode == 0
    removed = run("corpus", "--remove", "古城县总结.txt", "--corpus", tmp_path / "c")
    assert removed.returncode == 0 and "已移除" in removed.stdout


def test_a_non_utf8_name_is_shown_decoded_on_a_strict_utf8_terminal(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}  # as under a zh_CN.UTF-8 locale
    good = os.fsencode(tmp_path) + b"/" + "古城县总结".encode("gbk") + b".txt"
    with open(good, "wb") as fh:
        fh.write(report("古城").encode("gbk"))
    empty = os.fsencode(tmp_path) + b"/" + "空".encode("gbk") + b".docx"
    open(empty, "wb").close()
    out = run("sections", os.fsdecode(good), env=env)
    no_traceback(out)
    assert out.returncode == 0 and f"{tmp_path}/古城县总结.txt（编码" in out.stdout
    out = run("sections", os.fsdecode(empty), env=env)
    no_traceback(out)
    assert out.returncode == 2 and f"错误：无法读取文件 {tmp_path}/空.docx：" in out.stderr


def test_printable_decodes_gbk_and_escapes_the_rest():
    assert fsutil.printable("普通.txt") == "普通.txt"
    assert fsutil.printable(os.fsdecode("报告".encode("gbk"))) == "报告"
    assert fsutil.printable(os.fsdecode(b"a\xff")) == "a\\xff"
    message = "无法读取文件 /旧/" + os.fsdecode("报告".encode("gbk")) + ".txt：文件是空的"
    assert fsutil.printable(message) == "无法读取文件 /旧/报告.txt：文件是空的"


# --- the top-level handler ------------------------------------------------------------------------------------


def test_an_unexpected_oserror_from_the_machine_is_a_message(tmp_path):
    preamble = (
        "import errno, drafter.corpus as c\n"
        "def _boom(*a, **k):\n"
        "    raise PermissionError(errno.EACCES, 'Permission denied', '/srv/公共/语料')\n"
        "c.Corpus.load = _boom\n"
    )
    out = run("corpus", preamble=preamble)
    no_traceback(out)
    assert out.returncode == 2
    assert "错误：读写 /srv/公共/语料 失败：没有写入权限" in out.stderr


def test_a_programming_error_keeps_its_traceback(tmp_path):
    preamble = (
        "import errno, drafter.corpus as c\n"
        "def _boom(*a, **k):\n"
        "    raise OSError(errno.EBADF, 'Bad file descriptor')\n"
        "c.Corpus.load = _boom\n"
    )
    out = run("corpus", preamble=preamble)
    assert out.returncode == 1
    assert "Traceback" in out.stderr and "Bad file descriptor" in out.stderr


def test_write_error_is_still_an_oserror_for_optional_writes(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OSError) as info:
        fsutil.atomic_write_bytes(blocker / "cache.json", b"{}")
    assert isinstance(info.value, WriteError) and info.value.errno in (errno.ENOTDIR, errno.EEXIST)
