"""The simulated organisation: hosts, users, address ranges, the day, and line formatters.

Every address is from a documentation range, so no generated line points at a real system:
internal hosts are in 10.20.0.0/16, allow-listed partners in 198.51.100.0/24 (TEST-NET-2),
attackers in 203.0.113.0/24 (TEST-NET-3) and unknown destinations in 192.0.2.0/24 (TEST-NET-1).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Final

#: The simulated day (UTC; the syslog files are written in UTC too).
DAY_START: Final = datetime(2026, 3, 2, tzinfo=UTC)
DAY_SECONDS: Final = 86_400.0
YEAR: Final = DAY_START.year

HOSTS: Final = {
    "web01": "10.20.1.11",
    "web02": "10.20.1.12",
    "app01": "10.20.2.21",
    "db01": "10.20.3.31",
    "bastion": "10.20.0.5",
    "ws-carol": "10.20.8.15",
}
#: Analysts' and admins' workstations.
CLIENTS: Final = tuple(f"10.20.8.{i}" for i in range(10, 40))
USERS: Final = ("alice", "bob", "carol", "dave", "erin", "frank")
ADMINS: Final = ("alice", "bob")
#: External destinations the organisation expects traffic to (partners, updates, backups).
ALLOWLIST: Final = ("198.51.100.10", "198.51.100.20", "198.51.100.30", "198.51.100.40")
DNS_SERVER: Final = "10.20.0.53"
WEB_PATHS: Final = (
    "/", "/index.html", "/login", "/api/v1/items", "/api/v1/items/42", "/static/app.js",
    "/static/site.css", "/images/logo.png", "/account", "/search?q=meter", "/health",
)  # fmt: skip
USER_AGENTS: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "curl/8.5.0",
    "python-requests/2.31.0",
)
DOMAINS: Final = (
    "updates.example.com",
    "api.partner.example",
    "mail.example.org",
    "cdn.example.net",
)

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def make_rng(seed: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per (seed, purpose)."""
    return random.Random(f"{seed}:{stream}")


def at(seconds: float) -> datetime:
    """The time ``seconds`` after the start of the simulated day."""
    return DAY_START + timedelta(seconds=seconds)


def syslog_time(seconds: float) -> str:
    """``Mar  2 03:10:05``: BSD syslog time (no year, UTC)."""
    t = at(seconds)
    return f"{_MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"


def clf_time(seconds: float) -> str:
    """``02/Mar/2026:03:10:05 +0000``: access-log time."""
    t = at(seconds)
    return f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} +0000"


def iso_time(seconds: float) -> str:
    """``2026-03-02T03:10:05.123Z``: JSON time with milliseconds."""
    return at(seconds).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def epoch(seconds: float) -> float:
    """Unix time of a point of the simulated day."""
    return DAY_START.timestamp() + seconds
