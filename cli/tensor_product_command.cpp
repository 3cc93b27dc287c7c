// `equifuse tp`: runs problems of a problem set (bench/problems.json by default) on random inputs
// and prints the time per call and a checksum of every output, so a new user can try the engine
// at once. This is a quick look, not the benchmark (see bench/).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/option_value.hpp"
#include "kernels/common/error.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse::cli {
namespace {

struct Options {
  std::string problems = EQUIFUSE_DEFAULT_PROBLEMS;
  std::vector<std::string> names;  // empty: all
  std::size_t batch = 1024;
  std::vector<std::string> dtypes = {"float32", "float64"};
  std::vector<std::string> directions = {"forward", "backward", "double_backward"};
  int repeat = 3;
  unsigned seed = 1234;
  Backend backend = Backend::cpu;
};

const char* kUsage =
    "usage: equifuse tp [options]\n"
    "  --problems FILE     problem set (default: bench/problems.json of this source tree)\n"
    "  --name NAME         run only this problem (repeatable; default: every problem)\n"
    "  --batch N           batch size (default 1024)\n"
    "  --dtype D           float32, float64 or both (default both)\n"
    "  --direction D       forward, backward, double_backward or all (default all)\n"
    "  --repeat N          timed calls per measurement, after one warm-up (default 3)\n"
    "  --seed S            random seed of the inputs (default 1234)\n"
    "  --device D          cpu (default)\n"
    "  --list              list the problems and exit";

std::size_t parse_count(const std::string& flag, const std::string& value) {
  try {
    std::size_t used = 0;
    const long long n = std::stoll(value, &used);
    if (used != value.size() || n < 0) throw std::invalid_argument(value);
    return static_cast<std::size_t>(n);
  } catch (const std::exception&) {
    throw Error(flag + " expects a non-negative integer, got \"" + value + "\"");
  }
}

template <typename T>
std::vector<T> random_buffer(std::size_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(dist(rng));
  return v;
}

template <typename T>
double checksum(const std::vector<T>& v) {
  double s = 0;
  for (T e : v) s += static_cast<double>(e);
  return s;
}

template <typename F>
double median_seconds(int repeat, F&& call) {
  call();  // warm-up
  std::vector<double> times;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    call();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

template <typename T>
void run_problem(const NamedProblem& np, const Options& o, const char* dtype) {
  const TensorProductProblem& p = np.problem;
  const auto tp = make_tensor_product<T>(p, o.backend);
  const std::size_t b = o.batch;
  std::mt19937_64 rng(o.seed);
  const auto x = random_buffer<T>(p.in1_size(b), rng);
  const auto y = random_buffer<T>(p.in2_size(b), rng);
  const auto w = random_buffer<T>(p.weight_size(b), rng);
  const auto g = random_buffer<T>(p.out_size(b), rng);
  const auto ggx = random_buffer<T>(p.in1_size(b), rng);
  const auto ggy = random_buffer<T>(p.in2_size(b), rng);
  const auto ggw = random_buffer<T>(p.weight_size(b), rng);
  std::vector<T> out(p.out_size(b)), gx(x.size()), gy(y.size()), gw(w.size()), ggo(g.size());
  for (const std::string& direction : o.directions) {
    double seconds = 0, sum = 0;
    if (direction == "forward") {
      seconds = median_seconds(o.repeat, [&] { tp->forward(b, {x, y, w, out}); });
      sum = checksum(out);
    } else if (direction == "backward") {
      seconds = median_seconds(o.repeat, [&] { tp->backward(b, {x, y, w, g, gx, gy, gw}); });
      sum = checksum(gx) + checksum(gy) + checksum(gw);
    } else {
      seconds = median_seconds(o.repeat, [&] {
        tp->double_backward(b, {x, y, w, g, ggx, ggy, ggw, gx, gy, gw, ggo});
      });
      sum = checksum(gx) + checksum(gy) + checksum(gw) + checksum(ggo);
    }
    std::printf("%-16s %-8s %-16s %8zu %12.3f %22.12e\n", np.name.c_str(), dtype, direction.c_str(),
                b, seconds * 1e3, sum);
    std::fflush(stdout);
  }
}

}  // namespace

int tensor_product_command(const std::vector<std::string>& args) {
  Options o;
  bool list = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> const std::string& { return option_value(args, i); };
    if (a == "-h" || a == "--help") {
      std::puts(kUsage);
      return 0;
    } else if (a == "--problems") {
      o.problems = value();
    } else if (a == "--name") {
      o.names.push_back(value());
    } else if (a == "--batch") {
      o.batch = parse_count(a, value());
    } else if (a == "--repeat") {
      o.repeat = static_cast<int>(std::max<std::size_t>(1, parse_count(a, value())));
    } else if (a == "--seed") {
      o.seed = static_cast<unsigned>(parse_count(a, value()));
    } else if (a == "--device") {
      o.backend = parse_backend(value());
    } else if (a == "--dtype") {
      const std::string& d = value();
      if (d == "both")
        o.dtypes = {"float32", "float64"};
      else if (d == "float32" || d == "float64")
        o.dtypes = {d};
      else
        throw Error("--dtype expects float32, float64 or both, got \"" + d + "\"");
    } else if (a == "--direction") {
      const std::string& d = value();
      if (d == "all")
        o.directions = {"forward", "backward", "double_backward"};
      else if (d == "forward" || d == "backward" || d == "double_backward")
        o.directions = {d};
      else
        throw Error("--direction expects forward, backward, double_backward or all, got \"" + d +
                    "\"");
    } else if (a == "--list") {
      list = true;
    } else {
      throw Error("equifuse tp: unknown option \"" + a + "\"\n" + kUsage);
    }
  }

  if (o.backend != Backend::cpu) {
    throw Error(
        "equifuse tp times the CPU backend (--device cpu); the GPU kernels are timed by "
        "bench/run_gpu_suite.sh bench");
  }
  const ProblemSet set = load_problem_set(o.problems);
  std::vector<const NamedProblem*> selected;
  for (const std::string& name : o.names) {
    const auto it = std::find_if(set.problems.begin(), set.problems.end(),
                                 [&](const NamedProblem& p) { return p.name == name; });
    if (it == set.problems.end()) throw Error("no problem named \"" + name + "\" in " + o.problems);
    selected.push_back(&*it);
  }
  if (o.names.empty())
    for (const auto& p : set.problems) selected.push_back(&p);

  if (list) {
    for (const NamedProblem* np : selected)
      std::printf("%-16s %s\n", np->name.c_str(), np->problem.describe().c_str());
    return 0;
  }
  std::printf("%-16s %-8s %-16s %8s %12s %22s\n", "problem", "dtype", "direction", "batch",
              "ms/call", "checksum");
  for (const NamedProblem* np : selected) {
    for (const std::string& dtype : o.dtypes) {
      if (dtype == "float32")
        run_problem<float>(*np, o, "float32");
      else
        run_problem<double>(*np, o, "float64");
    }
  }
  return 0;
}

}  // namespace equifuse::cli
