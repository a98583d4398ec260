"""Every detection on the real samples of ../shared/data, against the ground truth in its README.

Each sample goes through the project's own parser (samples.py) into a sealed store.
"""

from __future__ import annotations

import pytest

from queries.thresholds import CriticalCommand, DataValue, RequestLimit, Thresholds
from tests.queries.helpers import by_entity, findings

pytestmark = pytest.mark.slow


class TestBruteForce:
    def test_per_source_matches_the_readme_windows(self, sample_store):
        """600 s windows: 183.62.140.253 peaks at 279, 187.141.143.180 at 80, 103.99.0.122 at 30."""
        found = findings(sample_store("openssh"), "auth-brute-force-source", min_failures=30)
        peak = {}
        for f in found:
            peak[f["entity"]] = max(peak.get(f["entity"], 0), f["count"])
        assert peak == {"183.62.140.253": 279, "187.141.143.180": 80, "103.99.0.122": 30}
        f = max(found, key=lambda f: f["count"])
        assert len(f["evidence"]) == 279

    def test_boundary_103_99_0_122_is_out_above_30(self, sample_store):
        """With more than 30 required (Sigma's > 30) the 30-failure source drops out."""
        found = by_entity(
            findings(sample_store("openssh"), "auth-brute-force-source", min_failures=31)
        )
        assert set(found) == {"183.62.140.253", "187.141.143.180"}

    def test_per_user_root_not_the_one_success(self, sample_store):
        """root is brute-forced; fztu (the one successful login) is not."""
        found = findings(sample_store("openssh"), "auth-brute-force-user")
        users = {f["entity"] for f in found}
        assert "root" in users
        assert "fztu" not in users
        assert max(f["count"] for f in found if f["entity"] == "root") == 273

    def test_no_brute_force_in_the_audit_log(self, sample_store):
        """The AIT audit log has no failed logins at all."""
        assert findings(sample_store("auditd"), "auth-brute-force-source") == []


class TestSuccessAfterFailures:
    def test_tomcat_manager_login_after_three_401(self, sample_store):
        """192.168.105.83 got three 401s, then logged in as admin."""
        found = by_entity(findings(sample_store("tomcat"), "auth-success-after-failures"))
        assert set(found) == {"192.168.105.83"}
        assert found["192.168.105.83"]["count"] == 3
        assert '"user":"admin"' in found["192.168.105.83"]["detail"]

    def test_openssh_single_success_had_no_failures(self, sample_store):
        """The one Accepted password (fztu from 119.137.62.142) followed no failures."""
        assert findings(sample_store("openssh"), "auth-success-after-failures") == []


class TestAccessDenied:
    def test_tomcat_401_bursts_depend_on_the_window(self, sample_store):
        """.83's three 401s share a second; .76's three span 47 minutes."""
        short = by_entity(
            findings(sample_store("tomcat"), "access-denied-burst", min_denials=3, window_s=600)
        )
        assert set(short) == {"192.168.105.83"}
        long = by_entity(
            findings(sample_store("tomcat"), "access-denied-burst", min_denials=3, window_s=3600)
        )
        assert set(long) == {"192.168.105.83", "192.168.105.76"}

    def test_audit_log_has_no_res_failed(self, sample_store):
        """No AIT audit record has res=failed."""
        assert findings(sample_store("auditd"), "access-denied-burst", min_denials=1) == []


class TestPrivilegeEscalation:
    def test_www_data_su_and_cat_shadow(self, sample_store):
        """Line 1860 (uid 33 su to jhall) and line 1864 (cat /etc/shadow) are found."""
        found = by_entity(findings(sample_store("auditd"), "privilege-escalation-attempt"))
        assert set(found) == {"uid=33", "uid=1002"}
        assert "switch-user-by-service-account" in found["uid=33"]["detail"]
        assert "credential-store-access" in found["uid=1002"]["detail"]
        assert found["uid=1002"]["evidence"] == [
            1864
        ]  # record 0 opens the session: line n is index n

    def test_openssh_has_none(self, sample_store):
        """Failed ssh logins are not privilege escalation."""
        assert findings(sample_store("openssh"), "privilege-escalation-attempt") == []


