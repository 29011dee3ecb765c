"""The real Python connector (delta-sharing 1.4.2, pandas, pyarrow) reading tables written by real
engines through the gateway: rows equal what the writing engine reads itself."""
import json

import delta_sharing
import pytest
from conftest import rows

# delta-sharing 1.4.2 reads the delta response format with delta-kernel-rust (sharing wrapper 0.3.3), which
# fetches a file URL over HTTP only when its query has a presigned-URL key (X-Amz-Signature, sp, ...) and
# otherwise opens the URL's path as a local file: the gateway's own file URLs carry "?sp=r" for that.

SHARE = "engines"
SCHEMA = "w"


def url(profile, table):
    return f"{profile}#{SHARE}.{SCHEMA}.{table}"


def columns(expected_rows):
    return [cell.split("=", 1)[0] for cell in expected_rows[0].split("|")]


def test_lists_shares_and_tables(profile):
    client = delta_sharing.SharingClient(profile)
    assert sorted(s.name for s in client.list_shares()) == ["dat", SHARE]
    names = sorted(t.name for t in client.list_all_tables() if t.share == SHARE)
    assert names == ["delta_column_mapping", "delta_partitioned", "iceberg_orders"]


@pytest.mark.parametrize("use_delta_format", [False, None, True])
def test_latest_rows_equal_the_writers_rows(profile, expected, use_delta_format):
    want = expected["delta_partitioned"]["latest"]
    frame = delta_sharing.load_as_pandas(url(profile, "delta_partitioned"), use_delta_format=use_delta_format)
    assert rows(frame, columns(want)) == want


def test_every_version_by_time_travel(profile, expected):
    for version, want in expected["delta_partitioned"]["versions"].items():
        frame = delta_sharing.load_as_pandas(url(profile, "delta_partitioned"), version=int(version))
        assert rows(frame, columns(want)) == want, f"version {version}"


def test_time_travel_by_timestamp_reads_the_latest_version_before_it(profile, expected):
    latest = expected["delta_partitioned"]["latest"]
    frame = delta_sharing.load_as_pandas(url(profile, "delta_partitioned"), timestamp="2999-01-01T00:00:00Z")
    assert rows(frame, columns(latest)) == latest


def test_limit(profile):
    frame = delta_sharing.load_as_pandas(url(profile, "delta_partitioned"), limit=2)
    assert len(frame) == 2


def test_json_predicate_hints_prune_partitions_and_keep_every_match(profile, expected):
    hint = ('{"op":"equal","children":[{"op":"column","name":"day","valueType":"date"},'
            '{"op":"literal","value":"2024-01-03","valueType":"date"}]}')
    frame = delta_sharing.load_as_pandas(url(profile, "delta_partitioned"), jsonPredicateHints=hint)
    want = expected["delta_partitioned"]["latest"]
    got = rows(frame, columns(want))
    matching = [r for r in want if r.endswith("day=19725")]
    assert set(matching) <= set(got)
    assert len(got) < len(want), "the hint pruned no partition"


@pytest.mark.parametrize("use_delta_format", [True, None, False])
def test_column_mapped_table_with_a_renamed_column(profile, expected, use_delta_format):
    # None: the connector chooses the format from the table's features; False: parquet only, the gateway serves
    # the files rewritten under the logical (renamed) column names
    want = expected["delta_column_mapping"]["latest"]
    frame = delta_sharing.load_as_pandas(url(profile, "delta_column_mapping"), use_delta_format=use_delta_format)
    assert rows(frame, columns(want)) == want


def test_iceberg_table_with_evolved_schema(profile, expected):
    want = expected["iceberg_orders"]["latest"]
    frame = delta_sharing.load_as_pandas(url(profile, "iceberg_orders"), use_delta_format=True)
    assert rows(frame, columns(want)) == want


def test_change_data_feed_by_version_and_by_timestamp(profile, expected):
    by_version = delta_sharing.load_table_changes_as_pandas(url(profile, "delta_partitioned"), starting_version=1)
    kinds = set(by_version["_change_type"])
    assert {"delete", "update_preimage", "update_postimage"} <= kinds, kinds
    assert len(by_version) >= 4
    by_time = delta_sharing.load_table_changes_as_pandas(url(profile, "delta_partitioned"),
                                                         starting_timestamp="2000-01-01T00:00:00Z")
    assert len(by_time) >= len(by_version)


