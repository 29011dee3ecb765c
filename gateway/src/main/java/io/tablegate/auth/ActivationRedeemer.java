package io.tablegate.auth;

/**
 * Redeems single-use activation links: the profile file of a token minted for the first caller of a
 * valid, unexpired, unused code; null for any other code (never saying which of those it was). The
 * work (a catalog change) runs where the implementation puts it (the admin pool), never on the
 * caller's event loop.
 */
@FunctionalInterface
public interface ActivationRedeemer {
  io.vertx.core.Future<byte[]> redeem(String code);

  ActivationRedeemer NONE = code -> io.vertx.core.Future.succeededFuture(null);
}
