package io.cairn.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.node.admin.ApiViews.MaintenanceView;
import io.cairn.node.admin.ApiViews.RunView;
import io.cairn.node.admin.ApiViews.StatusView;
import io.cairn.node.admin.ApiViews.StoreList;
import io.cairn.node.admin.ApiViews.StoreTotals;
import io.cairn.node.admin.ApiViews.VolumeList;
import io.cairn.node.admin.ApiViews.VolumeTotals;
import io.cairn.node.admin.ApiViews.VolumeView;
import io.cairn.node.cluster.ClusterStatus;
import io.cairn.node.maintenance.MaintenanceService;
import io.cairn.node.store.StoreInfo;
import io.cairn.node.maintenance.MaintenanceService.Kind;
import io.cairn.node.volume.VolumeInfo;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;

/**
 * The node's whole HTTP surface on {@code cairn.http.port}: probes, {@code /metrics}, the
 * dashboard and the REST API under {@code /api/v1} (described by {@code /api/v1/openapi.json}).
 *
 * <p>Guarantees: every answer under /api/v1 is JSON, errors included
 * ({@code {"error": ..., "field": ...}}, status from the failure's type); every mutating call
 * needs the bearer token, reads too unless {@code open-reads}; a request is validated completely
 * before any service is called, so a refused request changes nothing; bodies above
 * {@code cairn.api.body-size-max} get 413 without being buffered; every service call is bounded
 * by {@code cairn.api.operation-timeout} (then 504).
 *
 * <p>Threads: routes never block the default dispatcher. The volume service is asynchronous;
 * the synchronous suppliers (stores, cluster status, maintenance) and the Prometheus scrape may
 * touch the file system or take locks, so they run on {@code cairn.io.dispatcher}.
 */
public final class ManagementApi extends AllDirectives {

  /** The dispatcher for calls that may block. */
  static final String IO_DISPATCHER = "cairn.io.dispatcher";

  private static final String DASHBOARD_SECURITY =
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

  private final NodeServices services;
  private final AdminSettings settings;
  private final Executor io;
  private final Telemetry telemetry;
  private final VolumeRequests volumeRequests;
  private final AdminRoutes probes;

  private ManagementApi(NodeServices services, AdminSettings settings, Executor io,
      Telemetry telemetry) {
    this.services = services;
    this.settings = settings;
    this.io = io;
    this.telemetry = telemetry;
    this.volumeRequests = new VolumeRequests(settings.volumeBytesMax());
    this.probes = new AdminRoutes(services.nodeName(), services.readiness(),
        () -> services.cluster().get().members().stream()
            .map(m -> new AdminRoutes.MemberView(m.address(), m.status(), m.roles()))
            .toList());
  }

  /**
   * Builds the routes and starts what they need in {@code system}: the rate sampler (on the
   * system's scheduler) and the maintenance gauges in {@code services.registry()}. Call once
   * per node.
   */
  public static ManagementApi create(ActorSystem<?> system, NodeServices services,
      AdminSettings settings) {
    Executor io = system.dispatchers().lookup(DispatcherSelector.fromConfig(IO_DISPATCHER));
    Telemetry telemetry = new Telemetry(services.registry(), services.dpu(),
        settings.rateWindow().toNanos());
    MaintenanceMeters.register(services.registry(), services.maintenance());
    telemetry.rates().sample(System.nanoTime());
    system.scheduler().scheduleAtFixedRate(settings.rateSampleInterval(),
        settings.rateSampleInterval(), () -> telemetry.rates().sample(System.nanoTime()),
        system.executionContext());
    return new ManagementApi(services, settings, io, telemetry);
  }

  public Route routes() {
    ExceptionHandler exceptions = ExceptionHandler.newBuilder()
        .matchAny(t -> complete(ApiResponses.failure(t)))
        .build();
    RejectionHandler rejections =
        RejectionHandler.defaultHandler().mapRejectionResponse(ApiResponses::jsonRejection);
    return handleExceptions(exceptions, () -> handleRejections(rejections, () -> concat(
        probes.routes(),
        path("metrics", () -> get(this::metrics)),
        pathSingleSlash(() -> get(() -> redirect(
            org.apache.pekko.http.javadsl.model.Uri.create("/dashboard/"), StatusCodes.FOUND))),
        pathPrefix("dashboard", this::dashboard),
        pathPrefix(PathMatchers.segment("api").slash("v1"), () -> concat(
            path("openapi.json", () -> get(() ->
                getFromResource("admin/openapi.json", ContentTypes.APPLICATION_JSON))),
            authorized(this::api))))));
  }

