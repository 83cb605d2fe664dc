package io.cairn.protocol.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NbdRequestCodecTest {

  @Test
  void requestHeaderHasTheSpecLayout() {
    NbdRequest request =
        new NbdRequest(NbdConstants.CMD_FLAG_FUA, NbdConstants.CMD_WRITE, 0x0102030405060708L,
            4096, 512);

    byte[] bytes = new byte[NbdRequest.HEADER_BYTES];
    request.encode().get(bytes);

    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(
        "25609513" + "0001" + "0001" + "0102030405060708" + "0000000000001000" + "00000200");
  }

  @Test
  void unsignedFieldsSurviveARoundTrip() {
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      NbdRequest request = new NbdRequest(random.nextInt(1 << 16), random.nextInt(1 << 16),
          random.nextLong(), random.nextLong(), Integer.toUnsignedLong(random.nextInt()));
      assertThat(NbdRequest.decode(request.encode())).isEqualTo(request);
    }
  }

  @Test
  void lengthAboveTwoGibibytesIsReadAsUnsigned() {
    NbdRequest request = new NbdRequest(0, NbdConstants.CMD_READ, 1, 0, 0xFFFF_FFFFL);
    assertThat(NbdRequest.decode(request.encode()).lengthBytes()).isEqualTo(0xFFFF_FFFFL);
  }

  @Test
  void wrongMagicIsRefusedAsBadMagic() {
    ByteBuffer bytes = new NbdRequest(0, 0, 1, 0, 1).encode();
    bytes.putInt(0, 0x12560953); // the historic magic, reserved and never valid
    assertThatThrownBy(() -> NbdRequest.decode(bytes))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.BAD_MAGIC));
  }

  @Test
  void shortHeaderIsTruncatedAndLeavesThePositionAlone() {
    ByteBuffer bytes = ByteBuffer.allocate(27);
    assertThatThrownBy(() -> NbdRequest.decode(bytes))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.TRUNCATED));
    assertThat(bytes.position()).isZero();
  }

  @Test
  void optionHeaderRoundTripsAndChecksItsMagic() {
    NbdOptionHeader header = new NbdOptionHeader(NbdConstants.OPT_GO, 0xFFFF_FFF0L);
    assertThat(NbdOptionHeader.decode(header.encode())).isEqualTo(header);

    ByteBuffer bad = header.encode();
    bad.putLong(0, NbdConstants.INIT_MAGIC);
    assertThatThrownBy(() -> NbdOptionHeader.decode(bad))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.BAD_MAGIC));
  }
}
