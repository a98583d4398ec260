"""Ingest settings from ``logchain.toml``: ``[[source]]`` tables, ``[defaults]`` and ``[watch]``.

Values are checked when the file is loaded; every error is a
:class:`~logchain.errors.ConfigError` that names the file and the key (``source[2].format``), so
a daemon never starts with a setting it would only reject later. docs/CONFIG.md lists every key.

>>> from ingest.config import TomlTable, parse_sources
>>> t = TomlTable({"source": [{"path": "/var/log/auth.log", "tags": {"host": "web01"}}]}, None)
>>> parse_sources(t)[0].tags
(('host', 'web01'),)
"""

from __future__ import annotations

import difflib
import glob
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.parsers import PARSERS, ParserOptions
from logchain.errors import ConfigError

T = TypeVar("T")
N = TypeVar("N", int, float)
Observer = Literal["inotify", "polling"]

#: Over-long lines are split above this many bytes unless configured otherwise.
DEFAULT_MAX_LINE_BYTES = 1024 * 1024
#: The largest cap accepted (a record's raw is at most 4 GiB; Arrow binary arrays 2 GiB).
MAX_LINE_BYTES_LIMIT = 1024 * 1024 * 1024
#: Where rotated copies of a file live, relative to its directory; ``{name}`` is its file name.
DEFAULT_ROTATED = ("{name}.*", "{name}-*")
_UNITS = {"": 1, "B": 1, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([A-Za-z]*)\s*$")


class TomlTable:
    """One TOML table with typed access; errors name the file and the dotted key."""

    def __init__(self, data: Mapping[str, object], file: Path | None, prefix: str = "") -> None:
        self.data = data
        self.file = file
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def error(self, name: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.file, key=self.key(name))

    def check_keys(self, allowed: Sequence[str]) -> None:
        """Raise ConfigError for a key this table does not define (with the closest match)."""
        for name in self.data:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.error(name, f"unknown key{hint} (known: {', '.join(allowed)})")

    def get(self, name: str, kind: type[T], default: T) -> T:
        return self._check(name, self.data.get(name, default), kind)

    def optional(self, name: str, kind: type[T]) -> T | None:
        return None if name not in self.data else self._check(name, self.data[name], kind)

    def positive(self, name: str, kind: type[N], default: N, *, zero: bool = False) -> N:
        value = self.get(name, kind, default)
        if value < 0 or (value == 0 and not zero):
            raise self.error(name, f"must be {'zero or more' if zero else 'positive'}, got {value}")
        return value

    def _check(self, name: str, value: object, kind: type[T]) -> T:
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(name, f"must be {_kind_name(kind)}, got {value!r}")
        return value

    def size(self, name: str, default: int) -> int:
        """A byte count: an integer, or a string such as "64KiB", "256MiB", "1GiB"."""
        value = self.data.get(name, default)
        if isinstance(value, int) and not isinstance(value, bool):
            n = value
        elif isinstance(value, str) and (m := _SIZE_RE.match(value)) and m[2].upper() in _UNITS:
            n = int(m[1]) * _UNITS[m[2].upper()]
        else:
            raise self.error(name, f'must be a byte count such as 1048576 or "1MiB", got {value!r}')
        if n <= 0:
            raise self.error(name, f"must be positive, got {value!r}")
        return n

    def strings(self, name: str, default: Sequence[str]) -> tuple[str, ...]:
        value = self.data.get(name, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(name, f"must be a list of strings, got {value!r}")
        return tuple(value)

    def table(self, name: str) -> TomlTable:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, f"must be a table, got {value!r}")
        return TomlTable(value, self.file, f"{self.key(name)}.")

    def tables(self, name: str) -> list[TomlTable]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, "must be an array of tables ([[source]] entries)")
        return [TomlTable(v, self.file, f"{self.key(name)}[{i}].") for i, v in enumerate(value)]

    def path(self, name: str) -> Path:
        """A path; relative paths are taken relative to the configuration file's directory."""
        text = self.get(name, str, "")
        if not text:
            raise self.error(name, "is required (a file path)")
        path = Path(text).expanduser()
        if not path.is_absolute() and self.file is not None:
            path = self.file.parent / path
        return path


