"""The user's state directory: shell history and the seal cache live here, never in a store.

``$LOGCHAIN_STATE_DIR`` if set, else ``$XDG_STATE_HOME/logchain``, else
``~/.local/state/logchain``.
"""

from __future__ import annotations

import os
from pathlib import Path

from logchain.errors import StorageError


def state_dir() -> Path:
    """The state directory, created with mode 0700. Raises StorageError if it cannot be made."""
    explicit = os.environ.get("LOGCHAIN_STATE_DIR")
    if explicit:
        path = Path(explicit)
    else:
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        path = Path(base) / "logchain"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the state directory: {exc.strerror}",
            path=path,
            hint="Set LOGCHAIN_STATE_DIR to a writable directory.",
        ) from exc
    return path
