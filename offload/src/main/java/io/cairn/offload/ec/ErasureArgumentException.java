package io.cairn.offload.ec;

/**
 * A caller passed something the erasure coder cannot work with. Names the offending argument
 * ({@code "shards[3]"}, {@code "parityShards"}, ...) and the kind of problem, so callers and
 * tests act on {@link #problem()} instead of parsing the message.
 */
public final class ErasureArgumentException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** What is wrong with the argument. */
  public enum Problem {
    /** A number outside its allowed range (k, m, k + m, a shard index, a byte range). */
    OUT_OF_RANGE,
    /** A null array or a null buffer where one is needed. */
    NULL,
    /** An array with the wrong number of entries (shards, presence flags). */
    WRONG_COUNT,
    /** A buffer region whose length differs from the others, or is too short. */
    WRONG_LENGTH,
    /** A read-only buffer where bytes must be written. */
    READ_ONLY
  }

  private final String argument;
  private final Problem problem;

  public ErasureArgumentException(String argument, Problem problem, String detail) {
    super(argument + ": " + problem + " (" + detail + ")");
    this.argument = argument;
    this.problem = problem;
  }

  /** The argument at fault, as the caller would name it: {@code "shards[2]"}. */
  public String argument() {
    return argument;
  }

  public Problem problem() {
    return problem;
  }
}
