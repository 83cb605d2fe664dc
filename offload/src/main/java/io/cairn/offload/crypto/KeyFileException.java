/* The key ring file cannot be used: unreadable, corrupt, or readable by others than its owner. */
package io.cairn.offload.crypto;

import java.nio.file.Path;

public final class KeyFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public KeyFileException(Path file, String detail, Throwable cause) {
    super(file + ": " + detail, cause);
    this.file = file;
  }

  public Path file() { return file; }
}
