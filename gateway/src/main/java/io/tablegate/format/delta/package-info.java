/**
 * Layer: format. Delta tables through Delta Kernel (snapshots, scans, change data feed), reading
 * objects through the {@code spi.ObjectStore} it is given. The only package that imports {@code
 * io.delta}.
 */
package io.tablegate.format.delta;
