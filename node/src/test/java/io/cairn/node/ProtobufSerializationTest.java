package io.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.protocol.fabric.CapsuleHeader;
import io.cairn.protocol.fabric.Opcode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ProtobufSerializationTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void wireMessagesAreSerializedByPekkosProtobufSerializer() throws Exception {
    CapsuleHeader header = CapsuleHeader.newBuilder()
        .setCommandId(9).setOpcode(Opcode.WRITE_SHARD).setLength(1 << 20).build();
    Serialization serialization = SerializationExtension.get(testKit.system());

    Serializer serializer = serialization.findSerializerFor(header);
    byte[] bytes = serializer.toBinary(header);
    Object back = serialization.deserialize(bytes, serializer.identifier(),
        CapsuleHeader.class.getName()).get();

    assertThat(serializer.getClass().getSimpleName()).isEqualTo("ProtobufSerializer");
    assertThat(back).isEqualTo(header);
  }
}
