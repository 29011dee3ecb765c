"""Reads a shared Iceberg table through the gateway's Iceberg REST face with pyiceberg (its REST catalog and
pyarrow's S3 file system, with the credentials the face vends). Prints {"namespaces": [...], "ids": [...]} as JSON.

    read_iceberg_face.py URI TOKEN WAREHOUSE NAMESPACE.TABLE
"""
import json
import sys

from pyiceberg.catalog import load_catalog


def main(uri, token, warehouse, ident):
    catalog = load_catalog("tablegate", **{"type": "rest", "uri": uri, "token": token, "warehouse": warehouse})
    namespaces = sorted(".".join(n) for n in catalog.list_namespaces())
    table = catalog.load_table(ident)
    ids = sorted(table.scan().to_arrow().column("id").to_pylist())
    print(json.dumps({"namespaces": namespaces, "ids": ids}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
