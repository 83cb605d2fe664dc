package io.cairn.node.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.offload.dedup.Fingerprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeKeysTest {

  /** Sorting fingerprints by DEDUP_ORDER sorts their keys as RocksDB orders them. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void dedupOrderIsTheOrderOfTheKeys(long seed) {
    Random random = new Random(seed);
    List<Fingerprint> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      // Words often equal, and often with the top bit set, so that every word and the sign
      // are compared.
      long[] w = new long[4];
      for (int j = 0; j < 4; j++) {
        w[j] = random.nextInt(3) == 0 ? Long.MIN_VALUE + random.nextInt(2) : random.nextLong();
      }
      ids.add(new Fingerprint(w[0], w[1], w[2], w[3]));
    }
    ids.sort(VolumeKeys.DEDUP_ORDER);
    for (int i = 1; i < ids.size(); i++) {
      assertThat(Arrays.compareUnsigned(VolumeKeys.dedup(7, ids.get(i - 1)),
          VolumeKeys.dedup(7, ids.get(i)))).as("key %d before key %d", i - 1, i)
          .isLessThanOrEqualTo(0);
    }
  }
}
