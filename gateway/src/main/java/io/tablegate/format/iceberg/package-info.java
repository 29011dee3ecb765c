/**
 * Layer: format. Iceberg tables through Apache Iceberg core (metadata files, Hadoop tables, REST
 * catalogs), served as Delta Sharing actions. The only package that imports {@code
 * org.apache.iceberg}.
 */
package io.tablegate.format.iceberg;
