package io.tablegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void networksContainTheirAddressesOnly() {
    Cidr ten = Cidr.parse("10.0.0.0/8");
    assertThat(ten.contains(Cidr.address("10.255.1.2"))).isTrue();
    assertThat(ten.contains(Cidr.address("11.0.0.1"))).isFalse();
    assertThat(ten.contains(Cidr.address("::ffff:10.0.0.1"))).isTrue();
    assertThat(Cidr.parse("10.1.2.3/8").toString()).isEqualTo("10.0.0.0/8"); // host bits masked
    Cidr v6 = Cidr.parse("2001:db8::/32");
    assertThat(v6.contains(Cidr.address("2001:db8:1::1"))).isTrue();
    assertThat(v6.contains(Cidr.address("2001:db9::1"))).isFalse();
    assertThat(v6.contains(Cidr.address("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("192.168.1.7").contains(Cidr.address("192.168.1.7"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.address("8.8.8.8"))).isTrue();
    assertThat(Cidr.allows(List.of(), null)).isTrue();
    assertThat(Cidr.allows(List.of(ten), null)).isFalse();
  }

  @Test
  void onlyLiteralsAreAcceptedAndNothingIsLookedUp() {
    for (String bad :
        List.of(
            "localhost",
            "example.com",
            "10.0.0.256",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/-1",
            "",
            "1.2.3"))
      assertThatThrownBy(() -> Cidr.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    assertThat(Cidr.address("localhost")).isNull();
    assertThat(Cidr.address("[::1]")).isNotNull();
  }
}
