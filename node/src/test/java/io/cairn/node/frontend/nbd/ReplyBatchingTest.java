package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies that wait for a busy socket are joined into fewer writes: the bytes and their order are
 * exactly the replies', no joined write exceeds the bound unless it is one larger reply alone,
 * and with a slow socket there are fewer writes than replies.
 */
class ReplyBatchingTest {

  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "reply-batching");
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void repliesWaitingForASlowSocketAreJoinedInOrderWithinTheBound() throws Exception {
    Random random = new Random(42);
    List<ByteString> replies = new ArrayList<>();
    ByteString expected = ByteString.emptyByteString();
    for (int i = 0; i < 300; i++) {
      // Mostly 16-byte simple replies, now and then one larger than the bound (a READ's data).
      byte[] reply = new byte[random.nextInt(10) == 0 ? 700 : 16];
      random.nextBytes(reply);
      replies.add(ByteString.fromArray(reply));
      expected = expected.concat(ByteString.fromArray(reply));
    }

    List<ByteString> writes = throughSlowSocket(replies, 512);

    ByteString joined = ByteString.emptyByteString();
    for (ByteString w : writes) {
      joined = joined.concat(w);
      assertThat(w.size() <= 512 || replies.stream().anyMatch(w::equals))
          .as("a write of %d bytes is within the bound or one reply", w.size()).isTrue();
    }
    assertThat(joined).isEqualTo(expected);
    assertThat(writes.size()).as("writes for %d replies", replies.size()).isLessThan(150);
  }

  @Test
  void aZeroBoundSendsEveryReplyOnItsOwn() throws Exception {
    List<ByteString> replies = List.of(ByteString.fromString("a"), ByteString.fromString("bc"),
        ByteString.fromString("def"));

    List<ByteString> writes = throughSlowSocket(replies, 0);

    assertThat(writes).containsExactlyElementsOf(replies);
  }

  /** The writes a socket that takes 2 ms per write gets for these replies. */
  private static List<ByteString> throughSlowSocket(List<ByteString> replies, int maxBytes)
      throws Exception {
    return Source.from(replies)
        .via(NbdServer.replyBatching(maxBytes))
        // The socket: one write at a time, each taking a while.
        .mapAsync(1, w -> CompletableFuture.supplyAsync(() -> w,
            CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS)))
        .runWith(Sink.seq(), system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
