package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.crypto.Sealer;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.UrlSigner;
import io.tablegate.storage.LocalUrlSigner;
import io.tablegate.testing.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A proxied download whose object stream breaks mid-way (as when a store closes a connection that a
 * paused client left idle) goes on from the next byte with a ranged re-open: the client receives
 * every byte exactly once. A stream that keeps breaking is given up and the connection reset, never
 * a short body that looks complete.
 */
class ProxyResumeTest {
  static final byte[] DATA = new byte[3 << 20];

  static {
    new Random(7).nextBytes(DATA);
  }

  /** A store whose first {@code failingOpens} streams break after {@code breakAfter} bytes. */
  static final class BreakingStore implements ObjectStore {
    final AtomicInteger opens = new AtomicInteger();
    final int failingOpens;
    final int breakAfter;

    BreakingStore(int failingOpens, int breakAfter) {
      this.failingOpens = failingOpens;
      this.breakAfter = breakAfter;
    }

    @Override
    public CloseableIterator<ObjectInfo> listFrom(String location) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ObjectInfo stat(String location) {
      return new ObjectInfo(location, DATA.length, 0);
    }

    @Override
    public InputStream open(String location, long offset, long length) {
      int n = opens.incrementAndGet();
      boolean breaks = n <= failingOpens;
      int breakAt = n == 1 ? breakAfter : failingOpens == Integer.MAX_VALUE ? 0 : breakAfter;
      return new InputStream() {
        long pos = offset;
        final long end = length < 0 ? DATA.length : offset + length;
        int served;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (breaks && served >= breakAt) throw new IOException("connection closed by the store");
          if (pos >= end) return -1;
          int n =
              (int)
                  Math.min(Math.min(len, end - pos), breaks ? breakAt - served : Integer.MAX_VALUE);
          System.arraycopy(DATA, (int) pos, b, off, n);
          pos += n;
          served += n;
          return n;
        }
      };
    }

    @Override
    public UrlSigner.SignedUrl presign(String location, long seconds) {
      throw new UnsupportedOperationException();
    }
  }

  static byte[] download(int failingOpens, String range, BreakingStore[] used) {
    Vertx vertx = Vertx.vertx();
    try {
      BreakingStore store = new BreakingStore(failingOpens, 300_000);
      used[0] = store;
      WorkerExecutor workers = vertx.createSharedWorkerExecutor("table-io-test", 4);
      java.util.concurrent.atomic.AtomicReference<Router> routes =
          new java.util.concurrent.atomic.AtomicReference<>();
      HttpServer server =
          GatewayHarness.await(
              vertx
                  .createHttpServer()
                  .requestHandler(r -> routes.get().handle(r))
                  .listen(0, "127.0.0.1"));
      String base = "http://127.0.0.1:" + server.actualPort();
      LocalUrlSigner signer =
          new LocalUrlSigner(Sealer.random(), () -> base, 900, Clock.systemUTC());
      FileHandler files =
          new FileHandler(
              signer,
              vertx.fileSystem(),
              location -> store,
              workers,
              io.tablegate.config.NetworkConfig.defaults());
      Router router = Router.router(vertx);
      router.get(LocalUrlSigner.PATH + ":object").handler(files::serve);
      router.route().failureHandler(new FailureHandler());
      routes.set(router);
      String url = signer.forRecipient("r").sign("s3://bucket/big.parquet").url();
      WebClient client = WebClient.create(vertx);
      var req = client.getAbs(url);
      if (range != null) req.putHeader("Range", range);
      var resp = GatewayHarness.await(req.send());
      return resp.body().getBytes();
    } finally {
      vertx.close();
    }
  }

  @Test
  void aBrokenObjectStreamResumesFromTheNextByte() {
    BreakingStore[] store = new BreakingStore[1];
    // When: the first two streams break after 300 KB each
    byte[] whole = download(2, null, store);
    // Then
    assertThat(whole).isEqualTo(DATA);
    assertThat(store[0].opens.get()).isEqualTo(3);
    byte[] tail = download(2, "bytes=1000000-", store);
    assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(DATA, 1_000_000, DATA.length));
  }

  @Test
  void aStreamThatKeepsBreakingWithoutProgressResetsTheConnection() {
    // the first stream breaks after 300 KB, every re-open at once
    BreakingStore[] store = new BreakingStore[1];
    assertThatThrownBy(() -> download(Integer.MAX_VALUE, null, store))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store[0].opens.get()).isEqualTo(1 + FileHandler.MAX_REOPENS);
  }
}
