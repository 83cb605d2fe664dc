package io.cairn.node.frontend.nbd;

import org.apache.pekko.serialization.JSerializer;

/**
 * Stands in for protocol's duplicate registration of Pekko's ProtobufSerializer (see
 * {@link NbdServerFixture}); the NBD tests serialize nothing, so it refuses to work.
 */
public final class UnusedSerializer extends JSerializer {

  @Override
  public int identifier() {
    return 0x4e424400; // 'NBD\0', far from Pekko's reserved range (0..40)
  }

  @Override
  public byte[] toBinary(Object o) {
    throw new UnsupportedOperationException("NBD tests do not serialize");
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    throw new UnsupportedOperationException("NBD tests do not serialize");
  }
}
