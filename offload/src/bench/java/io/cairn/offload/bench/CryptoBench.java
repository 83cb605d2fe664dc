/*
 * AES-256-GCM sealing and opening of one chunk through VolumeCipher (Cipher re-initialised per
 * chunk with a fresh nonce, 52 bytes of associated data, as ChunkCodec does), heap buffers.
 * MB/s = ops/s x bytes.
 *
 * The long warm-up is deliberate: HotSpot's AES-GCM intrinsic only engages once C2 has compiled
 * the calling code; until then GCM runs at a fraction of its speed.
 */
package io.cairn.offload.bench;

import io.cairn.offload.crypto.ChunkNonce;
import io.cairn.offload.crypto.DataKey;
import io.cairn.offload.crypto.VolumeCipher;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
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
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(5)
@State(Scope.Thread)
public class CryptoBench {
  @Param({"4096"})
  public int bytes;

  private VolumeCipher cipher;
  private ByteBuffer plaintext;
  private ByteBuffer aad;
  private ByteBuffer sealed;
  private ByteBuffer sealedOut;
  private ChunkNonce sealedNonce;
  private ByteBuffer openedOut;

  @Setup(Level.Trial)
  public void setUp() {
    SecureRandom random = new SecureRandom();
    cipher = new VolumeCipher(7, DataKey.generate(random), random);
    byte[] data = new byte[bytes];
    random.nextBytes(data);
    plaintext = ByteBuffer.wrap(data);
    byte[] aadBytes = new byte[52];
    random.nextBytes(aadBytes);
    aad = ByteBuffer.wrap(aadBytes);
    sealedOut = ByteBuffer.allocate(VolumeCipher.sealedBytes(bytes));
    sealed = ByteBuffer.allocate(VolumeCipher.sealedBytes(bytes));
    sealedNonce = cipher.seal(plaintext.duplicate(), aad, sealed);
    sealed.flip();
    openedOut = ByteBuffer.allocate(bytes);
  }

  @Benchmark
  public ChunkNonce seal() {
    return cipher.seal(plaintext.clear(), aad, sealedOut.clear());
  }

  @Benchmark
  public int open() {
    cipher.open(sealedNonce, sealed.clear(), aad, openedOut.clear());
    return openedOut.position();
  }
}
