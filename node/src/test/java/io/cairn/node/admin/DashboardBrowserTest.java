package io.cairn.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium, checked the way a person would look at it: the
 * token asked for and accepted, the node's stores and volumes listed, and the I/O and DPU
 * figures changing while I/O runs. A screenshot is saved under target/dashboard-screenshots/.
 *
 * <p>The server under test comes from {@link #serverUnderTest()} alone: a real node in this JVM
 * (RocksDB stores, DPU tier, volume engine) with real NBD clients writing to it.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; skipped without Chromium.
 */
class DashboardBrowserTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

  /** What the test needs of a node: where it is, its token, its volumes, and I/O on them. */
  interface ServerUnderTest extends AutoCloseable {
    URI baseUri();

    String token();

    /** Volumes that exist on the node, and get I/O once {@link #startIo} is called. */
    List<String> volumes();

    /** The cluster summary the page should show. */
    String faultToleranceSummary();

    /** Starts I/O on {@link #volumes} (and so DPU work) until close. */
    void startIo();

    @Override
    void close();
  }

  /** The one place that says which server the dashboard is tested against: a real node. */
  static ServerUnderTest serverUnderTest() {
    return new RealNodeUnderTest();
  }

  /**
   * A real node in this JVM — six RocksDB stores in a temporary directory, the DPU tier, the
   * volume engine — with two volumes, and real I/O over NBD from a client thread.
   */
  static final class RealNodeUnderTest implements ServerUnderTest {
    private final Path dir;
    private final io.cairn.node.CairnNode node;
    private final java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    private final List<Thread> clients = new java.util.ArrayList<>();

    RealNodeUnderTest() {
      try {
        dir = Files.createTempDirectory("cairn-dashboard-");
        int clusterPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
          clusterPort = s.getLocalPort();
        }
        String d = dir.toString();
        node = io.cairn.node.CairnNode.start(io.cairn.node.NodeSettings.from(
            com.typesafe.config.ConfigFactory.parseString("""
                cairn.node.name = "dash"
                cairn.stores = ["%1$s/s1", "%1$s/s2", "%1$s/s3", "%1$s/s4", "%1$s/s5", "%1$s/s6"]
                cairn.metadata-dir = "%1$s/meta"
                cairn.keys.file = "%1$s/master.key"
                cairn.api.token-file = "%1$s/api-token"
                cairn.http.port = 0
                cairn.nbd.port = 0
                pekko.remote.artery.canonical.port = %2$d
                pekko.cluster.seed-nodes = ["pekko://cairn@127.0.0.1:%2$d"]
                # The test JVM must survive the node's shutdown.
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                cairn.volumes = [
                  { name = "vm-disk-1", size = 256 MiB },
                  { name = "db-data", size = 64 MiB, policy { compression = zstd } }
                ]
                """.formatted(d, clusterPort))));
      } catch (Exception e) {
        throw new IllegalStateException("cannot start a node for the dashboard test", e);
      }
    }

    @Override
    public URI baseUri() {
      return URI.create("http://127.0.0.1:" + node.httpPort());
    }

    @Override
    public String token() {
      try {
        return Files.readString(dir.resolve("api-token")).trim();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public List<String> volumes() {
      return List.of("vm-disk-1", "db-data");
    }

    @Override
    public String faultToleranceSummary() {
      return "survives 2 store failures, 0 node failures";
    }

    @Override
    public void startIo() {
      for (String volume : volumes()) {
        Thread t = new Thread(() -> writeUntilClosed(volume), "io-" + volume);
        t.setDaemon(true);
        clients.add(t);
        t.start();
      }
    }

    /** Writes bursts of random and compressible blocks, paced unevenly, until closed. */
    private void writeUntilClosed(String volume) {
      Random random = new Random(volume.hashCode());
      try (io.cairn.node.frontend.nbd.NbdTestClient client =
          io.cairn.node.frontend.nbd.NbdTestClient.open(node.nbdPort(), volume, true, false)) {
        while (running.get()) {
          int blocks = 1 + random.nextInt(16);
          byte[] data = new byte[blocks * 4096];
          random.nextBytes(data);
          java.util.Arrays.fill(data, 0, data.length / 2, (byte) 7);
          long offset = 4096L * random.nextInt(8192 - blocks);
          assertThat(client.write(offset, data).error()).isZero();
          Thread.sleep(random.nextInt(30));
        }
      } catch (IOException | InterruptedException e) {
        // closed
      }
    }

    @Override
    public void close() {
      running.set(false);
      for (Thread t : clients) {
        try {
          t.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      node.close();
    }
  }

  private static ServerUnderTest node;
  private static WebDriver browser;
  private static ChromeDriverService driverService;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
        "Chromium is not installed (Debian: apt-get install chromium chromium-driver)");
    node = serverUnderTest();
    Path profile = Files.createTempDirectory("cairn-chromium-");
    ChromeOptions options = new ChromeOptions()
        .setBinary(CHROMIUM.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1600",
            "--user-data-dir=" + profile);
    driverService = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    browser = new ChromeDriver(driverService, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (driverService != null) {
      driverService.stop();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void showsVolumesStoresAndLiveDpuFiguresWhileIoRuns() throws IOException {
    browser.get(node.baseUri().resolve("/dashboard/").toString());
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));

    // Reads need the token: the page asks for it, once.
    WebElement tokenField = wait.until(d -> {
      WebElement f = d.findElement(By.id("token"));
      return f.isDisplayed() ? f : null;
    });
    tokenField.sendKeys(node.token());
    browser.findElement(By.id("token-save")).click();

    for (String volume : node.volumes()) {
      wait.until(d -> cell(volumeCell(volume, "name")) != null);
    }
    assertThat(browser.findElement(By.id("token-panel")).isDisplayed()).isFalse();
    assertThat(text("tolerance")).isEqualTo(node.faultToleranceSummary());
    assertThat(browser.findElements(By.cssSelector("#stores tbody tr"))).isNotEmpty();
    assertThat(browser.findElements(By.cssSelector("#engines tbody tr"))).hasSize(5);
    // The rates only move once the next refreshes see the counters advance.

    node.startIo();
    String busy = node.volumes().get(0);
    // A person watching sees the write rate and the DPU's operation count move.
    Set<String> writeIops = new LinkedHashSet<>();
    Set<String> encodeOps = new LinkedHashSet<>();
    new WebDriverWait(browser, Duration.ofSeconds(20)).pollingEvery(Duration.ofMillis(250))
        .until(d -> {
          writeIops.add(String.valueOf(cell(volumeCell(busy, "writeIops"))));
          encodeOps.add(String.valueOf(cell(engineCell("chunk-encode", "operations"))));
          return writeIops.stream().filter(v -> !v.equals("0.0")).count() >= 2
              && encodeOps.size() >= 3;
        });
    assertThat(number(cell(volumeCell(busy, "writeIops")))).isPositive();
    assertThat(cell(volumeCell(busy, "writeRate"))).endsWith("/s");
    assertThat(cell(volumeCell(busy, "used"))).isNotEqualTo("0 B");
    assertThat(number(cell(engineCell("chunk-encode", "opsPerSecond")))).isPositive();
    assertThat(text("cores-dpu")).matches("\\d+\\.\\d\\d");
    assertThat(text("cores-app")).matches("\\d+\\.\\d\\d");
    assertThat(text("cores-threads")).isEqualTo("1");

    screenshot("dashboard.png");
  }

  private static String volumeCell(String volume, String field) {
    return "#volumes tr[data-volume='" + volume + "'] td[data-field='" + field + "']";
  }

  private static String engineCell(String engine, String field) {
    return "#engines tr[data-engine='" + engine + "'] td[data-field='" + field + "']";
  }

  /**
   * A cell's text, read in one script call: the page rebuilds its tables every second, so an
   * element found in one call may be gone by the next.
   */
  private static String cell(String css) {
    Object text = ((JavascriptExecutor) browser).executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css);
    return (String) text;
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static double number(String text) {
    return Double.parseDouble(text.replaceAll("[^0-9.]", ""));
  }

  private static void screenshot(String name) throws IOException {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.createDirectories(SCREENSHOTS);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
