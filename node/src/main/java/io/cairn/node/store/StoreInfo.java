package io.cairn.node.store;

/**
 * What the control plane shows of one store.
 *
 * @param capacityBytes size of the file system that holds the store
 * @param usedBytes bytes the store's files take
 * @param freeBytes bytes still usable on that file system
 * @param shards shards the store holds
 * @param health "ok", or "failed" when the store cannot be read or written
 * @param readErrors reads that failed or returned corrupt data since start
 * @param writeErrors writes that failed since start
 */
public record StoreInfo(String id, String path, long capacityBytes, long usedBytes,
    long freeBytes, long shards, String health, long readErrors, long writeErrors) {}
