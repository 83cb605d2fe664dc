package io.cairn.offload.bench;

/** Benchmarks of the offload engines live in this package (JMH). */
final class Placeholder {
  private Placeholder() {}
}
