"""Format v1 never changes: golden vectors, FORMAT.md's worked examples, a recorded store."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from logchain import leaves, merkle
from logchain.clock import FixedClock
from logchain.segment import read_meta
from logchain.store import Store
from logchain.verify import verify_log
from sealing.verifier import BundleVerifier
from tests.golden import make_golden

#: Certificate Transparency's published RFC 6962 test roots for its eight test leaves, copied
#: from CT's test data, independent of this code base.
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
CT_PATH_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]


class TestVectors:
    def test_golden_files_and_format_md_match_the_code(self, capsys):
        """make_golden in check mode finds no drift in vectors.json or docs/FORMAT.md."""
        assert make_golden.main([]) == 0, capsys.readouterr().out

    def test_ct_roots_and_path(self):
        """Our RFC 6962 implementation reproduces Certificate Transparency's test vectors."""
        hashes = [merkle.hash_leaf(x) for x in make_golden.CT_LEAVES]
        for n, root in CT_ROOTS.items():
            assert merkle.root_hash(hashes[:n]).hex() == root
        assert [p.hex() for p in merkle.inclusion_proof(0, hashes)] == CT_PATH_0_OF_8

    def test_vectors_file_holds_the_ct_roots(self):
        """The committed vectors carry the same published roots."""
        doc = json.loads(make_golden.VECTORS.read_text())
        assert {int(k): v for k, v in doc["rfc6962"]["roots"].items()} == CT_ROOTS


class TestRecordedStore:
    def _store(self) -> Store:
        return Store(make_golden.STORE)

    def test_recorded_store_verifies_with_its_trust_material(self):
        """The store recorded for format v1 still verifies, with the same report, years later."""
        store = self._store()
        verifier = BundleVerifier.from_trust_dir(store.trust_dir)
        far_future = FixedClock(4_102_444_800 * 10**9)  # 2100-01-01: a closed chain stays valid
        report = verify_log(store, verifier, far_future)
        expected = json.loads(make_golden.EXPECTED_REPORT.read_text())
        assert make_golden.report_fields(report.to_json()) == expected

    def test_recorded_records_are_the_worked_examples(self):
        """The example lines sit in the recorded segment byte for byte, with their flags."""
        seg = sorted(self._store().segments_dir.glob("*.parquet"))[0]
        table = pq.read_table(seg, columns=["source", "raw", "flags", "source_offset"])
        by_source = [r for r in table.to_pylist() if r["source"] == "auth"]
        assert [(r["raw"], r["flags"], r["source_offset"]) for r in by_source] == [
            (e.raw, int(e.flags), e.source_offset) for e in make_golden.EXAMPLE_RECORDS
        ]

    def test_recorded_roots_recompute_on_both_backends(self):
        """The sealed root recomputes from the envelope columns with C and Python."""
        seg = sorted(self._store().segments_dir.glob("*.parquet"))[0]
        table = pq.read_table(seg)
        sealed = read_meta(seg).root_hash  # the Parquet footer's key-value metadata
        backends = ["python", leaves.available_backend()]
        for backend in backends:
            blob = leaves.leaf_hashes(table, backend=backend)  # type: ignore[arg-type]
            roots = leaves.chunk_roots(blob, 64, backend=backend)  # type: ignore[arg-type]
            assert leaves.root_from_chunk_roots(roots).hex() == sealed
