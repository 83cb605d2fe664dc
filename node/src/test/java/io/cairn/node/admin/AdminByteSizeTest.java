package io.cairn.node.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sizes as operators write them. */
class AdminByteSizeTest {

  @ParameterizedTest
  @CsvSource({"4096,4096", "1GiB,1073741824", "512MiB,536870912", "1g,1073741824",
      "2T,2199023255552", "1 KiB,1024", "7B,7", "1PiB,1125899906842624"})
  void parsesBinarySizes(String text, long bytes) {
    assertThat(ByteSize.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @CsvSource({"1GB,ambiguous", "1.5GiB,not a size", "-1,not a size", "abc,not a size",
      "1XiB,unknown unit", "9999999PiB,too large", "99999999999999999999,too large"})
  void refusesWithAReason(String text, String reason) {
    assertThatThrownBy(() -> ByteSize.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @ParameterizedTest
  @CsvSource({"0,0 B", "1023,1023 B", "1073741824,1 GiB", "1610612736,1.5 GiB",
      "536870912,512 MiB"})
  void formatsShortAndExactWhereItCan(long bytes, String text) {
    assertThat(ByteSize.format(bytes)).isEqualTo(text);
  }
}
