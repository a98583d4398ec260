"""A seeded generator of realistic log lines, streamed in blocks (the harness's own, minimal one).

Five formats as real systems write them: syslog auth (sshd, sudo, PAM, cron; RFC 3164), auditd,
JSON EDR events, web access logs (combined format) and Zeek ``conn.log`` (TSV with its header).
Users follow a Zipf-like activity curve; brute-force and exfiltration bursts (400 records every
200k) are injected so detections have something to find. ``ingest.synth`` replaces this once it
offers a streaming API (see :mod:`logchain.cli.bench.workload`).
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Literal, TypeVar

T = TypeVar("T")

Format = Literal["syslog_auth", "auditd", "json_events", "access_log", "zeek_conn"]

#: Share of records per format (sums to 1).
MIX: dict[Format, float] = {
    "syslog_auth": 0.30,
    "auditd": 0.20,
    "json_events": 0.20,
    "access_log": 0.20,
    "zeek_conn": 0.10,
}
FILE_NAMES: dict[Format, str] = {
    "syslog_auth": "auth",
    "auditd": "audit",
    "json_events": "events",
    "access_log": "access",
    "zeek_conn": "conn",
}
SUFFIX: dict[Format, str] = {
    "syslog_auth": ".log",
    "auditd": ".log",
    "json_events": ".jsonl",
    "access_log": ".log",
    "zeek_conn": ".log",
}
GENERATOR_VERSION = "bench-synthlog/1"
START = datetime(2024, 11, 25, tzinfo=UTC).timestamp()
#: Mean seconds between two events of one file (so 1M records span about a day per format).
MEAN_GAP_S = 0.1
BLOCK = 8192

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZEEK_HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#open\t2024-11-25-00-00-00\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
)


class _World:
    """Seeded pools of users, hosts and addresses shared by all formats."""

    def __init__(self, rng: random.Random) -> None:
        first = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan")
        self.users = [f"{_ch(rng, first)}.{chr(97 + i % 26)}{i:03d}" for i in range(600)]
        # Zipf-like: user k is picked with weight 1/(k+1).
        self.user_cum = list(itertools.accumulate(1.0 / (k + 1) for k in range(len(self.users))))
        self.hosts = [
            f"{k}-{i:02d}.corp.example" for k in ("web", "db", "app", "jump") for i in range(12)
        ]
        self.ext_ips = [
            f"{_ri(rng, 11, 223)}.{_ri(rng, 0, 255)}.{_ri(rng, 0, 255)}.{_ri(rng, 1, 254)}"
            for _ in range(2000)
        ]
        self.int_ips = [
            f"10.{_ri(rng, 0, 15)}.{_ri(rng, 0, 255)}.{_ri(rng, 1, 254)}" for _ in range(500)
        ]
        self.paths = [
            "/api/v1/meters/{}/readings",
            "/api/v1/tariffs",
            "/login",
            "/static/app.js",
            "/admin/users/{}",
            "/export/{}.csv",
        ]
        self.commands = [
            "/usr/bin/systemctl restart nginx",
            "/usr/bin/apt-get update",
            "/bin/cat /etc/shadow",
            "/usr/bin/journalctl -u sshd",
            "/usr/bin/tar czf /tmp/x.tgz /srv/data",
        ]


def _ri(rng: random.Random, a: int, b: int) -> int:
    """A uniform integer in [a, b] (faster than randint; seeded all the same)."""
    return a + int(rng.random() * (b - a + 1))


def _ch(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def _user(rng: random.Random, w: _World) -> str:
    return w.users[bisect.bisect(w.user_cum, rng.random() * w.user_cum[-1])]


def _syslog_time(ts: float) -> str:
    d = datetime.fromtimestamp(ts, UTC)
    return f"{_MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _auth(rng: random.Random, w: _World, ts: float, burst: bool) -> str:
    host = _ch(rng, w.hosts)
    pid = _ri(rng, 1000, 65000)
    head = f"{_syslog_time(ts)} {host}"
    user = _user(rng, w)
    ip = _ch(rng, w.ext_ips[:20] if burst else w.ext_ips)
    r = rng.random()
    if burst or r < 0.12:
        who = (
            f"invalid user {_ch(rng, ('admin', 'oracle', 'test', 'ubuntu'))}"
            if rng.random() < 0.5
            else user
        )
        port = _ri(rng, 1024, 65535)
        return f"{head} sshd[{pid}]: Failed password for {who} from {ip} port {port} ssh2"
    if r < 0.40:
        method = "publickey" if rng.random() < 0.7 else "password"
        tail = f": RSA SHA256:{rng.getrandbits(128):032x}" if method == "publickey" else ""
        port = _ri(rng, 1024, 65535)
        return f"{head} sshd[{pid}]: Accepted {method} for {user} from {ip} port {port} ssh2{tail}"
    if r < 0.55:
        what = "opened" if rng.random() < 0.5 else "closed"
        by = "(uid=1000) by (uid=0)" if what == "opened" else ""
        return f"{head} sshd[{pid}]: pam_unix(sshd:session): session {what} for user {user}{by}"
    if r < 0.75:
        cmd = _ch(rng, w.commands)
        tty = _ri(rng, 0, 9)
        return (
            f"{head} sudo: {user:>12} : TTY=pts/{tty} ; PWD=/home/{user} ; USER=root ; "
            f"COMMAND={cmd}"
        )
    if r < 0.85:
        uid = _ri(rng, 1000, 1600)
        return (
            f"{head} sudo: pam_unix(sudo:session): session opened for user root(uid=0) "
            f"by {user}(uid={uid})"
        )
    if r < 0.95:
        return (
            f"{head} CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) "
            "by (uid=0)"
        )
    return f"{head} sshd[{pid}]: Disconnected from user {user} {ip} port {_ri(rng, 1024, 65535)}"


def _auditd(rng: random.Random, w: _World, ts: float, burst: bool) -> str:
    stamp = f"audit({ts:.3f}:{_ri(rng, 1000, 9_999_999)})"
    uid = _ri(rng, 1000, 1600)
    r = rng.random()
    if r < 0.45:
        exe = _ch(
            rng,
            ("/usr/bin/sudo", "/usr/bin/bash", "/usr/bin/curl", "/usr/bin/scp", "/usr/bin/python3"),
        )
        return (
            f"type=SYSCALL msg={stamp}: arch=c000003e syscall=59 success=yes exit=0 a0=55d0c1 "
            f"a1=55d0c2 a2=55d0c3 a3=0 items=2 ppid={_ri(rng, 1, 65000)} pid={_ri(rng, 1, 65000)} "
            f"auid={uid} uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 "
            f"ses={_ri(rng, 1, 900)} "
            f'comm="{exe.rsplit("/", 1)[1]}" exe="{exe}" subj=unconfined key="exec"'
        )
    if r < 0.70:
        name = _ch(rng, ("/etc/shadow", "/etc/passwd", "/srv/data/meters.db", "/var/log/auth.log"))
        return (
            f'type=PATH msg={stamp}: item=0 name="{name}" inode={_ri(rng, 1000, 999999)} '
            "dev=fd:00 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
            "cap_fe=0 cap_fver=0"
        )
    if r < 0.85:
        res = "failed" if burst or rng.random() < 0.1 else "success"
        return (
            f"type=USER_LOGIN msg={stamp}: pid={_ri(rng, 1, 65000)} uid=0 auid={uid} "
            f"ses={_ri(rng, 1, 900)} "
            f'msg=\'op=login id={uid} exe="/usr/sbin/sshd" hostname=? addr={_ch(rng, w.ext_ips)} '
            f"terminal=sshd res={res}'"
        )
    unit = _ch(rng, ("nginx", "sshd", "postgresql"))
    return f'type=EXECVE msg={stamp}: argc=3 a0="systemctl" a1="restart" a2="{unit}"'


def _event(rng: random.Random, w: _World, ts: float, burst: bool) -> str:
    user = w.users[7] if burst else _user(rng, w)
    action = (
        "file_upload"
        if burst
        else _ch(
            rng,
            ("file_read", "file_read", "file_write", "net_connect", "proc_start", "file_upload"),
        )
    )
    out = _ri(rng, 2_000_000, 9_000_000) if burst else int(rng.expovariate(1 / 3000))
    return json.dumps(
        {
            "ts": _iso(ts),
            "host": _ch(rng, w.hosts),
            "user": user,
            "action": action,
            "resource": f"/home/shared/projects/{user.split('.')[0]}-{_ri(rng, 1, 9999)}.csv",
            "outcome": "success" if rng.random() < 0.95 else "failure",
            "bytes_out": out,
            "dst_ip": _ch(rng, w.ext_ips),
            "src_ip": _ch(rng, w.int_ips),
            "session": f"{rng.getrandbits(64):016x}",
            "pid": _ri(rng, 1000, 4_000_000),
            "agent": "edr-agent/3.2.1",
        },
        separators=(",", ":"),
    )


def _access(rng: random.Random, w: _World, ts: float, burst: bool) -> str:
    d = datetime.fromtimestamp(ts, UTC)
    path = _ch(rng, w.paths).format(_ri(rng, 1, 99999))
    status = _ch(rng, (200, 200, 200, 200, 304, 404, 401, 500)) if not burst else 401
    user = _user(rng, w) if rng.random() < 0.6 else "-"
    method = _ch(rng, ("GET", "GET", "POST"))
    return (
        f'{_ch(rng, w.ext_ips)} - {user} [{d:%d/%b/%Y:%H:%M:%S} +0000] "{method} {path} HTTP/1.1" '
        f'{status} {_ri(rng, 200, 90000)} "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 '
        f'(KHTML, like Gecko) Chrome/{_ri(rng, 100, 131)}.0 Safari/537.36"'
    )


def _conn(rng: random.Random, w: _World, ts: float, burst: bool) -> str:
    proto, port, service = _ch(
        rng, (("tcp", 443, "ssl"), ("tcp", 22, "ssh"), ("udp", 53, "dns"), ("tcp", 80, "http"))
    )
    ob = _ri(rng, 50_000_000, 400_000_000) if burst else int(rng.expovariate(1 / 5000))
    rb = int(rng.expovariate(1 / 20000))
    return "\t".join(
        (
            f"{ts:.6f}",
            f"C{rng.getrandbits(60):015x}",
            _ch(rng, w.int_ips),
            str(_ri(rng, 1024, 65535)),
            _ch(rng, w.ext_ips),
            str(port),
            proto,
            service,
            f"{rng.expovariate(1 / 2):.6f}",
            str(ob),
            str(rb),
            _ch(rng, ("SF", "SF", "S0", "REJ", "RSTO")),
            "T",
            "F",
            "0",
            "ShADadFf",
            str(ob // 1400 + 1),
            str(ob + 40 * (ob // 1400 + 1)),
            str(rb // 1400 + 1),
            str(rb + 40 * (rb // 1400 + 1)),
            "-",
        )
    )


_MAKERS: dict[Format, Callable[[random.Random, _World, float, bool], str]] = {
    "syslog_auth": _auth,
    "auditd": _auditd,
    "json_events": _event,
    "access_log": _access,
    "zeek_conn": _conn,
}


def header(fmt: Format) -> bytes:
    """Lines a file of ``fmt`` starts with (Zeek's header), empty for the other formats."""
    return _ZEEK_HEADER.encode() if fmt == "zeek_conn" else b""


def generate_blocks(fmt: Format, records: int, seed: int) -> Iterator[tuple[bytes, int]]:
    """``records`` lines of ``fmt`` as blocks of newline-terminated bytes with their line count.

    The header (if any) comes first and counts as lines. Memory is bounded by one block.
    """
    rng = random.Random(f"{seed}:{fmt}")
    world = _World(random.Random(seed))
    make = _MAKERS[fmt]
    head = header(fmt)
    head_lines = head.count(b"\n")
    if head:
        yield head, head_lines
    ts = START
    # One burst of 400 suspicious records every 200k records (none in the first 100k).
    burst_every = 200_000
    done = head_lines
    while done < records:
        n = min(BLOCK, records - done)
        out: list[str] = []
        for i in range(n):
            ts += rng.expovariate(1 / MEAN_GAP_S)
            k = done + i
            burst = (k % burst_every) < 400 and k >= burst_every // 2
            out.append(make(rng, world, ts, burst))
        out.append("")
        yield "\n".join(out).encode(), n
        done += n
