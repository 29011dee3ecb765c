"""The real Python connector reading tables that delta-rs and pyiceberg wrote into an object store (Ceph RGW in
the build), served with presigned store URLs and through the gateway (proxy). Runs when the Java test sets
TABLEGATE_STORE_PROFILE (share "engines", schema "w", the tables of EngineTables.s3SharesYaml)."""
import os

import delta_sharing
import pytest
from conftest import rows

PROFILE = os.environ.get("TABLEGATE_STORE_PROFILE")
pytestmark = pytest.mark.skipif(not PROFILE, reason="no store-backed gateway (TABLEGATE_STORE_PROFILE)")

DELTA = ["delta_presigned", "delta_proxy"]
ICEBERG = ["iceberg_presigned", "iceberg_proxy"]


def url(table):
    return f"{PROFILE}#engines.w.{table}"


def columns(expected_rows):
    return [cell.split("=", 1)[0] for cell in expected_rows[0].split("|")]


def test_lists_the_store_tables():
    names = sorted(t.name for t in delta_sharing.SharingClient(PROFILE).list_all_tables())
    assert names == sorted(DELTA + ICEBERG)


@pytest.mark.parametrize("use_delta_format", [False, True])
@pytest.mark.parametrize("table", DELTA)
def test_delta_latest_and_every_version(table, use_delta_format, expected):
    want = expected["delta_partitioned"]["latest"]
    assert rows(delta_sharing.load_as_pandas(url(table), use_delta_format=use_delta_format), columns(want)) == want
    for version, want in expected["delta_partitioned"]["versions"].items():
        frame = delta_sharing.load_as_pandas(url(table), version=int(version))
        assert rows(frame, columns(want)) == want, f"version {version}"


@pytest.mark.parametrize("table", DELTA)
def test_delta_hints_and_limit(table, expected):
    hint = ('{"op":"equal","children":[{"op":"column","name":"day","valueType":"date"},'
            '{"op":"literal","value":"2024-01-03","valueType":"date"}]}')
    want = expected["delta_partitioned"]["latest"]
    got = rows(delta_sharing.load_as_pandas(url(table), jsonPredicateHints=hint), columns(want))
    assert {r for r in want if r.endswith("day=19725")} <= set(got)
    assert len(got) < len(want), "the hint pruned no partition"
    assert len(delta_sharing.load_as_pandas(url(table), limit=2)) == 2


@pytest.mark.parametrize("table", DELTA)
def test_delta_change_data_feed(table):
    changes = delta_sharing.load_table_changes_as_pandas(url(table), starting_version=1)
    assert {"delete", "update_preimage", "update_postimage", "insert"} <= set(changes["_change_type"])


@pytest.mark.parametrize("table", ICEBERG)
def test_iceberg_with_evolved_schema(table, expected):
    # a renamed column: the connector picks the delta format (column mapping) by itself
    want = expected["iceberg_orders"]["latest"]
    assert rows(delta_sharing.load_as_pandas(url(table)), columns(want)) == want
