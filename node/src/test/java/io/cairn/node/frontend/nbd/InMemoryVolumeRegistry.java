package io.cairn.node.frontend.nbd;

import io.cairn.node.volume.BlockVolume;
import io.cairn.node.volume.VolumeRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A test-only registry over {@link InMemoryBlockVolume}s, in name order. */
final class InMemoryVolumeRegistry implements VolumeRegistry {

  private final Map<String, InMemoryBlockVolume> volumes = new ConcurrentSkipListMap<>();

  InMemoryBlockVolume add(String name, long sizeBytes) {
    InMemoryBlockVolume volume = new InMemoryBlockVolume(name, sizeBytes, 4096);
    volumes.put(name, volume);
    return volume;
  }

  @Override
  public List<BlockVolume> list() {
    return List.copyOf(volumes.values());
  }

  @Override
  public Optional<BlockVolume> find(String name) {
    return Optional.ofNullable(volumes.get(name));
  }
}
