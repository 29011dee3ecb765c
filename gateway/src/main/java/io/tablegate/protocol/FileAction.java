package io.tablegate.protocol;

/** The kinds of file line: a snapshot file, and the add, remove and cdc lines of change queries. */
public enum FileAction {
  FILE,
  ADD,
  REMOVE,
  CDF
}
