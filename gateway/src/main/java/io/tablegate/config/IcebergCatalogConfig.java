package io.tablegate.config;

import java.util.Map;

/**
 * An Iceberg REST catalog (AIStor Tables, Polaris, Nessie, Gravitino, Iceberg's reference server,
 * ...) whose tables are shared. The gateway asks it for a table's current metadata file and reads
 * everything else itself; data files in object storage are reached through {@code store}.
 * Credentials never appear in {@link #toString()}.
 *
 * @param credential OAuth2 client credentials {@code client_id:client_secret} (exchanged for a
 *     token)
 * @param token a static bearer token, instead of {@code credential}
 * @param store the object store holding the catalog's {@code s3://} files, null for local
 *     warehouses
 * @param properties further Iceberg REST client properties, passed as they are
 */
public record IcebergCatalogConfig(
    String name,
    String uri,
    String warehouse,
    String credential,
    String token,
    String oauth2ServerUri,
    String scope,
    String store,
    Map<String, String> properties) {

  public IcebergCatalogConfig {
    properties = Map.copyOf(properties);
  }

  @Override
  public String toString() {
    return "IcebergCatalogConfig[name="
        + name
        + ", uri="
        + uri
        + ", warehouse="
        + warehouse
        + ", credential="
        + (credential == null ? "none" : "***")
        + ", token="
        + (token == null ? "none" : "***")
        + ", store="
        + store
        + "]";
  }
}
