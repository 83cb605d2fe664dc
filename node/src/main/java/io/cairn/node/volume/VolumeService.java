package io.cairn.node.volume;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The control plane of volumes on this node: what the REST API, the CLI and the node's start-up
 * use. All operations are asynchronous; they fail with {@link VolumeAdminException} whose kind
 * maps to an HTTP status (never a message to parse).
 */
public interface VolumeService {

  /**
   * Creates a volume. Names are 1-64 characters of letters, digits, '.', '_' and '-', not
   * starting with '.' or '-'. The size is a positive multiple of the block size.
   */
  CompletionStage<VolumeInfo> create(String name, long sizeBytes, int blockBytes,
      VolumePolicy policy);

  CompletionStage<List<VolumeInfo>> list();

  CompletionStage<VolumeInfo> get(String name);

  /** Grows a volume to {@code newSizeBytes}; shrinking is refused. */
  CompletionStage<VolumeInfo> grow(String name, long newSizeBytes);

  /** Deletes a volume and reclaims its space. */
  CompletionStage<Void> delete(String name);
}