def _kind_name(kind: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One ``[[source]]``: a file or a glob of files, how to parse them, and their tags."""

    #: An absolute path, possibly with glob characters (``*``, ``?``, ``[...]``).
    path: str
    #: Source name stored in every record; None means the file's absolute path.
    name: str | None = None
    #: A parser name from ``ingest.parsers.PARSERS`` or "auto" (detected per file).
    format: str = "auto"
    #: Extra facts about the files, stored in ``attrs.tags``; ``host`` also fills a missing host.
    tags: tuple[tuple[str, str], ...] = ()
    parser_options: ParserOptions = field(default_factory=ParserOptions)
    #: Lines longer than this are split into continuation records.
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    #: On the source's first start, also read its rotated files (plain and .gz), oldest first.
    backlog: bool = False
    #: Glob patterns (relative to the file's directory) that name its rotated copies.
    rotated: tuple[str, ...] = DEFAULT_ROTATED

    @property
    def is_glob(self) -> bool:
        return glob.has_magic(self.path)

    def source_name(self, file_path: str) -> str:
        """The ``source`` of records read from ``file_path`` (a match of this source's path)."""
        return self.name if self.name is not None and not self.is_glob else file_path


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """How `logchain watch` notices changes (``[watch]``)."""

    observer: Observer = "inotify"
    #: Seconds between polls with the polling observer, and the longest sleep with inotify.
    poll_interval: float = 1.0
    #: Seconds between re-expanding source globs (new files are also found on directory events).
    rescan_interval: float = 5.0
    #: Seconds a rotated-away file is still read for late writes after it is drained.
    rotate_wait: float = 5.0
    #: Parser worker processes; 0 parses in the main process.
    workers: int = 0


SOURCE_KEYS = (
    "path",
    "name",
    "format",
    "tags",
    "timezone",
    "year",
    "max_line_bytes",
    "backlog",
    "rotated",
)
WATCH_KEYS = ("observer", "poll_interval", "rescan_interval", "rotate_wait", "workers")


def parse_sources(root: TomlTable) -> list[SourceConfig]:
    """The ``[[source]]`` tables, each merged over ``[defaults]``; raises ConfigError."""
    defaults = root.table("defaults")
    defaults.check_keys([k for k in SOURCE_KEYS if k not in ("path", "name")])
    base = _source_fields(defaults, None)
    sources = [_source_fields(t, base) for t in root.tables("source")]
    names = [s.name for s in sources if s.name is not None]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        raise root.error("source", f"two sources are named {dup!r}; names must be unique")
    return sources


def _source_fields(t: TomlTable, base: SourceConfig | None) -> SourceConfig:
    d = base or SourceConfig(path="")
    if base is not None:
        t.check_keys(SOURCE_KEYS)
    fmt = t.get("format", str, d.format)
    if fmt != "auto" and fmt not in PARSERS:
        raise t.error("format", f"unknown format {fmt!r} (known: auto, {', '.join(PARSERS)})")
    tz = t.get("timezone", str, d.parser_options.timezone)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.error("timezone", f"unknown time zone {tz!r} (use an IANA name)") from None
    year = t.optional("year", int)
    cap = t.size("max_line_bytes", d.max_line_bytes)
    if cap > MAX_LINE_BYTES_LIMIT:
        raise t.error("max_line_bytes", f"must be at most {MAX_LINE_BYTES_LIMIT} (1 GiB)")
    tags = _tags(t, d.tags)
    name = t.optional("name", str)
    path = str(t.path("path")) if base is not None else ""
    if name is not None and glob.has_magic(path):
        raise t.error("name", "a glob source names each file by its path; remove `name`")
    return SourceConfig(
        path=path,
        name=name,
        format=fmt,
        tags=tags,
        parser_options=ParserOptions(
            timezone=tz, year=year if year is not None else d.parser_options.year
        ),
        max_line_bytes=cap,
        backlog=t.get("backlog", bool, d.backlog),
        rotated=t.strings("rotated", d.rotated),
    )


def _tags(t: TomlTable, default: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    if "tags" not in t.data:
        return default
    table = t.table("tags")
    for k, v in table.data.items():
        if not isinstance(v, str):
            raise table.error(k, f"tag values must be strings, got {v!r}")
    merged = dict(default) | {k: str(v) for k, v in table.data.items()}
    return tuple(sorted(merged.items()))


def parse_watch(root: TomlTable) -> WatchSettings:
    """The ``[watch]`` table; raises ConfigError."""
    t = root.table("watch")
    t.check_keys(WATCH_KEYS)
    d = WatchSettings()
    observer = t.get("observer", str, d.observer)
    if observer not in ("inotify", "polling"):
        raise t.error("observer", f'must be "inotify" or "polling", got {observer!r}')
    return WatchSettings(
        observer="polling" if observer == "polling" else "inotify",
        poll_interval=t.positive("poll_interval", float, d.poll_interval),
        rescan_interval=t.positive("rescan_interval", float, d.rescan_interval),
        rotate_wait=t.positive("rotate_wait", float, d.rotate_wait, zero=True),
        workers=t.positive("workers", int, d.workers, zero=True),
    )