  // ---- Static and probes ----------------------------------------------------------------------

  private Route metrics() {
    return respond(() -> CompletableFuture.supplyAsync(() -> HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
            services.registry().scrape())), io));
  }

  private Route dashboard() {
    return respondWithHeaders(List.of(
            RawHeader.create("Content-Security-Policy", DASHBOARD_SECURITY),
            RawHeader.create("X-Content-Type-Options", "nosniff"),
            RawHeader.create("Referrer-Policy", "no-referrer")),
        () -> get(() -> concat(
            pathEnd(() -> redirect(org.apache.pekko.http.javadsl.model.Uri.create("/dashboard/"),
                StatusCodes.MOVED_PERMANENTLY)),
            pathSingleSlash(() -> getFromResource("dashboard/index.html",
                ContentTypes.TEXT_HTML_UTF8)),
            getFromResourceDirectory("dashboard"))));
  }

  // ---- Authentication ---------------------------------------------------------------------------

  /** Lets a request through when it carries the token, or is a read and reads are open. */
  private Route authorized(Supplier<Route> inner) {
    return extractMethod(method -> {
      String m = method.name();
      boolean read = m.equals("GET") || m.equals("HEAD");
      if (read && services.openReads()) {
        return inner.get();
      }
      return optionalHeaderValueByName("Authorization", header -> {
        String value = header.orElse(null);
        if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
          return complete(ApiResponses.unauthorized("this call needs the API token: send "
              + "'Authorization: Bearer <token>' (the token is in the node's "
              + "cairn.api.token-file)"));
        }
        if (!ApiToken.matches(services.apiToken(), value.substring(7).strip())) {
          return complete(ApiResponses.unauthorized("the API token is not valid"));
        }
        return inner.get();
      });
    });
  }

  // ---- /api/v1 ---------------------------------------------------------------------------------

  private Route api() {
    return concat(
        path("status", () -> get(() -> respond(this::status))),
        path("cluster", () -> get(() -> respond(() ->
            onIo(() -> ApiResponses.ok(services.cluster().get()))))),
        path("stores", () -> get(() -> respond(() ->
            onIo(() -> ApiResponses.ok(new StoreList(services.stores().get())))))),
        path("dpu", () -> get(() -> respond(() ->
            CompletableFuture.completedFuture(ApiResponses.ok(telemetry.dpu()))))),
        pathPrefix("volumes", this::volumes),
        pathPrefix("maintenance", this::maintenance));
  }

  private Route volumes() {
    return concat(
        pathEnd(() -> concat(
            get(() -> respond(() -> within(services.volumes().list()).thenApply(list ->
                ApiResponses.ok(new VolumeList(list.stream().map(this::view).toList()))))),
            post(() -> withJsonBody(this::createVolume)))),
        pathPrefix(PathMatchers.segment(), name -> concat(
            pathEnd(() -> concat(
                get(() -> respond(() -> within(services.volumes().get(
                    VolumeRequests.pathName(name))).thenApply(v -> ApiResponses.ok(view(v))))),
                delete(() -> respond(() -> within(services.volumes().delete(
                    VolumeRequests.pathName(name))).thenApply(done ->
                    ApiResponses.noContent()))))),
            path("grow", () -> post(() -> withJsonBody(body -> {
              String checked = VolumeRequests.pathName(name);
              long newSizeBytes = volumeRequests.grow(body);
              return within(services.volumes().grow(checked, newSizeBytes))
                  .thenApply(v -> ApiResponses.ok(view(v)));
            }))))));
  }

  private CompletionStage<HttpResponse> createVolume(JsonNode body) {
    VolumeRequests.Create c = volumeRequests.create(body);
    return within(services.volumes().create(c.name(), c.sizeBytes(), c.blockBytes(),
        c.policy()))
        .thenApply(v -> ApiResponses.json(201, view(v))
            .addHeader(Location.create("/api/v1/volumes/" + v.name())));
  }

  private VolumeView view(VolumeInfo v) {
    return VolumeView.of(v, telemetry.volumeIo(v.name()));
  }

  private Route maintenance() {
    MaintenanceService service = services.maintenance();
    return concat(
        pathEnd(() -> get(() -> respond(() -> onIo(() -> ApiResponses.ok(new MaintenanceView(
            service.latest(Kind.SCRUB).map(RunView::of).orElse(null),
            service.latest(Kind.COMPACTION).map(RunView::of).orElse(null))))))),
        path(PathMatchers.segment(), kindName -> {
          Kind kind = maintenanceKind(kindName);
          return concat(
              get(() -> respond(() -> onIo(() -> ApiResponses.ok(RunView.of(
                  service.latest(kind).orElseThrow(() -> ApiException.notFound("no "
                      + kindName + " has run on this node since it started"))))))),
              post(() -> respond(() -> onIo(() -> {
                try {
                  return ApiResponses.json(202, RunView.of(service.start(kind)));
                } catch (IllegalStateException running) {
                  throw new ApiException(409, null, "a " + kindName + " is already running: "
                      + running.getMessage());
                }
              }))));
        }));
  }

  private static Kind maintenanceKind(String name) {
    for (Kind k : Kind.values()) {
      if (MaintenanceMeters.tag(k).equals(name)) {
        return k;
      }
    }
    throw ApiException.notFound("no maintenance of kind '" + name
        + "'; expected scrub or compaction");
  }

  /** What the status call reads synchronously, gathered on the I/O dispatcher. */
  private record LocalState(AdminRoutes.Readiness readiness, ClusterStatus cluster,
      List<StoreInfo> stores) {}

  private CompletionStage<HttpResponse> status() {
    return onIo(() -> new LocalState(services.readiness().get(), services.cluster().get(),
            services.stores().get()))
        .thenCombine(within(services.volumes().list()), (local, vols) -> new StatusView(
            services.nodeName(), local.readiness().ready(), local.readiness(), local.cluster(),
            StoreTotals.of(local.stores()), VolumeTotals.of(vols), telemetry.dpu().cores()))
        .thenApply(ApiResponses::ok);
  }

  // ---- Plumbing --------------------------------------------------------------------------------

  /** Completes with the call's response; any failure, thrown or returned, becomes an error. */
  private Route respond(Supplier<CompletionStage<HttpResponse>> call) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      return complete(ApiResponses.failure(e));
    }
    return completeWithFuture(stage.exceptionally(ApiResponses::failure));
  }

  /** Reads the body (bounded), parses it as JSON and hands it to {@code handler}. */
  private Route withJsonBody(Function<JsonNode, CompletionStage<HttpResponse>> handler) {
    return extractRequestEntity(entity -> extractMaterializer(mat ->
        respond(() -> readJson(entity, mat).thenCompose(handler))));
  }

  private CompletionStage<JsonNode> readJson(RequestEntity entity, Materializer mat) {
    long max = settings.bodyBytesMax();
    OptionalLong declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > max) {
      return CompletableFuture.failedFuture(tooLarge(max));
    }
    // withSizeLimit fails the stream with EntityStreamSizeException at the limit: a chunked
    // body is never buffered beyond it.
    return entity.withSizeLimit(max).toStrict(settings.operationTimeout().toMillis(), mat)
        .handle((strict, failure) -> {
          if (failure != null) {
            Throwable t = ApiResponses.unwrap(failure);
            throw new CompletionException(
                t instanceof EntityStreamSizeException ? tooLarge(max) : t);
          }
          byte[] bytes = strict.getData().toArray();
          if (bytes.length == 0) {
            throw ApiException.badRequest(null, "the request body is empty; expected a JSON "
                + "object");
          }
          try {
            return ApiResponses.MAPPER.readTree(bytes);
          } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw ApiException.badRequest(null, "malformed JSON"
                + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + e.getOriginalMessage());
          } catch (java.io.IOException e) {
            throw new CompletionException(e);
          }
        });
  }

  private static ApiException tooLarge(long max) {
    return new ApiException(413, null, "the request body is larger than " + max
        + " bytes (cairn.api.body-size-max)");
  }

  /** Runs a possibly blocking call on the I/O dispatcher, bounded by the operation timeout. */
  private <T> CompletableFuture<T> onIo(Supplier<T> call) {
    return within(CompletableFuture.supplyAsync(call, io));
  }

  /**
   * The service's stage, failing with a TimeoutException (504) when it does not finish within
   * the operation timeout. The timeout completes a copy, never the service's own future.
   */
  private <T> CompletableFuture<T> within(CompletionStage<T> stage) {
    CompletableFuture<T> bounded = new CompletableFuture<>();
    stage.whenComplete((v, t) -> {
      if (t != null) {
        bounded.completeExceptionally(t);
      } else {
        bounded.complete(v);
      }
    });
    Duration timeout = settings.operationTimeout();
    return bounded.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((v, t) -> {
      if (t == null) {
        return v;
      }
      Throwable cause = ApiResponses.unwrap(t);
      if (cause instanceof TimeoutException && cause.getMessage() == null) {
        cause = new TimeoutException("the node did not answer within " + timeout.toSeconds()
            + "s (cairn.api.operation-timeout)");
      }
      throw new CompletionException(cause);
    });
  }
}
