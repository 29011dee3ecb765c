package io.tablegate.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions shared by the endpoint tests. */
public final class Asserts {
  private Asserts() {}

  /** A protocol error: the status, a JSON body with the error code, and a message. */
  public static void assertError(GatewayHarness.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().get("errorCode").asText()).isEqualTo(code);
    assertThat(r.json().get("message").asText()).isNotBlank();
  }
}
