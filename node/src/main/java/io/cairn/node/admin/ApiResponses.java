package io.cairn.node.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cairn.node.volume.VolumeAdminException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON in and out, and the one place where failures become HTTP statuses. Every error the API
 * sends is {@code {"error": "<sentence>", "field": "<request field>"}} (field only when one
 * field is at fault); the status comes from the failure's type, never from its message.
 */
final class ApiResponses {

  private static final Logger log = LoggerFactory.getLogger(ApiResponses.class);

  /**
   * Strict reading: duplicate keys and trailing garbage are errors (a body that means two
   * things is refused rather than guessed at).
   */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  /** The error body. */
  record ApiError(String error, String field) {}

  private ApiResponses() {}

  static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
              MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      // Only the API's own records are written; failing here is a programming error.
      throw new IllegalStateException("cannot serialise " + body.getClass(), e);
    }
  }

  static HttpResponse ok(Object body) {
    return json(200, body);
  }

  static HttpResponse error(int status, String message, String field) {
    return json(status, new ApiError(message, field));
  }

  static HttpResponse unauthorized(String message) {
    return error(401, message, null)
        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "cairn")));
  }

  /** Re-wraps the plain-text bodies of Pekko's own rejections (404, 405, ...) as API errors. */
  static HttpResponse jsonRejection(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (entity instanceof HttpEntity.Strict strict
        && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
          writeError(new ApiError(strict.getData().utf8String(), null))));
    }
    return response;
  }

  private static byte[] writeError(ApiError error) {
    try {
      return MAPPER.writeValueAsBytes(error);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The response for a failed operation; unexpected failures are logged and not detailed. */
  static HttpResponse failure(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiException e) {
      return error(e.status(), e.getMessage(), e.field());
    }
    if (t instanceof VolumeAdminException e) {
      int status = switch (e.kind()) {
        case INVALID -> 400;
        case NOT_FOUND -> 404;
        case CONFLICT, UNPLACEABLE -> 409;
        case INTERNAL -> 500;
      };
      if (status == 500) {
        log.warn("Volume operation failed", e);
      }
      return error(status, e.getMessage(), e.field());
    }
    if (t instanceof TimeoutException e) {
      return error(504, e.getMessage(), null);
    }
    log.error("Unexpected failure in the management API", t);
    return error(500, "internal error (" + t.getClass().getSimpleName()
        + "); the node's log has the details", null);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static HttpResponse noContent() {
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }
}
