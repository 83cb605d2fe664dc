package io.cairn.node.cli;

import io.cairn.node.admin.ByteSize;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Sizes on the command line: 4096, 512MiB, 1GiB, 2T (binary units; a bad one is exit 2). */
final class SizeConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      long bytes = ByteSize.parse(value);
      if (bytes <= 0) {
        throw new TypeConversionException("a size must be positive, got '" + value + "'");
      }
      return bytes;
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
