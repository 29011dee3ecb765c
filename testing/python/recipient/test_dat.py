"""The DAT corpus (Delta Acceptance Tests 0.0.3, tables written by Spark) read by the real Python connector
through the gateway: each table's latest rows equal DAT's expected rows (read with pyarrow)."""
import datetime
import decimal
import glob
import math
import os

import delta_sharing
import numpy
import pyarrow
import pyarrow.parquet as pq
import pytest

DAT = os.environ.get("TABLEGATE_DAT", "")
CASES = sorted(os.listdir(DAT)) if DAT else []
# The connector's own limits, whatever the server:
CONNECTOR_LIMITS = {
    # delta-kernel-rust refuses the protocol Spark wrote (columnMapping a writer feature only, at reader version 3)
    "iceberg_compat_v1": ValueError,
    # "Cannot partition on binary or complex columns" (delta_sharing/reader.py)
    "multi_partitioned": ValueError,
}


def cell(value):
    """One value, spelled the same whichever library produced it."""
    if value is None:
        return "null"
    if isinstance(value, numpy.ndarray):
        return cell(value.tolist())
    if isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, float):
        return "null" if math.isnan(value) else repr(value)
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{cell(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(x, tuple) and len(x) == 2 for x in value):  # a map as key/value pairs
            return "{" + ",".join(f"{cell(k)}:{cell(v)}" for k, v in sorted(value, key=lambda kv: str(kv[0]))) + "}"
        return "[" + ",".join(cell(x) for x in value) + "]"
    if hasattr(value, "tolist"):
        return cell(value.tolist())
    return str(value)


def rows(records, columns):
    return sorted("|".join(f"{c}={cell(r.get(c))}" for c in columns) for r in records)


def expected(case):
    files = glob.glob(os.path.join(DAT, case, "expected", "latest", "table_content", "*.parquet"))
    table = pyarrow.concat_tables([pq.read_table(f) for f in files]) if files else None
    return table


def marked(case):
    # Tables that need reader features (check_constraints, column_mapping, deletion_vectors, timestamp_ntz) are
    # read in the delta format, by delta-kernel-rust fetching the gateway's file URLs
    if case in CONNECTOR_LIMITS:
        return pytest.param(case, marks=pytest.mark.xfail(raises=CONNECTOR_LIMITS[case], strict=True, reason="a limit of the connector"))
    return case


@pytest.mark.parametrize("case", [marked(c) for c in CASES])
def test_dat_latest_rows(profile, case):
    want = expected(case)
    # the connector chooses the format from the table's features, as a user's call would
    frame = delta_sharing.load_as_pandas(f"{profile}#dat.cases.{case}")
    columns = want.column_names if want is not None else list(frame.columns)
    got = rows(frame.to_dict(orient="records"), columns)
    assert got == rows(want.to_pandas().to_dict(orient="records"), columns) if want is not None else got == []


@pytest.mark.parametrize("case", CASES)
def test_dat_sample_read_with_pyarrow(profile, case):
    """The gateway's /sample endpoint (its own Kernel read, deletion vectors and column mapping applied) read
    with pyarrow's IPC reader: the rows equal DAT's expected rows, also for tables the connector cannot read."""
    import json

    import requests

    with open(profile) as f:
        p = json.load(f)
    url = f"{p['endpoint'].rstrip('/')}/shares/dat/schemas/cases/tables/{case}/sample?limit=10000"
    resp = requests.get(url, headers={"Authorization": f"Bearer {p['bearerToken']}"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/vnd.apache.arrow.stream"
    got = pyarrow.ipc.open_stream(resp.content).read_all()
    assert got.schema.metadata[b"tablegate.truncated"] == b"false"
    want = expected(case)
    columns = want.column_names
    assert got.column_names == columns
    assert rows(got.to_pylist(), columns) == rows(want.to_pylist(), columns)


def test_dat_deletion_vectors_in_the_parquet_format(profile):
    # the connector told to read parquet only (pandas, no delta-kernel-rust): files with deletion vectors come
    # rewritten by the gateway without their deleted rows
    want = expected("deletion_vectors")
    frame = delta_sharing.load_as_pandas(f"{profile}#dat.cases.deletion_vectors", use_delta_format=False)
    columns = want.column_names
    assert rows(frame.to_dict(orient="records"), columns) == rows(want.to_pandas().to_dict(orient="records"), columns)


# DAT tables whose latest version has files with deletion vectors: the Iceberg REST face refuses them clearly
ICEBERG_FACE_REFUSED = {"deletion_vectors"}


@pytest.mark.parametrize("case", CASES)
def test_dat_read_with_pyiceberg_through_the_iceberg_face(profile, case):
    """Each Delta table of the share loaded by pyiceberg's REST catalog from the gateway's Iceberg face (Iceberg
    metadata the gateway generates: field ids, name mapping, identity partitions) and scanned by pyiceberg: the
    rows equal DAT's expected rows."""
    import json

    from pyiceberg.catalog import load_catalog
    from pyiceberg.exceptions import BadRequestError

    with open(profile) as f:
        p = json.load(f)
    catalog = load_catalog(
        "tablegate", type="rest", uri=p.get("icebergEndpoint", p["endpoint"].rstrip("/") + "/iceberg"),
        token=p["bearerToken"], warehouse="dat")
    if case in ICEBERG_FACE_REFUSED:
        with pytest.raises(BadRequestError, match="deletion vectors"):
            catalog.load_table(f"cases.{case}")
        return
    table = catalog.load_table(f"cases.{case}")
    assert table.properties["tablegate.source-format"] == "delta"
    got = table.scan().to_arrow()
    want = expected(case)
    columns = want.column_names
    assert got.column_names == columns
    assert rows(got.to_pylist(), columns) == rows(want.to_pylist(), columns)
