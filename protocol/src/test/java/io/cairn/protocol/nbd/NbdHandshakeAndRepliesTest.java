package io.cairn.protocol.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbdHandshakeAndRepliesTest {

  @Test
  void greetingIsNbdmagicIhaveoptAndFlags() {
    ByteBuffer greeting = NbdHandshake.greeting(
        NbdConstants.FLAG_FIXED_NEWSTYLE | NbdConstants.FLAG_NO_ZEROES);
    assertThat(hex(greeting)).isEqualTo("4e42444d41474943" + "49484156454f5054" + "0003");
  }

  @Test
  void exportNameReplyIsPaddedUnlessNoZeroes() {
    assertThat(NbdHandshake.exportNameReply(1 << 20, 0x0101, false).remaining()).isEqualTo(134);
    ByteBuffer shortReply = NbdHandshake.exportNameReply(1 << 20, 0x0101, true);
    assertThat(hex(shortReply)).isEqualTo("0000000000100000" + "0101");
  }

  @Test
  void infoExportReplyDecodesAsAClientWouldReadIt() {
    ByteBuffer bytes = NbdHandshake.infoExport(NbdConstants.OPT_GO, 1L << 40, 0x0d6d);
    NbdOptionReply reply = NbdOptionReply.decode(bytes);
    assertThat(reply.option()).isEqualTo(NbdConstants.OPT_GO);
    assertThat(reply.replyType()).isEqualTo(NbdConstants.REP_INFO);
    assertThat(reply.data().getShort()).isEqualTo((short) NbdConstants.INFO_EXPORT);
    assertThat(reply.data().getLong()).isEqualTo(1L << 40);
    assertThat(reply.data().getShort()).isEqualTo((short) 0x0d6d);
    assertThat(bytes.hasRemaining()).isFalse();
  }

  @Test
  void blockSizeInfoRefusesValuesTheSpecForbids() {
    assertThatThrownBy(() -> NbdHandshake.infoBlockSize(NbdConstants.OPT_GO, 3, 4096, 1 << 25))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NbdHandshake.infoBlockSize(NbdConstants.OPT_GO, 1, 256, 1 << 25))
        .isInstanceOf(IllegalArgumentException.class);
    NbdOptionReply reply =
        NbdOptionReply.decode(NbdHandshake.infoBlockSize(NbdConstants.OPT_GO, 1, 4096, 1 << 25));
    assertThat(reply.data().remaining()).isEqualTo(14);
  }

  @Test
  void errorRepliesCarryAMessageCutAtACharacterBoundary() {
    String message = "é".repeat(3000); // 6000 bytes of two-byte characters
    NbdOptionReply reply = NbdOptionReply.decode(
        NbdHandshake.optionError(NbdConstants.OPT_GO, NbdConstants.REP_ERR_UNKNOWN, message));
    assertThat(reply.isError()).isTrue();
    assertThat(reply.data().remaining()).isEqualTo(4096);
    String text = StandardCharsets.UTF_8.decode(reply.data()).toString();
    assertThat(text).isEqualTo("é".repeat(2048));
  }

  @Test
  void simpleReplyHasTheSpecLayout() {
    assertThat(hex(NbdReplies.simple(NbdConstants.EINVAL, 9)))
        .isEqualTo("67446698" + "00000016" + "0000000000000009");
  }

  @Test
  void offsetDataHeaderCountsTheOffsetInItsLength() {
    ByteBuffer header = NbdReplies.offsetDataHeader(NbdConstants.REPLY_FLAG_DONE, 5, 4096, 512);
    NbdReplyHeader decoded = NbdReplyHeader.decode(header);
    assertThat(decoded).isEqualTo(new NbdReplyHeader(true, 0, NbdConstants.REPLY_FLAG_DONE,
        NbdConstants.REPLY_TYPE_OFFSET_DATA, 5, 8 + 512));
    assertThat(header.getLong()).isEqualTo(4096);
  }

  @Test
  void errorChunkHasErrorMessageLengthAndMessage() {
    ByteBuffer chunk = NbdReplies.error(NbdConstants.REPLY_FLAG_DONE, 3, NbdConstants.ENOSPC, "full");
    NbdReplyHeader header = NbdReplyHeader.decode(chunk);
    assertThat(header.type()).isEqualTo(NbdConstants.REPLY_TYPE_ERROR);
    assertThat(header.payloadBytes()).isEqualTo(10);
    assertThat(chunk.getInt()).isEqualTo(NbdConstants.ENOSPC);
    assertThat(chunk.getShort()).isEqualTo((short) 4);
  }

  @Test
  void blockStatusChunkListsDescriptorsAfterTheContextId() {
    ByteBuffer chunk = NbdReplies.blockStatus(NbdConstants.REPLY_FLAG_DONE, 1, 7, List.of(
        new NbdReplies.BlockStatusDescriptor(65536, 0),
        new NbdReplies.BlockStatusDescriptor(0xFFFF_FFFFL,
            NbdConstants.STATE_HOLE | NbdConstants.STATE_ZERO)));
    NbdReplyHeader header = NbdReplyHeader.decode(chunk);
    assertThat(header.payloadBytes()).isEqualTo(4 + 16);
    assertThat(hex(chunk)).isEqualTo("00000007" + "00010000" + "00000000" + "ffffffff" + "00000003");
  }

  @Test
  void replyHeaderWithUnknownMagicIsBadMagic() {
    ByteBuffer bytes = ByteBuffer.allocate(16).putInt(0x96744668).flip();
    assertThatThrownBy(() -> NbdReplyHeader.decode(bytes))
        .isInstanceOfSatisfying(NbdProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(NbdProtocolException.Reason.BAD_MAGIC));
  }

  private static String hex(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
