// The npm Delta Sharing client (delta-sharing 0.0.2, its REST client) as a recipient of the gateway:
// lists, reads a table's metadata and file list, and downloads every file. Prints one JSON object.
//
// Usage: node recipient.js PROFILE SHARE SCHEMA TABLE   (NODE_PATH=target/npm/node_modules)
'use strict';
const axios = require('axios');
const { DataSharingRestClient } = require('delta-sharing/rest-client.js');
const { DeltaSharingProfile, Share, Schema, Table } = require('delta-sharing/protocol.js');

async function main() {
  const [profilePath, share, schema, table] = process.argv.slice(2);
  const client = new DataSharingRestClient(DeltaSharingProfile.readFromFile(profilePath));
  // The client gives every call 2 s. Latency is measured by the benchmarks (scripts/bench-coldstart.sh),
  // not on a loaded test machine, so the test allows more.
  client._session.defaults.timeout = 60000;
  const out = {};
  out.shares = (await client.listSharesAsync()).shares.map(s => s.shareName);
  out.schemas = (await client.listSchemasAsync(new Share(share))).schemas.map(s => s.schemaName);
  out.tables = (await client.listTablesAsync(new Schema(schema, share))).tables.map(t => t.tableName);
  out.allTables = (await client.listAllTablesAsync(new Share(share))).tables.map(t => `${t.share}.${t.schema}.${t.tableName}`);
  const t = new Table(table, share, schema);
  const metadata = await client.queryTableMetadataAsync(t);
  out.minReaderVersion = metadata.protocol.minReaderVersion;
  out.schemaString = metadata.metadata.schemaString;
  out.partitionColumns = metadata.metadata.partitionColumns;
  const files = await client.listFilesInTable(t);
  out.files = [];
  for (const f of files.addFiles) {
    const r = await axios.get(f.url, { responseType: 'arraybuffer', timeout: 60000 });
    const body = Buffer.from(r.data);
    out.files.push({ size: f.size, downloaded: body.length, magic: body.subarray(0, 4).toString('latin1') + body.subarray(-4).toString('latin1'),
      partitionValues: f.partitionValues });
  }
  console.log(JSON.stringify(out));
}

main().catch(e => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
