package io.cairn.node.store;

import io.cairn.node.meta.RocksLifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A shard store of plain files, one per shard, in its store directory's {@code segments/}.
 *
 * <p>Why files and not RocksDB: a shard is written once, read in ranges, and deleted whole, so a
 * key-value store adds work and gives nothing back. Measured under sustained 1 MiB writes, the
 * RocksDB shard store wrote each shard's bytes twice (its WAL, then a blob file when the memtable
 * flushed), checksummed them twice in software, and copied them into the memtable: about a third
 * of the node's CPU. A file is written once, and its checksums are computed by the JDK's CRC32C
 * (a CPU instruction).
 *
 * <p>File layout: a 28-byte header (magic, page size, shard length, shard index, segment id, and
 * the header's own CRC32C), then the shard cut into pages of the page size, each followed by the
 * CRC32C of the shard's identity (segment id, shard index, page number) and the page. A range
 * read fetches and verifies only the pages it touches, and corruption anywhere is caught before a
 * byte leaves the store. The page size is each file's own: a changed {@code
 * cairn.store.page-bytes} applies to shards written after it. Files of the first format (a
 * 16-byte header, pages checksummed without the identity) are still read.
 *
 * <p>Deleted shards' files are recycled: a delete moves the file into {@code segments/free/}
 * (up to {@link #FREE_BYTES_MAX} per store; past that it is unlinked), and a put overwrites a free
 * file in place rather than creating one. Measured under sustained 1 MiB writes on this project's
 * machines, the kernel's copy of new shards into fresh page-cache pages was the I/O threads'
 * largest cost; overwriting pages that are already cached (and disk blocks already allocated)
 * costs a half to a sixth of the CPU per byte. A reader that opened a shard before it was
 * recycled reads another shard's bytes, which fail the identity checksums: it sees a shard that
 * is not there, never a wrong one.
 *
 * <p>Durability: a shard is written to a temporary or free file, synced, renamed to its name,
 * and the directory synced, before {@link #put} returns; a crash leaves the old shard or the new
 * one whole, never a mix (temporary and free files left by a crash are removed at the next open).
 * A delete is not synced: a shard that comes back after a crash belongs to a segment no record
 * points at any more (segment ids are never reused), so it costs space, not correctness.
 */
public final class FileShardStore implements ShardStore {

  /** The directory, inside a store directory, that marks and holds a file shard store. */
  public static final String DIRECTORY = "segments";

  /** The first format: pages checksummed without the shard's identity. Read, not written. */
  private static final int MAGIC_V1 = 0x43534844; // "CSHD"
  private static final int HEADER_BYTES_V1 = 16;
  private static final int MAGIC = 0x43534832; // "CSH2"
  private static final int HEADER_BYTES = 28;
  private static final int IDENTITY_BYTES = 16;
  /** Bytes of deleted shards' files a store keeps for reuse; beyond this they are unlinked. */
  static final long FREE_BYTES_MAX = 64L << 20;
  /** The directory, inside {@link #DIRECTORY}, of deleted shards' files kept for reuse. */
  static final String FREE = "free";
  private static final int CRC_BYTES = Integer.BYTES;
  /** Subdirectories a store spreads its files over, by segment id: keeps directories small. */
  private static final int FANOUT = 64;
  private static final String TEMPORARY = ".tmp";

  private final String id;
  private final StoreDirectory directory;
  private final Path root;
  private final int pageBytes;
  private final long freeBytesMax;
  private final AtomicLong readErrors = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  /** Numbers the temporary and free files' names. */
  private final AtomicLong fileNumbers = new AtomicLong();
  /** Free files, the most recently freed last (its pages are the likeliest to be cached). */
  private final ConcurrentLinkedDeque<FreeFile> free = new ConcurrentLinkedDeque<>();
  private final AtomicLong freeBytes = new AtomicLong();
  private final AtomicLong recycled = new AtomicLong();
  private volatile boolean healthy = true;
  private final RocksLifecycle lifecycle = new RocksLifecycle();

  private FileShardStore(StoreDirectory directory, Path root, int pageBytes, long freeBytesMax) {
    this.id = directory.id();
    this.directory = directory;
    this.root = root;
    this.pageBytes = pageBytes;
    this.freeBytesMax = freeBytesMax;
  }

  /**
   * Opens (creating if needed) the file shard store inside an opened store directory, and
   * removes temporary files a crash left behind.
   *
   * @param pageBytes the page size of shards written from now on
   */
  public static FileShardStore open(StoreDirectory directory, int pageBytes)
      throws StoreException {
    return open(directory, pageBytes, FREE_BYTES_MAX);
  }

  /**
   * As {@link #open(StoreDirectory, int)}, keeping at most {@code freeBytesMax} bytes of deleted
   * shards' files for reuse (0: none, every delete unlinks).
   */
  static FileShardStore open(StoreDirectory directory, int pageBytes, long freeBytesMax)
      throws StoreException {
    if (pageBytes < 512 || pageBytes > (8 << 20)) {
      throw new IllegalArgumentException("pageBytes must be in 512..8 MiB, got " + pageBytes);
    }
    Path root = directory.path().resolve(DIRECTORY);
    try {
      boolean created = !Files.isDirectory(root);
      Files.createDirectories(root);
      for (int i = 0; i < FANOUT; i++) {
        Files.createDirectories(root.resolve(subdirectory(i)));
      }
      boolean freeCreated = !Files.isDirectory(root.resolve(FREE));
      Files.createDirectories(root.resolve(FREE));
      if (created || freeCreated) {
        syncDirectory(root);
      }
      if (created) {
        syncDirectory(directory.path());
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          if (p.getFileName().toString().endsWith(TEMPORARY)
              || (p.getParent().getFileName().toString().equals(FREE) && Files.isRegularFile(p))) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new StoreException(directory.id(), "cannot open " + root + ": " + e.getMessage(), e);
    }
    return new FileShardStore(directory, root, pageBytes, freeBytesMax);
  }

  /** Whether a store directory holds a file shard store. */
  public static boolean isIn(Path storeDirectory) {
    return Files.isDirectory(storeDirectory.resolve(DIRECTORY));
  }

  /** The page size of shards this store writes. */
  public int pageBytes() {
    return pageBytes;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void put(long segmentId, int shardIndex, ByteBuffer shard) throws StoreException {
    lifecycle.enter();
    try {
      if (lifecycle.closed()) {
        throw new StoreException(id, "the store is closed", null);
      }
      putOpen(segmentId, shardIndex, shard);
    } finally {
      lifecycle.exit();
    }
  }

  private void putOpen(long segmentId, int shardIndex, ByteBuffer shard) throws StoreException {
    Path target = file(segmentId, shardIndex);
    FreeFile reuse = free.pollLast();
    Path staging;
    if (reuse != null) {
      freeBytes.addAndGet(-reuse.bytes());
      recycled.incrementAndGet();
      staging = reuse.path();
    } else {
      staging = target.resolveSibling(target.getFileName() + "." + fileNumbers.incrementAndGet()
          + TEMPORARY);
    }
    try {
      try (FileChannel ch = reuse != null
          ? FileChannel.open(staging, StandardOpenOption.WRITE)
          : FileChannel.open(staging, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer[] parts = layout(segmentId, shardIndex, shard.duplicate());
        long total = 0;
        for (ByteBuffer p : parts) {
          total += p.remaining();
        }
        for (long written = 0; written < total; ) {
          written += ch.write(parts);
        }
        if (reuse != null && reuse.bytes() > total) {
          ch.truncate(total);
        }
        ch.force(false);
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(target.getParent());
    } catch (IOException e) {
      writeErrors.incrementAndGet();
      healthy = false;
      try {
        Files.deleteIfExists(staging);
      } catch (IOException ignored) {
        // The store has failed; the next open removes what is left.
      }
      throw new StoreException(id, "cannot write shard " + segmentId + "/" + shardIndex + ": "
          + e, e);
    }
  }

  /** The file's content as buffers to write in order: header, then each page and its CRC. */
  private ByteBuffer[] layout(long segmentId, int shardIndex, ByteBuffer src) {
    int length = src.remaining();
    int pages = (length + pageBytes - 1) / pageBytes;
    ByteBuffer[] parts = new ByteBuffer[1 + 2 * pages];
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN)
        .putInt(MAGIC).putInt(pageBytes).putInt(length).putInt(shardIndex).putLong(segmentId);
    header.putInt(crc(header.array(), 0, HEADER_BYTES - CRC_BYTES)).flip();
    parts[0] = header;
    ByteBuffer crcs = ByteBuffer.allocate(pages * CRC_BYTES).order(ByteOrder.BIG_ENDIAN);
    CRC32C crc = new CRC32C();
    byte[] identity = new byte[IDENTITY_BYTES];
    for (int page = 0; page < pages; page++) {
      int n = Math.min(pageBytes, length - page * pageBytes);
      ByteBuffer data = src.slice(src.position() + page * pageBytes, n);
      crc.reset();
      crc.update(identity(identity, segmentId, shardIndex, page));
      crc.update(data.duplicate());
      crcs.putInt(page * CRC_BYTES, (int) crc.getValue());
      parts[1 + 2 * page] = data;
      parts[2 + 2 * page] = crcs.slice(page * CRC_BYTES, CRC_BYTES);
    }
    return parts;
  }

  /**
   * What a page's checksum covers besides its bytes: which shard and page it is. A page read
   * from a file that has been recycled for another shard fails its checksum.
   */
  private static byte[] identity(byte[] into, long segmentId, int shardIndex, int page) {
    ByteBuffer.wrap(into).order(ByteOrder.BIG_ENDIAN)
        .putLong(segmentId).putInt(shardIndex).putInt(page);
    return into;
  }

  @Override
  public boolean read(long segmentId, int shardIndex, int fromByte, ByteBuffer out) {
    lifecycle.enter();
    try {
      if (lifecycle.closed() || !readOpen(segmentId, shardIndex, fromByte, out)) {
        readErrors.incrementAndGet();
        return false;
      }
      return true;
    } finally {
      lifecycle.exit();
    }
  }

  private boolean readOpen(long segmentId, int shardIndex, int fromByte, ByteBuffer out) {
    int wanted = out.remaining();
    if (fromByte < 0) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(file(segmentId, shardIndex), StandardOpenOption.READ)) {
      Header h = header(ch, segmentId, shardIndex);
      if (h == null) {
        return false;
      }
      int filePageBytes = h.pageBytes();
      int length = h.length();
      if ((long) fromByte + wanted > length) {
        return false;
      }
      if (wanted == 0) {
        return true;
      }
      int firstPage = fromByte / filePageBytes;
      int lastPage = (fromByte + wanted - 1) / filePageBytes;
      long stride = (long) filePageBytes + CRC_BYTES;
      int lastBytes = Math.min(filePageBytes, length - lastPage * filePageBytes);
      long span = (lastPage - firstPage) * stride + lastBytes + CRC_BYTES;
      if (span > Integer.MAX_VALUE) {
        return false;
      }
      ByteBuffer pages = ByteBuffer.allocate((int) span).order(ByteOrder.BIG_ENDIAN);
      if (!readFully(ch, pages, h.bytes() + firstPage * stride)) {
        return false;
      }
      byte[] bytes = pages.array();
      int pos = out.position();
      int at = fromByte;
      CRC32C crc = new CRC32C();
      byte[] identity = new byte[IDENTITY_BYTES];
      for (int page = firstPage; page <= lastPage; page++) {
        int base = (int) ((page - firstPage) * stride);
        int n = Math.min(filePageBytes, length - page * filePageBytes);
        crc.reset();
        if (h.bytes() == HEADER_BYTES) {
          crc.update(identity(identity, segmentId, shardIndex, page));
        }
        crc.update(bytes, base, n);
        if (pages.getInt(base + n) != (int) crc.getValue()) {
          return false;
        }
        int inPage = at - page * filePageBytes;
        int take = Math.min(wanted - (at - fromByte), n - inPage);
        out.put(pos, bytes, base + inPage, take);
        pos += take;
        at += take;
      }
      return true;
    } catch (IOException e) {
      return false; // no such shard, or the disk failed it: the caller reconstructs or retries
    }
  }

  /** A shard file's header: its length, the page size it was written with, its own size. */
  private record Header(int pageBytes, int length, int bytes) {}

  /**
   * Reads and checks a shard file's header, of either format; null if it is not a whole, intact
   * header of this shard.
   */
  private static Header header(FileChannel ch, long segmentId, int shardIndex)
      throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    if (!readFully(ch, header.limit(HEADER_BYTES_V1), 0)) {
      return null;
    }
    int magic = header.getInt(0);
    int filePageBytes = header.getInt(4);
    int length = header.getInt(8);
    if (filePageBytes <= 0 || length < 0) {
      return null;
    }
    if (magic == MAGIC_V1) {
      return header.getInt(12) == crc(header.array(), 0, 12)
          ? new Header(filePageBytes, length, HEADER_BYTES_V1) : null;
    }
    ByteBuffer rest = ByteBuffer.wrap(header.array(), HEADER_BYTES_V1,
        HEADER_BYTES - HEADER_BYTES_V1).slice();
    if (magic != MAGIC || !readFully(ch, rest, HEADER_BYTES_V1)) {
      return null;
    }
    header.clear();
    if (header.getInt(HEADER_BYTES - CRC_BYTES) != crc(header.array(), 0, HEADER_BYTES - CRC_BYTES)
        || header.getInt(12) != shardIndex || header.getLong(16) != segmentId) {
      return null;
    }
    return new Header(filePageBytes, length, HEADER_BYTES);
  }

  private static boolean readFully(FileChannel ch, ByteBuffer into, long at) throws IOException {
    while (into.hasRemaining()) {
      int n = ch.read(into, at + into.position());
      if (n < 0) {
        return false;
      }
    }
    into.flip();
    return true;
  }

  @Override
  public void delete(long segmentId, int shardIndex) throws StoreException {
    lifecycle.enter();
    try {
      if (lifecycle.closed()) {
        throw new StoreException(id, "the store is closed", null);
      }
      Path shard = file(segmentId, shardIndex);
      long bytes;
      try {
        bytes = Files.size(shard);
      } catch (NoSuchFileException absent) {
        return;
      }
      if (freeBytes.addAndGet(bytes) > freeBytesMax) {
        freeBytes.addAndGet(-bytes);
        Files.deleteIfExists(shard);
        return;
      }
      Path kept = root.resolve(FREE).resolve(Long.toString(fileNumbers.incrementAndGet()));
      try {
        Files.move(shard, kept, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException absent) {
        // The shard went meanwhile, or the free directory did (the store's files were
        // removed under it): not kept, then, but not left behind either.
        freeBytes.addAndGet(-bytes);
        Files.deleteIfExists(shard);
        return;
      }
      free.offerLast(new FreeFile(kept, bytes));
    } catch (IOException e) {
      writeErrors.incrementAndGet();
      throw new StoreException(id, "cannot delete shard " + segmentId + "/" + shardIndex + ": "
          + e, e);
    } finally {
      lifecycle.exit();
    }
  }

  /** A deleted shard's file, kept for a put to overwrite, and its size. */
  private record FreeFile(Path path, long bytes) {}

  /** Puts that overwrote a deleted shard's file instead of creating one, since the store opened. */
  public long recycledFiles() {
    return recycled.get();
  }

  /**
   * Flips bits in one stored page without fixing its checksum: what bit rot does. For fault
   * tests and the chaos tooling only; returns false if the shard or the page does not exist.
   */
  public boolean corruptPage(long segmentId, int shardIndex, int page) throws StoreException {
    try (FileChannel ch = FileChannel.open(file(segmentId, shardIndex), StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      Header h = header(ch, segmentId, shardIndex);
      if (h == null) {
        return false;
      }
      int filePageBytes = h.pageBytes();
      int length = h.length();
      if (page < 0 || (long) page * filePageBytes >= length) {
        return false;
      }
      long at = h.bytes() + page * ((long) filePageBytes + CRC_BYTES);
      ByteBuffer one = ByteBuffer.allocate(1);
      readFully(ch, one, at);
      one.put(0, (byte) (one.get(0) ^ 0x5a));
      ch.write(one, at);
      ch.force(false);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new StoreException(id, "cannot corrupt page: " + e, e);
    }
  }

  @Override
  public boolean healthy() {
    return healthy;
  }

  @Override
  public long usedBytes() {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  @Override
  public long freeBytes() {
    try {
      return directory.usableBytes();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public long capacityBytes() {
    try {
      return directory.capacityBytes();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public long readErrors() {
    return readErrors.get();
  }

  @Override
  public long writeErrors() {
    return writeErrors.get();
  }

  @Override
  public long shardCount() {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> Files.isRegularFile(p)
          && !p.getFileName().toString().endsWith(TEMPORARY)
          && !p.getParent().getFileName().toString().equals(FREE)).count();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  @Override
  public Path path() {
    return directory.path();
  }

  @Override
  public void close() {
    lifecycle.markClosed();
  }

  private Path file(long segmentId, int shardIndex) {
    return root.resolve(subdirectory((int) Math.floorMod(segmentId, (long) FANOUT)))
        .resolve(Long.toUnsignedString(segmentId, 16) + "." + shardIndex);
  }

  private static String subdirectory(int i) {
    return String.format("%02x", i);
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
