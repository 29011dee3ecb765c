package io.tablegate.config;

import java.util.List;

/**
 * Bucket notifications that invalidate the metadata cache.
 *
 * @param webhookTokenSha256 SHA-256 of the token MinIO sends ({@code auth_token}); null disables
 *     the webhook
 * @param redisList the Redis list of MinIO's Redis target in {@code access} format; null for none
 * @param snsHosts hosts whose SNS {@code SubscribeURL}s the webhook may fetch to confirm a
 *     subscription
 */
public record NotificationsConfig(
    byte[] webhookTokenSha256, String redisList, List<String> snsHosts) {
  public static final List<String> DEFAULT_SNS_HOSTS =
      List.of("sns.*.amazonaws.com", "sns.*.amazonaws.com.cn");

  public NotificationsConfig {
    snsHosts = List.copyOf(snsHosts);
    webhookTokenSha256 = webhookTokenSha256 == null ? null : webhookTokenSha256.clone();
  }

  @Override
  public byte[] webhookTokenSha256() {
    return webhookTokenSha256 == null ? null : webhookTokenSha256.clone();
  }

  @Override
  public String toString() {
    return "NotificationsConfig[webhook="
        + (webhookTokenSha256 == null ? "off" : "on")
        + ", redisList="
        + redisList
        + "]";
  }
}
