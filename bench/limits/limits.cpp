// Machine limits for the nnc benchmarks: memory bandwidth (STREAM-like copy
// and triad on pre-touched buffers), fp32 FMA peak, the cost of first-touching
// fresh memory, and oneDNN's dnnl_sgemm called directly on given shapes.
//
// Built by bench/run.py:  g++ -O3 -march=native -fopenmp limits.cpp -ldnnl
// Usage: limits [--quick] [--threads 1,2] [--gemm NAME:M:K:N:TA:TB]...
//   a GEMM is C[M,N] = op(A)[M,K] * op(B)[K,N], row-major, TA/TB 'N' or 'T'
//   (as dnnl_sgemm takes them). Prints one JSON object on stdout.

#include <immintrin.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <dnnl.h>

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double minimum(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// 2 MiB-aligned allocation with transparent huge pages requested, so the
// pre-touch below is cheap; the buffers are touched by the threads that use them.
float* alloc_floats(size_t n) {
    size_t bytes = (n * sizeof(float) + (2u << 20) - 1) & ~size_t((2u << 20) - 1);
    void* p = std::aligned_alloc(2u << 20, bytes);
    if (!p) { std::fprintf(stderr, "limits: out of memory\n"); std::exit(1); }
    madvise(p, bytes, MADV_HUGEPAGE);
    return static_cast<float*>(p);
}

// ---------------------------------------------------------------- bandwidth
struct Bandwidth { double copy_gbs, triad_gbs; };

Bandwidth stream(size_t n, int threads, int reps) {
    float* a = alloc_floats(n);
    float* b = alloc_floats(n);
    float* c = alloc_floats(n);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t i = 0; i < n; ++i) { a[i] = 1.0f; b[i] = 2.0f; c[i] = 0.0f; }
    std::vector<double> tc, tt;
    const float s = 3.0f;
    for (int r = 0; r < reps; ++r) {
        double t0 = now();
#pragma omp parallel for schedule(static) num_threads(threads)
        for (size_t i = 0; i < n; ++i) c[i] = a[i];
        double t1 = now();
#pragma omp parallel for schedule(static) num_threads(threads)
        for (size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
        double t2 = now();
        tc.push_back(t1 - t0);
        tt.push_back(t2 - t1);
    }
    volatile float sink = a[n / 3] + c[n / 2];
    (void)sink;
    std::free(a); std::free(b); std::free(c);
    // STREAM's convention: bytes the kernel names (copy 2 arrays, triad 3),
    // not counting write-allocate traffic; best time of the repetitions.
    return {2.0 * n * sizeof(float) / minimum(tc) / 1e9, 3.0 * n * sizeof(float) / minimum(tt) / 1e9};
}

// ---------------------------------------------------------------- FMA peak
#if defined(__AVX512F__)
constexpr int kWidth = 16;
constexpr int kAcc = 24;   // 32 zmm registers; 2 pipes x 4 cycles latency needs >= 8
using vec = __m512;
inline vec vset(float x) { return _mm512_set1_ps(x); }
inline vec vfma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
inline float vsum(vec a) { return _mm512_reduce_add_ps(a); }
const char* kIsa = "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kWidth = 8;
constexpr int kAcc = 12;   // 16 ymm registers; 2 pipes x 4 cycles latency needs >= 8
using vec = __m256;
inline vec vset(float x) { return _mm256_set1_ps(x); }
inline vec vfma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
inline float vsum(vec a) {
    alignas(32) float t[8];
    _mm256_store_ps(t, a);
    float s = 0;
    for (float x : t) s += x;
    return s;
}
const char* kIsa = "avx2";
#else
#error "limits.cpp needs AVX2+FMA or AVX-512 (build with -march=native)"
#endif

float fma_kernel(long iters, float seed) {
    vec acc[kAcc];
    for (int j = 0; j < kAcc; ++j) acc[j] = vset(seed + 0.001f * j);
    const vec m = vset(0.999999f), c = vset(1e-7f);
    for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 32
        for (int j = 0; j < kAcc; ++j) acc[j] = vfma(acc[j], m, c);
    }
    float s = 0;
    for (int j = 0; j < kAcc; ++j) s += vsum(acc[j]);
    return s;
}

double fma_peak(int threads, long iters, int reps) {
    std::vector<double> ts;
    volatile float sink = 0;
    for (int r = 0; r < reps; ++r) {
        double t0 = now();
#pragma omp parallel num_threads(threads)
        {
            float s = fma_kernel(iters, 1.0f + omp_get_thread_num());
#pragma omp atomic
            sink += s;
        }
        ts.push_back(now() - t0);
    }
    double flops = 2.0 * kWidth * kAcc * double(iters) * threads;
    return flops / minimum(ts) / 1e9;
}

// ---------------------------------------------------------------- first touch
// Milliseconds to write fresh memory once (page faults included), with 4 KiB
// pages and with transparent huge pages requested.
double first_touch_ms(size_t bytes, bool huge) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    double t0 = now();
    std::memset(p, 1, bytes);
    double t = now() - t0;
    munmap(p, bytes);
    return t * 1e3;
}

// ---------------------------------------------------------------- sgemm
struct Gemm { std::string name; long m, k, n; char ta, tb; };

