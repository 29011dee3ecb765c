"""Writes test tables with real engines (delta-rs through `deltalake`, and `pyiceberg`) and the rows
those engines read back, for the gateway's tests to compare against what a recipient reads.

Usage: write_tables.py OUT_DIR [S3_ENDPOINT BUCKET ACCESS_KEY SECRET_KEY]

With an S3 endpoint, the tables are written into that bucket by the engines themselves (delta-rs's own
object store, pyiceberg's pyarrow S3 file system) instead of OUT_DIR; OUT_DIR still gets expected.json.

OUT_DIR/<table>/ holds each table; OUT_DIR/expected.json maps table -> {"latest": [rows],
"versions": {version: [rows]}} with each row in the canonical form of the Java tests' KernelRows
("col=value|col=value" in schema order; dates as days since the epoch; null as "null"), sorted.
"""
import datetime
import json
import os
import shutil
import sys

import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder, write_deltalake
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import MonthTransform
from pyiceberg.types import DateType, LongType, NestedField, StringType

EPOCH = datetime.date(1970, 1, 1)


def canonical(value):
    if value is None:
        return "null"
    if isinstance(value, datetime.date):
        return str((value - EPOCH).days)
    return str(value)


def rows(arrow_table):
    names = arrow_table.column_names
    out = ["|".join(f"{n}={canonical(r[n])}" for n in names) for r in arrow_table.to_pylist()]
    return sorted(out)


def delta_rows(path, version=None):
    """Rows as delta-rs reads them through its query engine (DataFusion), which applies column mapping."""
    table = DeltaTable(path, version=version, storage_options=delta_options())
    return rows(pa.table(QueryBuilder().register("t", table).execute("select * from t").read_all()))


def orders(ids, days, names=None):
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "name": names or [f"n{i}" for i in ids],
        "day": pa.array(days, pa.date32()),
    })


S3 = {}


def location(out, name):
    """Where a table goes: a local directory, or a prefix of the S3 bucket."""
    return f"s3://{S3['bucket']}/{name}" if S3 else os.path.join(out, name)


def delta_options():
    if not S3:
        return None
    return {"AWS_ENDPOINT_URL": S3["endpoint"], "AWS_ACCESS_KEY_ID": S3["key"], "AWS_SECRET_ACCESS_KEY": S3["secret"],
            "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true", "AWS_S3_ALLOW_UNSAFE_RENAME": "true",
            "AWS_VIRTUAL_HOSTED_STYLE_REQUEST": "false"}


def delta_partitioned(out, expected):
    """Partitioned by day, change data feed on: INSERT, DELETE, UPDATE, MERGE, then a checkpoint."""
    path = location(out, "delta_partitioned")
    opts = delta_options()
    d1, d2, d3 = datetime.date(2024, 1, 1), datetime.date(2024, 1, 2), datetime.date(2024, 1, 3)
    write_deltalake(path, orders([1, 2, 3, 4], [d1, d1, d2, d2]), partition_by=["day"],
                    configuration={"delta.enableChangeDataFeed": "true"}, storage_options=opts)
    dt = DeltaTable(path, storage_options=opts)
    dt.delete("id = 1")
    dt.update(updates={"name": "'updated'"}, predicate="id = 3")
    source = orders([4, 5], [d2, d3], ["merged", "inserted"])
    (dt.merge(source=source, predicate="t.id = s.id", source_alias="s", target_alias="t")
       .when_matched_update_all().when_not_matched_insert_all().execute())
    dt.create_checkpoint()
    write_deltalake(path, orders([6], [d3]), mode="append", storage_options=opts)
    versions = {}
    for v in range(DeltaTable(path, storage_options=opts).version() + 1):
        versions[v] = delta_rows(path, v)
    expected["delta_partitioned"] = {"latest": versions[max(versions)], "versions": versions}