class TestNewSource:
    def test_admin_from_two_more_addresses(self, sample_store):
        """admin logs in from .83, then .76 and 192.168.153.46 are new sources."""
        found = findings(sample_store("tomcat"), "auth-new-source-for-user", prefix_bits=32)
        assert sorted(f["detail"].split('"src_ip":"')[1].split('"')[0] for f in found) == [
            "192.168.105.76",
            "192.168.153.46",
        ]

    def test_audit_logins_all_from_one_address(self, sample_store):
        """The three sshd logins in the audit log all come from 172.19.131.174."""
        assert findings(sample_store("auditd"), "auth-new-source-for-user", prefix_bits=32) == []


class TestExfiltration:
    def test_large_outbound_scranton(self, sample_store):
        """10.0.1.4 sends more than 2 MB in the hour of the exfil; nothing above 100 MB."""
        found = by_entity(
            findings(sample_store("zeek_conn"), "exfil-large-outbound", max_bytes=2_000_000)
        )
        assert set(found) == {"10.0.1.4"}
        assert findings(sample_store("zeek_conn"), "exfil-large-outbound") == []

    def test_baseline_flags_the_exfil_minute(self, sample_store):
        """Per minute, the 00:32 window (the 2,181,167-byte WebDAV PUT) is far above baseline."""
        found = findings(
            sample_store("zeek_conn"), "exfil-outbound-baseline", window_s=60, min_windows=3
        )
        starts = {f["window_start"].strftime("%H:%M") for f in found if f["entity"] == "10.0.1.4"}
        assert "00:32" in starts
        assert (
            findings(
                sample_store("zeek_conn"), "exfil-outbound-baseline", window_s=60, min_z=10_000
            )
            == []
        )

    def test_destinations_outside_allowlist(self, sample_store):
        """Only 10/8 allowed: the attacker 192.168.0.4 and redirector 192.168.0.5 show."""
        found = by_entity(
            findings(
                sample_store("zeek_conn"),
                "exfil-destination-not-allowlisted",
                allowlist=["10.0.0.0/8"],
            )
        )
        assert set(found) == {"10.0.1.4 -> 192.168.0.4", "10.0.1.4 -> 192.168.0.5"}
        assert found["10.0.1.4 -> 192.168.0.4"]["count"] == 2_187_099  # orig bytes over 6 conns
        assert findings(sample_store("zeek_conn"), "exfil-destination-not-allowlisted") == []

    def test_removable_media_usbmsc(self, sample_store):
        """The 12 USBMSC kernel lines of Mac_2k are storage attaches; OpenSSH has none."""
        found = findings(sample_store("mac"), "exfil-removable-media")
        assert sum(len(f["evidence"]) for f in found) == 12
        assert findings(sample_store("openssh"), "exfil-removable-media") == []

    def test_archive_put_over_webdav(self, sample_store):
        """The 6 PUTs of /webdav/OfficeSupplies.7z are archive transfers; CloudTrail has none."""
        (f,) = findings(sample_store("zeek_http"), "exfil-archive-then-transfer")
        assert f["entity"] == "10.0.1.4"
        assert f["count"] == 6
        assert findings(sample_store("cloudtrail"), "exfil-archive-then-transfer") == []

    def test_off_hours_transfers(self, sample_store):
        """The exfil at 00:32 UTC is off hours; the stolen-key GetObjects at 01:00 too."""
        off = findings(sample_store("zeek_conn"), "exfil-off-hours", min_bytes=1_000_000)
        assert {f["entity"] for f in off} == {"10.0.1.4"}
        assert findings(sample_store("zeek_conn"), "exfil-off-hours") == []  # 50 MB default
        cloud = findings(sample_store("cloudtrail"), "exfil-off-hours", min_bytes=1)
        # the JSON parser names the assumed role that the stolen key ASIA5FLZVX4OPVKKVBMX used
        assert {f["entity"] for f in cloud} == {"MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0"}
        all_day = findings(
            sample_store("zeek_conn"),
            "exfil-off-hours",
            work_start_hour=0,
            work_end_hour=24,
            weekends=False,
            min_bytes=1_000_000,
        )
        assert all_day == []

    def test_no_dns_tunnelling_in_conn_log(self, sample_store):
        """The conn log has DNS flows but no query names: nothing to flag."""
        assert findings(sample_store("zeek_conn"), "exfil-dns-tunnel-labels") == []


