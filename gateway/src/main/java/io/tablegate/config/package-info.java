/**
 * Layer: config. The YAML configuration read into immutable records ({@code GatewayConfig} and its
 * parts), validated all at once with every problem reported. Depends on nothing of the gateway.
 */
package io.tablegate.config;
