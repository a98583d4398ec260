"""Ordinary activity: what each file holds on a quiet day, generated lazily in time order.

Line ``i`` of ``n`` falls at a random point of the ``i``-th of ``n`` equal slices of the day,
so lines come out sorted without holding them. Background activity never crosses a detection
threshold: no failed-password runs, no transfers over 5 MB or outside the allow-list, no
removable media, no long DNS labels, no server errors; and the silent host stops logging at
its time (:class:`ingest.synth.truth.GroundTruth`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from random import Random
from typing import Final

from ingest.synth import formats as fmt
from ingest.synth.world import (
    ADMINS,
    ALLOWLIST,
    CLIENTS,
    DAY_SECONDS,
    DNS_SERVER,
    DOMAINS,
    HOSTS,
    USER_AGENTS,
    USERS,
    WEB_PATHS,
)

#: One background line at time ``t``: (rng, t, host) -> line bytes.
LineMaker = Callable[[Random, float, str], bytes]
_SYSLOG_HOSTS: Final = tuple(HOSTS)
_CRON_JOBS: Final = (
    "cd / && run-parts --report /etc/cron.hourly",
    "/usr/lib/php/sessionclean",
    "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
)
_ADMIN_COMMANDS: Final = (
    "/usr/bin/systemctl restart nginx",
    "/usr/bin/apt-get update",
    "/usr/bin/journalctl -u app --since today",
    "/usr/bin/tail -n 100 /var/log/nginx/error.log",
)


def timeline(
    rng: Random, n: int, silent: tuple[str, float], hosts: tuple[str, ...]
) -> Iterator[tuple[float, str]]:
    """``n`` (time, host) pairs in time order; the silent host is never picked after its time."""
    width = DAY_SECONDS / max(n, 1)
    quiet_host, quiet_after = silent
    for i in range(n):
        t = (i + rng.random()) * width
        host = rng.choice(hosts)
        while host == quiet_host and t >= quiet_after and len(hosts) > 1:
            host = rng.choice(hosts)
        yield t, host


def _auth(rng: Random, t: float, host: str) -> bytes:
    roll = rng.random()
    pid = rng.randint(1000, 65000)
    user = rng.choice(USERS)
    if roll < 0.3:
        ip, port = rng.choice(CLIENTS), rng.randint(40000, 65000)
        msg = f"Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:k{pid}"
        return fmt.syslog(t, host, "sshd", pid, msg)
    if roll < 0.45:
        state = rng.choice(("opened", "closed"))
        by = " by (uid=0)" if state == "opened" else ""
        msg = f"pam_unix(sshd:session): session {state} for user {user}{by}"
        return fmt.syslog(t, host, "sshd", pid, msg)
    if roll < 0.8:
        state = rng.choice(("opened", "closed"))
        by = " by (uid=0)" if state == "opened" else ""
        return fmt.syslog(
            t, host, "CRON", pid, f"pam_unix(cron:session): session {state} for user root{by}"
        )
    if roll < 0.95:
        admin, command = rng.choice(ADMINS), rng.choice(_ADMIN_COMMANDS)
        msg = f"{admin} : TTY=pts/{pid % 4} ; PWD=/home/{admin} ; USER=root ; COMMAND={command}"
        return fmt.syslog(t, host, "sudo", pid, msg)
    ip, port = rng.choice(CLIENTS), rng.randint(40000, 65000)
    return fmt.syslog(
        t, host, "sshd", pid, f"Received disconnect from {ip} port {port}:11: disconnected by user"
    )


def _syslog(rng: Random, t: float, host: str) -> bytes:
    roll = rng.random()
    if roll < 0.5:
        return fmt.syslog(
            t, host, "CRON", rng.randint(1000, 65000), f"(root) CMD ({rng.choice(_CRON_JOBS)})"
        )
    if roll < 0.8:
        unit = rng.choice(
            ("logrotate.service", "apt-daily.service", "man-db.service", "sysstat-collect.service")
        )
        return fmt.syslog(t, host, "systemd", 1, f"Started {unit}.")
    return fmt.syslog(
        t, host, "rsyslogd", rng.randint(400, 900), "action 'action-0-builtin:omfile' resumed"
    )


def _audit_maker() -> LineMaker:
    serial = [1000]

    def make(rng: Random, t: float, host: str) -> bytes:
        serial[0] += 1
        rtype, op = rng.choice(
            (("USER_ACCT", "accounting"), ("CRED_ACQ", "setcred"), ("USER_START", "session_open"),
             ("CRED_DISP", "setcred"), ("USER_END", "session_close"))
        )  # fmt: skip
        body = (
            f"pid={rng.randint(1000, 65000)} uid=0 auid=0 ses={rng.randint(1, 900)} "
            f'msg=\'op=PAM:{op} acct="root" exe="/usr/sbin/cron" hostname=? addr=? '
            "terminal=cron res=success'"
        )
        return fmt.audit(t, serial[0], rtype, body)

    return make


def _event(category: str, action: str) -> dict[str, str]:
    return {"category": category, "action": action, "outcome": "success"}


def _edr(rng: Random, t: float, host: str) -> bytes:
    user = rng.choice(USERS)
    doc: dict[str, object] = {"host": {"name": host, "ip": HOSTS[host]}, "user": {"name": user}}
    pid = rng.randint(1000, 65000)
    roll = rng.random()
    if roll < 0.5:
        name = rng.choice(("ls", "ps", "git", "python3", "vim", "less"))
        doc["process"] = {"name": name, "pid": pid, "command_line": f"{name} -a"}
        doc["event"] = _event("process", "process_start")
    elif roll < 0.8:
        doc["process"] = {"name": "python3", "pid": pid}
        doc["event"] = _event("network", "network_connection")
        doc["source"] = {"ip": HOSTS[host], "bytes": rng.randint(500, 2_000_000)}
        doc["destination"] = {"ip": rng.choice(ALLOWLIST), "port": 443}
    else:
        doc["process"] = {"name": "vim", "pid": pid}
        doc["event"] = _event("file", "file_write")
        path = f"/home/{user}/work/notes-{rng.randint(1, 50)}.txt"
        doc["file"] = {"path": path, "size": rng.randint(100, 50_000)}
    return fmt.edr(t, doc)


def _access(rng: Random, t: float, host: str) -> bytes:
    client = f"100.64.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    path = rng.choice(WEB_PATHS)
    status = rng.choices((200, 304, 404, 401), weights=(85, 8, 5, 2))[0]
    user = "-" if status == 401 or rng.random() < 0.7 else rng.choice(USERS)
    method = "POST" if path == "/login" else "GET"
    size = rng.randint(200, 80_000) if status == 200 else rng.randint(0, 600)
    return fmt.access(
        t, client, user, f"{method} {path} HTTP/1.1", status, size, rng.choice(USER_AGENTS)
    )


def _conn(rng: Random, t: float, host: str) -> bytes:
    src = (HOSTS[host], rng.randint(32768, 60999))
    if rng.random() < 0.4:
        return fmt.conn(rng, t, src, (DNS_SERVER, 53), "udp", "dns", rng.uniform(0.001, 0.05),
                        rng.randint(30, 80), rng.randint(60, 300))  # fmt: skip
    if rng.random() < 0.5:
        return fmt.conn(rng, t, src, (HOSTS["db01"], 5432), "tcp", None, rng.uniform(0.01, 30),
                        rng.randint(200, 90_000), rng.randint(200, 900_000))  # fmt: skip
    return fmt.conn(rng, t, src, (rng.choice(ALLOWLIST), 443), "tcp", "ssl", rng.uniform(0.1, 60),
                    rng.randint(500, 5_000_000), rng.randint(500, 5_000_000))  # fmt: skip


def _dns(rng: Random, t: float, host: str) -> bytes:
    domain = rng.choice(DOMAINS)
    query = rng.choice(("", "www.", "api.", "static.")) + domain
    answer = rng.choice(ALLOWLIST)
    return fmt.dns(rng, t, HOSTS[host], DNS_SERVER, query, "A", answer)


#: Per file: (line maker factory, hosts whose activity the file holds).
MAKERS: Final[dict[str, tuple[Callable[[], LineMaker], tuple[str, ...]]]] = {
    "auth.log": (lambda: _auth, _SYSLOG_HOSTS),
    "syslog": (lambda: _syslog, _SYSLOG_HOSTS),
    "audit.log": (_audit_maker, ("web01",)),
    "edr.jsonl": (lambda: _edr, _SYSLOG_HOSTS),
    "access.log": (lambda: _access, ("web01",)),
    "conn.log": (lambda: _conn, _SYSLOG_HOSTS),
    "dns.log": (lambda: _dns, _SYSLOG_HOSTS),
}


def background(
    name: str, rng: Random, n: int, silent: tuple[str, float]
) -> Iterator[tuple[float, bytes]]:
    """``n`` background lines of file ``name`` with their times, in time order."""
    factory, hosts = MAKERS[name]
    make = factory()
    for t, host in timeline(rng, n, silent, hosts):
        yield t, make(rng, t, host)
