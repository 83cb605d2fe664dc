package io.cairn.node.frontend.nbd;

import io.cairn.node.volume.VolumeException;
import io.cairn.protocol.nbd.NbdConstants;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps a failed volume operation to an NBD error value, by {@link VolumeException.Kind} and
 * command — never by message. proto.md "Error values" fixes the choices for ranges: a write or
 * write-zeroes past the end is ENOSPC, a read, trim or block-status past the end is EINVAL.
 */
final class NbdErrors {

  private NbdErrors() {}

  static int errno(int command, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (!(cause instanceof VolumeException volumeException)) {
      // A bug or an unexpected fault below the interface: the data's fate is unknown.
      return NbdConstants.EIO;
    }
    return switch (volumeException.kind()) {
      case OUT_OF_RANGE -> writesData(command) ? NbdConstants.ENOSPC : NbdConstants.EINVAL;
      case INVALID_ARGUMENT -> NbdConstants.EINVAL;
      case NO_SPACE -> NbdConstants.ENOSPC;
      case IO_ERROR -> NbdConstants.EIO;
      // NBD has no "try again" value; EIO lets qemu's werror/rerror policy decide what the
      // guest sees, where ENOMEM is one the spec asks servers to avoid.
      case BUSY -> NbdConstants.EIO;
      // The volume moved away or is closing: ESHUTDOWN obliges the client to disconnect
      // cleanly (proto.md "Terminating the transmission phase"), so it can reconnect to the
      // node that now serves the volume.
      case NOT_AVAILABLE -> NbdConstants.ESHUTDOWN;
    };
  }

  static String message(Throwable failure) {
    Throwable cause = unwrap(failure);
    String text = cause.getMessage();
    return text == null ? cause.getClass().getSimpleName() : text;
  }

  private static boolean writesData(int command) {
    return command == NbdConstants.CMD_WRITE || command == NbdConstants.CMD_WRITE_ZEROES;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
