package io.cairn.offload.dpu;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A DPU worker: runs the jobs routed to it, one at a time, on the DPU dispatcher. Supervised
 * with restart, so an engine that crashes a worker costs that one job and nothing else.
 */
final class DpuWorker {

  /** The only message: run this job. */
  record Run(DpuJob<?> job) {}

  private DpuWorker() {}

  static Behavior<Run> create(Engine engine) {
    Behavior<Run> worker = Behaviors.receive(Run.class)
        .onMessage(Run.class, run -> {
          run.job().run();
          return Behaviors.same();
        })
        .build();
    return Behaviors.supervise(worker).onFailure(Throwable.class, SupervisorStrategy.restart()
        .withLoggingEnabled(true));
  }
}
