package io.cairn.offload.dpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * One submission: the engine call, its completion, and its accounting. Runs exactly once, on a
 * DPU thread; completes exactly once (the engine's result, its exception, or abandonment at
 * shutdown — whichever comes first).
 */
final class DpuJob<T> {

  private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  private final Engine engine;
  private final long bytesIn;
  private final Callable<T> work;
  private final ToLongFunction<T> bytesOut;
  private final DpuMeters.EngineMeters meters;
  private final long submittedNanos = System.nanoTime();
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final Consumer<DpuJob<?>> release;
  private final java.util.concurrent.atomic.AtomicBoolean released =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param release frees the job's place in its submission queue; it runs exactly once, before
   *     the result is completed, so a caller that submits again from the completion finds the place
   *     free (Pekko Streams' mapAsync does exactly that)
   */
  DpuJob(Engine engine, long bytesIn, Callable<T> work, ToLongFunction<T> bytesOut,
      DpuMeters.EngineMeters meters, Consumer<DpuJob<?>> release) {
    this.engine = engine;
    this.bytesIn = bytesIn;
    this.work = work;
    this.bytesOut = bytesOut;
    this.meters = meters;
    this.release = release;
  }

  Engine engine() {
    return engine;
  }

  CompletableFuture<T> result() {
    return result;
  }

  /**
   * Runs the engine call on the current (DPU) thread. Exceptions fail this job only; an Error
   * fails it too and is then rethrown so the worker's supervisor restarts the worker.
   */
  void run() {
    if (result.isDone()) {
      return; // abandoned at shutdown before it got a thread
    }
    long cpuStart = threads.getCurrentThreadCpuTime();
    T value = null;
    Throwable failure = null;
    try {
      value = work.call();
    } catch (Exception e) {
      failure = e;
    } catch (Throwable t) {
      failure = new DpuException.EngineCrashed(engine, t);
      finish(null, failure, cpuStart);
      throw t;
    }
    finish(value, failure, cpuStart);
  }

  private void finish(T value, Throwable failure, long cpuStart) {
    long cpuNanos = Math.max(0, threads.getCurrentThreadCpuTime() - cpuStart);
    long out = 0;
    if (failure == null) {
      try {
        out = bytesOut.applyAsLong(value);
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    meters.completed(submittedNanos, cpuNanos, bytesIn, out, failure != null);
    releaseOnce();
    if (failure == null) {
      result.complete(value);
    } else {
      result.completeExceptionally(failure);
    }
  }

  void abandon(DpuException reason) {
    releaseOnce();
    result.completeExceptionally(reason);
  }

  private void releaseOnce() {
    if (released.compareAndSet(false, true)) {
      release.accept(this);
    }
  }
}
