/*
 * sgemm_openblas: OpenBLAS single-precision GEMM throughput, the ceiling the
 * Go GEMM (ops/internal/gemm) is compared against. Prints one JSON object per
 * line: C = A·B, square n×n, row-major, at n = 256 and 1024 (or the sizes
 * given as arguments), for 1 and 2 threads, the median of 5 timed repeats.
 *
 * Build (Debian 12: apt-get install libopenblas-dev):
 *
 *	gcc -O2 -o /tmp/sgemm_openblas examples/benchmark/peers/sgemm_openblas.c -lopenblas
 *
 * Run as the machine is configured (OPENBLAS_CORETYPE=Haswell: AVX2) and
 * with OpenBLAS's own AVX-512 kernel:
 *
 *	/tmp/sgemm_openblas
 *	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/sgemm_openblas
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>

/* OpenBLAS extensions (declared in its cblas.h; repeated for other headers). */
void openblas_set_num_threads(int);
char *openblas_get_corename(void);

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	int sizes[16] = {256, 1024}, nsizes = 2;
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 16; i++) sizes[nsizes++] = atoi(argv[i]);
	}
	const int threads[] = {1, 2}, repeats = 5;
	for (int s = 0; s < nsizes; s++) {
		int n = sizes[s];
		float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
		      *c = malloc(sizeof(float) * n * n);
		for (int i = 0; i < n * n; i++) {
			a[i] = (float)(i % 7) - 3;
			b[i] = (float)(i % 5) - 2;
			c[i] = 0;
		}
		double flop = 2.0 * n * n * n;
		/* Enough calls per repeat for about 0.2 s at 200 GFLOP/s. */
		int calls = (int)(4e10 / flop);
		if (calls < 1) calls = 1;
		for (int t = 0; t < 2; t++) {
			openblas_set_num_threads(threads[t]);
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
			double gf[5];
			for (int r = 0; r < repeats; r++) {
				double t0 = now();
				for (int k = 0; k < calls; k++)
					cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
				gf[r] = flop * calls / (now() - t0) / 1e9;
			}
			qsort(gf, repeats, sizeof gf[0], cmp);
			printf("{\"impl\":\"openblas\",\"kernel\":\"%s\",\"n\":%d,\"threads\":%d,\"gflops\":%.1f,\"repeats_gflops\":[%.1f,%.1f,%.1f,%.1f,%.1f]}\n",
			       openblas_get_corename(), n, threads[t], gf[repeats / 2], gf[0], gf[1], gf[2], gf[3], gf[4]);
			fflush(stdout);
		}
		free(a);
		free(b);
		free(c);
	}
	return 0;
}
