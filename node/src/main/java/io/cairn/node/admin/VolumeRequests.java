package io.cairn.node.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.node.volume.VolumePolicy;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates the bodies of volume calls, in one place, with a message that names the
 * offending field and what it should have been. Nothing reaches the {@code VolumeService} until
 * every field has passed, so a refused request changes nothing.
 */
final class VolumeRequests {

  /** What VolumeService accepts as a name; also refuses '/', '..' and every other path form. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

  static final int BLOCK_BYTES_DEFAULT = 4096;
  static final int BLOCK_BYTES_MIN = 512;
  /** The DPU's chunk codec takes blocks up to 1 MiB. */
  static final int BLOCK_BYTES_MAX = 1 << 20;

  private static final Pattern EC = Pattern.compile("(\\d{1,2})\\+(\\d{1,2})");
  private static final Set<String> CREATE_FIELDS = Set.of("name", "sizeBytes", "blockBytes",
      "policy");
  private static final Set<String> POLICY_FIELDS = Set.of("ec", "compression", "dedup",
      "encryption");
  private static final Set<String> GROW_FIELDS = Set.of("sizeBytes");

  /** A validated create request. */
  record Create(String name, long sizeBytes, int blockBytes, VolumePolicy policy) {}

  private final long volumeBytesMax;

  VolumeRequests(long volumeBytesMax) {
    this.volumeBytesMax = volumeBytesMax;
  }

  Create create(JsonNode body) {
    requireObject(body, CREATE_FIELDS, "");
    String name = name(body.get("name"));
    int blockBytes = blockBytes(body.get("blockBytes"));
    long sizeBytes = size(body.get("sizeBytes"), "sizeBytes");
    if (sizeBytes % blockBytes != 0) {
      throw ApiException.badRequest("sizeBytes", "sizeBytes must be a multiple of blockBytes ("
          + blockBytes + "), got " + sizeBytes);
    }
    VolumePolicy policy = policy(body.get("policy"));
    return new Create(name, sizeBytes, blockBytes, policy);
  }

  /** The new size of a grow request. */
  long grow(JsonNode body) {
    requireObject(body, GROW_FIELDS, "");
    return size(body.get("sizeBytes"), "sizeBytes");
  }

  /** Validates a volume name taken from the URL path. */
  static String pathName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw ApiException.badRequest("name", nameRule(name));
    }
    return name;
  }

  private static String name(JsonNode node) {
    if (node == null || node.isNull()) {
      throw ApiException.badRequest("name", "name is required");
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("name", "name must be a string, got " + kind(node));
    }
    String name = node.textValue();
    if (!NAME.matcher(name).matches()) {
      throw ApiException.badRequest("name", nameRule(name));
    }
    return name;
  }

  private static String nameRule(String name) {
    return "name must be 1-64 characters of letters, digits, '.', '_' and '-', not starting "
        + "with '.' or '-'; got '" + name + "'";
  }

  private static int blockBytes(JsonNode node) {
    if (node == null || node.isNull()) {
      return BLOCK_BYTES_DEFAULT;
    }
    long bytes = size(node, "blockBytes", BLOCK_BYTES_MAX);
    if (bytes < BLOCK_BYTES_MIN || Long.bitCount(bytes) != 1) {
      throw ApiException.badRequest("blockBytes", "blockBytes must be a power of two from "
          + BLOCK_BYTES_MIN + " to " + BLOCK_BYTES_MAX + ", got " + bytes);
    }
    return (int) bytes;
  }

  private long size(JsonNode node, String field) {
    return size(node, field, volumeBytesMax);
  }

  /** A positive byte count given as a JSON integer or a size string like "1GiB". */
  private static long size(JsonNode node, String field, long max) {
    if (node == null || node.isNull()) {
      throw ApiException.badRequest(field, field + " is required");
    }
    long bytes;
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw ApiException.badRequest(field, field + " is too large: at most " + max);
      }
      bytes = node.longValue();
    } else if (node.isTextual()) {
      try {
        bytes = ByteSize.parse(node.textValue());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(field, field + ": " + e.getMessage());
      }
    } else {
      throw ApiException.badRequest(field, field + " must be a whole number of bytes or a size "
          + "like \"1GiB\", got " + kind(node));
    }
    if (bytes <= 0) {
      throw ApiException.badRequest(field, field + " must be positive, got " + bytes);
    }
    if (bytes > max) {
      throw ApiException.badRequest(field, field + " must be at most " + max + " ("
          + ByteSize.format(max) + "), got " + bytes);
    }
    return bytes;
  }

  private static VolumePolicy policy(JsonNode node) {
    if (node == null || node.isNull()) {
      return VolumePolicy.DEFAULT;
    }
    requireObject(node, POLICY_FIELDS, "policy.");
    VolumePolicy d = VolumePolicy.DEFAULT;
    int k = d.dataShards();
    int m = d.parityShards();
    JsonNode ec = node.get("ec");
    if (ec != null && !ec.isNull()) {
      Matcher match = ec.isTextual() ? EC.matcher(ec.textValue().strip()) : null;
      if (match == null || !match.matches()) {
        throw ApiException.badRequest("policy.ec", "policy.ec must be \"k+m\" (data+parity "
            + "shards), e.g. \"4+2\"; got " + describe(ec));
      }
      k = Integer.parseInt(match.group(1));
      m = Integer.parseInt(match.group(2));
    }
    VolumePolicy.Compression compression = d.compression();
    JsonNode c = node.get("compression");
    if (c != null && !c.isNull()) {
      if (!c.isTextual()) {
        throw ApiException.badRequest("policy.compression",
            "policy.compression must be one of none, lz4, zstd; got " + describe(c));
      }
      try {
        compression = VolumePolicy.Compression.parse(c.textValue());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("policy.compression", "policy." + e.getMessage());
      }
    }
    boolean dedup = bool(node.get("dedup"), "policy.dedup", d.dedup());
    boolean encryption = bool(node.get("encryption"), "policy.encryption", d.encryption());
    try {
      return new VolumePolicy(k, m, compression, dedup, encryption);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("policy.ec", "policy.ec: " + e.getMessage());
    }
  }

  private static boolean bool(JsonNode node, String field, boolean dflt) {
    if (node == null || node.isNull()) {
      return dflt;
    }
    if (!node.isBoolean()) {
      throw ApiException.badRequest(field, field + " must be true or false, got "
          + describe(node));
    }
    return node.booleanValue();
  }

  /** Refuses non-objects and unknown fields (a misspelt field would otherwise be ignored). */
  private static void requireObject(JsonNode node, Set<String> known, String prefix) {
    if (node == null || !node.isObject()) {
      String where = prefix.isEmpty() ? "the request body" : prefix.substring(0,
          prefix.length() - 1);
      throw ApiException.badRequest(prefix.isEmpty() ? null : where,
          where + " must be a JSON object, got " + (node == null ? "nothing" : kind(node)));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      String f = it.next().getKey();
      if (!known.contains(f)) {
        throw ApiException.badRequest(prefix + f, "unknown field '" + prefix + f
            + "'; expected " + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> node.isIntegralNumber() ? "an integer" : "a fraction";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String describe(JsonNode node) {
    return node.isTextual() ? "'" + node.textValue() + "'" : kind(node);
  }
}
