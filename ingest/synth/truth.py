"""Facts about the incidents embedded in generated logs: what a detection should find.

Times are seconds after :data:`ingest.synth.world.DAY_START` (use ``world.at(t)`` for a datetime).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BruteForce:
    """SSH password guessing from one address, then a successful login (auth.log)."""

    host: str
    src_ip: str
    user: str
    failed_lines: int  #: 'Failed password' lines, a 'message repeated' line counted once
    failed_attempts: int  #: attempts, counting each 'message repeated N times' as N
    first_failure: float
    last_failure: float
    success_time: float


@dataclass(frozen=True, slots=True)
class PrivilegeEscalation:
    """sudo refusals for a non-admin (auth.log) and a web-server account su'ing (audit.log)."""

    sudo_host: str
    sudo_user: str
    sudo_incorrect_attempts: int
    not_in_sudoers_command: str
    su_host: str
    su_from_uid: int
    su_to_user: str
    command: str  #: what the escalated user ran (hex-encoded in audit.log)
    time: float


@dataclass(frozen=True, slots=True)
class Transfer:
    """Bytes sent from an internal host to an external address (conn.log)."""

    src_ip: str
    dst_ip: str
    dst_port: int
    bytes_out: int
    time: float


@dataclass(frozen=True, slots=True)
class UsbCopy:
    """A USB stick attached, mounted and written to (syslog + edr.jsonl)."""

    host: str
    user: str
    vendor_id: str
    product_id: str
    serial: str
    device: str
    mount_point: str
    files: tuple[str, ...]
    bytes_written: int
    attach_time: float


@dataclass(frozen=True, slots=True)
class ArchiveTransfer:
    """An archive built, then sent out within minutes (edr.jsonl + conn.log)."""

    host: str
    user: str
    archive: str
    archive_time: float
    transfer_time: float
    dst_ip: str
    bytes_out: int


@dataclass(frozen=True, slots=True)
class DnsTunnel:
    """Many queries with long random labels under one domain (dns.log)."""

    src_ip: str
    domain: str
    queries: int
    min_label_length: int
    first: float
    last: float


@dataclass(frozen=True, slots=True)
class ErrorBurst:
    """A minute of server errors (access.log)."""

    host_ip: str
    minute: float  #: start of the minute, seconds into the day
    errors: int


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Every embedded incident; times are seconds after ``world.DAY_START``."""

    brute_force: BruteForce
    privilege_escalation: PrivilegeEscalation
    off_hours_transfer: Transfer
    unlisted_transfers: tuple[Transfer, ...]
    usb: UsbCopy
    archive_transfer: ArchiveTransfer
    dns_tunnel: DnsTunnel
    error_burst: ErrorBurst
    silent_host: str
    silent_after: float
