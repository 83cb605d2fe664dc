package io.cairn.node.store;

import io.cairn.node.placement.Rendezvous;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The node's shard stores, by id, and what placement may choose from. */
public final class Stores implements AutoCloseable {

  private final String nodeName;
  private final Map<String, ShardStore> byId = new LinkedHashMap<>();

  public Stores(String nodeName, Collection<? extends ShardStore> stores) {
    this.nodeName = nodeName;
    for (ShardStore s : stores) {
      byId.put(s.id(), s);
    }
  }

  /** How a store created now keeps its shards (cairn.store.format). */
  public enum Format { FILES, ROCKSDB }

  /**
   * Opens the shard store in a store directory, in the format it was created with; a new store
   * is created in {@code newStores}' format.
   */
  public static ShardStore open(StoreDirectory directory, int pageBytes, Format newStores)
      throws ShardStore.StoreException {
    boolean rocks = RocksShardStore.isIn(directory.path());
    boolean files = FileShardStore.isIn(directory.path());
    if (rocks && files) {
      throw new ShardStore.StoreException(directory.id(), "holds shards in two formats ("
          + RocksShardStore.DIRECTORY + "/ and " + FileShardStore.DIRECTORY + "/)", null);
    }
    if (rocks || (!files && newStores == Format.ROCKSDB)) {
      return RocksShardStore.open(directory, pageBytes);
    }
    return FileShardStore.open(directory, pageBytes);
  }

  public Optional<ShardStore> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public List<ShardStore> all() {
    return List.copyOf(byId.values());
  }

  /** Healthy stores weighted by free space (at least 1, so an almost full store is still used). */
  public List<Rendezvous.Candidate> candidates() {
    List<Rendezvous.Candidate> out = new ArrayList<>();
    for (ShardStore s : byId.values()) {
      if (s.healthy()) {
        out.add(new Rendezvous.Candidate(s.id(), nodeName, Math.max(1.0, s.freeBytes() / 1e6)));
      }
    }
    return out;
  }

  public int healthyCount() {
    return (int) byId.values().stream().filter(ShardStore::healthy).count();
  }

  public List<StoreInfo> infos() {
    List<StoreInfo> out = new ArrayList<>();
    for (ShardStore s : byId.values()) {
      out.add(new StoreInfo(s.id(), s.path().toString(),
          s.capacityBytes(), s.usedBytes(), s.freeBytes(), s.shardCount(),
          s.healthy() ? "ok" : "failed", s.readErrors(), s.writeErrors()));
    }
    return out;
  }

  @Override
  public void close() {
    for (ShardStore s : byId.values()) {
      s.close();
    }
  }
}
