package io.cairn.node;

/**
 * A configuration the node cannot start with. Its message is one line an operator can act on:
 * it names the setting or file and what is wrong with it.
 */
public final class ConfigProblem extends Exception {

  public ConfigProblem(String message) {
    super(message);
  }

  public ConfigProblem(String message, Throwable cause) {
    super(message, cause);
  }
}