class TestAnomalies:
    def test_apache_busiest_error_minutes(self, sample_store):
        """Dec 04 20:47 and Dec 05 11:06 hold 11 errors each, the busiest minutes."""
        found = findings(sample_store("apache"), "anomaly-error-rate-spike", min_errors=11, min_z=0)
        assert sorted(f["window_start"].strftime("%m-%d %H:%M") for f in found) == [
            "12-04 20:47",
            "12-05 11:06",
        ]
        assert all(f["count"] == 11 for f in found)
        assert findings(sample_store("apache"), "anomaly-error-rate-spike", min_errors=12) == []

    def test_g6_request_rate_tomcat_bursts(self, sample_store):
        """.83 sent 1264 requests in minute 09:32 (+0300), .64 sent 993 in 10:31."""
        limit = lambda n: Thresholds(1, "", request_limits=(RequestLimit("*", "*", 60, n),))  # noqa: E731
        found = by_entity(
            findings(sample_store("tomcat"), "g6-request-rate", thresholds=limit(1000))
        )
        assert {k: v["count"] for k, v in found.items()} == {"192.168.105.83 / *": 1264}
        found = by_entity(
            findings(sample_store("tomcat"), "g6-request-rate", thresholds=limit(990))
        )
        assert {k: v["count"] for k, v in found.items()} == {
            "192.168.105.83 / *": 1264,
            "192.168.105.64 / *": 993,
        }
        assert findings(sample_store("tomcat"), "g6-request-rate") == []  # no thresholds applied

    def test_g6_critical_command_cat_shadow(self, sample_store):
        """cat /etc/shadow (hex-decoded cmd=) exceeds a total of 0 per day."""
        t = Thresholds(
            1, "", critical_commands=(CriticalCommand("shadow", "/etc/shadow", 86400, 0),)
        )
        (f,) = findings(sample_store("auditd"), "g6-critical-command-total", thresholds=t)
        assert f["evidence"] == [1864]
        t = Thresholds(
            1, "", critical_commands=(CriticalCommand("shadow", "/etc/shadow", 86400, 1),)
        )
        assert findings(sample_store("auditd"), "g6-critical-command-total", thresholds=t) == []

    def test_g6_data_value_put_body(self, sample_store):
        """The PUT bodies of 1,082,089 bytes exceed a 1,000,000-byte limit."""
        t = Thresholds(1, "", data_values=(DataValue("PUT", "bytes_out", None, 1_000_000.0),))
        (f,) = findings(sample_store("zeek_http"), "g6-data-value-range", thresholds=t)
        assert f["entity"] == "10.0.1.4 / bytes_out"
        assert '"highest":1082089.0' in f["detail"]
        t = Thresholds(1, "", data_values=(DataValue("PUT", "bytes_out", None, 2_000_000.0),))
        assert findings(sample_store("zeek_http"), "g6-data-value-range", thresholds=t) == []

    def test_traffic_volume_scranton(self, sample_store):
        """Per minute, the 32 MB tool upload over C2 (00:15) stands out for the sensor."""
        found = findings(sample_store("zeek_conn"), "anomaly-traffic-volume", window_s=60)
        assert "00:15" in {f["window_start"].strftime("%H:%M") for f in found}
        assert (
            findings(sample_store("zeek_conn"), "anomaly-traffic-volume", window_s=60, min_z=10_000)
            == []
        )

    def test_rare_audit_types_include_the_attack(self, sample_store):
        """USER_AUTH, USER_CMD and CRED_REFR occur once each; two are the attack lines."""
        found = findings(
            sample_store("auditd"), "anomaly-rare-event-type", max_count=1, learning_s=10**9
        )
        types = {f["entity"].rsplit(":", 1)[1] for f in found}
        assert types == {"USER_AUTH", "USER_CMD", "CRED_REFR"}
        evidence = {i for f in found for i in f["evidence"]}
        assert {1860, 1864} <= evidence  # lines 1860 and 1864
        assert (
            findings(
                sample_store("auditd"), "anomaly-rare-event-type", max_count=0, learning_s=10**9
            )
            == []
        )
