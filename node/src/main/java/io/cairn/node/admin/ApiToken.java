package io.cairn.node.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The REST API's bearer token, kept in a file the node creates on first start.
 *
 * <p>Guarantees: the file is created with mode 0600 from its first byte (the permission is set
 * when the temporary file is created, never afterwards) and appears under its final name
 * atomically and complete (a hard link from a fully written, fsync'd temporary file, which fails
 * rather than replaces when another process created the file first — then that file is used).
 * An existing file that group or others can read is refused: its token must be presumed known.
 *
 * <p>Assumes a POSIX file system (Linux, as Cairn runs). On one without POSIX permissions the
 * file is created with the platform's defaults.
 */
public final class ApiToken {

  /** Random bytes in a token: 256 bits, beyond guessing. */
  static final int TOKEN_RANDOM_BYTES = 32;

  /** The shortest token accepted from a file an operator wrote: 128 bits as base64. */
  static final int TOKEN_CHARS_MIN = 22;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** Why the token file could not be used; the message names the file and what to do. */
  public static final class ApiTokenException extends Exception {
    ApiTokenException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private ApiToken() {}

  /** Reads the token from {@code file}, creating the file with a new random token if absent. */
  public static String loadOrCreate(Path file) throws ApiTokenException {
    Path target = file.toAbsolutePath().normalize();
    try {
      if (!Files.exists(target)) {
        create(target);
      }
      return read(target);
    } catch (IOException e) {
      throw new ApiTokenException("cannot read or create the API token file " + target
          + " (cairn.api.token-file): " + e, e);
    }
  }

  /**
   * Whether {@code presented} is the token, in time that does not depend on where they differ
   * (so that the token cannot be found a character at a time by timing the answers).
   */
  static boolean matches(String token, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        presented.getBytes(StandardCharsets.UTF_8));
  }

  private static void create(Path target) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    byte[] random = new byte[TOKEN_RANDOM_BYTES];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
    Path tmp = posix
        ? Files.createTempFile(dir, ".api-token-", ".tmp",
            PosixFilePermissions.asFileAttribute(OWNER_ONLY))
        : Files.createTempFile(dir, ".api-token-", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException raced) {
        return; // another process created it first: theirs is the token
      } catch (UnsupportedOperationException noHardLinks) {
        Files.move(tmp, target);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String read(Path target) throws IOException, ApiTokenException {
    PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
    if (view != null) {
      Set<PosixFilePermission> perms = view.readAttributes().permissions();
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw new ApiTokenException("the API token file " + target + " is readable by others ("
            + PosixFilePermissions.toString(perms) + "); its token must be presumed known. "
            + "Delete it (a new one is created on start) or chmod 600 it if it never left "
            + "this machine", null);
      }
    }
    String token = Files.readString(target, StandardCharsets.US_ASCII).strip();
    if (token.length() < TOKEN_CHARS_MIN || !token.matches("[A-Za-z0-9._~+/=-]+")) {
      throw new ApiTokenException("the API token file " + target + " does not hold a token "
          + "(at least " + TOKEN_CHARS_MIN + " characters of A-Z a-z 0-9 . _ ~ + / = -)", null);
    }
    return token;
  }

  /** Makes the new directory entry durable: without this a crash could lose the file. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory; the file itself is already durable.
    }
  }
}
