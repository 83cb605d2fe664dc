package io.cairn.node.meta;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Guards a RocksDB handle against use after close. RocksDB's Java handles must not be used once
 * closed — that is a native crash, not an exception — and at shutdown a task on the I/O
 * dispatcher can still be running. Every call runs under the read lock and checks {@link
 * #closed()}; {@link #markClosed()} takes the write lock, so it waits for calls in progress and
 * the ones after it see the handle closed.
 */
public final class RocksLifecycle {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  /** Enters a call; pair with {@link #exit()} in a finally block. */
  public void enter() {
    lock.readLock().lock();
  }

  public void exit() {
    lock.readLock().unlock();
  }

  /** Whether the handle is closed; only meaningful between enter() and exit(). */
  public boolean closed() {
    return closed;
  }

  /**
   * Marks the handle closed once no call is in progress.
   *
   * @return true for the one caller that should now close the native handles
   */
  public boolean markClosed() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
