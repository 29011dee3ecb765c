"""Reads a shared table through the gateway's Iceberg REST face with pyiceberg (its REST catalog, and the file
I/O the face's table config asks for: pyarrow's S3 file system with vended credentials, or fsspec's with each
read signed by the face). Prints {"namespaces": [...], "ids": [...]} as JSON: the sorted values of COLUMN (id).

    read_iceberg_face.py URI TOKEN WAREHOUSE NAMESPACE.TABLE [COLUMN]
"""
import json
import sys

from pyiceberg.catalog import load_catalog


def s3fs_signer_workaround(io):
    """pyiceberg registers its remote signer on the client of each s3fs file system it creates (one per thread),
    but s3fs 2026.2.0 replaces that client (and its session) at the first request (its check for closed HTTP
    sessions holds for a client that has none yet), so the signer is never called. Registering pyiceberg's same
    signer on each client those file systems set up makes it sign every request."""
    from pyiceberg.io.fsspec import SIGNERS, FsspecFileIO

    if not isinstance(io, FsspecFileIO) or "s3.signer" not in io.properties:
        return
    signer = SIGNERS[io.properties["s3.signer"]](io.properties)

    def signing(create):
        def create_fs(*args, **kwargs):
            fs = create(*args, **kwargs)
            set_session = fs.set_session

            async def with_signer(refresh=False, kwargs={}):
                client = await set_session(refresh=refresh, kwargs=kwargs)
                client.meta.events.unregister("before-sign.s3", unique_id="tablegate")
                client.meta.events.register_last("before-sign.s3", signer, unique_id="tablegate")
                return client

            fs.set_session = with_signer
            return fs

        return create_fs

    for scheme in ("s3", "s3a", "s3n"):
        io._scheme_to_fs[scheme] = signing(io._scheme_to_fs[scheme])


def main(uri, token, warehouse, ident, column="id"):
    catalog = load_catalog("tablegate", **{"type": "rest", "uri": uri, "token": token, "warehouse": warehouse})
    namespaces = sorted(".".join(n) for n in catalog.list_namespaces())
    table = catalog.load_table(ident)
    s3fs_signer_workaround(table.io)
    values = sorted(table.scan().to_arrow().column(column).to_pylist())
    print(json.dumps({"namespaces": namespaces, "ids": [v if isinstance(v, int) else str(v) for v in values]}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
