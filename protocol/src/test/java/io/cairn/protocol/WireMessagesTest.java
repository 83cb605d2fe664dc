package io.cairn.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.protocol.catalog.Compression;
import io.cairn.protocol.catalog.VolumeEntry;
import io.cairn.protocol.catalog.VolumePolicy;
import io.cairn.protocol.fabric.CapsuleHeader;
import io.cairn.protocol.fabric.Opcode;
import io.cairn.protocol.fabric.ShardKey;
import org.junit.jupiter.api.Test;

class WireMessagesTest {

  @Test
  void capsuleHeaderSurvivesARoundTripThroughItsBytes() throws Exception {
    CapsuleHeader header = CapsuleHeader.newBuilder()
        .setCommandId(42)
        .setOpcode(Opcode.READ_SHARD)
        .setTargetStore("store-3")
        .setKey(ShardKey.newBuilder().setSegmentId(7).setShardIndex(5))
        .setOffset(4096)
        .setLength(8192)
        .setEpoch(3)
        .build();

    CapsuleHeader parsed = CapsuleHeader.parseFrom(header.toByteArray());

    assertThat(parsed).isEqualTo(header);
    assertThat(parsed.getKey().getShardIndex()).isEqualTo(5);
  }

  @Test
  void volumeEntryKeepsItsPolicy() throws Exception {
    VolumeEntry entry = VolumeEntry.newBuilder()
        .setId(1)
        .setName("vol1")
        .setSizeBytes(1L << 30)
        .setBlockBytes(4096)
        .setPolicy(VolumePolicy.newBuilder()
            .setDataShards(4).setParityShards(2)
            .setCompression(Compression.COMPRESSION_LZ4)
            .setDedup(true).setEncryption(true))
        .build();

    VolumeEntry parsed = VolumeEntry.parseFrom(entry.toByteArray());

    assertThat(parsed.getPolicy().getCompression()).isEqualTo(Compression.COMPRESSION_LZ4);
    assertThat(parsed.getPolicy().getDataShards()).isEqualTo(4);
    assertThat(parsed).isEqualTo(entry);
  }
}
