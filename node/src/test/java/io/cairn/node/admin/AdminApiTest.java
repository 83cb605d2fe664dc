package io.cairn.node.admin;

import static io.cairn.node.admin.AdminTestServer.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.node.admin.ApiCall.Answer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The REST API over real HTTP: volumes, errors, authentication, telemetry, maintenance. */
class AdminApiTest {

  private static AdminTestServer server;

  @BeforeAll
  static void start() {
    server = AdminTestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Answer call(String method, String path, String body) {
    return ApiCall.send(server.baseUri(), method, path, body, TOKEN);
  }

  private static Answer create(String name, String size) {
    return call("POST", "/api/v1/volumes",
        "{\"name\":\"" + name + "\",\"sizeBytes\":\"" + size + "\"}");
  }

  // ---- Volumes ---------------------------------------------------------------------------------

  @Test
  void createGetGrowDeleteRoundTrip() {
    Answer created = call("POST", "/api/v1/volumes", "{\"name\":\"vol1\",\"sizeBytes\":"
        + "1073741824,\"blockBytes\":4096,\"policy\":{\"ec\":\"4+2\",\"compression\":\"zstd\","
        + "\"dedup\":false,\"encryption\":true}}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.raw().headers().firstValue("Location")).hasValue("/api/v1/volumes/vol1");
    JsonNode v = created.json();
    assertThat(v.get("sizeBytes").asLong()).isEqualTo(1L << 30);
    assertThat(v.at("/policy/ec").asText()).isEqualTo("4+2");
    assertThat(v.at("/policy/compression").asText()).isEqualTo("zstd");
    assertThat(v.at("/policy/dedup").asBoolean()).isFalse();

    Answer got = call("GET", "/api/v1/volumes/vol1", null);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().get("health").asText()).isEqualTo("healthy");
    assertThat(got.json().has("dedupRatio")).isTrue();
    assertThat(got.json().has("compressionRatio")).isTrue();

    Answer grown = call("POST", "/api/v1/volumes/vol1/grow", "{\"sizeBytes\":\"2GiB\"}");
    assertThat(grown.status()).isEqualTo(200);
    assertThat(grown.json().get("sizeBytes").asLong()).isEqualTo(2L << 30);
    assertThat(server.volumes.sizeOf("vol1")).isEqualTo(2L << 30);

    assertThat(call("DELETE", "/api/v1/volumes/vol1", null).status()).isEqualTo(204);
    Answer gone = call("GET", "/api/v1/volumes/vol1", null);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.error()).contains("vol1");
  }

  @Test
  void listShowsEveryVolume() {
    create("list-a", "1GiB");
    create("list-b", "512MiB");
    JsonNode list = call("GET", "/api/v1/volumes", null).json().get("volumes");
    assertThat(list.findValuesAsText("name")).contains("list-a", "list-b");
  }

  @Test
  void omittedPolicyIsTheDefault() {
    JsonNode v = create("defaults", "64MiB").json();
    assertThat(v.at("/policy/ec").asText()).isEqualTo("4+2");
    assertThat(v.at("/policy/compression").asText()).isEqualTo("lz4");
    assertThat(v.at("/policy/dedup").asBoolean()).isTrue();
    assertThat(v.at("/policy/encryption").asBoolean()).isTrue();
    assertThat(v.get("blockBytes").asInt()).isEqualTo(4096);
  }

