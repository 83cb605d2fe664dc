package io.cairn.node.admin;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's HTTP surface: liveness ({@code /health}), readiness ({@code /ready}) and the REST
 * API under {@code /api/v1}. Routes only read state through the suppliers they are given; they
 * never block.
 */
public final class AdminRoutes extends AllDirectives {

  /** What {@code /ready} reports: ready only when every check passes. */
  public record Readiness(boolean memberUp, boolean storesOpen) {
    public boolean ready() {
      return memberUp && storesOpen;
    }
  }

  /** One cluster member as the API shows it. */
  public record MemberView(String address, String status, List<String> roles) {}

  private final String nodeName;
  private final Supplier<Readiness> readiness;
  private final Supplier<List<MemberView>> members;

  public AdminRoutes(
      String nodeName, Supplier<Readiness> readiness, Supplier<List<MemberView>> members) {
    this.nodeName = nodeName;
    this.readiness = readiness;
    this.members = members;
  }

  public Route routes() {
    return concat(
        path("health", () -> get(() ->
            complete(StatusCodes.OK, Map.of("status", "ok", "node", nodeName),
                Jackson.marshaller()))),
        path("ready", () -> get(this::ready)),
        pathPrefix("api", () -> pathPrefix("v1", () ->
            path(PathMatchers.segment("cluster").slash("members"), () -> get(() ->
                complete(StatusCodes.OK, members.get(), Jackson.marshaller()))))));
  }

  private Route ready() {
    Readiness r = readiness.get();
    Map<String, Object> body = Map.of(
        "ready", r.ready(), "memberUp", r.memberUp(), "storesOpen", r.storesOpen());
    return complete(r.ready() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body,
        Jackson.marshaller());
  }
}
