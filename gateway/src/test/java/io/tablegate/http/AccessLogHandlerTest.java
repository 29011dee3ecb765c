package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogHandlerTest {
  @Test
  void namesAreLoggedCutAndWithoutControlCharacters() {
    assertThat(AccessLogHandler.loggable("orders")).isEqualTo("orders");
    assertThat(AccessLogHandler.loggable("a\nb\rc\u0000d")).isEqualTo("a?b?c?d");
    // a long name is cut, and what is kept is cleaned too (a forged line must not hide in a long
    // name)
    String forged = "x\n" + "y".repeat(200);
    assertThat(AccessLogHandler.loggable(forged)).isEqualTo("x?" + "y".repeat(126) + "…");
    assertThat(AccessLogHandler.loggable("z".repeat(128))).isEqualTo("z".repeat(128));
  }

  @Test
  void endpointsAreNamedAsTheAuditLogSpellsThem() {
    assertThat(AccessLogHandler.endpoint("/delta-sharing/shares/s/schemas/n/tables/t/query"))
        .isEqualTo("query");
    assertThat(AccessLogHandler.endpoint("/delta-sharing/shares/s/schemas/n/tables/t/metadata"))
        .isEqualTo("metadata");
  }
}