bool parse_gemm(const char* s, Gemm& g) {
    char name[128], ta, tb;
    if (std::sscanf(s, "%127[^:]:%ld:%ld:%ld:%c:%c", name, &g.m, &g.k, &g.n, &ta, &tb) != 6) return false;
    g.name = name; g.ta = ta; g.tb = tb;
    return (ta == 'N' || ta == 'T') && (tb == 'N' || tb == 'T');
}

struct GemmTime { double median_us, min_us, gflops; };

GemmTime time_sgemm(const Gemm& g, int threads, double budget_s) {
    omp_set_num_threads(threads);
    std::vector<float> a(g.m * g.k), b(g.k * g.n), c(g.m * g.n, 0.0f);
    unsigned x = 12345;
    auto rnd = [&] { x = x * 1664525u + 1013904223u; return float((x >> 8) & 0xffff) / 65536.0f - 0.5f; };
    for (auto& v : a) v = rnd();
    for (auto& v : b) v = rnd();
    long lda = g.ta == 'N' ? g.k : g.m;   // row-major: A is [M,K] or, transposed, [K,M]
    long ldb = g.tb == 'N' ? g.n : g.k;
    auto call = [&] {
        dnnl_status_t st = dnnl_sgemm(g.ta, g.tb, g.m, g.n, g.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f,
                                      c.data(), g.n);
        if (st != dnnl_success) { std::fprintf(stderr, "limits: dnnl_sgemm failed (%d)\n", int(st)); std::exit(1); }
    };
    for (int i = 0; i < 5; ++i) call();
    // Time in samples of `inner` calls, so a sample is at least ~0.2 ms.
    double t0 = now();
    call();
    double one = std::max(now() - t0, 1e-7);
    int inner = std::max(1, int(2e-4 / one));
    std::vector<double> ts;
    double start = now();
    while (ts.size() < 5 || (now() - start < budget_s && ts.size() < 2000)) {
        double s0 = now();
        for (int i = 0; i < inner; ++i) call();
        ts.push_back((now() - s0) / inner);
    }
    double med = median(ts);
    return {med * 1e6, minimum(ts) * 1e6, 2.0 * g.m * g.n * g.k / med / 1e9};
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    std::vector<int> thread_counts = {1, 2};
    std::vector<Gemm> gemms;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--quick") {
            quick = true;
        } else if (a == "--threads" && i + 1 < argc) {
            thread_counts.clear();
            std::string s = argv[++i];
            size_t pos = 0;
            while (pos < s.size()) {
                size_t e = s.find(',', pos);
                if (e == std::string::npos) e = s.size();
                thread_counts.push_back(std::atoi(s.substr(pos, e - pos).c_str()));
                pos = e + 1;
            }
        } else if (a == "--gemm" && i + 1 < argc) {
            Gemm g;
            if (!parse_gemm(argv[++i], g)) { std::fprintf(stderr, "limits: bad --gemm %s\n", argv[i]); return 2; }
            gemms.push_back(g);
        } else {
            std::fprintf(stderr, "usage: limits [--quick] [--threads 1,2] [--gemm NAME:M:K:N:TA:TB]...\n");
            return 2;
        }
    }
    // The big square sgemm: the library's sustained rate, the compute floor of
    // convolution-heavy benchmarks.
    long sq = quick ? 512 : 2048;
    gemms.push_back({"square" + std::to_string(sq), sq, sq, sq, 'N', 'N'});

    size_t stream_n = quick ? (size_t(8) << 20) : (size_t(64) << 20);   // floats per array (32 MiB / 256 MiB)
    int stream_reps = quick ? 3 : 10;
    long fma_iters = quick ? 2000000 : 20000000;
    double gemm_budget = quick ? 0.05 : 0.5;

    std::printf("{\"isa\": \"%s\", \"quick\": %s, \"stream_floats\": %zu,\n", kIsa, quick ? "true" : "false", stream_n);
    std::printf(" \"threads\": {");
    for (size_t ti = 0; ti < thread_counts.size(); ++ti) {
        int t = thread_counts[ti];
        Bandwidth bw = stream(stream_n, t, stream_reps);
        double peak = fma_peak(t, fma_iters, quick ? 3 : 5);
        std::printf("%s\n  \"%d\": {\"copy_gbs\": %.2f, \"triad_gbs\": %.2f, \"fma_gflops\": %.1f, \"sgemm\": {",
                    ti ? "," : "", t, bw.copy_gbs, bw.triad_gbs, peak);
        for (size_t gi = 0; gi < gemms.size(); ++gi) {
            const Gemm& g = gemms[gi];
            GemmTime r = time_sgemm(g, t, gemm_budget);
            std::printf("%s\n    \"%s\": {\"m\": %ld, \"k\": %ld, \"n\": %ld, \"ta\": \"%c\", \"tb\": \"%c\", "
                        "\"median_us\": %.3f, \"min_us\": %.3f, \"gflops\": %.1f}",
                        gi ? "," : "", g.name.c_str(), g.m, g.k, g.n, g.ta, g.tb, r.median_us, r.min_us, r.gflops);
        }
        std::printf("}}");
        std::fflush(stdout);
    }
    size_t touch = quick ? (size_t(16) << 20) : (size_t(64) << 20);
    std::printf("},\n \"first_touch\": {\"bytes\": %zu, \"ms_4k_pages\": %.2f, \"ms_huge_pages\": %.2f}}\n", touch,
                first_touch_ms(touch, false), first_touch_ms(touch, true));
    return 0;
}
