"""The real public samples in ../shared/data: nothing lost, coverage held, ground truth in SQL.

Each sample is split exactly as the tailer splits files (ingest.lines: a CR stays in raw, a last
line without a newline is still a line), parsed by the format ``detect_format`` picks, written
to a real store with LogWriter, and queried through the verified catalog with DuckDB. The facts
asserted are the ones worked out from the bytes in data/README.md.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.config import DEFAULT_MAX_LINE_BYTES
from ingest.parsers import Derived, ParserOptions, detect_format, get_parser
from ingest.split import LineSplitter, split_chunk
from logchain.catalog import verified_catalog
from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import SystemClock
from logchain.record import RecordFlag
from logchain.segment import RecordBatch
from logchain.store import Store
from logchain.writer import LogWriter
from queries.connection import connect, run_query
from tests.conftest import require_shared_data

#: Reference time for year inference of the syslog samples (they carry no year).
REFERENCE_NS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1e9)


@dataclass(frozen=True)
class Sample:
    key: str
    parts: tuple[str, ...]
    fmt: str
    lines: int
    floor: float  #: parse coverage measured on these bytes (fraction without parse_error)
    member: str | None = None  #: file inside a zip


SAMPLES = (
    Sample("openssh", ("loghub", "OpenSSH", "OpenSSH_2k.log"), "rfc3164", 2000, 1.0),
    Sample("apache", ("loghub", "Apache", "Apache_2k.log"), "apache_error", 2000, 1.0),
    Sample("bgl", ("loghub", "BGL", "BGL_2k.log"), "bgl", 2000, 1.0),
    Sample("hdfs", ("loghub", "HDFS", "HDFS_2k.log"), "hdfs", 2000, 1.0),
    Sample("mac", ("loghub", "Mac", "Mac_2k.log"), "rfc3164", 2000, 1.0),
    Sample(
        "auditd",
        ("ait_lds_v2_russellmitchell_auditd", "russelmitchell_intranet_server_audit.log"),
        "auditd",
        2316,
        1.0,
    ),
    Sample("zeek_conn", ("otrf_apt29_day1_zeek", "SCRANTON_conn.log"), "zeek", 134, 1.0),
    Sample("zeek_http", ("otrf_apt29_day1_zeek", "SCRANTON_http.log"), "zeek", 62, 1.0),
    Sample(
        "cloudtrail",
        ("otrf_aws_s3_exfiltration", "ec2_proxy_s3_exfiltration.zip"),
        "json",
        103,
        1.0,
        member="ec2_proxy_s3_exfiltration_2020-09-14011940.json",
    ),
    Sample(
        "tomcat",
        (
            "evtx_attack_samples_tomcat_access",
            "web_attack_and_isp_webshell_localhost_access_log.txt",
        ),
        "access",
        2661,
        0.9996,  # 2660 of 2661: line 27 holds raw TLS bytes (invalid UTF-8)
    ),
)
BY_KEY = {s.key: s for s in SAMPLES}


def sample_bytes(sample: Sample) -> bytes:
    path = require_shared_data(*sample.parts)
    if sample.member is None:
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return archive.read(sample.member)


def split(data: bytes) -> tuple[list[bytes], list[int], list[int]]:
    """Lines, offsets and flags exactly as the tailer reads a whole file (in 4 KiB reads)."""
    splitter = LineSplitter(0, continuing=False, cap=DEFAULT_MAX_LINE_BYTES)
    chunks = [c for i in range(0, len(data), 4096) for c in splitter.feed(data[i : i + 4096])]
    last = splitter.finish()
    runs = [split_chunk(c, DEFAULT_MAX_LINE_BYTES) for c in [*chunks, *([last] if last else [])]]
    return (
        [r for run in runs for r in run.raw.to_pylist()],
        [o for run in runs for o in run.offsets.to_pylist()],
        [f for run in runs for f in run.flags.to_pylist()],
    )


def parse(sample: Sample, raw: list[bytes]) -> Derived:
    fmt = detect_format(raw[:50])
    options = ParserOptions(timezone="UTC", reference_time_ns=REFERENCE_NS)
    return get_parser(fmt, options).parse(raw)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_nothing_lost_and_coverage(sample: Sample) -> None:
    """Every line is kept byte-exact, the format is detected, and coverage holds its floor."""
    data = sample_bytes(sample)
    raw, offsets, flags = split(data)
    assert len(raw) == sample.lines
    rebuilt = b"".join(
        r if f & RecordFlag.NO_NEWLINE else r + b"\n" for r, f in zip(raw, flags, strict=True)
    )
    assert rebuilt == data
    assert offsets[-1] + len(raw[-1]) + (0 if flags[-1] else 1) == len(data)
    assert detect_format(raw[:50]) == sample.fmt
    derived = parse(sample, raw)
    assert all(len(v) == len(raw) for v in derived.values())
    errors = derived.get("parse_error")
    parsed = len(raw) if errors is None else errors.null_count
    assert parsed / len(raw) >= sample.floor


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory, _template_store: Path):
    """A real store holding every sample (source = its key), opened through the verified catalog."""
    dest = tmp_path_factory.mktemp("samples") / "store"
    shutil.copytree(_template_store, dest)
    store = Store(dest)
    writer = LogWriter(
        store, store_sealer(store), store_verifier(store), SystemClock(), command="test"
    )
    with writer:
        for sample in SAMPLES:
            raw, offsets, flags = split(sample_bytes(sample))
            n = len(raw)
            batch = RecordBatch([sample.key] * n, [1] * n, offsets, raw, flags, parse(sample, raw))
            writer.append(batch)
            writer.tick()
    catalog = verified_catalog(store, store_verifier(store))
    return connect(catalog.segments, catalog.seals)


def sql(con, query: str, **params: object) -> list[tuple[object, ...]]:
    table = run_query(con, query, params)
    return [tuple(row.values()) for row in table.to_pylist()]


def sql_failed(con, query: str, **params: object) -> list[tuple[object, ...]]:
    """``query`` with the view-like name ``failed``: the sample's failed-password attempts."""
    return sql(con, FAILED_CTE + query, **params)


