"""One test per attack on a sealed store; each asserts the exact error and where it points.

Every adversarial store is made from a real, closed store (real key, real local TSA, real
Parquet) by the mutation described in the test's docstring.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logchain.cli.init import init_store
from logchain.cli.wiring import store_verifier
from logchain.clock import SystemClock
from logchain.errors import (
    ChainBroken,
    ChainForked,
    ChainTruncated,
    IndexDiscontinuity,
    KeyNotValid,
    MultipleIntegrityErrors,
    RecordKind,
    RootMismatch,
    SealInvalid,
    SealMissing,
    SegmentAltered,
    SegmentMissing,
    SegmentUnreadable,
    TimeOrderViolated,
    TimestampInvalid,
    UnsealedSegment,
    WitnessMissing,
)
from logchain.statement import SealStatement, statement_hash
from logchain.verify import verify_log
from sealing.keys import generate_key
from sealing.trust import Keyring, Validity
from tests.tamper.conftest import (
    backdated_bundle,
    bundle_doc,
    clock_at,
    payload_of,
    rewrite_segment,
    rows,
    sealed_at,
    sign_and_stamp,
    store_key,
    write_bundle,
)

SEG = 3  # the second segment seal: records 102..201 (seal 2 holds the open record + 100 lines)


def verify(store, **kw):
    return verify_log(store, store_verifier(store), kw.pop("clock", SystemClock()), **kw)


def first_index(store, seal_index):
    return SealStatement.from_payload(payload_of(store, seal_index)).segment.first_index


class TestIntactStore:
    def test_untouched_store_verifies(self, sealed):
        """The baseline: a closed store verifies with every record counted."""
        report = verify(sealed)
        assert (report.records, report.segments, report.state) == (302, 4, "closed")


class TestRecordAttacks:
    def test_flipped_byte_in_raw(self, sealed):
        """One bit of one record's raw flipped, file rewritten: the chunk holding it is named."""
        base = first_index(sealed, SEG)

        def flip(t):
            raw = t.column("raw").to_pylist()
            raw[70] = bytes([raw[70][0] ^ 1]) + raw[70][1:]
            return t.set_column(t.schema.get_field_index("raw"), "raw", pa.array(raw, pa.binary()))

        rewrite_segment(sealed, SEG, flip)
        with pytest.raises(
            RootMismatch,
            match=r"seal 3: segment 000000000003\.parquet: Merkle root mismatch, a record in "
            r"\d+\.\.\d+ was altered",
        ) as exc:
            verify(sealed)
        e = exc.value
        assert e.seal_index == SEG
        assert e.first_index <= base + 70 <= e.last_index
        assert e.last_index - e.first_index < 64
        assert e.expected != e.calculated

    def test_changed_derived_column(self, sealed):
        """A parsed field (message) rewritten: the envelopes are intact, the file is not."""

        def change(t):
            msg = t.column("message").to_pylist()
            msg[5] = "nothing to see here"
            return t.set_column(t.schema.get_field_index("message"), "message", pa.array(msg))

        rewrite_segment(sealed, SEG, change)
        with pytest.raises(SegmentAltered, match="envelopes are intact") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    @pytest.mark.parametrize(
        ("name", "order", "kind", "offset"),
        [
            ("deleted", [i for i in range(100) if i != 40], RecordKind.DELETED, 40),
            ("duplicated", [*range(41), 40, *range(41, 100)], RecordKind.DUPLICATED, 40),
            ("reordered", [*range(40), 41, 40, *range(42, 100)], RecordKind.REORDERED, 40),
            ("tail deleted", list(range(90)), RecordKind.DELETED, 90),
        ],
    )
    def test_rows_deleted_duplicated_reordered(self, sealed, name, order, kind, offset):
        """Rows taken out, repeated or swapped: the first affected index is named."""
        base = first_index(sealed, SEG)
        rewrite_segment(sealed, SEG, lambda t: rows(t, order))
        with pytest.raises(
            IndexDiscontinuity,
            match=rf"seal 3: segment 000000000003\.parquet: record {base + offset} {kind.value}",
        ) as exc:
            verify(sealed)
        assert (exc.value.kind, exc.value.index, exc.value.seal_index) == (kind, base + offset, SEG)

    def test_inserted_row(self, sealed):
        """A forged record inserted with a new index: the row and its index are named."""

        def insert(t):
            forged = t.slice(10, 1)
            i = forged.schema.get_field_index("index")
            forged = forged.set_column(i, forged.schema.field(i), pa.array([999_999], pa.uint64()))
            return pa.concat_tables([t.slice(0, 11), forged, t.slice(11)])

        rewrite_segment(sealed, SEG, insert)
        with pytest.raises(
            IndexDiscontinuity, match=r"record 999999 inserted \(row 11 holds index 999999\)"
        ) as exc:
            verify(sealed)
        assert (exc.value.kind, exc.value.row, exc.value.index) == (
            RecordKind.INSERTED,
            11,
            999_999,
        )


