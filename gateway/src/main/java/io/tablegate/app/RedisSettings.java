package io.tablegate.app;

import io.tablegate.config.RedisConfig;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

/**
 * Vert.x Redis client options from the validated config: standalone, Sentinel or Cluster; AUTH/ACL;
 * TLS via rediss://.
 */
final class RedisSettings {
  private RedisSettings() {}

  static RedisOptions options(RedisConfig c, int poolSize) {
    RedisOptions o = new RedisOptions().setMaxPoolSize(poolSize).setMaxPoolWaiting(1024);
    for (String e : c.endpoints()) o.addConnectionString(e);
    switch (c.mode()) {
      case "sentinel" ->
          o.setType(RedisClientType.SENTINEL)
              .setMasterName(c.masterName())
              .setRole(RedisRole.MASTER);
      case "cluster" -> o.setType(RedisClientType.CLUSTER);
      default -> o.setType(RedisClientType.STANDALONE);
    }
    if (c.password() != null) o.setPassword(c.password());
    if (c.user() != null) o.setUser(c.user());
    return o;
  }
}
