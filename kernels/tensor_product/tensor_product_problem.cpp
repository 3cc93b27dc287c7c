#include "kernels/tensor_product/tensor_product_problem.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numeric>

#include "kernels/common/error.hpp"

namespace equifuse {

ConnectionMode parse_connection_mode(std::string_view name) {
  if (name == "uvw") return ConnectionMode::uvw;
  if (name == "uvu") return ConnectionMode::uvu;
  if (name == "uvv") return ConnectionMode::uvv;
  if (name == "uuw") return ConnectionMode::uuw;
  if (name == "uuu") return ConnectionMode::uuu;
  throw Error("unknown connection mode \"" + std::string(name) +
              "\" (supported: uvw, uvu, uvv, uuw, uuu)");
}

std::string to_string(ConnectionMode mode) {
  switch (mode) {
    case ConnectionMode::uvw:
      return "uvw";
    case ConnectionMode::uvu:
      return "uvu";
    case ConnectionMode::uvv:
      return "uvv";
    case ConnectionMode::uuw:
      return "uuw";
    case ConnectionMode::uuu:
      return "uuu";
  }
  return "?";
}

IrrepNormalization parse_irrep_normalization(std::string_view name) {
  if (name == "component") return IrrepNormalization::component;
  if (name == "norm") return IrrepNormalization::norm;
  if (name == "none") return IrrepNormalization::none;
  throw Error("unknown irrep_normalization \"" + std::string(name) +
              "\" (expected component, norm or none)");
}

PathNormalization parse_path_normalization(std::string_view name) {
  if (name == "element") return PathNormalization::element;
  if (name == "path") return PathNormalization::path;
  if (name == "none") return PathNormalization::none;
  throw Error("unknown path_normalization \"" + std::string(name) +
              "\" (expected element, path or none)");
}

std::string to_string(IrrepNormalization n) {
  return n == IrrepNormalization::component ? "component"
         : n == IrrepNormalization::norm    ? "norm"
                                            : "none";
}

std::string to_string(PathNormalization n) {
  return n == PathNormalization::element ? "element"
         : n == PathNormalization::path  ? "path"
                                         : "none";
}

namespace {

std::vector<double> variances_or_ones(const std::vector<double>& given, std::size_t n,
                                      const char* name) {
  if (given.empty()) return std::vector<double>(n, 1.0);
  if (given.size() != n) {
    throw Error(std::string(name) + " has " + std::to_string(given.size()) +
                " entries but the irreps have " + std::to_string(n) + " blocks");
  }
  return given;
}

// e3nn's path_shape for each mode.
std::vector<int> path_shape(ConnectionMode mode, int mul1, int mul2, int mul_out) {
  switch (mode) {
    case ConnectionMode::uvw:
      return {mul1, mul2, mul_out};
    case ConnectionMode::uvu:
    case ConnectionMode::uvv:
      return {mul1, mul2};
    case ConnectionMode::uuw:
      return {mul1, mul_out};
    case ConnectionMode::uuu:
      return {mul1};
  }
  return {};
}

// Number of (u, v) pairs summed into one output element: e3nn's num_elements (a double: the
// product of two multiplicities need not fit an int).
double num_elements(ConnectionMode mode, int mul1, int mul2) {
  switch (mode) {
    case ConnectionMode::uvw:
      return static_cast<double>(mul1) * mul2;
    case ConnectionMode::uvu:
      return mul2;
    case ConnectionMode::uvv:
    case ConnectionMode::uuw:
      return mul1;
    case ConnectionMode::uuu:
      return 1;
  }
  return 0;
}

}  // namespace

TensorProductProblem::TensorProductProblem(Irreps irreps_in1, Irreps irreps_in2, Irreps irreps_out,
                                           const std::vector<InstructionSpec>& specs,
                                           TensorProductOptions options)
    : in1_(std::move(irreps_in1)),
      in2_(std::move(irreps_in2)),
      out_(std::move(irreps_out)),
      options_(std::move(options)) {
  const auto in1_var = variances_or_ones(options_.in1_var, in1_.size(), "in1_var");
  const auto in2_var = variances_or_ones(options_.in2_var, in2_.size(), "in2_var");
  const auto out_var = variances_or_ones(options_.out_var, out_.size(), "out_var");

  for (std::size_t n = 0; n < specs.size(); ++n) {
    const InstructionSpec& s = specs[n];
    const std::string where = "instruction " + std::to_string(n) + " (" + std::to_string(s.i_in1) +
                              ", " + std::to_string(s.i_in2) + ", " + std::to_string(s.i_out) +
                              ", " + to_string(s.mode) + ")";
    const auto check_index = [&](int i, const Irreps& irreps, const char* name) {
      if (i < 0 || static_cast<std::size_t>(i) >= irreps.size()) {
        throw Error(where + ": " + name + " index " + std::to_string(i) + " is out of range (" +
                    name + " = \"" + irreps.to_string() + "\" has " +
                    std::to_string(irreps.size()) + " blocks)");
      }
    };
    check_index(s.i_in1, in1_, "irreps_in1");
    check_index(s.i_in2, in2_, "irreps_in2");
    check_index(s.i_out, out_, "irreps_out");
    const MulIrrep& a = in1_[s.i_in1];
    const MulIrrep& b = in2_[s.i_in2];
    const MulIrrep& c = out_[s.i_out];
    const std::string path =
        a.ir.to_string() + " x " + b.ir.to_string() + " -> " + c.ir.to_string();
    if (a.ir.p * b.ir.p != c.ir.p) {
      throw Error(where + ": path " + path + " breaks parity (the product has parity " +
                  (a.ir.p * b.ir.p == 1 ? "e" : "o") + ")");
    }
    if (c.ir.l < std::abs(a.ir.l - b.ir.l) || c.ir.l > a.ir.l + b.ir.l) {
      throw Error(where + ": path " + path + " is forbidden: l_out must lie in [" +
                  std::to_string(std::abs(a.ir.l - b.ir.l)) + ", " +
                  std::to_string(a.ir.l + b.ir.l) + "]");
    }
    const auto require = [&](bool ok, const std::string& rule) {
      if (!ok) throw Error(where + ": mode " + to_string(s.mode) + " needs " + rule);
    };
    const std::string muls = " (multiplicities in1 " + std::to_string(a.mul) + ", in2 " +
                             std::to_string(b.mul) + ", out " + std::to_string(c.mul) + ")";
    switch (s.mode) {
      case ConnectionMode::uvw:
        require(s.has_weight, "has_weight = true");
        break;
      case ConnectionMode::uvu:
        require(a.mul == c.mul, "mul(in1) == mul(out)" + muls);
        break;
      case ConnectionMode::uvv:
        require(b.mul == c.mul, "mul(in2) == mul(out)" + muls);
        break;
      case ConnectionMode::uuw:
        require(a.mul == b.mul, "mul(in1) == mul(in2)" + muls);
        require(s.has_weight || c.mul == 1, "mul(out) == 1 when it has no weights" + muls);
        break;
      case ConnectionMode::uuu:
        require(a.mul == b.mul && b.mul == c.mul, "mul(in1) == mul(in2) == mul(out)" + muls);
        break;
    }
    if (!std::isfinite(s.path_weight)) throw Error(where + ": path_weight must be finite");

    Instruction ins{s.i_in1,
                    s.i_in2,
                    s.i_out,
                    s.mode,
                    s.has_weight,
                    s.path_weight,
                    0.0,
                    path_shape(s.mode, a.mul, b.mul, c.mul),
                    -1,
                    0,
                    &wigner_3j(a.ir.l, b.ir.l, c.ir.l)};
    if (ins.has_weight) {
      // Weight counts and offsets are ints: counted in 64 bits, refused when they do not fit.
      const std::int64_t numel = std::accumulate(ins.path_shape.begin(), ins.path_shape.end(),
                                                 std::int64_t{1}, std::multiplies<std::int64_t>());
      if (numel + weight_numel_ > std::numeric_limits<int>::max()) {
        throw Error(where + ": the problem would have more than " +
                    std::to_string(std::numeric_limits<int>::max()) +
                    " weights; use smaller multiplicities");
      }
      ins.weight_offset = weight_numel_;
      ins.weight_numel = static_cast<int>(numel);
      weight_numel_ += ins.weight_numel;
    }
    instructions_.push_back(std::move(ins));
  }

  // e3nn's normalisation: alpha = irrep factor / (path or element fan-in) * out_var * path_weight.
  for (Instruction& ins : instructions_) {
    const MulIrrep& a = in1_[ins.i_in1];
    const MulIrrep& b = in2_[ins.i_in2];
    const MulIrrep& c = out_[ins.i_out];
    double alpha = 1.0;
    if (options_.irrep_normalization == IrrepNormalization::component) alpha = c.ir.dim();
    if (options_.irrep_normalization == IrrepNormalization::norm) alpha = a.ir.dim() * b.ir.dim();
    double fan_in = 1.0;
    if (options_.path_normalization == PathNormalization::element) {
      fan_in = 0.0;
      for (const Instruction& other : instructions_) {
        if (other.i_out != ins.i_out) continue;
        fan_in += in1_var[other.i_in1] * in2_var[other.i_in2] *
                  num_elements(other.mode, in1_[other.i_in1].mul, in2_[other.i_in2].mul);
      }
    } else if (options_.path_normalization == PathNormalization::path) {
      int paths_into_output = 0;
      for (const Instruction& other : instructions_) paths_into_output += other.i_out == ins.i_out;
      fan_in = in1_var[ins.i_in1] * in2_var[ins.i_in2] * num_elements(ins.mode, a.mul, b.mul) *
               paths_into_output;
    }
    if (fan_in > 0.0) alpha /= fan_in;
    alpha *= out_var[ins.i_out] * ins.path_weight;
    ins.coefficient = std::sqrt(alpha);
  }
}

std::string TensorProductProblem::describe() const {
  long paths = 0;
  for (const Instruction& ins : instructions_) {
    paths +=
        std::accumulate(ins.path_shape.begin(), ins.path_shape.end(), 1L, std::multiplies<long>());
  }
  return "TensorProduct(" + in1_.simplify().to_string() + " x " + in2_.simplify().to_string() +
         " -> " + out_.simplify().to_string() + " | " + std::to_string(paths) + " paths | " +
         std::to_string(weight_numel_) + " weights)";
}

namespace {

// The builders enumerate every product irrep of two blocks (|l1 - l2| .. l1 + l2); degrees beyond
// the Clebsch-Gordan table's would fail later, after that enumeration of up to 2^31 irreps.
void check_degrees(const Irreps& irreps, const char* name) {
  if (!irreps.empty() && irreps.lmax() > kMaxCgDegree) {
    throw Error(std::string(name) + " \"" + irreps.to_string() + "\" has degree l = " +
                std::to_string(irreps.lmax()) + "; tensor products support l up to " +
                std::to_string(kMaxCgDegree) + ": use irreps of lower degree");
  }
}

}  // namespace

TensorProductProblem fully_connected_tensor_product(const Irreps& in1, const Irreps& in2,
                                                    const Irreps& out,
                                                    TensorProductOptions options) {
  check_degrees(in1, "in1");
  check_degrees(in2, "in2");
  std::vector<InstructionSpec> specs;
  for (std::size_t i1 = 0; i1 < in1.size(); ++i1) {
    for (std::size_t i2 = 0; i2 < in2.size(); ++i2) {
      const auto products = irrep_product(in1[i1].ir, in2[i2].ir);
      for (std::size_t io = 0; io < out.size(); ++io) {
        if (std::find(products.begin(), products.end(), out[io].ir) == products.end()) continue;
        specs.push_back({static_cast<int>(i1), static_cast<int>(i2), static_cast<int>(io),
                         ConnectionMode::uvw, true, 1.0});
      }
    }
  }
  return TensorProductProblem(in1, in2, out, specs, std::move(options));
}

TensorProductProblem channelwise_tensor_product(const Irreps& in1, const Irreps& in2,
                                                const Irreps& out_filter,
                                                TensorProductOptions options) {
  check_degrees(in1, "in1");
  check_degrees(in2, "in2");
  std::vector<MulIrrep> out_blocks;
  std::vector<InstructionSpec> specs;
  for (std::size_t i1 = 0; i1 < in1.size(); ++i1) {
    for (std::size_t i2 = 0; i2 < in2.size(); ++i2) {
      for (const Irrep& ir : irrep_product(in1[i1].ir, in2[i2].ir)) {
        if (!out_filter.contains(ir)) continue;
        specs.push_back({static_cast<int>(i1), static_cast<int>(i2),
                         static_cast<int>(out_blocks.size()), ConnectionMode::uvu, true, 1.0});
        out_blocks.push_back({in1[i1].mul, ir});
      }
    }
  }
  const Irreps::Sorted sorted = Irreps(std::move(out_blocks)).sort();
  for (InstructionSpec& s : specs) s.i_out = sorted.permutation[s.i_out];
  // MACE then orders the instructions by output block, which fixes the per-edge weight layout.
  std::stable_sort(
      specs.begin(), specs.end(),
      [](const InstructionSpec& a, const InstructionSpec& b) { return a.i_out < b.i_out; });
  return TensorProductProblem(in1, in2, sorted.irreps, specs, std::move(options));
}

}  // namespace equifuse