FAILED_CTE = (
    "WITH failed AS (SELECT * FROM records WHERE source = 'openssh' AND event_type = 'ssh_login' "
    "AND outcome = 'failure' AND attrs->>'auth_method' = 'password') "
)


#: Failed-password attempts of the OpenSSH sample (CTE prefixed to the queries below).
class TestOpenSSH:
    def test_failed_passwords_per_source(self, con):
        """Failed passwords per source address: 183.62.140.253 = 286 and the rest of the top 5."""
        rows = sql_failed(
            con,
            "SELECT src_ip, count(*) FROM failed GROUP BY src_ip ORDER BY 2 DESC, 1 LIMIT 5",
        )
        assert rows == [
            ("183.62.140.253", 286),
            ("187.141.143.180", 80),
            ("103.99.0.122", 46),
            ("112.95.230.3", 26),
            ("5.188.10.180", 18),
        ]

    def test_lines_and_attempts(self, con):
        """520 failed-password lines, 528 attempts counting 'message repeated', 23 sources."""
        rows = sql_failed(
            con,
            "SELECT count(*), sum(coalesce(CAST(attrs->>'repeated' AS INT), 1)), "
            "count(DISTINCT src_ip) FROM failed",
        )
        assert rows == [(520, 528, 23)]

    def test_root_brute_force_window(self, con):
        """286 failures from 183.62.140.253, 10:54:29-11:04:43: 276 for root, 10 invalid users.

        (data/README.md says all 286 are for root; the bytes have 10 'for invalid user' lines.)
        """
        rows = sql_failed(
            con,
            "SELECT count(*), count(*) FILTER (WHERE user = 'root'), "
            "strftime(min(event_time), '%H:%M:%S'), strftime(max(event_time), '%H:%M:%S') "
            "FROM failed WHERE src_ip = $ip",
            ip="183.62.140.253",
        )
        assert rows == [(286, 276, "10:54:29", "11:04:43")]

    def test_sliding_600s_window_maxima(self, con):
        """Max failures in any 600 s window per source: 279, 80, and exactly 30 (the boundary)."""
        rows = sql_failed(
            con,
            "SELECT src_ip, max(n) FROM (SELECT src_ip, count(*) OVER (PARTITION BY src_ip "
            "ORDER BY event_time RANGE BETWEEN INTERVAL 600 SECONDS PRECEDING AND CURRENT ROW) "
            "AS n "
            "FROM failed) GROUP BY src_ip ORDER BY 2 DESC LIMIT 3",
        )
        assert rows == [("183.62.140.253", 279), ("187.141.143.180", 80), ("103.99.0.122", 30)]

    def test_one_success(self, con):
        """Exactly one accepted password: fztu from 119.137.62.142 at 09:32:20."""
        rows = sql(
            con,
            "SELECT user, src_ip, src_port, strftime(event_time, '%H:%M:%S') FROM records "
            "WHERE source = 'openssh' AND event_type = 'ssh_login' AND outcome = 'success'",
        )
        assert rows == [("fztu", "119.137.62.142", 49116, "09:32:20")]

    def test_invalid_users_and_break_in_warnings(self, con):
        """113 invalid-user lines (admin 21 most), 85 POSSIBLE BREAK-IN ATTEMPT lines."""
        rows = sql(
            con,
            "SELECT event_type, count(*), mode(user) FROM records WHERE source = 'openssh' "
            "AND event_type IN ('ssh_invalid_user', 'ssh_break_in_attempt') GROUP BY 1 ORDER BY 1",
        )
        assert rows == [("ssh_break_in_attempt", 85, None), ("ssh_invalid_user", 113, "admin")]


