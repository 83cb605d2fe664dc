package io.cairn.node.cli;

/** The exit codes of the {@code cairn} client commands, for scripts to act on. */
public final class ExitCodes {

  /** The call succeeded. */
  public static final int OK = 0;
  /** The node answered with an error (4xx/5xx), or a maintenance run failed. */
  public static final int API_ERROR = 1;
  /** The command line was wrong (picocli's own code for usage errors). */
  public static final int USAGE = 2;
  /** The node could not be reached: connection refused, unknown host, timeout. */
  public static final int UNREACHABLE = 3;

  private ExitCodes() {}
}
