/**
 * Layer: spi. The small interfaces between the service and what it reads: {@code TableFormat},
 * {@code ObjectStore}, {@code UrlSigner}, locations and storage errors. No library beyond the JDK.
 */
package io.tablegate.spi;
