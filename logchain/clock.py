"""Clocks: the system clock (with its NTP synchronisation state) and a fixed clock for tests.

The core never reads the time itself; the CLI passes a :class:`SystemClock`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time

from logchain.types import ClockState

_STA_UNSYNC = 0x0040
_TIME_ERROR = 5


class _Timex(ctypes.Structure):
    # struct timex from <sys/timex.h> (Linux, 64-bit): the fields we read come first.
    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("constant", ctypes.c_long),
        ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long),
        ("time_sec", ctypes.c_long),
        ("time_usec", ctypes.c_long),
        ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long),
        ("jitter", ctypes.c_long),
        ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long),
        ("jitcnt", ctypes.c_long),
        ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long),
        ("stbcnt", ctypes.c_long),
        ("tai", ctypes.c_int),
        ("pad", ctypes.c_int * 11),
    ]


def read_clock_state() -> ClockState:
    """Ask the kernel (adjtimex, read-only) whether the clock is NTP-synchronised."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return ClockState(synchronised=None, source="unavailable")
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        tx = _Timex()
        tx.modes = 0
        state = libc.adjtimex(ctypes.byref(tx))
    except (OSError, AttributeError):
        return ClockState(synchronised=None, source="unavailable")
    if state < 0:
        return ClockState(synchronised=None, source="adjtimex-failed")
    synced = not (tx.status & _STA_UNSYNC) and state != _TIME_ERROR
    return ClockState(
        synchronised=synced,
        source="adjtimex",
        max_error_us=int(tx.maxerror),
        est_error_us=int(tx.esterror),
        offset_us=int(tx.offset),
    )


class SystemClock:
    """Wall clock in nanoseconds; the sync state is re-read at most every 10 s."""

    def __init__(self) -> None:
        self._state: ClockState | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def now_ns(self) -> int:
        return time.time_ns()

    def state(self) -> ClockState:
        with self._lock:
            if self._state is None or time.monotonic() - self._read_at > 10:
                self._state = read_clock_state()
                self._read_at = time.monotonic()
            return self._state


class FixedClock:
    """A clock that only moves when told to (tests and golden files)."""

    def __init__(self, start_ns: int, *, step_ns: int = 0) -> None:
        self.t = start_ns
        self.step_ns = step_ns

    def now_ns(self) -> int:
        value = self.t
        self.t += self.step_ns
        return value

    def advance(self, seconds: float) -> None:
        self.t += int(seconds * 1_000_000_000)

    def state(self) -> ClockState:
        return ClockState(synchronised=True, source="fixed", max_error_us=0, est_error_us=0)
