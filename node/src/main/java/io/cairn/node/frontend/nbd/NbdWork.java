package io.cairn.node.frontend.nbd;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.util.ByteString;

/**
 * One element between the session stage and the socket: the bytes of a reply, now (handshake
 * replies, early errors) or once a volume operation completes. A transmission-phase work holds a
 * share of its connection's {@link InFlightBudget}, given back by {@link #release()} when the
 * reply is handed to the socket.
 */
final class NbdWork {

  private final Supplier<CompletionStage<ByteString>> reply;
  private final InFlightBudget budget;
  private final long budgetBytes;
  /** Set by {@link #start()}'s completion, read by {@link #release()} after it. */
  private volatile ByteString bytes = ByteString.emptyByteString();

  private NbdWork(
      Supplier<CompletionStage<ByteString>> reply, InFlightBudget budget, long budgetBytes) {
    this.reply = reply;
    this.budget = budget;
    this.budgetBytes = budgetBytes;
  }

  /** Handshake bytes: no budget (negotiation is one option at a time). */
  static NbdWork handshake(ByteString bytes) {
    return new NbdWork(() -> CompletableFuture.completedFuture(bytes), null, 0);
  }

  /** A transmission reply that the caller has already acquired {@code budgetBytes} for. */
  static NbdWork budgeted(
      Supplier<CompletionStage<ByteString>> reply, InFlightBudget budget, long budgetBytes) {
    return new NbdWork(reply, budget, budgetBytes);
  }

  /** Starts the work; the stage completes with the reply bytes and never fails. */
  CompletionStage<NbdWork> start() {
    return reply.get().thenApply(bytes -> {
      this.bytes = bytes;
      return this;
    });
  }

  /** Gives back the budget and yields the reply bytes; called once, on the socket's pull. */
  ByteString release() {
    if (budget != null) {
      budget.release(budgetBytes);
    }
    return bytes;
  }
}
