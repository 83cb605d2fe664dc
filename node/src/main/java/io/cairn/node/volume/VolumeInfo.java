package io.cairn.node.volume;

/**
 * What the control plane shows of a volume.
 *
 * @param logicalBytes bytes of the volume that are allocated (written and not trimmed)
 * @param physicalBytes bytes its chunks take in stores and journal, before erasure-coding
 *     overhead, after dedup and compression
 * @param dedupRatio blocks referenced / distinct chunks stored (1.0 without sharing)
 * @param compressionRatio plaintext bytes / stored bytes of its distinct chunks
 * @param health "healthy", or "degraded" while some of its shards are missing or corrupt
 */
public record VolumeInfo(
    long id,
    String name,
    long sizeBytes,
    int blockBytes,
    VolumePolicy policy,
    long createdAtMillis,
    long logicalBytes,
    long physicalBytes,
    double dedupRatio,
    double compressionRatio,
    String health) {}
