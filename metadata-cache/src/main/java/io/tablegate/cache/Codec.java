package io.tablegate.cache;

/** Turns a cached value into bytes for the shared (Redis) tier and back. Supplied by the caller. */
public interface Codec<V> {
  byte[] encode(V value);

  V decode(byte[] bytes);

  Codec<Long> LONG =
      new Codec<>() {
        @Override
        public byte[] encode(Long value) {
          return Long.toString(value).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        @Override
        public Long decode(byte[] bytes) {
          return Long.parseLong(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII));
        }
      };
}