def test_an_expired_token_is_refused_clearly(env):
    with pytest.raises(Exception) as e:
        delta_sharing.SharingClient(env["TABLEGATE_EXPIRED_PROFILE"]).list_shares()
    assert "401" in str(e.value) and "expired" in str(e.value)


def test_a_revoked_token_is_refused_clearly(env):
    with pytest.raises(Exception) as e:
        delta_sharing.SharingClient(env["TABLEGATE_REVOKED_PROFILE"]).list_shares()
    assert "401" in str(e.value) and "revoked" in str(e.value)


def test_a_profile_written_by_the_cli(env, expected):
    want = expected["delta_partitioned"]["latest"]
    frame = delta_sharing.load_as_pandas(f"{env['TABLEGATE_CLI_PROFILE']}#{SHARE}.{SCHEMA}.delta_partitioned")
    assert rows(frame, columns(want)) == want


def test_the_gateways_own_oauth_client_credentials_profile(env, expected):
    # written by `tablegate share token create --oauth`: the connector asks the gateway's token endpoint
    # (client id and secret by HTTP Basic) for a short-lived JWT and sends it as its bearer token
    want = expected["delta_partitioned"]["latest"]
    path = env["TABLEGATE_GATEWAY_OAUTH_PROFILE"]
    with open(path) as f:
        profile = json.load(f)
    assert profile["shareCredentialsVersion"] == 2 and profile["type"] == "oauth_client_credentials"
    assert profile["tokenEndpoint"] == profile["endpoint"] + "/oauth/token"
    assert [s.name for s in delta_sharing.SharingClient(path).list_shares()] == [SHARE]
    frame = delta_sharing.load_as_pandas(f"{path}#{SHARE}.{SCHEMA}.delta_partitioned")
    assert rows(frame, columns(want)) == want


def test_an_oauth_client_credentials_profile(env, expected):
    # shareCredentialsVersion 2: the connector gets a token from the identity provider, the gateway checks it
    want = expected["delta_partitioned"]["latest"]
    profile = env["TABLEGATE_OAUTH_PROFILE"]
    assert [s.name for s in delta_sharing.SharingClient(profile).list_shares()] == [SHARE]
    frame = delta_sharing.load_as_pandas(f"{profile}#{SHARE}.{SCHEMA}.delta_partitioned")
    assert rows(frame, columns(want)) == want


@pytest.mark.parametrize("use_delta_format", [False, True])
def test_a_restricted_recipient_reads_only_its_columns_and_rows(env, expected, use_delta_format):
    """A recipient policy (columns id and day, rows from 2024-01-02 on), enforced by the gateway: the connector
    sees two columns and the allowed rows, and no file URL it receives reads the raw data file."""
    import io
    import json

    import pyarrow.parquet as pq
    import requests

    profile = env["TABLEGATE_RESTRICTED_PROFILE"]
    want = []
    for row in expected["delta_partitioned"]["latest"]:
        cells = dict(cell.split("=", 1) for cell in row.split("|"))
        if int(cells["day"]) >= 19724:  # 2024-01-02
            want.append(f"id={cells['id']}|day={cells['day']}")
    frame = delta_sharing.load_as_pandas(f"{profile}#engines.w.delta_partitioned", use_delta_format=use_delta_format)
    assert sorted(c for c in frame.columns if not c.startswith("_")) == ["day", "id"]
    assert rows(frame, ["id", "day"]) == sorted(want)
    # every URL is the gateway's, and its bytes hold only the allowed data column
    with open(profile) as f:
        p = json.load(f)
    resp = requests.post(f"{p['endpoint']}/shares/engines/schemas/w/tables/delta_partitioned/query",
                         headers={"Authorization": f"Bearer {p['bearerToken']}"}, json={}, timeout=60)
    assert resp.status_code == 200, resp.text
    files = [json.loads(line)["file"] for line in resp.text.splitlines() if line.startswith('{"file"')]
    assert files
    for file in files:
        assert file["url"].startswith(p["endpoint"] + "/files/")
        data = requests.get(file["url"], timeout=60).content
        assert len(data) == file["size"]
        assert pq.read_schema(io.BytesIO(data)).names == ["id"]