class TestAuditd:
    def test_record_types(self, con):
        """Record type counts as in the README, no failures, 1490 cron records."""
        rows = dict(
            sql(con, "SELECT event_type, count(*) FROM records WHERE source = 'auditd' GROUP BY 1")
        )
        assert rows["CRED_ACQ"] == 308
        assert rows["USER_LOGIN"] == 3
        assert rows["USER_CMD"] == rows["USER_AUTH"] == rows["CRED_REFR"] == 1
        assert sum(rows.values()) == 2316
        assert sql(
            con,
            "SELECT count(*) FILTER (WHERE outcome = 'failure'), "
            "count(*) FILTER (WHERE attrs->>'exe' = '/usr/sbin/cron') FROM records "
            "WHERE source = 'auditd'",
        ) == [(0, 1490)]

    def test_www_data_su_and_shadow_read(self, con):
        """uid 33 su's to jhall at 04:37:40, then USER_CMD runs hex-decoded `cat /etc/shadow`."""
        rows = sql(
            con,
            "SELECT event_type, event_id, user, app, attrs->>'uid', object, "
            "strftime(event_time, '%Y-%m-%d %H:%M:%S') FROM records "
            "WHERE source = 'auditd' AND event_type IN ('USER_AUTH', 'USER_CMD') "
            "ORDER BY event_time",
        )
        assert rows == [
            ("USER_AUTH", "2226", "jhall", "su", "33", "/bin/su", "2022-01-24 04:37:40"),
            ("USER_CMD", "2230", "1002", None, "1002", "cat /etc/shadow", "2022-01-24 04:38:06"),
        ]

    def test_ssh_logins(self, con):
        """The 3 USER_LOGIN records: sshd, auid 1002 from 172.19.131.174, success."""
        rows = sql(
            con,
            "SELECT DISTINCT app, attrs->>'auid', src_ip, outcome FROM records "
            "WHERE source = 'auditd' AND event_type = 'USER_LOGIN'",
        )
        assert rows == [("sshd", "1002", "172.19.131.174", "success")]


class TestWeb:
    def test_tomcat_401_by_client_then_admin(self, con):
        """8 x 401 (3, 3, 2 by client) and 37 requests authenticated as admin."""
        rows = sql(
            con,
            "SELECT src_ip, count(*) FROM records WHERE source = 'tomcat' "
            "AND CAST(attrs->>'status' AS INT) = 401 GROUP BY 1 ORDER BY 1",
        )
        assert rows == [("192.168.105.76", 3), ("192.168.105.83", 3), ("192.168.153.46", 2)]
        assert sql(
            con, "SELECT count(*) FROM records WHERE source = 'tomcat' AND user = 'admin'"
        ) == [(37,)]

    def test_tomcat_burst_and_webshell(self, con):
        """1264 requests from .83 in minute 09:32 (+0300), and 21 cmd.jsp requests, 16 POST."""
        assert sql(
            con,
            "SELECT count(*) FROM records WHERE source = 'tomcat' AND src_ip = '192.168.105.83' "
            "AND date_trunc('minute', event_time) = TIMESTAMPTZ '2018-07-11 06:32:00+00'",
        ) == [(1264,)]
        assert sql(
            con,
            "SELECT count(*), count(*) FILTER (WHERE action = 'POST'), "
            "count(*) FILTER (WHERE outcome = 'success') FROM records "
            "WHERE source = 'tomcat' AND object = '/error/cmd.jsp' AND src_ip = '192.168.105.76'",
        ) == [(21, 16, 21)]
        assert sql(
            con,
            "SELECT count(*) FROM records WHERE source = 'tomcat' AND message = '-'",
        ) == [(14,)]

    def test_apache_error_levels(self, con):
        """595 [error] and 1405 [notice]; 369 'state 6'; 32 index refusals from 32 clients."""
        assert sql(
            con,
            "SELECT severity, count(*) FROM records WHERE source = 'apache' GROUP BY 1 ORDER BY 1",
        ) == [("error", 595), ("notice", 1405)]
        assert sql(
            con,
            "SELECT count(*) FILTER (WHERE message = 'mod_jk child workerEnv in error state 6'), "
            "count(DISTINCT src_ip) FILTER (WHERE message LIKE 'Directory index forbidden%') "
            "FROM records WHERE source = 'apache'",
        ) == [(369, 32)]


