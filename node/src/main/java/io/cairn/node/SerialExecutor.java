package io.cairn.node;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on an underlying (blocking I/O) executor: a
 * "lane". All metadata changes of one volume go through its lane, so read-modify-write of its
 * tables needs no locks, while different volumes use the I/O threads in parallel.
 */
public final class SerialExecutor {

  private final Executor executor;
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

  public SerialExecutor(Executor executor) {
    this.executor = executor;
  }

  /** Runs {@code task} after every task submitted before it has finished (however it ended). */
  public synchronized <T> CompletionStage<T> submit(Callable<T> task) {
    CompletableFuture<T> result = tail.handleAsync((ignored, failure) -> {
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, executor);
    tail = result;
    return result;
  }
}
