// ISA-L's erasure coding from DRAM, for comparison with `EcBenchmark -p data=dram`: the ISA-L
// anchor (/work/shared/anchors/isal-bench) reuses one stripe, so it has no figure for stripes that
// come from memory. Encode and decode (data shards 0..m-1 lost, decode tables prepared once, as
// Cairn caches them) of RS(4,2), RS(8,3), RS(10,4) with 1 MiB shards over a pool of 512 MiB of
// data (more with parity: larger than the Xeon's 480 MiB of L3), single thread; MB/s of input
// data, median [min, max] of 5 one-second rounds. Not part of the build:
//
//   apt-get install libisal-dev
//   gcc -O2 -march=native -o /tmp/isal-pool scripts/isal-pool-bench.c -lisal && /tmp/isal-pool
#include <isa-l/erasure_code.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
int main(void) {
  int codes[3][2] = {{4, 2}, {8, 3}, {10, 4}};
  size_t len = 1 << 20, poolData = 512UL << 20;
  printf("op,k,m,shard,pool_MiB,median_wall_MBps,min,max\n");
  for (int c = 0; c < 3; c++) {
    int k = codes[c][0], m = codes[c][1], n = k + m;
    int stripes = poolData / ((size_t)k * len);
    unsigned char **buf = malloc(sizeof(void *) * stripes * n);
    for (int i = 0; i < stripes * n; i++) { buf[i] = aligned_alloc(64, len); for (size_t j = 0; j < len; j++) buf[i][j] = rand(); }
    unsigned char a[64 * 64], tb[32 * 64 * 64], inv[64 * 64], dm[64 * 64], b[64 * 64], dtb[32 * 64 * 64];
    gf_gen_cauchy1_matrix(a, n, k);
    ec_init_tables(k, m, a + k * k, tb);
    // decode matrix for data shards 0..m-1 lost: survivors m..k+m-1 (first k of the rest)
    for (int r = 0; r < k; r++) memcpy(b + r * k, a + (m + r) * k, k);
    gf_invert_matrix(b, inv, k);
    for (int e = 0; e < m; e++) memcpy(dm + e * k, inv + e * k, k);
    ec_init_tables(k, m, dm, dtb);
    for (int op = 0; op < 2; op++) {
      double res[5];
      for (int r = 0; r < 5; r++) {
        double t0 = now(); long ops = 0;
        while (now() - t0 < 1.0) {
          for (int s = 0; s < stripes; s++, ops++) {
            unsigned char **st = buf + (size_t)s * n;
            if (op == 0) ec_encode_data(len, k, m, tb, st, st + k);
            else { unsigned char *src[64]; for (int i = 0; i < k; i++) src[i] = st[m + i]; ec_encode_data(len, k, m, dtb, src, st); }
          }
        }
        res[r] = ops * (double)k * len / (now() - t0) / 1e6;
      }
      qsort(res, 5, sizeof(double), cmp);
      printf("%s,%d,%d,%zu,%zu,%.1f,%.1f,%.1f\n", op == 0 ? "encode" : "decodeM", k, m, len, poolData >> 20, res[2], res[0], res[4]);
      fflush(stdout);
    }
    for (int i = 0; i < stripes * n; i++) free(buf[i]);
    free(buf);
  }
  return 0;
}
