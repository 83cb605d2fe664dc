package io.cairn.node.volume;

import io.cairn.offload.dpu.DpuException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How the volume engine meets a full DPU queue: it submits again after a short pause, doubling up
 * to a cap, for a bounded time. The DPU tier never buffers without bound; the volume's own bounds
 * (requests in flight, the leader's stash) then push back on the frontend, and the frontend on
 * its socket.
 */
final class DpuBackpressure {

  private static final long FIRST_PAUSE_MICROS = 200;
  private static final long PAUSE_MAX_MICROS = 20_000;
  private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(30);

  private DpuBackpressure() {}

  static <T> CompletionStage<T> submit(Supplier<CompletionStage<T>> job) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(job, result, System.nanoTime(), FIRST_PAUSE_MICROS);
    return result;
  }

  private static <T> void attempt(Supplier<CompletionStage<T>> job, CompletableFuture<T> result,
      long startNanos, long pauseMicros) {
    job.get().whenComplete((value, failure) -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      if (cause instanceof DpuException.QueueFull
          && System.nanoTime() - startNanos < GIVE_UP_NANOS) {
        CompletableFuture.delayedExecutor(pauseMicros, TimeUnit.MICROSECONDS).execute(() ->
            attempt(job, result, startNanos, Math.min(PAUSE_MAX_MICROS, pauseMicros * 2)));
      } else if (failure != null) {
        result.completeExceptionally(cause);
      } else {
        result.complete(value);
      }
    });
  }
}
