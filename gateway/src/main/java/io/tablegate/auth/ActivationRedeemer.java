package io.tablegate.auth;

/**
 * Redeems single-use activation links: the profile file of a token minted for the first caller of a
 * valid, unexpired, unused code; null for any other code (never saying which of those it was).
 * Blocking; call it from a worker thread.
 */
@FunctionalInterface
public interface ActivationRedeemer {
  byte[] redeem(String code);

  ActivationRedeemer NONE = code -> null;
}
