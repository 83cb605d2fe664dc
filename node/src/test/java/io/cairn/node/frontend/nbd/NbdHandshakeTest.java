package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.protocol.nbd.NbdConstants;
import io.cairn.protocol.nbd.NbdExportInfoRequest;
import io.cairn.protocol.nbd.NbdMetaContextRequest;
import io.cairn.protocol.nbd.NbdOptionReply;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NbdHandshakeTest {

  private static final InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
  private static NbdServerFixture fixture;

  @BeforeAll
  static void start() {
    volumes.add("alpha", 1 << 20);
    volumes.add("beta", 3L << 30);
    fixture = new NbdServerFixture(volumes, "cairn.nbd.handshake-timeout = 2s");
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private NbdTestClient negotiating() throws Exception {
    NbdTestClient client = NbdTestClient.connect(fixture.port());
    client.clientFlags(NbdConstants.FLAG_C_FIXED_NEWSTYLE | NbdConstants.FLAG_C_NO_ZEROES);
    return client;
  }

  @Test
  void greetingAdvertisesFixedNewstyleAndNoZeroes() throws Exception {
    try (NbdTestClient client = NbdTestClient.connect(fixture.port())) {
      assertThat(client.handshakeFlags)
          .isEqualTo(NbdConstants.FLAG_FIXED_NEWSTYLE | NbdConstants.FLAG_NO_ZEROES);
    }
  }

  @Test
  void listNamesEveryVolume() throws Exception {
    try (NbdTestClient client = negotiating()) {
      List<NbdOptionReply> replies = client.optionFinal(NbdConstants.OPT_LIST, ByteBuffer.allocate(0));
      assertThat(replies).hasSize(3);
      assertThat(replies.subList(0, 2)).extracting(r -> {
        ByteBuffer d = r.data();
        int length = d.getInt();
        return StandardCharsets.UTF_8.decode(d.slice().limit(length)).toString();
      }).containsExactly("alpha", "beta");
      assertThat(replies.get(2).replyType()).isEqualTo(NbdConstants.REP_ACK);
    }
  }

  @Test
  void infoReportsSizeFlagsAndBlockSizesWithoutEnteringTransmission() throws Exception {
    try (NbdTestClient client = negotiating()) {
      List<NbdOptionReply> replies = client.optionFinal(NbdConstants.OPT_INFO,
          new NbdExportInfoRequest("beta", List.of(NbdConstants.INFO_BLOCK_SIZE)).encode());
      NbdOptionReply export = replies.stream()
          .filter(r -> r.data().remaining() > 0 && r.data().getShort(0) == NbdConstants.INFO_EXPORT)
          .findFirst().orElseThrow();
      assertThat(export.data().getLong(2)).isEqualTo(3L << 30);
      int flags = export.data().getShort(10);
      assertThat(flags & NbdConstants.FLAG_CAN_MULTI_CONN).isNotZero();
      assertThat(flags & NbdConstants.FLAG_SEND_FLUSH).isNotZero();
      assertThat(flags & NbdConstants.FLAG_SEND_FUA).isNotZero();
      assertThat(flags & NbdConstants.FLAG_SEND_DF).as("DF needs structured replies").isZero();
      NbdOptionReply blockSize = replies.stream()
          .filter(r -> r.data().remaining() > 0 && r.data().getShort(0) == NbdConstants.INFO_BLOCK_SIZE)
          .findFirst().orElseThrow();
      assertThat(blockSize.data().getInt(2)).isEqualTo(1);
      assertThat(blockSize.data().getInt(6)).isEqualTo(4096);
      assertThat(blockSize.data().getInt(10)).isGreaterThanOrEqualTo(32 << 20);
      // Still negotiating: another option is answered.
      client.expectAck(client.option(NbdConstants.OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0)));
    }
  }

  @Test
  void unknownExportIsRefusedAndNegotiationContinues() throws Exception {
    try (NbdTestClient client = negotiating()) {
      List<NbdOptionReply> replies = client.optionFinal(NbdConstants.OPT_GO,
          new NbdExportInfoRequest("nope", List.of()).encode());
      assertThat(replies).singleElement()
          .extracting(NbdOptionReply::replyType).isEqualTo(NbdConstants.REP_ERR_UNKNOWN);
      client.go("alpha");
      assertThat(client.read(0, 512).error()).isZero();
    }
  }

  @Test
  void unknownOptionsAndStartTlsAreUnsupportedAndTheSessionStaysInSync() throws Exception {
    try (NbdTestClient client = negotiating()) {
      ByteBuffer junk = ByteBuffer.wrap(new byte[1000]);
      assertThat(client.option(0x7777, junk).replyType()).isEqualTo(NbdConstants.REP_ERR_UNSUP);
      assertThat(client.option(NbdConstants.OPT_STARTTLS, ByteBuffer.allocate(0)).replyType())
          .isEqualTo(NbdConstants.REP_ERR_UNSUP);
      assertThat(client.option(NbdConstants.OPT_EXTENDED_HEADERS, ByteBuffer.allocate(0)).replyType())
          .isEqualTo(NbdConstants.REP_ERR_UNSUP);
      client.go("alpha");
      assertThat(client.exportSizeBytes).isEqualTo(1 << 20);
    }
  }

  @Test
  void oversizedOptionDataIsSkippedUnreadAndAnsweredTooBig() throws Exception {
    try (NbdTestClient client = negotiating()) {
      int size = NbdSessionStage.OPTION_DATA_BYTES_MAX + 4096;
      NbdOptionReply reply = client.option(NbdConstants.OPT_GO, ByteBuffer.allocate(size));
      assertThat(reply.replyType()).isEqualTo(NbdConstants.REP_ERR_TOO_BIG);
      client.go("alpha");
    }
  }

  @Test
  void malformedGoIsInvalidNotFatal() throws Exception {
    try (NbdTestClient client = negotiating()) {
      ByteBuffer bad = ByteBuffer.allocate(8).putInt(1000).putInt(0).flip();
      assertThat(client.option(NbdConstants.OPT_GO, bad).replyType())
          .isEqualTo(NbdConstants.REP_ERR_INVALID);
      assertThat(client.option(NbdConstants.OPT_LIST, ByteBuffer.allocate(3)).replyType())
          .isEqualTo(NbdConstants.REP_ERR_INVALID);
      client.go("alpha");
    }
  }

  @Test
  void metaContextNeedsStructuredRepliesAndSelectsBaseAllocation() throws Exception {
    try (NbdTestClient client = negotiating()) {
      ByteBuffer query =
          new NbdMetaContextRequest("alpha", List.of(NbdConstants.META_CONTEXT_BASE_ALLOCATION)).encode();
      assertThat(client.optionFinal(NbdConstants.OPT_SET_META_CONTEXT, query.duplicate()))
          .singleElement().extracting(NbdOptionReply::replyType)
          .isEqualTo(NbdConstants.REP_ERR_INVALID);
      client.expectAck(client.option(NbdConstants.OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0)));

      List<NbdOptionReply> listed = client.optionFinal(NbdConstants.OPT_LIST_META_CONTEXT,
          new NbdMetaContextRequest("alpha", List.of()).encode());
      assertThat(listed).hasSize(2);
      assertThat(listed.get(0).replyType()).isEqualTo(NbdConstants.REP_META_CONTEXT);

      List<NbdOptionReply> set = client.optionFinal(NbdConstants.OPT_SET_META_CONTEXT,
          new NbdMetaContextRequest("alpha",
              List.of("qemu:dirty-bitmap:x", NbdConstants.META_CONTEXT_BASE_ALLOCATION)).encode());
      assertThat(set).hasSize(2);
      ByteBuffer context = set.get(0).data();
      assertThat(context.getInt()).isEqualTo(NbdTransmission.BASE_ALLOCATION_CONTEXT_ID);
      assertThat(StandardCharsets.UTF_8.decode(context).toString())
          .isEqualTo(NbdConstants.META_CONTEXT_BASE_ALLOCATION);
    }
  }

  @Test
  void exportNameEntersTransmissionWithOrWithoutTheZeroPadding() throws Exception {
    try (NbdTestClient client = NbdTestClient.connect(fixture.port())) {
      client.clientFlags(NbdConstants.FLAG_C_FIXED_NEWSTYLE);
      client.sendOption(NbdConstants.OPT_EXPORT_NAME,
          ByteBuffer.wrap("alpha".getBytes(StandardCharsets.UTF_8)));
      assertThat(client.in.readLong()).isEqualTo(1 << 20);
      client.in.readUnsignedShort();
      assertThat(client.in.readNBytes(124)).containsOnly(0);
      assertThat(client.read(4096, 100).error()).isZero();
    }
    try (NbdTestClient client = negotiating()) {
      client.sendOption(NbdConstants.OPT_EXPORT_NAME,
          ByteBuffer.wrap("alpha".getBytes(StandardCharsets.UTF_8)));
      assertThat(client.in.readLong()).isEqualTo(1 << 20);
      client.in.readUnsignedShort();
      // No padding: the next bytes are already the reply to this read.
      assertThat(client.read(0, 10).data()).hasSize(10);
    }
  }

  @Test
  void exportNameForAnUnknownVolumeClosesTheConnection() throws Exception {
    try (NbdTestClient client = negotiating()) {
      client.sendOption(NbdConstants.OPT_EXPORT_NAME,
          ByteBuffer.wrap("missing".getBytes(StandardCharsets.UTF_8)));
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void unknownClientFlagsCloseTheConnection() throws Exception {
    try (NbdTestClient client = NbdTestClient.connect(fixture.port())) {
      client.clientFlags(NbdConstants.FLAG_C_FIXED_NEWSTYLE | (1 << 5));
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void abortIsAcknowledgedThenClosed() throws Exception {
    try (NbdTestClient client = negotiating()) {
      client.expectAck(client.option(NbdConstants.OPT_ABORT, ByteBuffer.allocate(0)));
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void wrongOptionMagicClosesTheConnection() throws Exception {
    try (NbdTestClient client = negotiating()) {
      client.writeRaw(new byte[16]);
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aClientThatNeverChoosesAnExportIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (NbdTestClient client = negotiating()) {
      assertThat(client.closedByServer()).isTrue();
    }
  }
}
