/** Layer: format. The table formats behind the {@code spi.TableFormat} SPI; only app wires them. */
package io.tablegate.format;
