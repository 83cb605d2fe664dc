package io.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The CLI's HTTP client for one node's REST API. Errors come back typed: {@link ApiError} when
 * the node answered with an error, {@link Unreachable} when it could not be reached.
 */
final class ApiClient {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The node refused the call; status, message and field come from its JSON error. */
  static final class ApiError extends Exception {
    final int status;
    final String field;

    ApiError(int status, String message, String field) {
      super(message);
      this.status = status;
      this.field = field;
    }
  }

  /** The node could not be reached at all. */
  static final class Unreachable extends Exception {
    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final URI base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

  ApiClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  JsonNode get(String path) throws ApiError, Unreachable {
    return send("GET", path, null);
  }

  JsonNode post(String path, Object body) throws ApiError, Unreachable {
    return send("POST", path, body);
  }

  JsonNode delete(String path) throws ApiError, Unreachable {
    return send("DELETE", path, null);
  }

  private JsonNode send(String method, String path, Object body) throws ApiError, Unreachable {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json");
    try {
      request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode the request", e);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new Unreachable("cannot reach the node at " + base + ": connection refused "
          + "(is it running? see --url)", e);
    } catch (HttpTimeoutException e) {
      throw new Unreachable("the node at " + base + " did not answer in time", e);
    } catch (IOException e) {
      throw new Unreachable("cannot reach the node at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted", e);
    }
    JsonNode json = parse(response.body());
    if (response.statusCode() >= 400) {
      String message = json.path("error").asText("HTTP " + response.statusCode());
      JsonNode field = json.get("field");
      throw new ApiError(response.statusCode(), message,
          field == null || field.isNull() ? null : field.asText());
    }
    return json;
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      return MAPPER.getNodeFactory().objectNode().put("error", body.strip());
    }
  }
}
