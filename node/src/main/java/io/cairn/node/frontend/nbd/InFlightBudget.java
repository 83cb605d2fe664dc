package io.cairn.node.frontend.nbd;

/**
 * One connection's allowance of requests and bytes between "request accepted" and "reply handed
 * to the socket" (cairn.nbd.max-in-flight-requests, max-in-flight-bytes).
 *
 * <p>The session stage acquires before it reads a request's payload or starts its work; the
 * reply path releases once the reply has been pulled by the socket. A failed acquire means the
 * stage stops pulling from the socket — back-pressure, not buffering — until a release calls the
 * registered wake-up. Acquire and release may run on different threads (volume completions), so
 * the counters are guarded by the object's monitor; the wake-up is an async callback into the
 * stage and never runs stage code on the releasing thread.
 */
final class InFlightBudget {

  private final int maxRequests;
  private final long maxBytes;
  private int requests;
  private long bytes;
  private volatile Runnable onRelease = () -> {};

  InFlightBudget(int maxRequests, long maxBytes) {
    this.maxRequests = maxRequests;
    this.maxBytes = maxBytes;
  }

  /** Whether one more request of {@code costBytes} fits; if so it is counted. */
  synchronized boolean tryAcquire(long costBytes) {
    if (requests >= maxRequests || bytes + costBytes > maxBytes) {
      return false;
    }
    requests++;
    bytes += costBytes;
    return true;
  }

  void release(long costBytes) {
    synchronized (this) {
      requests--;
      bytes -= costBytes;
    }
    onRelease.run();
  }

  void onRelease(Runnable wakeUp) {
    this.onRelease = wakeUp;
  }

  synchronized int requestsInFlight() {
    return requests;
  }

  synchronized long bytesInFlight() {
    return bytes;
  }
}
