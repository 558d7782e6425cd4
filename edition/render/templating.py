"""The one place where Jinja2 environments are made. An edition's
`templates/` travels with it (git clones, publishers' archives) and is
untrusted: templates are data that shape markup, never programs. So every
template runs in Jinja2's sandbox (no attributes starting with `_`, no
unsafe callables), sees only the values a renderer passes (no globals such
as `cycler` or `lipsum`), and is read only from the template folders
themselves (no symbolic link out of them, no file past the size limit)."""

from __future__ import annotations

import os
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..errors import EditionError
from ..textfile import LIMITS, read_bytes


def environment(templates: Sequence[Path], **options) -> SandboxedEnvironment:
    """A sandboxed environment over the template folders (the edition's own
    first, then the defaults): autoescape on, undefined values an error.
    Import this module only when rendering: it loads Jinja2."""
    env = Sandbox(
        loader=FolderLoader([Path(t) for t in templates]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_compiled_for(options),
        **options,
    )
    env.globals.clear()
    # Jinja2 runs a filter with constant arguments while it compiles the
    # template (`'x'|center(10**10)`), outside the bound `rendering` sets:
    # filters that ask for their context are left for rendering time.
    for name, function in list(env.filters.items()):
        env.filters[name] = _at_render_time(function)
    return env


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once in a process: a build renders its pages in
    several environments (one per part, the index's second pass, every
    rebuild under `watch`), and compiling the same file again was a tenth
    of a small build. An entry is the file's name, path and the checksum of
    its source, so an edited template is compiled anew; one cache serves
    environments made with the same options (they compile alike)."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket) -> None:
        kept = self._code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED: dict[tuple, CompiledTemplates] = {}


def _compiled_for(options: dict) -> CompiledTemplates:
    return _COMPILED.setdefault(tuple(sorted(options.items())), CompiledTemplates())


def _at_render_time(function):
    """`function` as a filter that Jinja2 cannot fold into a constant."""
    passed = getattr(getattr(function, "jinja_pass_arg", None), "name", None)
    if passed == "context":
        return function

    @jinja2.pass_context
    def late(context, *args, **kwargs):
        if passed == "eval_context":
            return function(context.eval_ctx, *args, **kwargs)
        if passed == "environment":
            return function(context.environment, *args, **kwargs)
        return function(*args, **kwargs)

    return late


# How many characters or items a template may make by repeating (`'x' * n`),
# and how large an exponent it may raise a number to: past these a template
# could fill the memory or the processor for hours.
MAX_REPEAT = 1_000_000
MAX_EXPONENT = 256


class Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, with `*` and `**` bounded as well."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and len(sequence) * times > MAX_REPEAT:
                    raise SecurityError(f"a template may not repeat more than {MAX_REPEAT:,} characters or items")
        elif operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"a template may not raise to a power above {MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


# The memory a rendering may take beyond what the process holds already:
# filters can be asked for gigabytes (`'x'|center(10**10)`, a `replace` that
# multiplies), and the sandbox does not see them coming.
RENDER_HEADROOM = 2 * 1024**3
# And the time: loops in loops can run for hours. Rendering a volume of
# 1,000 documents takes seconds.
RENDER_SECONDS = 300.0


def compiled(env: jinja2.Environment, source: str, name: str, filename: str) -> jinja2.Template:
    """A template made from `source` in `env`, its errors naming the file
    and line it came from (jinja2's `from_string` names none)."""
    cache = env.bytecode_cache
    bucket = cache.get_bucket(env, name, filename, source) if cache is not None else None
    if bucket is None or bucket.code is None:
        try:
            code = env.compile(source, name, filename)
        except jinja2.TemplateSyntaxError as exc:
            raise template_error(exc) from None
        if bucket is not None and cache is not None:
            bucket.code = code
            cache.set_bucket(bucket)
    else:
        code = bucket.code
    return env.template_class.from_code(env, code, env.make_globals(None))


def render(template: jinja2.Template, **values) -> str:
    """The template rendered with `values` (see `rendering`)."""
    with rendering():
        return template.render(**values)


@contextmanager
def rendering() -> Iterator[None]:
    """Render templates within RENDER_HEADROOM of memory and RENDER_SECONDS
    in all. Any failure becomes an EditionError naming the template and its
    line: besides Jinja2's own errors, a template can divide by zero, add a
    number to a string, call a macro that calls itself without end or ask a
    filter for more memory than there is."""
    try:
        with _bounded_memory(RENDER_HEADROOM), _bounded_time(RENDER_SECONDS):
            yield
    except EditionError:
        raise
    except Exception as exc:
        raise template_error(exc) from None


class TemplateTimeout(jinja2.TemplateRuntimeError):
    """The templates ran past RENDER_SECONDS."""


@contextmanager
def _bounded_time(seconds: float) -> Iterator[None]:
    """Stop the rendering after `seconds` (a timer signal; only in the main
    thread, and only when no other timer is set)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    if signal.getitimer(signal.ITIMER_REAL)[0] or signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None):
        yield
        return

    def stop(signum, frame):
        raise TemplateTimeout(f"the templates ran for more than {seconds:.0f} s")

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


@contextmanager
def _bounded_memory(headroom: int) -> Iterator[None]:
    """Lower the process's address-space limit to what it uses now plus
    `headroom` (an allocation past it raises MemoryError), and restore it.
    Where the limit cannot be read or is lower already, nothing changes."""
    try:
        import resource

        with open("/proc/self/statm") as handle:
            used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    limit = used + headroom
    if (soft != resource.RLIM_INFINITY and soft <= limit) or (hard != resource.RLIM_INFINITY and hard < limit):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class FolderLoader(jinja2.BaseLoader):
    """Jinja2's FileSystemLoader, except that a template is read with the
    size limit for templates and only when its real path lies inside the
    folder it was found in (a symbolic link out of templates/ is refused)."""

    def __init__(self, folders: list[Path]):
        self.folders = folders

    def get_source(self, environment, template):
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.folders:
            candidate = folder.joinpath(*pieces)
            if not candidate.is_file():
                continue
            # The folder itself must not be a link either (templates -> /).
            real, inside = os.path.realpath(candidate), os.path.join(os.path.realpath(folder.parent), folder.name)
            if os.path.commonpath([real, inside]) != inside:
                raise EditionError.at(
                    f"template {template!r} leads out of its folder (to {real})", candidate,
                    hint="an edition's templates may use only the files inside its templates/",
                )  # fmt: skip
            data = read_bytes(candidate, limit=LIMITS["template"])
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise EditionError.at(
                    f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", candidate, line, hint="save the template as UTF-8"
                ) from None
            mtime = os.path.getmtime(candidate)
            return source, str(candidate), lambda path=candidate, mtime=mtime: os.path.isfile(path) and os.path.getmtime(path) == mtime
        raise jinja2.TemplateNotFound(template)


def template_error(exc: BaseException, hint: str | None = None) -> EditionError:
    """An EditionError naming the template file and line where a Jinja2
    error arose: a syntax error carries them; for a runtime one (the sandbox
    refusing an attribute, an undefined value) they are the last frame of
    the traceback that Jinja2 rewrites to point at template lines."""
    if isinstance(exc, jinja2.TemplateError):
        message = exc.message or type(exc).__name__
    else:
        message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, RecursionError):
        message = "the templates call themselves without end (a macro or include in a loop)"
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template {exc.name!r} not found in the template folders"
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if not frame.filename.endswith(".py") and os.path.isfile(frame.filename):
                filename, line = frame.filename, frame.lineno
                break
    refused = "the sandbox refused it: " if isinstance(exc, SecurityError) else ""
    if isinstance(exc, (MemoryError, OverflowError)):
        message = f"the template asks for more than can be made ({type(exc).__name__})"
    return EditionError.at(f"template error: {refused}{message}", filename, line, hint=hint or HINT)


HINT = "templates may change markup and use the values passed, not call Python or read files (README: What an edition's templates can and cannot do)"
