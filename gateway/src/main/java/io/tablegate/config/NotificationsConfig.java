package io.tablegate.config;

/**
 * Bucket notifications that invalidate the metadata cache.
 *
 * @param webhookTokenSha256 SHA-256 of the token MinIO sends ({@code auth_token}); null disables the webhook
 * @param redisList the Redis list of MinIO's Redis target in {@code access} format; null for none
 */
public record NotificationsConfig(byte[] webhookTokenSha256, String redisList) {
  public NotificationsConfig {
    webhookTokenSha256 = webhookTokenSha256 == null ? null : webhookTokenSha256.clone();
  }

  @Override
  public byte[] webhookTokenSha256() {
    return webhookTokenSha256 == null ? null : webhookTokenSha256.clone();
  }

  @Override
  public String toString() {
    return "NotificationsConfig[webhook=" + (webhookTokenSha256 == null ? "off" : "on") + ", redisList=" + redisList + "]";
  }
}