class TestSegmentAttacks:
    def test_truncated_file(self, sealed):
        """The segment file cut short: unreadable, and its sealed hash is shown."""
        path = sealed.segment_path(SEG)
        path.chmod(0o644)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(SegmentUnreadable, match="cannot be decoded") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    def test_deleted_segment(self, sealed):
        """A sealed segment file removed."""
        sealed.segment_path(SEG).unlink()
        with pytest.raises(
            SegmentMissing, match=r"seal 3: segment file is missing: .*000000000003\.parquet"
        ) as exc:
            verify(sealed)
        assert exc.value.path == sealed.segment_path(SEG)

    def test_swapped_segments(self, sealed):
        """Two segment files exchanged: each is named as the other's copy."""
        a, b = sealed.segment_path(2), sealed.segment_path(SEG)
        tmp = a.with_suffix(".tmp")
        os.rename(a, tmp)
        os.rename(b, a)
        os.rename(tmp, b)
        with pytest.raises(MultipleIntegrityErrors, match=r"2 integrity problems found") as exc:
            verify(sealed)
        errors = exc.value.errors
        assert [type(e) for e in errors] == [SegmentAltered, SegmentAltered]
        assert "copy of the segment of seal 3" in errors[0].message
        assert "copy of the segment of seal 2" in errors[1].message

    def test_replayed_segment_file(self, sealed):
        """An old segment copied in under a new seal number: no seal covers it."""
        target = sealed.segment_path(9)
        shutil.copy(sealed.segment_path(2), target)
        with pytest.raises(UnsealedSegment, match="byte-identical to the segment of seal 2"):
            verify(sealed)

    def test_replayed_seal_and_segment(self, sealed):
        """Seal 2 and its segment copied in as seal 7: the copy names the seal it really is."""
        shutil.copy(sealed.seal_path(2), sealed.seal_path(7))
        shutil.copy(sealed.segment_path(2), sealed.segment_path(7))
        with pytest.raises(SealInvalid, match="holds seal 2 of the chain") as exc:
            verify(sealed)
        assert exc.value.seal_index == 7


