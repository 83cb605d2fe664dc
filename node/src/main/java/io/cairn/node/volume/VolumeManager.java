package io.cairn.node.volume;

import com.google.protobuf.ByteString;
import io.cairn.node.SerialExecutor;
import io.cairn.node.meta.MetaStore;
import io.cairn.node.meta.MetaStore.Table;
import io.cairn.node.store.Stores;
import io.cairn.node.volume.VolumeAdminException.Kind;
import io.cairn.offload.compress.Codec;
import io.cairn.offload.crypto.DataKey;
import io.cairn.offload.crypto.KeyDerivation;
import io.cairn.offload.crypto.KeyRing;
import io.cairn.offload.crypto.KeyWrap;
import io.cairn.offload.crypto.VolumeCipher;
import io.cairn.offload.crypto.WrappedKey;
import io.cairn.offload.dedup.Fingerprinter;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.ChunkPolicy;
import io.cairn.protocol.catalog.Compression;
import io.cairn.protocol.catalog.VolumeEntry;
import io.cairn.protocol.segment.SegmentRecord;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes this node leads: their catalog (persisted in the metadata store, behind the
 * {@link VolumeService} interface so the cluster can replicate it later), and for each one its
 * {@link LocalVolume} and leader actor. Catalog changes go through one lane, so two creates of
 * one name cannot both succeed.
 *
 * <p>Each volume has its own data key (AES-256), generated at creation and stored wrapped by the
 * node's master key; its dedup fingerprint key is derived from it. Nothing secret is stored in
 * the clear.
 */
