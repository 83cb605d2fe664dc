package io.cairn.offload.dpu;

/**
 * Why the DPU tier did not run a job. Engine errors themselves (a corrupt chunk, too many lost
 * shards) are not wrapped: the job's stage fails with the engine's own typed exception.
 */
public abstract sealed class DpuException extends RuntimeException
    permits DpuException.QueueFull, DpuException.ShutDown, DpuException.EngineCrashed {

  private final Engine engine;

  DpuException(Engine engine, String message, Throwable cause) {
    super(message, cause);
    this.engine = engine;
  }

  public Engine engine() {
    return engine;
  }

  /**
   * The engine's submission queue is full: the caller must slow down (back-pressure). Nothing of
   * the job was done.
   */
  public static final class QueueFull extends DpuException {
    private final int queueDepth;

    QueueFull(Engine engine, int queueDepth) {
      super(engine, engine.tag() + " queue is full (" + queueDepth + " jobs in flight)", null);
      this.queueDepth = queueDepth;
    }

    public int queueDepth() {
      return queueDepth;
    }
  }

  /** The DPU tier is shutting down: the job was refused, or it did not finish in time. */
  public static final class ShutDown extends DpuException {
    ShutDown(Engine engine, String message) {
      super(engine, message, null);
    }
  }

  /**
   * The engine failed with an error rather than an exception (a bug, a JVM error): the job
   * failed, and the worker that ran it was restarted.
   */
  public static final class EngineCrashed extends DpuException {
    EngineCrashed(Engine engine, Throwable cause) {
      super(engine, engine.tag() + " engine crashed: " + cause, cause);
    }
  }
}
