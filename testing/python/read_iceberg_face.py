"""Reads a shared table through the gateway's Iceberg REST face with pyiceberg (its REST catalog, and the file
I/O the face's table config asks for: pyarrow's S3 file system with vended credentials, or fsspec's with each
read signed by the face). Prints {"namespaces": [...], "ids": [...]} as JSON: the sorted values of COLUMN (id).

    read_iceberg_face.py URI TOKEN WAREHOUSE NAMESPACE.TABLE [COLUMN]
"""
import json
import sys

from pyiceberg.catalog import load_catalog


def main(uri, token, warehouse, ident, column="id"):
    catalog = load_catalog("tablegate", **{"type": "rest", "uri": uri, "token": token, "warehouse": warehouse})
    namespaces = sorted(".".join(n) for n in catalog.list_namespaces())
    table = catalog.load_table(ident)
    values = sorted(table.scan().to_arrow().column(column).to_pylist())
    print(json.dumps({"namespaces": namespaces, "ids": [v if isinstance(v, int) else str(v) for v in values]}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
