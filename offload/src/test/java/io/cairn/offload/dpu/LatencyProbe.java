package io.cairn.offload.dpu;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An application actor on the default dispatcher and a ticker that sends it a message every
 * millisecond, recording each round trip: what an application on a host sharing its cores with
 * the DPU tier would feel. Used by the isolation test and the isolation benchmark.
 */
final class LatencyProbe implements AutoCloseable {

  record Ping(long sentNanos, ActorRef<Long> replyTo) {}

  static Behavior<Ping> echo() {
    return Behaviors.receive(Ping.class)
        .onMessage(Ping.class, ping -> {
          ping.replyTo().tell(ping.sentNanos());
          return Behaviors.same();
        })
        .build();
  }

  private final ActorSystem<?> system;
  private final ActorRef<Ping> echo;
  private final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final Thread ticker;
  private volatile boolean running = true;

  LatencyProbe(ActorSystem<?> system, String name) {
    this.system = system;
    this.echo = system.systemActorOf(echo(), name, org.apache.pekko.actor.typed.Props.empty());
    this.ticker = new Thread(this::tick, name + "-ticker");
    ticker.setDaemon(true);
    ticker.start();
  }

  private void tick() {
    long period = TimeUnit.MILLISECONDS.toNanos(1);
    long next = System.nanoTime();
    while (running) {
      long start = System.nanoTime();
      sent.incrementAndGet();
      CompletionStage<Long> reply = AskPattern.ask(echo, (ActorRef<Long> r) -> new Ping(start, r),
          Duration.ofSeconds(30), system.scheduler());
      reply.whenComplete((sentNanos, failure) -> {
        if (failure == null) {
          recorder.recordValue(System.nanoTime() - sentNanos);
          received.incrementAndGet();
        }
      });
      next += period;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime(); // fell behind: don't burst to catch up
      }
    }
  }

  /** The round trips recorded since the previous call. */
  Histogram interval() {
    return recorder.getIntervalHistogram();
  }

  long sent() {
    return sent.get();
  }

  long received() {
    return received.get();
  }

  /** Stops ticking and waits (bounded) for the replies still in flight. */
  void stopAndDrain(Duration timeout) throws InterruptedException {
    running = false;
    ticker.join(timeout.toMillis());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopAndDrain(Duration.ofSeconds(5));
  }
}
