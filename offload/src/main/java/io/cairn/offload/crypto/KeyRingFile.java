/*
 * The node's key ring on disk: generated on first start, loaded on later starts.
 *
 * Guarantees:
 * - The file is never readable by anyone but its owner, not even for an instant: it is written to
 *   a temporary file created with mode 0600 in the same directory, fsync'd, and only then published
 *   under its final name. A file found with group or other permissions is refused, as ssh refuses
 *   a private key, because its secrecy can no longer be assumed.
 * - Creation is atomic and race-free: the temporary file is published with link(2), which fails
 *   if the name exists; the loser of a race between two starting processes loads the winner's ring.
 *   A crash leaves either no file or a complete one (plus possibly a stray temporary file).
 * - Corruption is detected (CRC32C trailer) and refused, never silently replaced by a new key,
 *   which would orphan every wrapped data key.
 *
 * Assumes a POSIX file system (Linux); the directory must exist.
 *
 * Format, big-endian: magic "CAIRNKR1", int count, count x (int version, 32 key bytes), int CRC32C
 * of all preceding bytes.
 */
package io.cairn.offload.crypto;

import io.cairn.offload.checksum.Crc32c;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

public final class KeyRingFile {
  private static final byte[] MAGIC = "CAIRNKR1".getBytes(StandardCharsets.US_ASCII);
  private static final int ENTRY_BYTES = Integer.BYTES + MasterKey.BYTES;
  // A ring only grows by rotation; thousands of versions means a bug, not a use.
  private static final int KEYS_MAX = 4096;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private KeyRingFile() {}

  /** Loads the ring at {@code file}, or generates one with a single master key and stores it there. */
  public static KeyRing loadOrCreate(Path file, SecureRandom random) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(random, "random");
    if (Files.exists(file)) {
      return load(file);
    }
    KeyRing fresh = KeyRing.generate(random);
    Path temp = writeTemp(file, fresh);
    try {
      Files.createLink(file, temp);
      fsyncDirectory(file);
      return fresh;
    } catch (FileAlreadyExistsException lostRace) {
      return load(file);
    } catch (IOException e) {
      throw new KeyFileException(file, "cannot publish the new key ring", e);
    } finally {
      deleteQuietly(temp);
    }
  }

  /** Replaces the ring at {@code file} atomically (after a rotation or a retirement). */
  public static void store(Path file, KeyRing ring) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(ring, "ring");
    Path temp = writeTemp(file, ring);
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(file);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new KeyFileException(file, "cannot replace the key ring", e);
    }
  }

  /** Loads an existing ring, refusing a file others can read or a corrupt one. */
  public static KeyRing load(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (!OWNER_ONLY.containsAll(permissions)) {
        throw new KeyFileException(file, "permissions are " + PosixFilePermissions.toString(permissions)
            + "; a key ring must be accessible to its owner only (chmod 600)", null);
      }
      return decode(file, Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new KeyFileException(file, "no key ring file", e);
    } catch (IOException e) {
      throw new KeyFileException(file, "cannot read the key ring", e);
    }
  }

  static byte[] encode(KeyRing ring) {
    int count = ring.keys().size();
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + Integer.BYTES + count * ENTRY_BYTES + Integer.BYTES);
    out.put(MAGIC).putInt(count);
    for (MasterKey key : ring.keys()) {
      out.putInt(key.version()).put(key.material());
    }
    out.putInt(Crc32c.of(out, 0, out.position()));
    return out.array();
  }

  static KeyRing decode(Path file, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int headerBytes = MAGIC.length + Integer.BYTES;
    if (bytes.length < headerBytes + Integer.BYTES
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new KeyFileException(file, "not a Cairn key ring (bad magic or truncated)", null);
    }
    int count = in.getInt(MAGIC.length);
    if (count < 1 || count > KEYS_MAX || bytes.length != headerBytes + count * ENTRY_BYTES + Integer.BYTES) {
      throw new KeyFileException(file, "key ring is truncated or has a corrupt count " + count, null);
    }
    int crcAt = bytes.length - Integer.BYTES;
    if (Crc32c.of(in, 0, crcAt) != in.getInt(crcAt)) {
      throw new KeyFileException(file, "key ring checksum mismatch: the file is corrupt", null);
    }
    in.position(headerBytes);
    List<MasterKey> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int version = in.getInt();
      byte[] material = new byte[MasterKey.BYTES];
      in.get(material);
      try {
        keys.add(MasterKey.of(version, material));
      } catch (IllegalArgumentException e) {
        throw new KeyFileException(file, "key ring entry " + i + " is invalid", e);
      } finally {
        Arrays.fill(material, (byte) 0);
      }
    }
    try {
      return new KeyRing(keys);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(file, "key ring is inconsistent", e);
    }
  }

  private static Path writeTemp(Path file, KeyRing ring) {
    Path directory = file.toAbsolutePath().getParent();
    byte[] bytes = encode(ring);
    Path temp = null;
    try {
      // The permission attribute applies at creation (open with O_CREAT, mode 0600, umask can only
      // remove bits), so there is no moment at which the key is readable by others.
      temp = Files.createTempFile(directory, "." + file.getFileName(), ".tmp",
          PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      return temp;
    } catch (IOException e) {
      if (temp != null) {
        deleteQuietly(temp);
      }
      throw new KeyFileException(file, "cannot write a temporary key ring in " + directory, e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static void fsyncDirectory(Path file) throws IOException {
    // Makes the new directory entry durable: without it a crash can lose the published name.
    try (FileChannel directory = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      directory.force(true);
    }
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // A stray temporary file is owner-only and harmless; the published ring is what counts.
    }
  }
}
