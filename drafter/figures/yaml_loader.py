"""YAML loading for figures files: safe, with line numbers, and bounded.

Line numbers are kept on every mapping and list (for messages with 第N行), duplicate
keys are refused, dates stay text (we validate them), and the file can neither blow up
memory nor recursion: no anchors or aliases, a cap on nesting depth and node count.
"""

from __future__ import annotations

from typing import Any

import yaml

from .model import FiguresError, Issue

# A figures file is a few kilobytes; these bounds are far above any real one and far below
# what would hurt (memory, Python's recursion limit). See docs/limits.md.
MAX_YAML_CHARS = 1_000_000  # characters of YAML text (about 3 MB of UTF-8 Chinese)
MAX_YAML_DEPTH = 32  # nesting of mappings and lists (a figures file needs 5)
MAX_YAML_NODES = 50_000  # scalars, mappings and lists together
MAX_INT_DIGITS = 30  # characters; longer integers stay text and are refused by validation as out of range


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based) and its own line."""

    line: int = 0
    key_lines: dict


class LineList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    """SafeLoader that records line numbers, rejects duplicate keys, and keeps dates as text
    (so that 2025-13-40 is reported as a bad date with its line, not a crash).

    It also refuses aliases (*name: the 653-byte "billion laughs" file expands to gigabytes)
    and stops at MAX_YAML_DEPTH levels and MAX_YAML_NODES nodes, before PyYAML's recursive
    composer could hit the recursion limit."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.peek_event().start_mark, "用了 YAML 的别名（*名称）。数据文件不支持锚点和别名（& 与 *），请把内容直接写出来")
        event = self.peek_event()
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _Refused(event.start_mark, f"内容项太多（超过 {MAX_YAML_NODES} 项）。数据文件只需写本单位的数字和要点")
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _Refused(event.start_mark, f"层级太深（超过 {MAX_YAML_DEPTH} 层）。数据文件最多只需五层缩进")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Dates are validated by us; drop the implicit timestamp resolver from our subclass only.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Refused(Exception):
    def __init__(self, mark: Any, message: str):
        self.line, self.message = mark.line + 1, message


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # A 5,000-digit integer would fail in int() (Python's digit limit) or later in float();
    # left as text, validation reports it as a number out of range, with its line.
    if len(node.value) > MAX_INT_DIGITS:
        return node.value
    return loader.construct_yaml_int(node)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int):
        self.key, self.line, self.first = key, line, first


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in out.key_lines:
            raise _DuplicateKey(key, line, out.key_lines[key])
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_yaml(text: str, name: str) -> Any:
    """The YAML document in ``text`` (LineDict/LineList inside); FiguresError on any problem."""
    if len(text) > MAX_YAML_CHARS:
        raise FiguresError([Issue(name, 0, "", f"文件太大（{len(text):,} 个字符，上限 {MAX_YAML_CHARS:,}）。数据文件只需写本单位的数字和要点，请检查是否选错了文件。")])
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except _Refused as exc:
        raise FiguresError([Issue(name, exc.line, "", exc.message + "。")]) from None
    except _DuplicateKey as exc:
        raise FiguresError(
            [Issue(name, exc.line, str(exc.key), f"键“{exc.key}”重复出现（第{exc.first}行已有）。请删掉或合并其中一个。")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = _yaml_problem(exc)
        raise FiguresError(
            [Issue(name, line, "", f"YAML 格式错误（{what}）。请检查这一行及上一行的缩进、冒号和引号；冒号后要有空格。")]
        ) from None
    except yaml.reader.ReaderError as exc:
        # For text input PyYAML gives the character's code and its position in the text.
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
        line = text.count("\n", 0, exc.position) + 1
        char = f"U+{code:04X}"
        raise FiguresError([Issue(name, line, "", f"含有不能出现在文件里的字符（{char}），多半是从别处复制带来的。请删掉这个字符。")]) from None
    except yaml.YAMLError as exc:
        raise FiguresError([Issue(name, 0, "", f"YAML 格式错误：{exc}")]) from None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").lower()
    context = (exc.context or "").lower()
    if "tab" in problem or "'\\t'" in problem:
        return "用了制表符 Tab 缩进，请改用空格"
    if "quoted scalar" in context:
        return "引号没有闭合"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return "方括号或花括号没有闭合，或缺少逗号"
    if "expected <block end>" in problem:
        return "缩进不一致"
    if "mapping values are not allowed" in problem:
        return "冒号位置不对，可能缺少缩进或多了冒号"
    if "could not find expected ':'" in problem:
        return "缺少冒号"
    if "found unexpected end of stream" in problem or "found unexpected end" in problem:
        return "引号或括号没有闭合"
    return exc.problem or "无法解析"