class TestExfiltration:
    def test_apt29_webdav_put(self, con):
        """One PUT of 1,082,089 bytes answered 204, and its conn with orig_bytes 2,181,167."""
        assert sql(
            con,
            "SELECT object, src_ip, dst_ip FROM records WHERE source = 'zeek_http' "
            "AND action = 'PUT' AND bytes_out = 1082089 "
            "AND CAST(attrs->>'status_code' AS INT) = 204",
        ) == [("/webdav/OfficeSupplies.7z", "10.0.1.4", "192.168.0.4")]
        assert sql(
            con,
            "SELECT src_ip, dst_ip, dst_port, bytes_out, bytes_in FROM records "
            "WHERE source = 'zeek_conn' AND event_id = 'CPKuRr3fL4F8tgqXQ1'",
        ) == [("10.0.1.4", "192.168.0.4", 80, 2181167, 27238)]

    def test_apt29_http_methods(self, con):
        """62 requests 10.0.1.4 -> 192.168.0.4: 26 PROPFIND, 6 PUT, 2 GET; 61 WebDAV agents."""
        methods = dict(
            sql(con, "SELECT action, count(*) FROM records WHERE source = 'zeek_http' GROUP BY 1")
        )
        assert (methods["PROPFIND"], methods["PUT"], methods["GET"], sum(methods.values())) == (
            26,
            6,
            2,
            62,
        )
        assert sql(
            con,
            "SELECT count(*) FROM records WHERE source = 'zeek_http' "
            "AND attrs->>'user_agent' = 'Microsoft-WebDAV-MiniRedir/10.0.18362'",
        ) == [(61,)]

    def test_cloudtrail_stolen_key(self, con):
        """11 S3 calls with the stolen key; 2 GetObject of ring.txt with 89 bytes out each."""
        key = "ASIA5FLZVX4OPVKKVBMX"
        assert sql(
            con,
            "SELECT count(*), strftime(min(event_time), '%H:%M:%S'), "
            "strftime(max(event_time), '%H:%M:%S') "
            "FROM records WHERE source = 'cloudtrail' AND app = 's3.amazonaws.com' "
            "AND attrs->>'$.\"userIdentity.accessKeyId\"' = $key",
            key=key,
        ) == [(11, "01:00:04", "01:13:20")]
        assert (
            sql(
                con,
                "SELECT object, bytes_out FROM records "
                "WHERE source = 'cloudtrail' AND action = 'GetObject'",
            )
            == [("mordors3stack-s3bucket-llp2yingx64a/ring.txt", 89)] * 2
        )


class TestAnomalySamples:
    def test_bgl_labels_and_severity(self, con):
        """143 labelled alerts, all FATAL, but 347 FATAL lines in all."""
        assert sql(
            con,
            "SELECT count(*) FILTER (WHERE attrs->>'label' IS NOT NULL), "
            "count(*) FILTER (WHERE attrs->>'label' IS NOT NULL AND severity = 'FATAL'), "
            "count(*) FILTER (WHERE severity = 'FATAL') FROM records WHERE source = 'bgl'",
        ) == [(143, 143, 347)]

    def test_hdfs_blocks_and_warnings(self, con):
        """2200 distinct block ids over the 2000 lines; 80 WARN lines."""
        assert sql(
            con,
            "SELECT count(DISTINCT b) FROM (SELECT unnest(coalesce("
            "CAST(json_extract_string(attrs, '$.blocks[*]') AS VARCHAR[]), [object])) AS b "
            "FROM records WHERE source = 'hdfs')",
        ) == [(2200,)]
        assert sql(
            con, "SELECT count(*) FROM records WHERE source = 'hdfs' AND severity = 'WARN'"
        ) == [(80,)]

    def test_mac_usb_mass_storage(self, con):
        """12 USBMSC kernel lines, Apple vendor 0x5ac, on 6 days."""
        assert sql(
            con,
            "SELECT count(*), any_value(attrs->>'vendor_id'), count(DISTINCT event_time::DATE) "
            "FROM records WHERE source = 'mac' AND event_type = 'usb_mass_storage'",
        ) == [(12, "0x5ac", 6)]
