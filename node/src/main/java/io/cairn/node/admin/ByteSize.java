package io.cairn.node.admin;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them: {@code 4096}, {@code 512MiB}, {@code 1GiB}, {@code 2T}.
 *
 * <p>Every unit is binary (K = KiB = 1024, as qemu-img and the kernel read them). Decimal units
 * ({@code GB}) are refused rather than guessed, because a volume that is 7% smaller than its owner
 * meant is a silent surprise. Fractions are refused too: a size is a whole number of bytes.
 */
public final class ByteSize {

  private static final Pattern SIZE =
      Pattern.compile("\\s*(\\d+)\\s*([a-zA-Z]*)\\s*");
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private ByteSize() {}

  /**
   * Parses a size.
   *
   * @throws IllegalArgumentException with a message fit for a user, naming what was wrong
   */
  public static long parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a size is required, e.g. 1GiB");
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size: write a whole number of "
          + "bytes with an optional binary unit, e.g. 4096, 512MiB, 1GiB");
    }
    long number;
    try {
      number = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    int shift = shiftOf(m.group(2), text);
    if (shift > 0 && number > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return number << shift;
  }

  private static int shiftOf(String unit, String text) {
    switch (unit.toLowerCase(Locale.ROOT)) {
      case "", "b":
        return 0;
      case "k", "kib":
        return 10;
      case "m", "mib":
        return 20;
      case "g", "gib":
        return 30;
      case "t", "tib":
        return 40;
      case "p", "pib":
        return 50;
      case "kb", "mb", "gb", "tb", "pb":
        throw new IllegalArgumentException("'" + text + "': decimal units are ambiguous; write "
            + unit.substring(0, 1).toUpperCase(Locale.ROOT) + "iB (binary) or a byte count");
      default:
        throw new IllegalArgumentException("'" + text + "': unknown unit '" + unit
            + "' (use B, KiB, MiB, GiB, TiB or PiB)");
    }
  }

  /** A short human form, exact when it can be: 1073741824 → "1 GiB", 1610612736 → "1.5 GiB". */
  public static String format(long bytes) {
    if (bytes < 0) {
      return "-" + format(-bytes);
    }
    int unit = 0;
    double value = bytes;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    if (unit == 0) {
      return bytes + " B";
    }
    if (value == Math.rint(value)) {
      return String.format(Locale.ROOT, "%d %s", (long) value, UNITS[unit]);
    }
    return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, UNITS[unit]);
  }
}
