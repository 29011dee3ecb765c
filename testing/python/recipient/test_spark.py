"""The real Python connector reading tables that Apache Spark wrote (Delta Lake 3.3 and Iceberg on Spark 3.5,
testing/spark) through the gateway. Runs when the Java test (SparkWrittenTablesTest) sets TABLEGATE_SPARK_PROFILE;
the expected rows are what Spark itself read."""
import os

import delta_sharing
import pytest
from conftest import rows

PROFILE = os.environ.get("TABLEGATE_SPARK_PROFILE")
pytestmark = pytest.mark.skipif(not PROFILE, reason="no gateway serving Spark's tables (TABLEGATE_SPARK_PROFILE)")


def url(table):
    return f"{PROFILE}#spark.w.{table}"


def columns(expected_rows):
    return [cell.split("=", 1)[0] for cell in expected_rows[0].split("|")]


@pytest.mark.parametrize("use_delta_format", [None, False, True])
def test_partitioned_table_latest_and_every_version(use_delta_format, expected):
    table = expected["spark_partitioned"]
    want = table["latest"]
    assert rows(delta_sharing.load_as_pandas(url("spark_partitioned"), use_delta_format=use_delta_format), columns(want)) == want
    for version, want in table["versions"].items():
        if not want:
            continue  # the CREATE TABLE version has no rows (and no columns to compare)
        frame = delta_sharing.load_as_pandas(url("spark_partitioned"), version=int(version), use_delta_format=use_delta_format)
        assert rows(frame, columns(want)) == want, f"version {version}"


def test_change_data_feed_equals_sparks(expected):
    want = expected["spark_partitioned"]["changes"]
    frame = delta_sharing.load_table_changes_as_pandas(url("spark_partitioned"), starting_version=1)
    assert rows(frame, columns(want)) == want


@pytest.mark.parametrize("table", ["spark_deletion_vectors", "spark_column_mapping", "spark_iceberg"])
def test_tables_with_reader_features(table, expected):
    # deletion vectors, column mapping, an Iceberg rename: the connector picks the delta format itself
    want = expected[table]["latest"]
    assert rows(delta_sharing.load_as_pandas(url(table)), columns(want)) == want


def test_deletion_vectors_in_the_parquet_format(expected):
    # a reader that only reads parquet: the gateway serves the files with deletion vectors rewritten without
    # their deleted rows, and the rows equal what Spark read
    want = expected["spark_deletion_vectors"]["latest"]
    assert rows(delta_sharing.load_as_pandas(url("spark_deletion_vectors"), use_delta_format=False), columns(want)) == want
