package io.cairn.protocol.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbdOptionDataTest {

  @Test
  void goRequestRoundTrips() {
    NbdExportInfoRequest go = new NbdExportInfoRequest("vol-α",
        List.of(NbdConstants.INFO_BLOCK_SIZE, NbdConstants.INFO_NAME));
    assertThat(NbdExportInfoRequest.decode(go.encode())).isEqualTo(go);
  }

  @Test
  void goRequestWithNameOverrunningTheOptionIsMalformed() {
    ByteBuffer data = ByteBuffer.allocate(10).putInt(100).putShort((short) 0).flip();
    assertMalformed(() -> NbdExportInfoRequest.decode(data));
  }

  @Test
  void goRequestWithWrongInfoCountIsMalformed() {
    ByteBuffer data = ByteBuffer.allocate(4 + 1 + 2 + 2)
        .putInt(1).put((byte) 'v').putShort((short) 2).putShort((short) 3).flip();
    assertMalformed(() -> NbdExportInfoRequest.decode(data));
  }

  @Test
  void goRequestShorterThanSixBytesIsMalformed() {
    assertMalformed(() -> NbdExportInfoRequest.decode(ByteBuffer.allocate(5)));
  }

  @Test
  void metaContextRequestRoundTrips() {
    NbdMetaContextRequest request =
        new NbdMetaContextRequest("vol1", List.of("base:allocation", "qemu:dirty-bitmap:x"));
    assertThat(NbdMetaContextRequest.decode(request.encode())).isEqualTo(request);
  }

  @Test
  void metaContextRequestWithAHugeQueryCountIsRefusedWithoutAllocating() {
    ByteBuffer data = ByteBuffer.allocate(12).putInt(0).putInt(0x7FFF_FFFF).putInt(0).flip();
    assertMalformed(() -> NbdMetaContextRequest.decode(data));
  }

  @Test
  void metaContextRequestWithTrailingBytesIsMalformed() {
    ByteBuffer encoded = new NbdMetaContextRequest("v", List.of()).encode();
    ByteBuffer data = ByteBuffer.allocate(encoded.remaining() + 1).put(encoded).put((byte) 0).flip();
    assertMalformed(() -> NbdMetaContextRequest.decode(data));
  }

  @Test
  void namesWithNulOrInvalidUtf8AreRefused() {
    ByteBuffer nul = ByteBuffer.allocate(4 + 3 + 2)
        .putInt(3).put(new byte[] {'a', 0, 'b'}).putShort((short) 0).flip();
    assertThatThrownBy(() -> NbdExportInfoRequest.decode(nul))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.BAD_STRING));

    ByteBuffer invalid = ByteBuffer.allocate(4 + 2 + 2)
        .putInt(2).put(new byte[] {(byte) 0xC3, (byte) 0x28}).putShort((short) 0).flip();
    assertThatThrownBy(() -> NbdExportInfoRequest.decode(invalid))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.BAD_STRING));
  }

  @Test
  void namesLongerThan4096BytesAreRefused() {
    byte[] name = new byte[4097];
    java.util.Arrays.fill(name, (byte) 'a');
    ByteBuffer data = ByteBuffer.allocate(4 + name.length + 2)
        .putInt(name.length).put(name).putShort((short) 0).flip();
    assertThatThrownBy(() -> NbdExportInfoRequest.decode(data))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.BAD_STRING));
  }

  private static void assertMalformed(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.MALFORMED_OPTION));
  }
}
