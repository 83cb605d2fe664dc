/* Argument checks shared by the codecs: validate once with precise messages, then run unchecked. */
package io.cairn.offload.compress;

import java.nio.ByteBuffer;
import java.util.Objects;

final class Buffers {
  private Buffers() {}

  static void checkSrc(ByteBuffer src) {
    Objects.requireNonNull(src, "src");
  }

  static void checkDst(ByteBuffer dst, int neededBytes, String what) {
    Objects.requireNonNull(dst, "dst");
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("dst: is read-only, the output cannot be written");
    }
    if (dst.remaining() < neededBytes) {
      throw new IllegalArgumentException(
          "dst: " + what + " needs " + neededBytes + " bytes, " + dst.remaining() + " remain");
    }
  }

  static void checkOriginalBytes(int originalBytes) {
    if (originalBytes < 0) {
      throw new IllegalArgumentException("originalBytes: must be >= 0, got " + originalBytes);
    }
  }

  /** True when the native side can address both buffers without a copy and the same way. */
  static boolean bothDirect(ByteBuffer a, ByteBuffer b) {
    return a.isDirect() && b.isDirect();
  }

  static boolean bothArrays(ByteBuffer a, ByteBuffer b) {
    return a.hasArray() && b.hasArray();
  }
}
