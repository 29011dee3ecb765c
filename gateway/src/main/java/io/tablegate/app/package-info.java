/**
 * Layer: app, the composition root. Parses the command line, builds every subsystem in order
 * ({@code Gateway}, {@code Resources} closes them in reverse), deploys the listeners' verticles and
 * owns metrics and probes. Nothing depends on it.
 */
package io.tablegate.app;