public final class VolumeManager implements VolumeService, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VolumeManager.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final byte[] VOLUME_ID_COUNTER = "volume-id".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEGMENT_ID_COUNTER = "segment-id".getBytes(StandardCharsets.US_ASCII);
  /** Segment ids are reserved in blocks, so that allocating one rarely costs a sync. */
  private static final long SEGMENT_ID_BLOCK = 1024;

  private final ActorSystem<?> system;
  private final MetaStore meta;
  private final Stores stores;
  private final Dpu dpu;
  private final Executor ioExecutor;
  private final KeyRing keys;
  private final LocalVolume.Settings settings;
  private final MeterRegistry registry;
  private final SerialExecutor catalogLane;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, LocalVolume> volumes = new ConcurrentHashMap<>();
  private final Map<String, ActorRef<VolumeActor.Command>> leaders = new ConcurrentHashMap<>();
  private final BlockCache cache;
  private long nextSegmentId;
  private long segmentIdsReservedUntil;

  public VolumeManager(ActorSystem<?> system, MetaStore meta, Stores stores, Dpu dpu,
      Executor ioExecutor, KeyRing keys, LocalVolume.Settings settings, MeterRegistry registry) {
    this.system = system;
    this.meta = meta;
    this.stores = stores;
    this.dpu = dpu;
    this.ioExecutor = ioExecutor;
    this.keys = keys;
    this.settings = settings;
    this.registry = registry;
    this.catalogLane = new SerialExecutor(ioExecutor);
    this.cache = new BlockCache(settings.cacheBytes());
    cache.bindTo(registry);
  }

  /** Opens every volume of the catalog under a new epoch. Blocking; call once at start-up. */
  public void openAll() throws Exception {
    byte[] reserved = meta.get(Table.COUNTERS, SEGMENT_ID_COUNTER);
    nextSegmentId = reserved == null ? 1 : VolumeKeys.longOf(reserved);
    segmentIdsReservedUntil = nextSegmentId;
    List<VolumeEntry> entries = new ArrayList<>();
    meta.scan(Table.CATALOG, new byte[0], (k, v) -> entries.add(parseEntry(v)));
    for (VolumeEntry entry : entries) {
      LocalVolume volume = open(entry);
      log.info("Volume {} open: {} bytes, epoch {}, {} blocks allocated", entry.getName(),
          entry.getSizeBytes(), volume.data().state().getEpoch(),
          volume.data().state().getAllocatedBlocks());
    }
  }

  /** Background work of every volume; the node calls it periodically off the actor threads. */
  public void tick(Duration sealIdle) {
    for (LocalVolume v : volumes.values()) {
      v.maybeSealIdle(sealIdle.toNanos());
    }
  }

  /** Compacts every volume's sparse segments; the number of segments compacted. */
  public CompletionStage<Integer> compactAll() {
    CompletionStage<Integer> total = CompletableFuture.completedFuture(0);
    for (LocalVolume v : volumes.values()) {
      total = total.thenCombine(v.compact(), Integer::sum);
    }
    return total;
  }

  /** Seals whatever every volume has journaled (for shutdown, tests and compaction rounds). */
  public CompletionStage<Void> sealAll() {
    List<CompletableFuture<Void>> rounds = new ArrayList<>();
    for (LocalVolume v : volumes.values()) {
      rounds.add(v.maybeSeal(true).toCompletableFuture());
    }
    return CompletableFuture.allOf(rounds.toArray(CompletableFuture[]::new));
  }

  public List<LocalVolume> localVolumes() {
    return volumes.values().stream().sorted(Comparator.comparing(LocalVolume::name)).toList();
  }

  // ---- VolumeRegistry ------------------------------------------------------------------------

  /** The volumes as frontends see them: exports by name. */
  public VolumeRegistry registry() {
    return new VolumeRegistry() {
      @Override
      public List<BlockVolume> list() {
        return List.copyOf(localVolumes());
      }

      @Override
      public Optional<BlockVolume> find(String name) {
        return Optional.ofNullable(volumes.get(name));
      }
    };
  }

  public Optional<LocalVolume> local(String name) {
    return Optional.ofNullable(volumes.get(name));
  }

  // ---- VolumeService -------------------------------------------------------------------------

  @Override
  public CompletionStage<VolumeInfo> create(String name, long sizeBytes, int blockBytes,
      VolumePolicy policy) {
    try {
      validateName(name);
      validateBlockBytes(blockBytes);
      validateSize(sizeBytes, blockBytes, "sizeBytes");
      if (policy == null) {
        throw new VolumeAdminException(Kind.INVALID, "policy", "policy is required");
      }
      int placeable = stores.healthyCount();
      if (policy.totalShards() > placeable) {
        throw new VolumeAdminException(Kind.UNPLACEABLE, "policy",
            "erasure coding " + policy.dataShards() + "+" + policy.parityShards() + " needs "
                + policy.totalShards() + " failure domains; this cluster has " + placeable
                + " healthy stores on 1 node");
      }
    } catch (VolumeAdminException e) {
      return CompletableFuture.failedFuture(e);
    }
    return catalogLane.submit(() -> {
      if (meta.get(Table.CATALOG, key(name)) != null) {
        throw new VolumeAdminException(Kind.CONFLICT, "name", "volume " + name + " exists");
      }
      byte[] last = meta.get(Table.COUNTERS, VOLUME_ID_COUNTER);
      long id = last == null ? 1 : VolumeKeys.longOf(last) + 1;
      DataKey dataKey = DataKey.generate(random);
      WrappedKey wrapped = KeyWrap.wrap(dataKey, keys.current());
      VolumeEntry entry = VolumeEntry.newBuilder()
          .setId(id).setName(name).setSizeBytes(sizeBytes).setBlockBytes(blockBytes)
          .setPolicy(toProto(policy))
          .setState(io.cairn.protocol.catalog.VolumeState.VOLUME_READY)
          .setWrappedDataKey(ByteString.copyFrom(wrapped.wrapped()))
          .setMasterKeyVersion(wrapped.masterKeyVersion())
          .setCreatedAtMillis(System.currentTimeMillis())
          .build();
      io.cairn.protocol.segment.VolumeState state = io.cairn.protocol.segment.VolumeState
          .newBuilder().setVolumeId(id).setNextChunkNumber(1).build();
      try (WriteBatch batch = new WriteBatch()) {
        batch.put(meta.cf(Table.COUNTERS), VOLUME_ID_COUNTER, VolumeKeys.longValue(id));
        batch.put(meta.cf(Table.CATALOG), key(name), entry.toByteArray());
        batch.put(meta.cf(Table.VOLUME_STATE), VolumeKeys.volume(id), state.toByteArray());
        meta.commit(batch);
      }
      LocalVolume volume = open(entry);
      log.info("Volume {} created: {} bytes, {}", name, sizeBytes, policy);
      return volume.info();
    }).exceptionallyCompose(VolumeManager::adminFailure);
  }

  @Override
  public CompletionStage<List<VolumeInfo>> list() {
    return CompletableFuture.completedFuture(
        localVolumes().stream().map(LocalVolume::info).toList());
  }

  @Override
  public CompletionStage<VolumeInfo> get(String name) {
    LocalVolume v = volumes.get(name);
    return v == null
        ? CompletableFuture.failedFuture(notFound(name))
        : CompletableFuture.completedFuture(v.info());
  }

  @Override
  public CompletionStage<VolumeInfo> grow(String name, long newSizeBytes) {
    return catalogLane.submit(() -> {
      LocalVolume v = volumes.get(name);
      if (v == null) {
        throw notFound(name);
      }
      validateSize(newSizeBytes, v.blockBytes(), "sizeBytes");
      if (newSizeBytes < v.sizeBytes()) {
        throw new VolumeAdminException(Kind.CONFLICT, "sizeBytes", "volume " + name + " is "
            + v.sizeBytes() + " bytes; shrinking to " + newSizeBytes + " is not supported");
      }
      VolumeEntry entry = parseEntry(meta.get(Table.CATALOG, key(name)));
      VolumeEntry grown = entry.toBuilder().setSizeBytes(newSizeBytes).build();
      try (WriteBatch batch = new WriteBatch()) {
        batch.put(meta.cf(Table.CATALOG), key(name), grown.toByteArray());
        meta.commit(batch);
      }
      v.grow(newSizeBytes);
      return v.info();
    }).exceptionallyCompose(VolumeManager::adminFailure);
  }

  @Override
  public CompletionStage<Void> delete(String name) {
    return catalogLane.<LocalVolume>submit(() -> {
      LocalVolume v = volumes.get(name);
      if (v == null) {
        throw notFound(name);
      }
      try (WriteBatch batch = new WriteBatch()) {
        batch.delete(meta.cf(Table.CATALOG), key(name));
        meta.commit(batch);
      }
      volumes.remove(name);
      ActorRef<VolumeActor.Command> leader = leaders.remove(name);
      if (leader != null) {
        leader.tell(new VolumeActor.Stop());
      }
      for (Meter m : v.meters()) {
        registry.remove(m);
      }
      return v;
    }).thenCompose(v -> v.lane().submit(() -> {
      // Queued behind any commit or seal still in the volume's lane; then nothing is left.
      List<SegmentRecord> segments = v.data().purge();
      cache.dropVolume(v.id());
      for (SegmentRecord s : segments) {
        v.deleteShards(s);
      }
      log.info("Volume {} deleted: {} segments reclaimed", name, segments.size());
      return (Void) null;
    })).exceptionallyCompose(VolumeManager::adminFailure);
  }

  @Override
  public void close() {
    volumes.clear();
  }

  // ---- internals -----------------------------------------------------------------------------

  private LocalVolume open(VolumeEntry entry) throws RocksDBException {
    VolumePolicy policy = fromProto(entry.getPolicy());
    WrappedKey wrapped = new WrappedKey(entry.getMasterKeyVersion(),
        entry.getWrappedDataKey().toByteArray());
    DataKey dataKey = KeyWrap.unwrap(wrapped, keys);
    ChunkPolicy chunkPolicy = ChunkPolicy.DEFAULT
        .withCompression(switch (policy.compression()) {
          case NONE -> Codec.NONE;
          case LZ4 -> Codec.LZ4;
          case ZSTD -> Codec.ZSTD;
        })
        .withEncryption(policy.encryption());
    chunkPolicy = new ChunkPolicy(chunkPolicy.compression(), chunkPolicy.zstdLevel(),
        policy.dedup(), chunkPolicy.encryption(), chunkPolicy.minRatio());
    ChunkCodec chunkCodec = new ChunkCodec(entry.getId(), chunkPolicy,
        new Fingerprinter(KeyDerivation.dedupKey(dataKey, entry.getId())),
        policy.encryption() ? new VolumeCipher(entry.getId(), dataKey) : null);
    byte[] stateBytes = meta.get(Table.VOLUME_STATE, VolumeKeys.volume(entry.getId()));
    io.cairn.protocol.segment.VolumeState state;
    try {
      state = io.cairn.protocol.segment.VolumeState.parseFrom(stateBytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
      throw new IllegalStateException("volume " + entry.getName() + " has no readable state", e);
    }
    LocalVolume volume = new LocalVolume(entry.getId(), entry.getName(), entry.getSizeBytes(),
        entry.getBlockBytes(), policy, entry.getCreatedAtMillis(), meta, stores, dpu, ioExecutor, state,
        chunkCodec, settings, this::allocateSegmentId, cache, registry);
    volume.data().beginEpoch();
    ActorRef<VolumeActor.Command> leader = system.systemActorOf(
        VolumeActor.create(volume.backend(), settings.stashCapacity(), settings.groupMax()),
        "volume-" + entry.getId() + "-" + System.nanoTime(), Props.empty());
    volume.attach(leader);
    volumes.put(entry.getName(), volume);
    leaders.put(entry.getName(), leader);
    return volume;
  }

  /** Unique across restarts: ids are reserved durably a block at a time. */
  private synchronized long allocateSegmentId() {
    if (nextSegmentId >= segmentIdsReservedUntil) {
      long until = nextSegmentId + SEGMENT_ID_BLOCK;
      try (WriteBatch batch = new WriteBatch()) {
        batch.put(meta.cf(Table.COUNTERS), SEGMENT_ID_COUNTER, VolumeKeys.longValue(until));
        meta.commit(batch);
      } catch (RocksDBException e) {
        throw new IllegalStateException("cannot reserve segment ids", e);
      }
      segmentIdsReservedUntil = until;
    }
    return nextSegmentId++;
  }

  private static byte[] key(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }

  private static VolumeEntry parseEntry(byte[] bytes) {
    try {
      return VolumeEntry.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt catalog entry", e);
    }
  }

  static io.cairn.protocol.catalog.VolumePolicy toProto(VolumePolicy p) {
    return io.cairn.protocol.catalog.VolumePolicy.newBuilder()
        .setDataShards(p.dataShards()).setParityShards(p.parityShards())
        .setCompression(switch (p.compression()) {
          case NONE -> Compression.COMPRESSION_NONE;
          case LZ4 -> Compression.COMPRESSION_LZ4;
          case ZSTD -> Compression.COMPRESSION_ZSTD;
        })
        .setDedup(p.dedup()).setEncryption(p.encryption()).build();
  }

  static VolumePolicy fromProto(io.cairn.protocol.catalog.VolumePolicy p) {
    VolumePolicy.Compression c = switch (p.getCompression()) {
      case COMPRESSION_LZ4 -> VolumePolicy.Compression.LZ4;
      case COMPRESSION_ZSTD -> VolumePolicy.Compression.ZSTD;
      default -> VolumePolicy.Compression.NONE;
    };
    return new VolumePolicy(p.getDataShards(), p.getParityShards(), c, p.getDedup(),
        p.getEncryption());
  }

  static void validateName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new VolumeAdminException(Kind.INVALID, "name", "name must be 1-64 characters of "
          + "letters, digits, '.', '_' and '-', not starting with '.' or '-'; got "
          + (name == null ? "nothing" : "'" + name + "'"));
    }
  }

  static void validateBlockBytes(int blockBytes) {
    if (blockBytes < 512 || blockBytes > 65536 || Integer.bitCount(blockBytes) != 1) {
      throw new VolumeAdminException(Kind.INVALID, "blockBytes",
          "blockBytes must be a power of two from 512 to 65536; got " + blockBytes);
    }
  }

  static void validateSize(long sizeBytes, int blockBytes, String field) {
    if (sizeBytes <= 0 || sizeBytes % blockBytes != 0 || sizeBytes > (1L << 50)) {
      throw new VolumeAdminException(Kind.INVALID, field, field + " must be a positive "
          + "multiple of the block size (" + blockBytes + ") up to 1 PiB; got " + sizeBytes);
    }
  }

  private static VolumeAdminException notFound(String name) {
    return new VolumeAdminException(Kind.NOT_FOUND, "name", "no volume named " + name);
  }

  private static <T> CompletionStage<T> adminFailure(Throwable t) {
    Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause() : t;
    if (cause instanceof VolumeAdminException) {
      return CompletableFuture.failedFuture(cause);
    }
    return CompletableFuture.failedFuture(new VolumeAdminException(Kind.INTERNAL, null,
        "storage failed: " + cause, cause));
  }
}
