/*
 * sgemm_openblas: OpenBLAS single-precision GEMM throughput, the ceiling the
 * Go GEMM (ops/internal/gemm) is compared against. Prints one JSON object per
 * line: C = A·B (m×k times k×n), row-major, beta 0, for 1 and 2 threads, the
 * median of 5 timed repeats, for square n×n at n = 256 and 1024 and the GEMMs
 * ResNet-20's 3×3 convolutions issue per image (or square sizes given as
 * arguments). The shapes and names are ops/internal/gemm's BenchmarkSgemm's
 * (gemm_bench_test.go), kind-m×n×k:
 *
 *	rows    forward lowered by rows: m = K, n = OH·OW, k = 3·C
 *	im2col  forward on the whole col matrix: m = K, n = OH·OW, k = 9·C
 *	wgrad   filter gradient dy·zᵀ, B stored n×k (transposed): m = K, n = 3·C, k = OH·OW
 *	xgrad   input gradient Wᵀ·dy: m = 9·C, n = OH·OW, k = K
 *	wino    a Winograd product U[ξ]·V[ξ] of an item: m = K, n = tiles, k = C
 *	winowgrad  its filter gradient dM[ξ]·V[ξ]ᵀ: m = K, n = C, k = tiles (B transposed)
 *
 * for the three stages (16 channels at 32×32, 32 at 16×16, 64 at 8×8; the
 * Winograd items: F(4×4, 3×3) on 3 images of 64 tiles, F(2×2, 3×3) on 4 of
 * 64 and 8 of 16).
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
 *	/tmp/sgemm_openblas 512 2048     # square sizes only
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>

/* OpenBLAS extensions (declared in its cblas.h; repeated for other headers). */
void openblas_set_num_threads(int);
char *openblas_get_corename(void);

struct shape {
	char name[32];
	int m, n, k, transb;
};

static const struct shape convShapes[] = {
	{"rows-16x1024x48", 16, 1024, 48, 0},     {"rows-32x256x96", 32, 256, 96, 0},
	{"rows-64x64x192", 64, 64, 192, 0},       {"im2col-16x1024x144", 16, 1024, 144, 0},
	{"im2col-32x256x288", 32, 256, 288, 0},   {"im2col-64x64x576", 64, 64, 576, 0},
	{"wgrad-16x48x1024", 16, 48, 1024, 1},    {"wgrad-32x96x256", 32, 96, 256, 1},
	{"wgrad-64x192x64", 64, 192, 64, 1},      {"xgrad-144x1024x16", 144, 1024, 16, 0},
	{"xgrad-288x256x32", 288, 256, 32, 0},    {"xgrad-576x64x64", 576, 64, 64, 0},
	{"wino-16x192x16", 16, 192, 16, 0},       {"wino-32x256x32", 32, 256, 32, 0},
	{"wino-64x128x64", 64, 128, 64, 0},       {"winowgrad-16x16x192", 16, 16, 192, 1},
	{"winowgrad-32x32x256", 32, 32, 256, 1},  {"winowgrad-64x64x128", 64, 64, 128, 1},
};

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void gemm(const struct shape *s, const float *a, const float *b, float *c) {
	cblas_sgemm(CblasRowMajor, CblasNoTrans, s->transb ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 1, a,
		    s->k, b, s->transb ? s->k : s->n, 0, c, s->n);
}

static void bench(const struct shape *s) {
	const int threads[] = {1, 2}, repeats = 5;
	int m = s->m, n = s->n, k = s->k;
	float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
	for (int i = 0; i < m * k; i++) a[i] = (float)(i % 7) - 3;
	for (int i = 0; i < k * n; i++) b[i] = (float)(i % 5) - 2;
	for (int i = 0; i < m * n; i++) c[i] = 0;
	double flop = 2.0 * m * n * k;
	/* Enough calls per repeat for about 0.2 s at 200 GFLOP/s. */
	int calls = (int)(4e10 / flop);
	if (calls < 1) calls = 1;
	for (int t = 0; t < 2; t++) {
		openblas_set_num_threads(threads[t]);
		for (int w = 0; w < 1 + calls / 10; w++) gemm(s, a, b, c); /* warm up */
		double gf[5];
		for (int r = 0; r < repeats; r++) {
			double t0 = now();
			for (int i = 0; i < calls; i++) gemm(s, a, b, c);
			gf[r] = flop * calls / (now() - t0) / 1e9;
		}
		qsort(gf, repeats, sizeof gf[0], cmp);
		printf("{\"impl\":\"openblas\",\"kernel\":\"%s\",\"shape\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"transb\":%s,"
		       "\"threads\":%d,\"gflops\":%.1f,\"repeats_gflops\":[%.1f,%.1f,%.1f,%.1f,%.1f]}\n",
		       openblas_get_corename(), s->name, m, n, k, s->transb ? "true" : "false", threads[t], gf[repeats / 2],
		       gf[0], gf[1], gf[2], gf[3], gf[4]);
		fflush(stdout);
	}
	free(a);
	free(b);
	free(c);
}

int main(int argc, char **argv) {
	int sizes[16] = {256, 1024}, nsizes = 2;
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 16; i++) sizes[nsizes++] = atoi(argv[i]);
	}
	for (int i = 0; i < nsizes; i++) {
		struct shape s = {"", sizes[i], sizes[i], sizes[i], 0};
		snprintf(s.name, sizeof s.name, "%d", sizes[i]);
		bench(&s);
	}
	if (argc == 1)
		for (size_t i = 0; i < sizeof convShapes / sizeof convShapes[0]; i++) bench(&convShapes[i]);
	return 0;
}
