/*
 * The master keys a node knows, by version; the highest version is current and wraps new data
 * keys. Older versions stay until every wrapped data key has been rewrapped (KeyWrap.rewrap), so a
 * rotation never makes a volume unreadable midway. Immutable: rotate() returns a new ring, which the
 * caller persists with KeyRingFile.store before using it.
 */
package io.cairn.offload.crypto;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

public final class KeyRing {
  private final NavigableMap<Integer, MasterKey> byVersion;

  public KeyRing(Collection<MasterKey> keys) {
    Objects.requireNonNull(keys, "keys");
    TreeMap<Integer, MasterKey> map = new TreeMap<>();
    for (MasterKey key : keys) {
      Objects.requireNonNull(key, "keys: null element");
      if (map.put(key.version(), key) != null) {
        throw new IllegalArgumentException("keys: version " + key.version() + " appears twice");
      }
    }
    if (map.isEmpty()) {
      throw new IllegalArgumentException("keys: a key ring holds at least one master key");
    }
    this.byVersion = Collections.unmodifiableNavigableMap(map);
  }

  /** A ring with one freshly generated master key, version 1. */
  public static KeyRing generate(SecureRandom random) {
    return new KeyRing(java.util.List.of(MasterKey.generate(1, random)));
  }

  /** The key that wraps new data keys: the highest version. */
  public MasterKey current() {
    return byVersion.lastEntry().getValue();
  }

  /** The key of {@code version}, if this ring still holds it. */
  public Optional<MasterKey> get(int version) {
    return Optional.ofNullable(byVersion.get(version));
  }

  public Collection<MasterKey> keys() {
    return byVersion.values();
  }

  /** This ring plus a new random master key whose version is current().version() + 1. */
  public KeyRing rotate(SecureRandom random) {
    java.util.List<MasterKey> keys = new java.util.ArrayList<>(byVersion.values());
    keys.add(MasterKey.generate(current().version() + 1, random));
    return new KeyRing(keys);
  }

  /** This ring without {@code version}, once no wrapped key refers to it any more. */
  public KeyRing retire(int version) {
    if (version == current().version()) {
      throw new IllegalArgumentException("version: " + version + " is current and cannot be retired");
    }
    java.util.List<MasterKey> keys = new java.util.ArrayList<>(byVersion.values());
    keys.removeIf(k -> k.version() == version);
    return new KeyRing(keys);
  }
}
