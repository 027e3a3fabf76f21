"""Jinja's sandbox with limits, for user templates (draft.py builds its environment on it).

The sandbox already stops templates from reaching Python's internals. On top of it:
the template files it loads stay inside their folders (symlinks resolved), and one
render is bounded in output size, time and the size of what a single operation can
make (``'ab' * 10**9``, ``10**10**10``, nested ranges, ``lipsum(n=2000000)``).
Each limit is in docs/limits.md with its reason.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

MAX_TEMPLATE_BYTES = 1_000_000  # one template file
MAX_OUTPUT_CHARS = 2_000_000  # one rendered draft (a long report is 20,000)
MAX_VALUE_CHARS = 1_000_000  # a string or list one operation may make
MAX_PRODUCED_CHARS = 50_000_000  # all that ``*`` and ``+`` make in one render
MAX_INT_BITS = 4_096  # an integer one operation may make (about 1,200 digits)
MAX_RANGE = 10_000  # items of one range()
MAX_LIPSUM = 20  # paragraphs (and words per paragraph: 10 × this)
TIME_LIMIT = 5.0  # seconds for one render

# printf widths or precisions of seven digits or more, or taken from an argument (*)
_WIDE_FORMAT_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{7,}|\d*\.(?:\*|\d{7,}))|\{[^{}]*?(?:\d{7,})[^{}]*\}")


class TemplateLimitError(jinja2.exceptions.SecurityError):
    """A template went over one of the limits; the message is for the user, in Chinese."""


class TemplateTimeout(TemplateLimitError):
    pass


def _size(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """About how many characters ``str(value)`` would have, counted through nested lists,
    tuples and dicts (a list of a thousand references to one long string is a thousand
    long strings once printed); the count stops soon after passing ``limit``."""
    total, stack = 0, [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, (str, bytes)):
            total += len(v)
        elif isinstance(v, (list, tuple, set, frozenset)):
            total += len(v)
            if len(v) <= limit:
                stack.extend(v)
        elif isinstance(v, dict):
            total += len(v)
            if len(v) <= limit:
                stack.extend(v.keys())
                stack.extend(v.values())
        elif isinstance(v, int) and not isinstance(v, bool):
            total += v.bit_length() // 3
        else:
            total += 1
    return total


def _too_big(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() > MAX_INT_BITS
    return _size(value) > MAX_VALUE_CHARS


def check_size(value: Any, what: str) -> Any:
    """``value`` itself, or TemplateLimitError when it (or printing it) is too big."""
    if _too_big(value):
        raise TemplateLimitError(f"{what}太长或太大（超过 {MAX_VALUE_CHARS:,} 个字符）")
    return value


class _Codegen(CodeGenerator):
    """Jinja's code generator, with ``~`` joining through the environment's size check
    (Jinja's own ``str_join`` has no hook the sandbox could use)."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class ConfinedLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that loads only regular files inside its folders, after resolving
    symlinks (a link to /etc/passwd or to a FIFO is refused), and only up to MAX_TEMPLATE_BYTES."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if not os.path.lexists(path):
                continue
            root, real = os.path.realpath(folder), os.path.realpath(path)
            if os.path.commonpath([root, real]) != root:
                raise TemplateLimitError(f"模板“{template}”实际指向模板文件夹以外的文件（{real}），出于安全原因不能引用。请把要引用的模板复制到模板文件夹里")
            try:
                st = os.stat(real)
                if not stat.S_ISREG(st.st_mode):
                    raise TemplateLimitError(f"模板“{template}”不是普通文件（{real}），不能引用")
                if st.st_size > MAX_TEMPLATE_BYTES:
                    raise TemplateLimitError(f"模板文件“{template}”太大（{st.st_size:,} 字节，上限 {MAX_TEMPLATE_BYTES:,}）")
                with open(real, "rb") as fh:
                    raw = fh.read(MAX_TEMPLATE_BYTES + 1)
            except OSError as exc:
                raise TemplateLimitError(f"无法读取模板文件“{real}”：{exc.strerror or exc}") from None
            try:
                source = raw.decode(self.encoding)
            except UnicodeDecodeError:
                raise TemplateLimitError(f"模板文件“{real}”不是 UTF-8 编码，请另存为 UTF-8") from None
            mtime = st.st_mtime

            def uptodate() -> bool:
                try:
                    return os.path.getmtime(real) == mtime
                except OSError:
                    return False

            return source, real, uptodate
        raise jinja2.TemplateNotFound(template)


class _BoundedRange:
    """range() for templates: at most MAX_RANGE items, and iteration watches the clock
    (so that nested loops over ranges end at the time limit even with an empty body)."""

    def __init__(self, env: LimitedSandbox, *args: int):
        self._range = range(*args)
        if len(self._range) > MAX_RANGE:
            raise TemplateLimitError(f"range() 最多 {MAX_RANGE:,} 项，这里要 {len(self._range):,} 项")
        self._env = env

    def __iter__(self) -> Iterator[int]:
        for i, n in enumerate(self._range):
            if i % 256 == 0:
                self._env.tick()
            yield n

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: Any) -> Any:
        return self._range[index]

    def __contains__(self, value: Any) -> bool:
        return value in self._range

    def __reversed__(self) -> Iterator[int]:
        return reversed(self._range)


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (immutable: no list.append or dict.update, so nothing grows behind
    the checks) that refuses operations whose result would be too big, counts what ``*``
    and ``+`` make in one render (MAX_PRODUCED_CHARS), and stops a render at TIME_LIMIT."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _Codegen

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.deadline = float("inf")
        self.time_limit = TIME_LIMIT
        self.produced = 0
        self.globals["range"] = lambda *a: _BoundedRange(self, *a)
        self.globals["lipsum"] = _bounded_lipsum
        self.filters = {name: _checked_filter(func, name) for name, func in self.filters.items()}
        finalize = self.finalize or str
        self.finalize = lambda value: finalize(check_size(value, "输出的内容"))  # before it is printed

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Every {% for %} iterates through checked_iter, so that even a loop whose body
        # calls nothing (``{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}``)
        # watches the clock, in any thread.
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            line = loop.iter.lineno
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("checked_iter", lineno=line), [loop.iter], [], None, None, lineno=line)
        return tree

    def checked_iter(self, iterable: Any) -> Iterator[Any]:
        for i, item in enumerate(iterable):
            if i % 256 == 0:
                self.tick()
            yield item

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateTimeout(f"渲染超过 {self.time_limit:g} 秒，已停止。请检查模板里的循环")

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and left.bit_length() * right > MAX_INT_BITS:
                raise TemplateLimitError(f"乘方的结果太大（{_short(left)} ** {_short(right)}）")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                    raise TemplateLimitError("乘法的结果太大")
            for seq, count in ((left, right), (right, left)):  # 'ab' * n or n * 'ab'
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and _size(seq) * max(count, 0) > MAX_VALUE_CHARS:
                    raise TemplateLimitError(f"“*”要生成的文字或列表太长（超过 {MAX_VALUE_CHARS:,}）")
        elif operator == "+" and _size((left, right)) > MAX_VALUE_CHARS:
            raise TemplateLimitError(f"“+”要生成的文字或列表太长（超过 {MAX_VALUE_CHARS:,}）")
        elif operator == "%" and isinstance(left, str):
            if _WIDE_FORMAT_RE.search(left):
                raise TemplateLimitError("格式化的宽度或精度太大")
            check_size(right, "“%”格式化的内容")
        result = super().call_binop(context, operator, left, right)
        self.produced += _size(result)
        if self.produced > MAX_PRODUCED_CHARS:
            raise TemplateLimitError(f"模板用“*”“+”生成的内容累计超过 {MAX_PRODUCED_CHARS:,} 个字符，已停止。请检查模板里的循环")
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        # e.g. a namespace attribute doubled in a loop with ~
        return check_size(super().getattr(obj, attribute), f"“{attribute}”的内容")

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return check_size(super().getitem(obj, argument), f"“{str(argument)[:20]}”的内容")

    def checked_concat(self, values: tuple) -> str:
        """``a ~ b ~ …``: the parts' sizes are checked before they are joined."""
        self.tick()
        if _size(values) > MAX_VALUE_CHARS:
            raise TemplateLimitError(f"“~”要连接的文字太长（超过 {MAX_VALUE_CHARS:,}）")
        return "".join(map(str, values))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # The sandbox hands templates its own wrapper for str.format: check before it formats.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_str_call(value.__self__, "format", args, kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.tick()
        check_size((args, kwargs), "函数或宏的参数")  # also a macro that doubles its argument at each call
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list)):
            _check_str_call(owner, getattr(__obj, "__name__", ""), args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _short(n: int) -> str:
    text = str(n) if n.bit_length() < 64 else f"{n.bit_length()} 位二进制数"
    return text


def _check_str_call(owner: Any, name: str, args: tuple, kwargs: dict) -> None:
    values = [*args, *kwargs.values()]
    if any(isinstance(v, int) and not isinstance(v, bool) and v > MAX_VALUE_CHARS for v in values):
        raise TemplateLimitError(f"{name}() 的参数太大（上限 {MAX_VALUE_CHARS:,}）")
    if name in ("format", "format_map") and isinstance(owner, str) and _WIDE_FORMAT_RE.search(owner):
        raise TemplateLimitError("格式化的宽度或精度太大")
    if name == "replace" and isinstance(owner, str):
        _check_replace(owner, *args[:2])


def _check_replace(text: Any, old: Any = "", new: Any = "") -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grown = (text.count(old) if old else len(text) + 1) * len(new)
        if len(text) + grown > MAX_VALUE_CHARS:
            raise TemplateLimitError(f"replace 之后的文字太长（超过 {MAX_VALUE_CHARS:,}）")


def _checked_filter(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Every filter, checked first: no input or argument too big to print, no number
    argument above MAX_VALUE_CHARS (a width: center, indent, truncate …), and for those
    that can make a long string from a short one, their own check."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        plain = [a for a in args if not isinstance(a, (jinja2.runtime.Context, nodes.EvalContext, jinja2.Environment))]
        check_size((plain, kwargs), f"过滤器 {name} 的输入")
        values = [*plain[1:], *kwargs.values()]
        if any(isinstance(v, int) and not isinstance(v, bool) and v > MAX_VALUE_CHARS for v in values):
            raise TemplateLimitError(f"过滤器 {name} 的参数太大（上限 {MAX_VALUE_CHARS:,}）")
        if name == "format" and plain and isinstance(plain[0], str) and _WIDE_FORMAT_RE.search(plain[0]):
            raise TemplateLimitError("格式化的宽度或精度太大")
        if name == "replace" and len(plain) >= 3:
            _check_replace(str(plain[0]), plain[1], plain[2])
        return func(*args, **kwargs)

    # keep Jinja's pass_context / pass_eval_context marks
    for attr in ("jinja_pass_arg",):
        if hasattr(func, attr):
            setattr(checked, attr, getattr(func, attr))
    return checked


def _bounded_lipsum(n: int = 5, html: bool = False, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if n > MAX_LIPSUM or min > 10 * MAX_LIPSUM or max > 10 * MAX_LIPSUM:
        raise TemplateLimitError(f"lipsum 最多 {MAX_LIPSUM} 段、每段 {10 * MAX_LIPSUM} 词")
    return generate_lorem_ipsum(n, html, min, max)


@contextmanager
def _alarm(env: LimitedSandbox, seconds: float) -> Iterator[None]:
    """A second line behind the hooks: a SIGALRM timer at the deadline, in the main
    thread (where signals are delivered), for whatever long work passes no hook."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        env.deadline = 0.0
        env.tick()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(template: jinja2.Template, context: dict[str, Any], time_limit: float | None = None) -> str:
    """Render ``template`` within MAX_OUTPUT_CHARS and ``time_limit`` (default TIME_LIMIT) seconds."""
    time_limit = TIME_LIMIT if time_limit is None else time_limit
    env = template.environment
    if isinstance(env, LimitedSandbox):
        env.deadline = time.monotonic() + time_limit
        env.time_limit = time_limit
        env.produced = 0
    out: list[str] = []
    total = 0
    try:
        with _alarm(env, time_limit) if isinstance(env, LimitedSandbox) else _no_alarm():
            for chunk in template.generate(context):
                total += len(chunk)
                if total > MAX_OUTPUT_CHARS:
                    raise TemplateLimitError(f"渲染结果太长（超过 {MAX_OUTPUT_CHARS:,} 个字符），已停止。请检查模板里的循环")
                out.append(chunk)
    finally:
        if isinstance(env, LimitedSandbox):
            env.deadline = float("inf")
    return "".join(out)


@contextmanager
def _no_alarm() -> Iterator[None]:
    yield
