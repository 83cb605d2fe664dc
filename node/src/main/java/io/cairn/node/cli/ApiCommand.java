package io.cairn.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A client command: runs against the REST API and turns every failure into a plain message
 * on stderr and an exit code ({@link ExitCodes}).
 */
abstract class ApiCommand implements Callable<Integer> {

  @Mixin
  ClientOptions options;

  @Spec
  CommandSpec spec;

  /** Does the command's work; returns its exit code. */
  abstract int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable,
      InterruptedException;

  @Override
  public final Integer call() throws InterruptedException {
    try {
      return run(options.client());
    } catch (ApiClient.ApiError e) {
      err().println("cairn: " + e.getMessage()
          + (e.field == null ? "" : " [field: " + e.field + "]") + " (HTTP " + e.status + ")");
      return ExitCodes.API_ERROR;
    } catch (ApiClient.Unreachable e) {
      err().println("cairn: " + e.getMessage());
      return ExitCodes.UNREACHABLE;
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints the API's answer as indented JSON (--json). */
  void printJson(JsonNode json) {
    try {
      out().println(ApiClient.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out().flush();
  }
}