class TestChainAttacks:
    def test_deleted_last_seals_show_as_truncation(self, sealed):
        """The close seal and the last segment seal deleted; verified later than the cadence."""
        later = sealed_at(sealed, 6) + timedelta(minutes=10)
        sealed.seal_path(6).unlink()
        sealed.seal_path(5).unlink()
        sealed.segment_path(5).unlink()
        with pytest.raises(
            ChainTruncated, match=r"the chain ends at seal 4 .* without a close seal"
        ) as exc:
            verify(sealed, clock=clock_at(later))
        assert exc.value.last_seal == 4

    def test_recent_open_chain_is_not_truncated(self, make_log):
        """An open chain whose newest seal is within the cadence is a live writer, not an attack."""
        store = make_log(10, segments=1, close=False)
        report = verify(store)
        assert report.state == "open (writer active)"

    def test_deleted_middle_seal(self, sealed):
        """A seal in the middle removed: it is named as missing."""
        sealed.seal_path(SEG).unlink()
        with pytest.raises(MultipleIntegrityErrors, match=r"SealMissing: seal 3 is missing") as exc:
            verify(sealed)
        assert isinstance(exc.value.errors[0], SealMissing)
        assert exc.value.errors[0].seal_index == SEG
        assert any(isinstance(e, UnsealedSegment) for e in exc.value.errors)

    def test_tampered_statement(self, sealed):
        """The signed statement edited (record count changed): the signature fails."""
        doc = bundle_doc(sealed, SEG)
        import base64

        payload = base64.b64decode(doc["dsseEnvelope"]["payload"]).replace(
            b'"count":100', b'"count":99'
        )
        doc["dsseEnvelope"]["payload"] = base64.b64encode(payload).decode()
        write_bundle(sealed, SEG, doc)
        with pytest.raises(SealInvalid, match="signature does not verify") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    def test_seal_resigned_with_unknown_key(self, sealed):
        """The same statement re-signed and re-timestamped with a key not in the keyring."""
        write_bundle(sealed, SEG, sign_and_stamp(sealed, payload_of(sealed, SEG), generate_key()))
        with pytest.raises(SealInvalid, match="not in the trusted keyring") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    def test_timestamp_transplanted_from_another_seal(self, sealed):
        """Seal 3 carries seal 2's timestamp token (over a different signature)."""
        doc = bundle_doc(sealed, SEG)
        doc["verificationMaterial"]["timestampVerificationData"] = bundle_doc(sealed, 2)[
            "verificationMaterial"
        ]["timestampVerificationData"]
        write_bundle(sealed, SEG, doc)
        with pytest.raises(TimestampInvalid, match="Mismatch between messages") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    def test_tsa_not_in_trusted_root(self, sealed, tmp_path):
        """Seal 3 re-stamped by another store's TSA, which this store's root does not list."""
        other = init_store(tmp_path / "other")
        write_bundle(
            sealed, SEG, sign_and_stamp(sealed, payload_of(sealed, SEG), store_key(sealed), other)
        )
        with pytest.raises(TimestampInvalid, match="against any trusted TSA") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    def test_forked_chain(self, sealed):
        """An insider with the key writes a second seal 7 after seal 5, beside the real seal 6."""
        st = SealStatement.from_payload(payload_of(sealed, 6))
        from dataclasses import replace

        fork = replace(st, seal_index=7)
        write_bundle(sealed, 7, sign_and_stamp(sealed, fork.to_payload(), store_key(sealed)))
        with pytest.raises(
            ChainForked, match=r"the chain forks: seals 6, 7 all claim seal 5 as predecessor"
        ) as exc:
            verify(sealed)
        assert (exc.value.parent, exc.value.children) == (5, [6, 7])

    def test_chain_link_rewritten(self, sealed):
        """An insider re-signs seal 4 with a made-up predecessor hash."""
        from dataclasses import replace

        st = SealStatement.from_payload(payload_of(sealed, 4))
        forged = replace(st, prev_statement_sha256="00" * 32)
        write_bundle(sealed, 4, sign_and_stamp(sealed, forged.to_payload(), store_key(sealed)))
        with pytest.raises(
            MultipleIntegrityErrors, match=r"ChainBroken: seal 4 does not link to seal 3"
        ) as exc:
            verify(sealed)
        broken = [e for e in exc.value.errors if isinstance(e, ChainBroken)]
        assert [e.seal_index for e in broken] == [4, 5]
        assert broken[0].actual == "00" * 32

    def test_key_used_outside_its_validity_window(self, sealed):
        """The keyring retires the key before seal 3 is re-signed with it (BS-06)."""
        ring = Keyring.load(sealed.keyring_path)
        ((hint, key),) = ring.keys.items()
        end = sealed_at(sealed, 6) + timedelta(seconds=1)
        ring.keys[hint] = type(key)(
            hint, key.public_key, Validity(key.valid_for.start, end), key.roles
        )
        ring.save(sealed.keyring_path)
        verify(sealed)  # every genuine seal predates the end of the window
        import time

        time.sleep(max(0.0, (end - sealed_at(sealed, 6)).total_seconds()) + 1.1)
        write_bundle(
            sealed, SEG, sign_and_stamp(sealed, payload_of(sealed, SEG), store_key(sealed))
        )
        with pytest.raises(KeyNotValid, match="outside its validity window") as exc:
            verify(sealed)
        assert exc.value.seal_index == SEG

    def test_backdated_timestamp(self, sealed):
        """Seal 4 re-stamped by the (trusted) TSA key with a clock set a minute behind seal 3."""
        when = sealed_at(sealed, SEG) - timedelta(minutes=1)
        write_bundle(sealed, 4, backdated_bundle(sealed, payload_of(sealed, 4), when))
        with pytest.raises(
            TimeOrderViolated, match=r"seal 4 is timestamped .*, before seal 3"
        ) as exc:
            verify(sealed)
        assert exc.value.seal_index == 4

    def test_witnessed_seal_missing_after_rewrite(self, sealed):
        """A statement hash noted earlier must be in the chain: a rewritten tail loses it."""
        witnessed = statement_hash(payload_of(sealed, 6)).hex()
        verify(sealed, witnesses=[witnessed])
        sealed.seal_path(6).unlink()
        with pytest.raises(
            WitnessMissing,
            match=rf"the witnessed seal with statement hash {witnessed} is not in the chain",
        ) as exc:
            verify(sealed, witnesses=[witnessed])
        assert exc.value.statement_hash == witnessed

    def test_stray_file_among_seals(self, sealed):
        """A file that is not a seal placed in seals/ is reported."""
        (sealed.seals_dir / "notes.txt").write_text("hello")
        with pytest.raises(SealInvalid, match=r"unexpected file notes\.txt"):
            verify(sealed)

    def test_empty_store_never_verifies(self, store):
        """A store without seals is an error, never a pass."""
        for p in store.seals_dir.iterdir():
            p.unlink()
        from logchain.errors import EmptyStore

        with pytest.raises(EmptyStore, match=r"no seals found in .*: there is nothing to verify"):
            verify(store)


def test_every_tamper_keeps_the_file_readable_for_pyarrow(sealed):
    """Sanity: the rewrite helper produces valid Parquet (so failures come from verify)."""
    rewrite_segment(sealed, SEG, lambda t: t)
    assert pq.read_table(sealed.segment_path(SEG)).num_rows == 100
    with pytest.raises(SegmentAltered, match="envelopes are intact"):
        verify(sealed)
    _ = json