  @Test
  void duplicateNameIsAConflict() {
    assertThat(create("dup", "1GiB").status()).isEqualTo(201);
    Answer again = create("dup", "1GiB");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.field()).isEqualTo("name");
  }

  @Test
  void policyWiderThanTheClusterIsAConflict() {
    Answer a = call("POST", "/api/v1/volumes",
        "{\"name\":\"wide\",\"sizeBytes\":\"1GiB\",\"policy\":{\"ec\":\"8+4\"}}");
    assertThat(a.status()).isEqualTo(409);
    assertThat(a.error()).contains("failure domains");
  }

  @Test
  void unknownVolumeIs404ForEveryOperation() {
    assertThat(call("GET", "/api/v1/volumes/nope", null).status()).isEqualTo(404);
    assertThat(call("DELETE", "/api/v1/volumes/nope", null).status()).isEqualTo(404);
    assertThat(call("POST", "/api/v1/volumes/nope/grow", "{\"sizeBytes\":\"1GiB\"}").status())
        .isEqualTo(404);
  }

  @Test
  void shrinkingIsRefusedWithTheField() {
    create("shrink", "1GiB");
    Answer a = call("POST", "/api/v1/volumes/shrink/grow", "{\"sizeBytes\":\"512MiB\"}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.field()).isEqualTo("sizeBytes");
    assertThat(server.volumes.sizeOf("shrink")).isEqualTo(1L << 30);
  }

  // ---- Bad input -------------------------------------------------------------------------------

  static Stream<Arguments> badCreateBodies() {
    return Stream.of(
        Arguments.of("{\"name\":\"bad\",", null, "malformed JSON"),
        Arguments.of("[1,2]", null, "must be a JSON object"),
        Arguments.of("\"vol\"", null, "must be a JSON object"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096} {}", null, "malformed JSON"),
        Arguments.of("{\"name\":\"a\",\"name\":\"b\",\"sizeBytes\":4096}", null, "Duplicate"),
        Arguments.of("{\"sizeBytes\":4096}", "name", "required"),
        Arguments.of("{\"name\":42,\"sizeBytes\":4096}", "name", "must be a string"),
        Arguments.of("{\"name\":\"../etc\",\"sizeBytes\":4096}", "name", "letters, digits"),
        Arguments.of("{\"name\":\"a/b\",\"sizeBytes\":4096}", "name", "letters, digits"),
        Arguments.of("{\"name\":\"-x\",\"sizeBytes\":4096}", "name", "not starting"),
        Arguments.of("{\"name\":\"" + "x".repeat(65) + "\",\"sizeBytes\":4096}", "name", "1-64"),
        Arguments.of("{\"name\":\"bad\"}", "sizeBytes", "required"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":-4096}", "sizeBytes", "positive"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":0}", "sizeBytes", "positive"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":1.5}", "sizeBytes", "fraction"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":true}", "sizeBytes", "a boolean"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":\"lots\"}", "sizeBytes", "not a size"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":\"1GB\"}", "sizeBytes", "GiB"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":\"4PiB\"}", "sizeBytes", "at most"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":123456789012345678901234}", "sizeBytes",
            "too large"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":1000}", "sizeBytes", "multiple"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"blockBytes\":3000}", "blockBytes",
            "power of two"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"sizebytes\":1}", "sizebytes",
            "unknown field"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"policy\":\"fast\"}", "policy",
            "must be a JSON object"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"policy\":{\"compression\":"
            + "\"brotli\"}}", "policy.compression", "none, lz4, zstd"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"policy\":{\"ec\":\"four\"}}",
            "policy.ec", "k+m"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"policy\":{\"ec\":\"0+2\"}}",
            "policy.ec", "k >= 1"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"policy\":{\"dedup\":\"yes\"}}",
            "policy.dedup", "true or false"),
        Arguments.of("{\"name\":\"bad\",\"sizeBytes\":4096,\"policy\":{\"raid\":5}}",
            "policy.raid", "unknown field"));
  }

  @ParameterizedTest
  @MethodSource("badCreateBodies")
  void badCreateBodyIs400WithAPreciseMessageAndChangesNothing(
      String body, String field, String message) {
    long callsBefore = server.volumes.calls.get();
    int volumesBefore = server.volumes.count();

    Answer a = call("POST", "/api/v1/volumes", body);

    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.field()).isEqualTo(field);
    assertThat(a.error()).contains(message);
    assertThat(server.volumes.calls.get()).isEqualTo(callsBefore);
    assertThat(server.volumes.count()).isEqualTo(volumesBefore);
    assertThat(call("GET", "/health", null).status()).isEqualTo(200);
  }

  @Test
  void emptyBodyIs400() {
    Answer a = call("POST", "/api/v1/volumes", "");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("empty");
  }

  @Test
  void badGrowBodiesAre400() {
    create("grow-bad", "1GiB");
    assertThat(call("POST", "/api/v1/volumes/grow-bad/grow", "{\"sizeBytes\":-1}").field())
        .isEqualTo("sizeBytes");
    assertThat(call("POST", "/api/v1/volumes/grow-bad/grow", "{\"size\":1}").field())
        .isEqualTo("size");
    assertThat(server.volumes.sizeOf("grow-bad")).isEqualTo(1L << 30);
  }

  @Test
  void pathCharactersInAVolumeNameInTheUrlAre400() {
    Answer a = call("GET", "/api/v1/volumes/..%2Fetc", null);
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.field()).isEqualTo("name");
    assertThat(call("DELETE", "/api/v1/volumes/a%2Fb", null).status()).isEqualTo(400);
  }

  @Test
  void oversizedBodyIs413WhetherItsLengthIsDeclaredOrNot() {
    String huge = "{\"name\":\"big\",\"sizeBytes\":4096,\"pad\":\"" + "x".repeat(70_000) + "\"}";
    Answer declared = call("POST", "/api/v1/volumes", huge);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.error()).contains("cairn.api.body-size-max");

    HttpRequest chunked = HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/volumes"))
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new ByteArrayInputStream(huge.getBytes())))
        .build();
    Answer streamed = ApiCall.send(chunked);
    assertThat(streamed.status()).isEqualTo(413);
    assertThat(call("GET", "/api/v1/volumes/big", null).status()).isEqualTo(404);
    assertThat(call("GET", "/health", null).status()).isEqualTo(200);
  }

  @Test
  void unknownRoutesAndMethodsAnswerJsonErrors() {
    Answer missing = call("GET", "/api/v1/nothing-here", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.error()).isNotBlank();
    Answer method = call("PUT", "/api/v1/volumes", "{}");
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.error()).contains("GET");
  }

  @Test
  void aServiceThatDoesNotAnswerGives504AndTheNodeKeepsServing() {
    server.volumes.stalled = true;
    try {
      Answer a = call("GET", "/api/v1/volumes", null);
      assertThat(a.status()).isEqualTo(504);
      assertThat(a.error()).contains("cairn.api.operation-timeout");
      assertThat(call("GET", "/health", null).status()).isEqualTo(200);
    } finally {
      server.volumes.stalled = false;
    }
  }

  // ---- Authentication --------------------------------------------------------------------------

  @Test
  void callsWithoutAValidTokenAre401() {
    Answer none = ApiCall.send(server.baseUri(), "GET", "/api/v1/volumes", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.raw().headers().firstValue("WWW-Authenticate")).get().asString()
        .startsWith("Bearer");
    assertThat(none.error()).contains("token");
    Answer wrong = ApiCall.send(server.baseUri(), "POST", "/api/v1/volumes",
        "{\"name\":\"sneaky\",\"sizeBytes\":4096}", "not-the-token");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(server.volumes.sizeOf("sneaky")).isEqualTo(-1);
  }

  @Test
  void probesMetricsMembersAndTheDescriptionNeedNoToken() {
    for (String path : new String[] {"/health", "/ready", "/metrics", "/api/v1/cluster/members",
        "/api/v1/openapi.json", "/dashboard/", "/dashboard/dashboard.js"}) {
      assertThat(ApiCall.send(server.baseUri(), "GET", path, null, null).status())
          .as(path).isEqualTo(200);
    }
  }

  @Test
  void openReadsServeGetsWithoutTokenButNeverWrites() {
    try (AdminTestServer open = AdminTestServer.start(true, new PacedMaintenance(1, 1))) {
      assertThat(ApiCall.send(open.baseUri(), "GET", "/api/v1/volumes", null, null).status())
          .isEqualTo(200);
      assertThat(ApiCall.send(open.baseUri(), "POST", "/api/v1/volumes",
          "{\"name\":\"x\",\"sizeBytes\":4096}", null).status()).isEqualTo(401);
      assertThat(ApiCall.send(open.baseUri(), "POST", "/api/v1/maintenance/scrub", null, null)
          .status()).isEqualTo(401);
    }
  }

  // ---- Node, stores, cluster, DPU, maintenance ---------------------------------------------------

  @Test
  void statusReportsFaultToleranceAndTotals() {
    JsonNode s = call("GET", "/api/v1/status", null).json();
    assertThat(s.get("node").asText()).isEqualTo("node-t");
    assertThat(s.get("ready").asBoolean()).isTrue();
    assertThat(s.at("/cluster/summary").asText())
        .isEqualTo("survives 2 store failures, 0 node failures");
    assertThat(s.at("/stores/count").asInt()).isEqualTo(AdminTestServer.STORES);
    assertThat(s.at("/stores/capacityBytes").asLong()).isEqualTo(600L << 30);
    assertThat(s.at("/cores/dpuThreads").asInt()).isEqualTo(1);
  }

  @Test
  void storesAndClusterAreListed() {
    JsonNode stores = call("GET", "/api/v1/stores", null).json().get("stores");
    assertThat(stores).hasSize(AdminTestServer.STORES);
    assertThat(stores.get(0).get("capacityBytes").asLong()).isEqualTo(100L << 30);
    JsonNode cluster = call("GET", "/api/v1/cluster", null).json();
    assertThat(cluster.get("storeFailuresTolerated").asInt()).isEqualTo(2);
    assertThat(cluster.get("members")).hasSize(1);
  }

  @Test
  void dpuReportsRatesLatencyAndCoresOfRealEngineWork() {
    Random random = new Random(1);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      server.dpuWork(8, random).toCompletableFuture().join();
      JsonNode encode = engine(call("GET", "/api/v1/dpu", null).json(), "chunk-encode");
      return encode.get("opsPerSecond").asDouble() > 0
          && encode.get("bytesInPerSecond").asDouble() > 0;
    });
    JsonNode dpu = call("GET", "/api/v1/dpu", null).json();
    JsonNode encode = engine(dpu, "chunk-encode");
    assertThat(encode.get("operations").asLong()).isPositive();
    assertThat(encode.get("latencyP99Millis").asDouble()).isPositive();
    assertThat(encode.get("queueDepthMax").asInt()).isPositive();
    assertThat(encode.get("cpuSeconds").asDouble()).isPositive();
    assertThat(dpu.at("/cores/dpuThreads").asInt()).isEqualTo(1);
    assertThat(dpu.at("/cores/dpuCpuSeconds").asDouble()).isPositive();
    assertThat(dpu.get("engines")).hasSize(5);
  }

  private static JsonNode engine(JsonNode dpu, String name) {
    for (JsonNode e : dpu.get("engines")) {
      if (e.get("engine").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no engine " + name + " in " + dpu);
  }

  @Test
  void volumeIoRatesAndLatencyFollowTheEnginesMeters() {
    create("busy", "1GiB");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      server.io("busy", 10, 20);
      return call("GET", "/api/v1/volumes/busy", null).json()
          .at("/io/writeOpsPerSecond").asDouble() > 0;
    });
    JsonNode io = call("GET", "/api/v1/volumes/busy", null).json().get("io");
    assertThat(io.get("writeBytesPerSecond").asDouble()).isPositive();
    assertThat(io.get("readOpsPerSecond").asDouble()).isPositive();
    assertThat(io.get("writeLatencyP99Millis").asDouble()).isBetween(1.0, 3.0);
  }

  @Test
  void scrubStartsReportsProgressRefusesASecondRunAndFinishes() {
    Answer start = call("POST", "/api/v1/maintenance/scrub", null);
    assertThat(start.status()).isEqualTo(202);
    assertThat(start.json().get("state").asText()).isEqualTo("running");
    Answer again = call("POST", "/api/v1/maintenance/scrub", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).contains("already running");
    await().atMost(Duration.ofSeconds(5)).until(() ->
        call("GET", "/api/v1/maintenance/scrub", null).json().get("state").asText()
            .equals("completed"));
    JsonNode done = call("GET", "/api/v1/maintenance/scrub", null).json();
    assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
    assertThat(done.get("found").asLong()).isEqualTo(1);
    assertThat(call("GET", "/api/v1/maintenance", null).json().get("scrub").get("id").asLong())
        .isEqualTo(done.get("id").asLong());
  }

  @Test
  void unknownMaintenanceKindIs404() {
    Answer a = call("POST", "/api/v1/maintenance/defrag", null);
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.error()).contains("scrub or compaction");
  }

  @Test
  void metricsExposeDpuVolumeMaintenanceAndJvmMeters() {
    try (JvmMeters jvm = JvmMeters.bindTo(server.registry)) {
      create("metered", "1GiB");
      server.io("metered", 1, 1);
      Answer m = call("GET", "/metrics", null);
      assertThat(m.status()).isEqualTo(200);
      assertThat(m.raw().headers().firstValue("Content-Type")).get().asString()
          .startsWith("text/plain");
      assertThat(m.body())
          .contains("cairn_dpu_operations_total{engine=\"chunk-encode\"}")
          .contains("cairn_volume_ops_seconds_count{op=\"write\",volume=\"metered\"}")
          .contains("cairn_maintenance_progress{kind=\"scrub\"}")
          .contains("cairn_dpu_cores")
          .contains("jvm_memory_used_bytes")
          .contains("process_uptime_seconds");
    }
  }

  // ---- OpenAPI ---------------------------------------------------------------------------------

  @Test
  void everyOperationInTheOpenApiDescriptionIsServed() throws Exception {
    create("openapi-vol", "1GiB");
    Answer doc = call("GET", "/api/v1/openapi.json", null);
    assertThat(doc.status()).isEqualTo(200);
    JsonNode paths = new ObjectMapper().readTree(doc.body()).get("paths");
    int operations = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      String path = p.getKey().replace("{name}", "openapi-vol").replace("{kind}", "compaction");
      // POST first: a run must have started before GET /maintenance/{kind} has one to show.
      for (String method : new String[] {"post", "get", "delete"}) {
        if (!p.getValue().has(method) || method.equals("delete")) {
          continue;
        }
        String body = path.endsWith("/grow") ? "{\"sizeBytes\":\"2GiB\"}"
            : path.endsWith("/volumes") && method.equals("post")
                ? "{\"name\":\"openapi-new\",\"sizeBytes\":4096}" : null;
        Answer a = call(method.toUpperCase(), path, body);
        assertThat(a.status()).as(method + " " + path).isBetween(200, 299);
        operations++;
      }
    }
    Answer deleted = call("DELETE", "/api/v1/volumes/openapi-vol", null);
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(operations + 1).isEqualTo(countOperations(paths));
  }

  private static int countOperations(JsonNode paths) {
    int n = 0;
    for (JsonNode item : paths) {
      for (String method : new String[] {"get", "post", "put", "patch", "delete"}) {
        n += item.has(method) ? 1 : 0;
      }
    }
    return n;
  }
}
