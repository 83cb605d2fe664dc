/*
 * The compression benchmarks' input: a realistic mixed file (text, man pages, shared libraries),
 * the same file the reference CLIs (lz4 -b1, zstd -b1) are run on, so the figures compare.
 * Path from -Dcairn.bench.input (default /tmp/cairn-bench-input.bin); BENCHMARKS.md shows how it
 * is generated.
 */
package io.cairn.offload.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

final class BenchInput {
  static final String PATH_PROPERTY = "cairn.bench.input";
  static final String PATH_DEFAULT = "/tmp/cairn-bench-input.bin";

  private BenchInput() {}

  /** The whole input file in one direct buffer. */
  static ByteBuffer load() {
    Path path = Path.of(System.getProperty(PATH_PROPERTY, PATH_DEFAULT));
    try {
      byte[] bytes = Files.readAllBytes(path);
      return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    } catch (IOException e) {
      throw new UncheckedIOException("benchmark input " + path + " is missing: see BENCHMARKS.md", e);
    }
  }
}
