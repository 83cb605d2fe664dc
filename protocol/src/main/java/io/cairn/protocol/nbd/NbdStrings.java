package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strings as proto.md "Conventions" defines them: UTF-8, no NUL, at most 4096 bytes, length given
 * elsewhere in the message. Decoding is strict so that a malformed name is refused rather than
 * silently mangled into another volume's name.
 */
final class NbdStrings {

  private NbdStrings() {}

  static String decode(ByteBuffer in, int lengthBytes) {
    if (lengthBytes < 0 || lengthBytes > NbdConstants.STRING_BYTES_MAX) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.BAD_STRING,
          "string of " + Integer.toUnsignedLong(lengthBytes) + " bytes exceeds "
              + NbdConstants.STRING_BYTES_MAX);
    }
    if (in.remaining() < lengthBytes) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.MALFORMED_OPTION,
          "string of " + lengthBytes + " bytes overruns its message");
    }
    ByteBuffer slice = in.slice().limit(lengthBytes);
    in.position(in.position() + lengthBytes);
    String value;
    try {
      value = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw new NbdProtocolException(NbdProtocolException.Reason.BAD_STRING, "not UTF-8");
    }
    if (value.indexOf('\0') >= 0) {
      throw new NbdProtocolException(NbdProtocolException.Reason.BAD_STRING, "string holds NUL");
    }
    return value;
  }

  static byte[] encode(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > NbdConstants.STRING_BYTES_MAX) {
      throw new IllegalArgumentException("NBD string longer than 4096 bytes: " + bytes.length);
    }
    return bytes;
  }
}
