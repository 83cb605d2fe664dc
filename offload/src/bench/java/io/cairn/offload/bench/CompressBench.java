/*
 * LZ4 and Zstd (level 1) through Cairn's codecs on the mixed input file, cut into independent
 * chunks of 64 KiB and 4 KiB, direct buffers in and out. One operation = one chunk; each invocation
 * takes the next chunk of the file, so the figure is an average over the whole file, as the CLI's is.
 * MB/s = ops/s x chunkBytes.
 */
package io.cairn.offload.bench;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.compress.CompressionCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(5)
@State(Scope.Thread)
public class CompressBench {
  @Param({"LZ4", "ZSTD"})
  public Codec codec;

  @Param({"65536", "4096"})
  public int chunkBytes;

  private CompressionCodec compressionCodec;
  private ByteBuffer[] chunks;
  private ByteBuffer[] compressed;
  private ByteBuffer out;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    compressionCodec = CompressionCodec.of(codec, 1);
    ByteBuffer input = BenchInput.load();
    int count = input.capacity() / chunkBytes;
    chunks = new ByteBuffer[count];
    compressed = new ByteBuffer[count];
    ByteBuffer scratch = ByteBuffer.allocateDirect(compressionCodec.maxCompressedBytes(chunkBytes));
    for (int i = 0; i < count; i++) {
      chunks[i] = input.slice(i * chunkBytes, chunkBytes);
      compressionCodec.compress(chunks[i].duplicate(), scratch.clear());
      scratch.flip();
      compressed[i] = ByteBuffer.allocateDirect(scratch.remaining()).put(scratch).flip();
    }
    out = ByteBuffer.allocateDirect(compressionCodec.maxCompressedBytes(chunkBytes));
  }

  @Benchmark
  public int compress() {
    int i = next;
    next = i + 1 == chunks.length ? 0 : i + 1;
    chunks[i].clear();
    return compressionCodec.compress(chunks[i], out.clear());
  }

  @Benchmark
  public int decompress() {
    int i = next;
    next = i + 1 == chunks.length ? 0 : i + 1;
    compressed[i].clear();
    compressionCodec.decompress(compressed[i], out.clear(), chunkBytes);
    return out.position();
  }
}