def delta_column_mapping(out, expected):
    """Column mapping mode 'name' as delta-rs writes it (physical column names in the Parquet files).

    delta-rs has no rename, so the rename is one metaData commit written here the way Spark writes it:
    the field's logical name changes, its physical name and id stay.
    """
    path = os.path.join(out, "delta_column_mapping")
    d1 = datetime.date(2024, 2, 1)
    write_deltalake(path, orders([1, 2], [d1, d1]), configuration={"delta.columnMapping.mode": "name"})
    write_deltalake(path, orders([3], [d1]), mode="append")
    log = os.path.join(path, "_delta_log")
    latest = DeltaTable(path).version()
    metadata = None
    protocol = None
    for v in range(latest + 1):
        with open(os.path.join(log, f"{v:020d}.json")) as f:
            for line in f:
                action = json.loads(line)
                metadata = action.get("metaData", metadata)
                protocol = action.get("protocol", protocol)
    schema = json.loads(metadata["schemaString"])
    for field in schema["fields"]:
        if field["name"] == "name":
            field["name"] = "label"
    metadata["schemaString"] = json.dumps(schema, separators=(",", ":"))
    commit_info = {"commitInfo": {"timestamp": int(datetime.datetime.now().timestamp() * 1000),
                                  "operation": "RENAME COLUMN", "operationParameters": {"oldColumnPath": "name", "newColumnPath": "label"}}}
    with open(os.path.join(log, f"{latest + 1:020d}.json"), "x") as f:
        f.write(json.dumps(commit_info) + "\n" + json.dumps({"metaData": metadata}) + "\n")
    table = DeltaTable(path)
    assert table.schema().fields[1].name == "label", table.schema()
    expected["delta_column_mapping"] = {"latest": delta_rows(path), "versions": {},
                                        "protocol": {"minReaderVersion": protocol["minReaderVersion"]}}


def iceberg_orders(out, expected):
    """Iceberg v2, partitioned by month(day): appends, a delete, a rename and an added column."""
    props = {}
    if S3:
        warehouse = f"s3://{S3['bucket']}/iceberg_warehouse"
        props = {"s3.endpoint": S3["endpoint"], "s3.access-key-id": S3["key"], "s3.secret-access-key": S3["secret"],
                 "s3.region": "us-east-1", "s3.force-virtual-addressing": "false", "py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO"}
    else:
        local = os.path.join(out, "iceberg_warehouse")
        os.makedirs(local)
        warehouse = f"file://{local}"
    catalog = SqlCatalog("writer", uri=f"sqlite:///{os.path.join(out, 'iceberg_catalog.db')}", warehouse=warehouse, **props)
    catalog.create_namespace("db")
    schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False),
                    NestedField(3, "day", DateType(), required=False))
    spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=MonthTransform(), name="day_month"))
    table = catalog.create_table("db.orders", schema=schema, partition_spec=spec, properties={"format-version": "2"})
    arrow = table.schema().as_arrow()
    table.append(orders([1, 2, 3], [datetime.date(2024, 1, 5), datetime.date(2024, 2, 5), datetime.date(2024, 2, 6)]).cast(arrow))
    table.append(orders([4, 5], [datetime.date(2024, 3, 5), datetime.date(2024, 1, 9)]).cast(arrow))
    table.delete("id == 2")
    with table.update_schema() as update:
        update.rename_column("name", "label")
        update.add_column("qty", LongType())
    table = catalog.load_table("db.orders")
    table.append(pa.table({"id": pa.array([6], pa.int64()), "label": ["six"], "day": pa.array([datetime.date(2024, 4, 1)], pa.date32()),
                           "qty": pa.array([3], pa.int64())}).cast(table.schema().as_arrow()))
    table = catalog.load_table("db.orders")
    snapshots = {}
    for s in table.snapshots():
        snapshots[s.sequence_number] = rows(table.scan(snapshot_id=s.snapshot_id).to_arrow())
    expected["iceberg_orders"] = {"latest": rows(table.scan().to_arrow()), "versions": snapshots,
                                  "metadataLocation": table.metadata_location}


def main():
    out = sys.argv[1]
    if len(sys.argv) == 6:
        S3.update(endpoint=sys.argv[2], bucket=sys.argv[3], key=sys.argv[4], secret=sys.argv[5])
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    expected = {}
    delta_partitioned(out, expected)
    if not S3:
        delta_column_mapping(out, expected)  # its rename is a commit written by hand, on the local file system
    iceberg_orders(out, expected)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
