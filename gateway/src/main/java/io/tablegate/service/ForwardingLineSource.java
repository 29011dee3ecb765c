package io.tablegate.service;

import io.tablegate.protocol.EndStreamAction;

/** A body that passes every call to another; subclasses override what they add. */
abstract class ForwardingLineSource implements LineSource {
  protected final LineSource inner;

  ForwardingLineSource(LineSource inner) {
    this.inner = inner;
  }

  @Override
  public byte[] next(int maxLines) {
    return inner.next(maxLines);
  }

  @Override
  public boolean inMemory() {
    return inner.inMemory();
  }

  @Override
  public long emitted() {
    return inner.emitted();
  }

  @Override
  public EndStreamAction trailer() {
    return inner.trailer();
  }

  @Override
  public void cancel() {
    inner.cancel();
  }

  @Override
  public void close() {
    inner.close();
  }
}
