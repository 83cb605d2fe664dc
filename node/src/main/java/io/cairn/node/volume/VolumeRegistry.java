package io.cairn.node.volume;

import java.util.List;
import java.util.Optional;

/** The volumes this node serves to frontends, by name (NBD export names are volume names). */
public interface VolumeRegistry {

  /** The volumes served here, in name order. */
  List<BlockVolume> list();

  Optional<BlockVolume> find(String name);
}
