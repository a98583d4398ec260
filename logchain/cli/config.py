"""`logchain.toml`: the settings of `logchain watch` and `logchain ingest --config`.

The file is read with :mod:`tomllib` and checked completely when loaded: every error is a
:class:`~logchain.errors.ConfigError` naming the file and the key. Command-line flags override the
file (:func:`apply_overrides`). docs/CONFIG.md documents every key with an example.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.config import SourceConfig, TomlTable, WatchSettings, parse_sources, parse_watch
from logchain.errors import ConfigError
from logchain.store import Store
from logchain.writer import SegmentLimits

TOP_KEYS = ("store", "seal_interval", "segments", "sealing", "watch", "defaults", "source")
SEGMENT_KEYS = ("max_records", "max_bytes", "max_age")
SEALING_KEYS = ("key", "local_tsa", "tsa")
_DEFAULT_LIMITS = SegmentLimits()


@dataclass(frozen=True, slots=True)
class SealingConfig:
    """How seals are signed and timestamped (``[sealing]``)."""

    #: Signing key (PEM); None means the store's own key.
    key: Path | None = None
    #: Timestamp every seal with the store's local OpenSSL TSA.
    local_tsa: bool = True
    #: RFC 3161 TSAs (HTTP URLs), asked for every seal in addition.
    tsa: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentConfig:
    """When a segment is closed (``[segments]``); ``max_age`` None means the seal interval."""

    max_records: int = _DEFAULT_LIMITS.max_records
    max_bytes: int = _DEFAULT_LIMITS.max_bytes
    max_age: float | None = None

    def limits(self, seal_interval: int) -> SegmentLimits:
        age = self.max_age if self.max_age is not None else float(seal_interval)
        return SegmentLimits(self.max_records, self.max_bytes, min(age, float(seal_interval)))


@dataclass(frozen=True, slots=True)
class AppConfig:
    """Everything in ``logchain.toml``."""

    file: Path | None = None
    store: Path | None = None
    seal_interval: int | None = None
    segments: SegmentConfig = field(default_factory=SegmentConfig)
    sealing: SealingConfig = field(default_factory=SealingConfig)
    watch: WatchSettings = field(default_factory=WatchSettings)
    sources: tuple[SourceConfig, ...] = field(default_factory=tuple)

    def require_store(self) -> Store:
        """The configured store; raises ConfigError if none is set or it is not a store."""
        if self.store is None:
            raise ConfigError(
                'no store is set: add `store = "PATH"` or pass --store', path=self.file, key="store"
            )
        if not (self.store / "logchain.json").is_file():
            raise ConfigError(
                f"{self.store} is not a logchain store (create one with `logchain init PATH`)",
                path=self.file,
                key="store",
            )
        return Store(self.store)

    def check_store(self, store: Store) -> None:
        """Raise ConfigError if ``seal_interval`` disagrees with the store's (fixed at init)."""
        fixed = store.manifest().seal_interval_s
        if self.seal_interval is not None and self.seal_interval != fixed:
            raise ConfigError(
                f"seal_interval is {self.seal_interval} s but the store {store.root} was created "
                f"with {fixed} s (`logchain init --seal-interval`); remove the key or set it to "
                f"{fixed}",
                path=self.file,
                key="seal_interval",
            )


def load_config(path: Path) -> AppConfig:
    """Read and check ``path``; raises ConfigError naming the file and the key."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration: {exc.strerror}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the configuration is not UTF-8 text: {exc}", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from exc
    root = TomlTable(doc, path.resolve())
    root.check_keys(TOP_KEYS)
    return AppConfig(
        file=path,
        store=root.path("store") if "store" in doc else None,
        seal_interval=_seal_interval(root),
        segments=_segments(root.table("segments")),
        sealing=_sealing(root.table("sealing")),
        watch=parse_watch(root),
        sources=tuple(parse_sources(root)),
    )


def _seal_interval(root: TomlTable) -> int | None:
    value = root.optional("seal_interval", int)
    if value is not None and not 1 <= value <= 86400:
        raise root.error("seal_interval", f"must be 1..86400 seconds, got {value}")
    return value


def _segments(t: TomlTable) -> SegmentConfig:
    t.check_keys(SEGMENT_KEYS)
    age = t.optional("max_age", float)
    if age is not None and age <= 0:
        raise t.error("max_age", f"must be positive seconds, got {age}")
    return SegmentConfig(
        max_records=t.positive("max_records", int, _DEFAULT_LIMITS.max_records),
        max_bytes=t.size("max_bytes", _DEFAULT_LIMITS.max_bytes),
        max_age=age,
    )


def _sealing(t: TomlTable) -> SealingConfig:
    t.check_keys(SEALING_KEYS)
    key = t.path("key") if "key" in t.data else None
    if key is not None and not key.is_file():
        raise t.error("key", f"no signing key at {key}")
    urls = t.strings("tsa", ())
    for i, url in enumerate(urls):
        if not url.startswith(("http://", "https://")):
            raise t.error(f"tsa[{i}]", f"a TSA is an http:// or https:// URL, got {url!r}")
    local = t.get("local_tsa", bool, True)
    if not local and not urls:
        raise t.error("local_tsa", "with local_tsa = false, list at least one TSA URL in `tsa`")
    return SealingConfig(key=key, local_tsa=local, tsa=urls)


@dataclass(frozen=True, slots=True)
class Overrides:
    """Command-line flags that override the file (None: not given)."""

    store: Path | None = None
    tsa: tuple[str, ...] = ()
    key: Path | None = None
    polling: bool = False
    workers: int | None = None
    max_records: int | None = None
    max_age: float | None = None


def apply_overrides(config: AppConfig, o: Overrides) -> AppConfig:
    """``config`` with the flags that were given taking precedence."""
    sealing = config.sealing
    if o.tsa:
        sealing = replace(sealing, tsa=o.tsa)
    if o.key is not None:
        sealing = replace(sealing, key=o.key)
    watch = config.watch
    if o.polling:
        watch = replace(watch, observer="polling")
    if o.workers is not None:
        watch = replace(watch, workers=o.workers)
    segments = config.segments
    if o.max_records is not None:
        segments = replace(segments, max_records=o.max_records)
    if o.max_age is not None:
        segments = replace(segments, max_age=o.max_age)
    return replace(
        config,
        store=o.store or config.store,
        sealing=sealing,
        watch=watch,
        segments=segments,
    )
