// Times equifuse's GPU tensor products on every problem of a problem set: forward, backward and
// double backward, float32 and float64, median of CUDA-event-timed calls after warm-up. Prints one
// JSON object per measurement (for bench/run_gpu_benchmark.py) with the FLOP and byte counts of
// the model described in bench/README.md.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/tensor_product/problem_json.hpp"
#include "kernels/tensor_product/tensor_product.hpp"

using namespace equifuse;

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "CUDA error (%s): %s\n", what, cudaGetErrorString(e));
    std::exit(1);
  }
}

// Useful floating-point operations of one forward row: per channel path and CG nonzero, c*x*y
// accumulated (3 FLOPs), plus the weight multiply-add per path and output component.
double forward_flops_per_row(const TensorProductProblem& p) {
  double f = 0;
  for (const auto& ins : p.instructions()) {
    const int m1 = p.irreps_in1()[ins.i_in1].mul, m2 = p.irreps_in2()[ins.i_in2].mul;
    const int mo = p.irreps_out()[ins.i_out].mul, d3 = p.irreps_out()[ins.i_out].ir.dim();
    double paths = 0;
    switch (ins.mode) {
      case ConnectionMode::uvw:
        paths = double(m1) * m2 * mo;
        break;
      case ConnectionMode::uvu:
      case ConnectionMode::uvv:
        paths = double(m1) * m2;
        break;
      case ConnectionMode::uuw:
        paths = double(m1) * mo;
        break;
      case ConnectionMode::uuu:
        paths = m1;
        break;
    }
    f += paths * (3.0 * static_cast<double>(ins.cg->nonzeros.size()) + 2.0 * d3);
  }
  return f;
}

template <typename T>
struct Device {
  T* p = nullptr;
  std::size_t n = 0;
  Device(std::size_t count, std::mt19937_64& rng) : n(count) {
    // Uniform in [-1, 1) from xorshift64: random, never zero-filled, and fast enough for the
    // gigabytes of a batch of 50k (a normal distribution on the host took minutes).
    std::vector<T> h(n);
    std::uint64_t state = rng() | 1;
    for (auto& e : h) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      e = static_cast<T>(static_cast<double>(state >> 11) * 0x1.0p-52 - 1.0);
    }
    if (n) {
      check(cudaMalloc(reinterpret_cast<void**>(&p), n * sizeof(T)), "malloc");
      check(cudaMemcpy(p, h.data(), n * sizeof(T), cudaMemcpyHostToDevice), "copy");
    }
  }
  ~Device() { cudaFree(p); }
  std::span<T> s() { return {p, n}; }
  std::span<const T> c() const { return {p, n}; }
};

template <typename F>
double median_ms(int repeat, F&& call) {
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  for (int i = 0; i < 2; ++i) call();
  check(cudaDeviceSynchronize(), "warm-up");
  std::vector<float> t;
  for (int i = 0; i < repeat; ++i) {
    cudaEventRecord(a);
    call();
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    t.push_back(ms);
  }
  check(cudaGetLastError(), "kernels");
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <typename T>
void run(const NamedProblem& np, std::size_t batch, int repeat,
         const std::vector<std::string>& directions) {
  const auto& p = np.problem;
  const auto tp = make_tensor_product<T>(p, Backend::cuda);
  std::mt19937_64 rng(1);
  Device<T> x(p.in1_size(batch), rng), y(p.in2_size(batch), rng), w(p.weight_size(batch), rng),
      g(p.out_size(batch), rng), ggx(p.in1_size(batch), rng), ggy(p.in2_size(batch), rng),
      ggw(p.weight_size(batch), rng), out(p.out_size(batch), rng), gx(p.in1_size(batch), rng),
      gy(p.in2_size(batch), rng), gw(p.weight_size(batch), rng), gg(p.out_size(batch), rng);
  const double F = forward_flops_per_row(p) * static_cast<double>(batch);
  const double s = sizeof(T);
  const auto bytes_of = [&](std::size_t n) { return s * static_cast<double>(n); };
  const double in1 = bytes_of(x.n), in2 = bytes_of(y.n), wb = bytes_of(w.n), o = bytes_of(out.n);
  for (const auto& d : directions) {
    double ms = 0, flops = 0, bytes = 0;
    if (d == "forward") {
      ms = median_ms(repeat, [&] { tp->forward(batch, {x.c(), y.c(), w.c(), out.s()}); });
      flops = F;
      bytes = in1 + in2 + wb + o;
    } else if (d == "backward") {
      ms = median_ms(repeat, [&] {
        tp->backward(batch, {x.c(), y.c(), w.c(), g.c(), gx.s(), gy.s(), gw.s()});
      });
      flops = 3 * F;
      bytes = 2 * (in1 + in2 + wb) + o;
    } else {
      ms = median_ms(repeat, [&] {
        tp->double_backward(batch, {x.c(), y.c(), w.c(), g.c(), ggx.c(), ggy.c(), ggw.c(), gx.s(),
                                    gy.s(), gw.s(), gg.s()});
      });
      flops = 8 * F;
      bytes = 3 * (in1 + in2 + wb) + 2 * o;
    }
    nlohmann::json j = {{"problem", np.name}, {"dtype", sizeof(T) == 8 ? "float64" : "float32"},
                        {"direction", d},     {"batch", batch},
                        {"ms", ms},           {"flops", flops},
                        {"bytes", bytes}};
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string problems = EQUIFUSE_SOURCE_DIR "/bench/problems.json";
  std::vector<std::string> names, skip, dtypes = {"float32", "float64"};
  std::vector<std::string> directions = {"forward", "backward", "double_backward"};
  std::size_t batch = 0;
  int repeat = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const std::string v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--problems")
      problems = v, ++i;
    else if (a == "--name")
      names.push_back(v), ++i;
    else if (a == "--skip")
      skip.push_back(v), ++i;
    else if (a == "--batch")
      batch = std::stoul(v), ++i;
    else if (a == "--repeat")
      repeat = std::stoi(v), ++i;
    else if (a == "--dtype")
      dtypes = {v}, ++i;
    else if (a == "--direction")
      directions = {v}, ++i;
    else {
      std::fprintf(stderr,
                   "usage: %s [--problems F] [--name N]... [--skip N]... [--batch B] [--repeat R] "
                   "[--dtype D] [--direction D]\n",
                   argv[0]);
      return 2;
    }
  }
  const ProblemSet set = load_problem_set(problems);
  if (batch == 0) batch = set.batch;
  for (const auto& np : set.problems) {
    if (!names.empty() && std::find(names.begin(), names.end(), np.name) == names.end()) continue;
    if (std::find(skip.begin(), skip.end(), np.name) != skip.end()) continue;
    for (const auto& dt : dtypes) {
      if (dt == "float32")
        run<float>(np, batch, repeat, directions);
      else
        run<double>(np, batch, repeat, directions);
    }
  }
}
