package io.cairn.node.volume;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The value of a segment's list row in the segment-chunk table: the numbers of the chunks placed
 * in the segment when it was recorded, as a count and then each number's difference from the one
 * before (zig-zag varints: a segment's chunks are numbered in ascending runs, so most take one
 * byte).
 */
final class ChunkList {

  /** The longest a 64-bit varint can be. */
  private static final int VARINT64_BYTES_MAX = 10;

  private ChunkList() {}

  static byte[] encode(List<Long> chunkNumbers) {
    byte[] out = new byte[CodedOutputStream.computeUInt32SizeNoTag(chunkNumbers.size())
        + chunkNumbers.size() * VARINT64_BYTES_MAX];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    try {
      stream.writeUInt32NoTag(chunkNumbers.size());
      long previous = 0;
      for (long cn : chunkNumbers) {
        stream.writeSInt64NoTag(cn - previous);
        previous = cn;
      }
      stream.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the array is sized for the worst case
    }
    return Arrays.copyOf(out, stream.getTotalBytesWritten());
  }

  static List<Long> decode(byte[] value) {
    CodedInputStream stream = CodedInputStream.newInstance(value);
    try {
      int count = stream.readUInt32();
      if (count < 0 || count > value.length) {
        throw new IllegalStateException("corrupt chunk list: " + count + " chunks in "
            + value.length + " bytes");
      }
      List<Long> numbers = new ArrayList<>(count);
      long cn = 0;
      for (int i = 0; i < count; i++) {
        cn += stream.readSInt64();
        numbers.add(cn);
      }
      if (!stream.isAtEnd()) {
        throw new IllegalStateException("corrupt chunk list: bytes after " + count + " chunks");
      }
      return numbers;
    } catch (IOException e) {
      throw new IllegalStateException("corrupt chunk list", e);
    }
  }
}
