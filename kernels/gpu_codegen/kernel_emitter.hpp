// Internal to kernels/gpu_codegen: the emitter behind the tensor-product and graph-convolution
// generators. It writes kernels as sequences of "phases" (one output buffer each, see Phase), over
// rows that are batch rows (tensor product), edges or nodes (convolution, RowMap).
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/gpu_codegen/embedded_codegen_sources.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"

namespace equifuse::gpu_codegen_detail {

// The buffer whose rows the lanes of a phase own.
enum class Target { out, x, y, weight };

// What a phase computes (see the header of tensor_product.hpp for the mathematics).
enum class Phase {
  forward,       // out
  grad_x,        // backward: d<g, out>/dx
  grad_y,        //           d<g, out>/dy
  grad_weights,  //           d<g, out>/dW
  dd_x,          // double backward: dL/dx, L = <ggx, grad_x> + <ggy, grad_y> + <ggW, grad_W>
  dd_y,          //                  dL/dy
  dd_weights,    //                  dL/dW
  dd_grad_out,   //                  dL/dg
};

inline Target target_of(Phase p) {
  switch (p) {
    case Phase::forward:
    case Phase::dd_grad_out:
      return Target::out;
    case Phase::grad_x:
    case Phase::dd_x:
      return Target::x;
    case Phase::grad_y:
    case Phase::dd_y:
      return Target::y;
    default:
      return Target::weight;
  }
}

// The channel triple (u, v, o) and weight index of the paths one lane visits: `lane` is the
// channel it owns (or the weight element, for Target::weight) and `loops` the channels it sums.
struct ChannelPaths {
  std::vector<std::pair<std::string, int>> loops;
  std::string u, v, o, weight_index;
};

inline ChannelPaths channel_paths(ConnectionMode mode, Target t, int m1, int m2, int mo) {
  const std::string M2 = std::to_string(m2), MO = std::to_string(mo);
  switch (t) {
    case Target::out:  // lane c = output channel
      switch (mode) {
        case ConnectionMode::uvw:
          return {{{"u", m1}, {"v", m2}}, "u", "v", "c", "(u*" + M2 + "+v)*" + MO + "+c"};
        case ConnectionMode::uvu:
          return {{{"v", m2}}, "c", "v", "c", "c*" + M2 + "+v"};
        case ConnectionMode::uvv:
          return {{{"u", m1}}, "u", "c", "c", "u*" + M2 + "+c"};
        case ConnectionMode::uuw:
          return {{{"u", m1}}, "u", "u", "c", "u*" + MO + "+c"};
        case ConnectionMode::uuu:
          return {{}, "c", "c", "c", "c"};
      }
      break;
    case Target::x:  // lane c = u
      switch (mode) {
        case ConnectionMode::uvw:
          return {{{"v", m2}, {"w", mo}}, "c", "v", "w", "(c*" + M2 + "+v)*" + MO + "+w"};
        case ConnectionMode::uvu:
          return {{{"v", m2}}, "c", "v", "c", "c*" + M2 + "+v"};
        case ConnectionMode::uvv:
          return {{{"v", m2}}, "c", "v", "v", "c*" + M2 + "+v"};
        case ConnectionMode::uuw:
          return {{{"w", mo}}, "c", "c", "w", "c*" + MO + "+w"};
        case ConnectionMode::uuu:
          return {{}, "c", "c", "c", "c"};
      }
      break;
    case Target::y:  // lane c = v
      switch (mode) {
        case ConnectionMode::uvw:
          return {{{"u", m1}, {"w", mo}}, "u", "c", "w", "(u*" + M2 + "+c)*" + MO + "+w"};
        case ConnectionMode::uvu:
          return {{{"u", m1}}, "u", "c", "u", "u*" + M2 + "+c"};
        case ConnectionMode::uvv:
          return {{{"u", m1}}, "u", "c", "c", "u*" + M2 + "+c"};
        case ConnectionMode::uuw:
          return {{{"w", mo}}, "c", "c", "w", "c*" + MO + "+w"};
        case ConnectionMode::uuu:
          return {{}, "c", "c", "c", "c"};
      }
      break;
    case Target::weight:  // lane p = weight element of the instruction
      switch (mode) {
        case ConnectionMode::uvw:
          return {{},
                  "(p/" + std::to_string(m2 * mo) + ")",
                  "((p/" + MO + ")%" + M2 + ")",
                  "(p%" + MO + ")",
                  "p"};
        case ConnectionMode::uvu:
          return {{}, "(p/" + M2 + ")", "(p%" + M2 + ")", "(p/" + M2 + ")", "p"};
        case ConnectionMode::uvv:
          return {{}, "(p/" + M2 + ")", "(p%" + M2 + ")", "(p%" + M2 + ")", "p"};
        case ConnectionMode::uuw:
          return {{}, "(p/" + MO + ")", "(p/" + MO + ")", "(p%" + MO + ")", "p"};
        case ConnectionMode::uuu:
          return {{}, "p", "p", "p", "p"};
      }
      break;
  }
  return {};
}

// "x3" and the like. (Built by append: GCC 12 warns falsely on "literal" + std::string.)
inline std::string indexed(const char* prefix, int index) {
  std::string s(prefix);
  s += std::to_string(index);
  return s;
}

// Buffer parameters of each direction's kernels (after the leading row parameters): macros of
// generated_kernel_prelude.cuh.
inline constexpr const char* kForwardParams = "FORWARD_BUFFERS";
inline constexpr const char* kBackwardParams = "BACKWARD_BUFFERS";
inline constexpr const char* kDoubleBackwardParams = "DOUBLE_BACKWARD_BUFFERS";
inline constexpr const char* kBackwardWeightsParams = "BACKWARD_WEIGHTS_BUFFERS";
inline constexpr const char* kDoubleBackwardWeightsParams = "DOUBLE_BACKWARD_WEIGHTS_BUFFERS";

// The rows a kernel's loop visits and how each buffer's row is found from them.
enum class RowMap {
  batch,      // tensor product: row z of every buffer
  edges,      // convolution, z = edge: x-side node rows at SRC[z], out-side node rows at DST[z]
  receivers,  // convolution, z = node: sums over the edges EDGES[OFFS[z]..OFFS[z+1]) into row z
  senders,    // (the same, with the graph's by-sender grouping)
};

// The building blocks of the generated kernels: one instance emits one source file.
class KernelEmitter {
 public:
  KernelEmitter(const TensorProductProblem& p, GpuDtype dtype, GpuDialect dialect, int warp,
                int threads_per_block)
      : p_(p),
        double_(dtype == GpuDtype::float64),
        dialect_(dialect),
        warp_(warp),
        threads_per_block_(threads_per_block) {}

  std::string source() const { return out_.str(); }

  // The scalar type, the warp size and the fixed prelude (generated_kernel_prelude.cuh) every
  // kernel uses; `title` is the first comment line.
  void preamble(const std::string& title) {
    line("// " + title + ", version " + std::to_string(kGeneratorVersion) + ".");
    line("// " + p_.describe() +
         (p_.shared_weights() ? ", shared weights" : ", per-sample weights") +
         (double_ ? ", float64" : ", float32"));
    if (dialect_ == GpuDialect::hip) line("#include <hip/hip_runtime.h>");
    line(std::string("typedef ") + (double_ ? "double" : "float") + " T;");
    line("#define LANES " + std::to_string(warp_));
    out_ << embedded_codegen_sources().front().contents;
    line("");
  }

  // Row organisation of the kernels emitted next, and the parameters that precede each kernel's
  // buffers (BATCH_ROWS for the tensor product, GRAPH_ROWS for convolutions).
  void set_rows(RowMap rows, std::string leading_params) {
    rows_ = rows;
    leading_params_ = std::move(leading_params);
  }

 private:
  const TensorProductProblem& p_;
  bool double_;
  GpuDialect dialect_;
  int warp_;
  int threads_per_block_;  // the launch configuration the kernels are declared for
  std::ostringstream out_;
  int indent_ = 0;
  std::string acc_prefix_ = "acc";  // accumulator names path_body writes: acc0, acc1, ...
  RowMap rows_ = RowMap::batch;
  std::string leading_params_ = "BATCH_ROWS";
  std::vector<std::string> segment_inputs_;  // row pointers declared per edge in segment kernels

 public:
  void line(const std::string& s) { out_ << std::string(2 * indent_, ' ') << s << "\n"; }
  void open(const std::string& s) {
    line(s.empty() ? "{" : s + " {");
    ++indent_;
  }
  void close(const std::string& suffix = "") {
    --indent_;
    line("}" + suffix);
  }

  std::string literal(double v) const {
    char buf[64];
    std::snprintf(buf, sizeof buf, double_ ? "%.17e" : "%.9ef", v);
    return buf;
  }

  // Measured on an H100 (bench/results/2026-11-24-h100-generator-v3): splitting pays above about
  // 300 CG nonzeros in the problem, counting float64 values twice (two registers each).
  bool split_phases() const {
    std::size_t nonzeros = 0;
    for (const Instruction& ins : p_.instructions()) nonzeros += ins.cg->nonzeros.size();
    return nonzeros * (double_ ? 2 : 1) > 300;
  }

  // The channel pass (backward and double backward of channel-wise problems: every instruction
  // uvu, every in2 block of multiplicity 1, as in MACE's and NequIP's convolutions): one lane owns
  // channel u of every block at once and visits each instruction once, so each row's grad_out,
  // weights and inputs are read once and every phase is computed from the same loads. The
  // per-phase organisation re-read grad_out once per phase, and rows too large to stay in L2
  // between phases came back from DRAM (ncu, mace-large backward: 2.3x the minimal DRAM bytes).
  // Limited by the registers the accumulators take (all of in1's and in2's components).
  bool channel_pass() const {
    for (const Instruction& ins : p_.instructions())
      if (usable(ins) && ins.mode != ConnectionMode::uvu) return false;
    for (const MulIrrep& m : p_.irreps_in2())
      if (m.mul != 1) return false;
    std::vector<int> feeding(p_.irreps_out().size(), 0);
    for (const Instruction& ins : p_.instructions())
      if (usable(ins) && ++feeding[ins.i_out] > 1) return false;  // dg is written per instruction
    int accumulators = p_.irreps_in2().dim();
    for (const MulIrrep& m : p_.irreps_in1()) accumulators += m.ir.dim();
    return accumulators * (double_ ? 2 : 1) <= 64;
  }

  bool usable(const Instruction& ins) const {
    return p_.irreps_in1()[ins.i_in1].dim() > 0 && p_.irreps_in2()[ins.i_in2].dim() > 0 &&
           p_.irreps_out()[ins.i_out].dim() > 0;
  }

  // The row index of buffer `name` when the current edge is `edge` (RowMap::batch: row z).
  std::string row_index(const std::string& name, const std::string& edge) const {
    if (rows_ == RowMap::batch) return "z";
    static const std::set<std::string> sender_side = {"x", "ggx", "gx", "dx"};
    static const std::set<std::string> receiver_side = {"g", "out", "dg"};
    if (sender_side.count(name)) return "(long)SRC[" + edge + "]";
    if (receiver_side.count(name)) return "(long)DST[" + edge + "]";
    return edge;
  }

  static bool written(const std::string& n) {
    return n == "out" || n == "gx" || n == "gy" || n == "gw" || n == "dx" || n == "dy" ||
           n == "dw" || n == "dg";
  }

  // Row pointers of a kernel body: the current row of every buffer a phase may touch. `edge` is
  // the variable holding the current edge (convolutions); `node_rows` puts these at row z.
  void row_pointers(const std::vector<std::string>& names, const std::string& edge = "z",
                    bool node_rows = false) {
    const long d1 = p_.irreps_in1().dim(), d2 = p_.irreps_in2().dim(), d3 = p_.irreps_out().dim();
    const long wn = p_.shared_weights() ? 0 : p_.weight_numel();
    const std::map<std::string, std::pair<std::string, long>> rows = {
        {"x", {"X", d1}},     {"y", {"Y", d2}},     {"wrow", {"W", wn}},     {"g", {"G", d3}},
        {"ggx", {"GGX", d1}}, {"ggy", {"GGY", d2}}, {"ggwrow", {"GGW", wn}}, {"out", {"OUT", d3}},
        {"gx", {"GX", d1}},   {"gy", {"GY", d2}},   {"gw", {"GW", wn}},      {"dx", {"DX", d1}},
        {"dy", {"DY", d2}},   {"dw", {"DW", wn}},   {"dg", {"DG", d3}}};
    for (const auto& n : names) {
      const auto& [buffer, stride] = rows.at(n);
      line(std::string(written(n) ? "T* " : "const T* ") + n + " = " + buffer + " + " +
           (node_rows ? std::string("z") : row_index(n, edge)) + " * " + std::to_string(stride) +
           "L;");
    }
  }

  // The registers a phase reads, per path: name prefix, buffer, irreps side.
  struct Operand {
    const char* reg;
    const char* buffer;
    char side;  // '1' (in1), '2' (in2), 'o' (out)
  };
  std::vector<Operand> operands(Phase phase, bool weighted) const {
    switch (phase) {
      case Phase::forward:
        return {{"x", "x", '1'}, {"y", "y", '2'}};
      case Phase::grad_x:
        return {{"y", "y", '2'}, {"g", "g", 'o'}};
      case Phase::grad_y:
        return {{"x", "x", '1'}, {"g", "g", 'o'}};
      case Phase::grad_weights:
        return {{"x", "x", '1'}, {"y", "y", '2'}, {"g", "g", 'o'}};
      case Phase::dd_x:
        return weighted ? std::vector<Operand>{{"b", "ggy", '2'}, {"g", "g", 'o'}, {"y", "y", '2'}}
                        : std::vector<Operand>{{"b", "ggy", '2'}, {"g", "g", 'o'}};
      case Phase::dd_y:
        return weighted ? std::vector<Operand>{{"a", "ggx", '1'}, {"g", "g", 'o'}, {"x", "x", '1'}}
                        : std::vector<Operand>{{"a", "ggx", '1'}, {"g", "g", 'o'}};
      case Phase::dd_weights:
        return {{"x", "x", '1'},
                {"y", "y", '2'},
                {"a", "ggx", '1'},
                {"b", "ggy", '2'},
                {"g", "g", 'o'}};
      case Phase::dd_grad_out:
        return {{"x", "x", '1'}, {"y", "y", '2'}, {"a", "ggx", '1'}, {"b", "ggy", '2'}};
    }
    return {};
  }

  // Sum of coefficient * product terms, e.g. "c*x0*y1 + c*x2*y0".
  template <typename TermFn>
  std::string sum_of(const std::vector<CgNonzero>& nz, double coefficient, TermFn term) const {
    std::string s;
    for (const auto& n : nz) {
      if (!s.empty()) s += " + ";
      s += literal(coefficient * n.value) + "*" + term(n);
    }
    return s;
  }

  // One path (u, v, o) of one instruction: load its registers, accumulate into acc*.
  void path_body(Phase phase, const Instruction& ins, const ChannelPaths& cp) {
    const MulIrrep& a = p_.irreps_in1()[ins.i_in1];
    const MulIrrep& b = p_.irreps_in2()[ins.i_in2];
    const MulIrrep& c = p_.irreps_out()[ins.i_out];
    const auto& nonzeros = ins.cg->nonzeros;
    const bool weighted = ins.has_weight;
    const std::string woff = std::to_string(ins.weight_offset) + "+" + cp.weight_index;
    // Weight registers.
    const bool needs_w = weighted && phase != Phase::grad_weights && phase != Phase::dd_weights;
    const bool needs_ggw =
        weighted && (phase == Phase::dd_x || phase == Phase::dd_y || phase == Phase::dd_grad_out);
    if (needs_w) line("const T wt = wrow[" + woff + "];");
    if (needs_ggw) line("const T ggwt = ggwrow[" + woff + "];");
    // Operand registers, only the components some nonzero touches.
    for (const Operand& op : operands(phase, weighted)) {
      std::set<int> used;
      for (const auto& n : nonzeros) used.insert(op.side == '1' ? n.i : op.side == '2' ? n.j : n.k);
      const MulIrrep& m = op.side == '1' ? a : op.side == '2' ? b : c;
      const int offset = op.side == '1'   ? p_.irreps_in1().offset(ins.i_in1)
                         : op.side == '2' ? p_.irreps_in2().offset(ins.i_in2)
                                          : p_.irreps_out().offset(ins.i_out);
      const std::string channel = op.side == '1' ? cp.u : op.side == '2' ? cp.v : cp.o;
      for (int e : used) {
        line("const T " + std::string(op.reg) + std::to_string(e) + " = " + op.buffer + "[" +
             std::to_string(offset) + "+" + channel + "*" + std::to_string(m.ir.dim()) + "+" +
             std::to_string(e) + "];");
      }
    }
    const double coef = ins.coefficient;
    const std::string W = needs_w ? "wt*" : "";
    // Group the nonzeros by the accumulator they feed.
    const auto group_by = [&](auto key) {
      std::map<int, std::vector<CgNonzero>> groups;
      for (const auto& n : nonzeros) groups[key(n)].push_back(n);
      return groups;
    };
    const auto xi = [](const CgNonzero& n) { return indexed("x", n.i); };
    const auto yj = [](const CgNonzero& n) { return indexed("y", n.j); };
    const auto gk = [](const CgNonzero& n) { return indexed("g", n.k); };
    const auto ai = [](const CgNonzero& n) { return indexed("a", n.i); };
    const auto bj = [](const CgNonzero& n) { return indexed("b", n.j); };
    const auto acc = [&](int e) { return indexed(acc_prefix_.c_str(), e); };
    switch (phase) {
      case Phase::forward:
        for (const auto& [k, g] : group_by([](auto& n) { return n.k; }))
          line(acc(k) + " += " + W + "(" +
               sum_of(g, coef, [&](auto& n) { return xi(n) + "*" + yj(n); }) + ");");
        break;
      case Phase::grad_x:
        for (const auto& [i, g] : group_by([](auto& n) { return n.i; }))
          line(acc(i) + " += " + W + "(" +
               sum_of(g, coef, [&](auto& n) { return yj(n) + "*" + gk(n); }) + ");");
        break;
      case Phase::grad_y:
        for (const auto& [j, g] : group_by([](auto& n) { return n.j; }))
          line(acc(j) + " += " + W + "(" +
               sum_of(g, coef, [&](auto& n) { return xi(n) + "*" + gk(n); }) + ");");
        break;
      case Phase::grad_weights:
        line(acc(0) + " += " +
             sum_of(nonzeros, coef, [&](auto& n) { return xi(n) + "*" + yj(n) + "*" + gk(n); }) +
             ";");
        break;
      case Phase::dd_x:
        for (const auto& [i, g] : group_by([](auto& n) { return n.i; })) {
          std::string s =
              W + "(" + sum_of(g, coef, [&](auto& n) { return gk(n) + "*" + bj(n); }) + ")";
          if (weighted)
            s += " + ggwt*(" + sum_of(g, coef, [&](auto& n) { return gk(n) + "*" + yj(n); }) + ")";
          line(acc(i) + " += " + s + ";");
        }
        break;
      case Phase::dd_y:
        for (const auto& [j, g] : group_by([](auto& n) { return n.j; })) {
          std::string s =
              W + "(" + sum_of(g, coef, [&](auto& n) { return gk(n) + "*" + ai(n); }) + ")";
          if (weighted)
            s += " + ggwt*(" + sum_of(g, coef, [&](auto& n) { return gk(n) + "*" + xi(n); }) + ")";
          line(acc(j) + " += " + s + ";");
        }
        break;
      case Phase::dd_weights:
        line(acc(0) + " += " +
             sum_of(nonzeros, coef,
                    [&](auto& n) {
                      return gk(n) + "*(" + ai(n) + "*" + yj(n) + " + " + bj(n) + "*" + xi(n) + ")";
                    }) +
             ";");
        break;
      case Phase::dd_grad_out:
        for (const auto& [k, g] : group_by([](auto& n) { return n.k; })) {
          std::string s = W + "(" +
                          sum_of(g, coef,
                                 [&](auto& n) {
                                   return std::string("(") + ai(n) + "*" + yj(n) + " + " + bj(n) +
                                          "*" + xi(n) + ")";
                                 }) +
                          ")";
          if (weighted)
            s += " + ggwt*(" + sum_of(g, coef, [&](auto& n) { return xi(n) + "*" + yj(n); }) + ")";
          line(acc(k) + " += " + s + ";");
        }
        break;
    }
  }

  // Channel loops of one instruction around path_body. `split`: all lanes work on the same row of
  // the target and share its first summed loop (the caller reduces across the warp).
  void instruction_body(Phase phase, const Instruction& ins, bool split = false) {
    const MulIrrep& a = p_.irreps_in1()[ins.i_in1];
    const MulIrrep& b = p_.irreps_in2()[ins.i_in2];
    const MulIrrep& c = p_.irreps_out()[ins.i_out];
    const ChannelPaths cp = channel_paths(ins.mode, target_of(phase), a.mul, b.mul, c.mul);
    line("// instruction (" + std::to_string(ins.i_in1) + ", " + std::to_string(ins.i_in2) + ", " +
         std::to_string(ins.i_out) + ", " + to_string(ins.mode) + "): " + a.ir.to_string() + " x " +
         b.ir.to_string() + " -> " + c.ir.to_string());
    open("");
    for (std::size_t n = 0; n < cp.loops.size(); ++n) {
      const auto& [var, bound] = cp.loops[n];
      const bool strided = split && n == 0;
      open("for (int " + var + " = " + (strided ? "lane" : "0") + "; " + var + " < " +
           std::to_string(bound) + "; " + (strided ? var + " += LANES" : "++" + var) + ")");
    }
    const bool lane0_only = split && cp.loops.empty();  // nothing to share: one lane computes
    if (lane0_only) open("if (lane == 0)");
    path_body(phase, ins, cp);
    if (lane0_only) close();
    for (std::size_t n = 0; n < cp.loops.size(); ++n) close();
    close();
  }

  // One phase of a per-row kernel: every block of its target buffer, lanes over the block's rows.
  void phase_body(Phase phase) {
    const Target t = target_of(phase);
    const std::string dst = phase == Phase::forward        ? "out"
                            : phase == Phase::grad_x       ? "gx"
                            : phase == Phase::grad_y       ? "gy"
                            : phase == Phase::grad_weights ? "gw"
                            : phase == Phase::dd_x         ? "dx"
                            : phase == Phase::dd_y         ? "dy"
                            : phase == Phase::dd_weights   ? "dw"
                                                           : "dg";
    if (t == Target::weight) {
      for (const Instruction& ins : p_.instructions()) {
        if (!ins.has_weight || ins.weight_numel == 0) continue;
        open("for (int p = lane; p < " + std::to_string(ins.weight_numel) + "; p += LANES)");
        line("T acc0 = 0;");
        if (usable(ins)) instruction_body(phase, ins);
        line(dst + "[" + std::to_string(ins.weight_offset) + "+p] = acc0;");
        close();
      }
      return;
    }
    const Irreps& irreps = t == Target::out ? p_.irreps_out()
                           : t == Target::x ? p_.irreps_in1()
                                            : p_.irreps_in2();
    for (std::size_t blk = 0; blk < irreps.size(); ++blk) {
      const MulIrrep& m = irreps[blk];
      if (m.dim() == 0) continue;
      std::vector<const Instruction*> feeding;
      for (const Instruction& ins : p_.instructions()) {
        const int idx = t == Target::out ? ins.i_out : t == Target::x ? ins.i_in1 : ins.i_in2;
        if (idx == static_cast<int>(blk) && usable(ins)) feeding.push_back(&ins);
      }
      const int offset = irreps.offset(blk), d = m.ir.dim();
      line("// " + dst + " block " + std::to_string(blk) + ": " + std::to_string(m.mul) + "x" +
           m.ir.to_string());
      if (feeding.empty()) {
        if (atomic_target(t)) continue;  // cleared before the kernel; nothing adds to it
        open("for (int e = lane; e < " + std::to_string(m.dim()) + "; e += LANES)");
        line(dst + "[" + std::to_string(offset) + "+e] = 0;");
        close();
        continue;
      }
      // Blocks with few rows (the spherical harmonics of MACE and NequIP have multiplicity 1):
      // instead of one lane per row, the whole warp shares each row's sums and reduces them.
      const bool split = 2 * m.mul <= warp_;
      open(split ? "for (int c = 0; c < " + std::to_string(m.mul) + "; ++c)"
                 : "for (int c = lane; c < " + std::to_string(m.mul) + "; c += LANES)");
      std::string decl = "T";
      for (int e = 0; e < d; ++e)
        decl += std::string(e ? "," : "") + " acc" + std::to_string(e) + " = 0";
      line(decl + ";");
      const bool segment = rows_ == RowMap::receivers || rows_ == RowMap::senders;
      if (segment) {  // this node's edges, in the grouping's fixed order
        open("for (int q = OFFS[z]; q < OFFS[z + 1]; ++q)");
        line("const long e = EDGES[q];");
        row_pointers(segment_inputs_, "e");
      }
      for (const Instruction* ins : feeding) instruction_body(phase, *ins, split);
      if (segment) close();
      if (split) {
        open("for (int offset = LANES / 2; offset > 0; offset /= 2)");
        for (int e = 0; e < d; ++e)
          line(indexed("acc", e) + " += SHUFFLE_XOR(" + indexed("acc", e) + ", offset);");
        close();
        open("if (lane == 0)");
      }
      for (int e = 0; e < d; ++e) {
        const std::string target = dst + "[" + std::to_string(offset) + "+c*" + std::to_string(d) +
                                   "+" + std::to_string(e) + "]";
        line(atomic_target(t) ? "atomicAdd(&" + target + ", " + indexed("acc", e) + ");"
                              : target + " = " + indexed("acc", e) + ";");
      }
      if (split) close();
      close();
    }
  }

  // Edge kernels of a convolution add into node rows (out, x side) that other edges share.
  bool atomic_target(Target t) const {
    return rows_ == RowMap::edges && (t == Target::out || t == Target::x);
  }

  // Row pointers of every buffer the phases read or write. Segment kernels declare their targets
  // at node z here and their inputs per edge inside the edge loop (segment_inputs_).
  void phase_row_pointers(const std::vector<Phase>& phases) {
    std::set<std::string> buffers;
    for (Phase ph : phases) {
      switch (ph) {
        case Phase::forward:
          buffers.insert({"x", "y", "wrow", "out"});
          break;
        case Phase::grad_x:
          buffers.insert({"y", "wrow", "g", "gx"});
          break;
        case Phase::grad_y:
          buffers.insert({"x", "wrow", "g", "gy"});
          break;
        case Phase::grad_weights:
          buffers.insert({"x", "y", "g", "gw"});
          break;
        case Phase::dd_x:
          buffers.insert({"y", "wrow", "g", "ggy", "ggwrow", "dx"});
          break;
        case Phase::dd_y:
          buffers.insert({"x", "wrow", "g", "ggx", "ggwrow", "dy"});
          break;
        case Phase::dd_weights:
          buffers.insert({"x", "y", "g", "ggx", "ggy", "dw"});
          break;
        case Phase::dd_grad_out:
          buffers.insert({"x", "y", "wrow", "ggx", "ggy", "ggwrow", "dg"});
          break;
      }
    }
    if (p_.shared_weights()) {
      // Shared weights: the same vector for every row.
      if (buffers.erase("wrow")) line("const T* wrow = W;");
      if (buffers.erase("ggwrow")) line("const T* ggwrow = GGW;");
    }
    if (rows_ == RowMap::receivers || rows_ == RowMap::senders) {
      std::vector<std::string> targets;
      segment_inputs_.clear();
      for (const auto& n : buffers) (written(n) ? targets : segment_inputs_).push_back(n);
      row_pointers(targets, "z", true);
      return;
    }
    row_pointers(std::vector<std::string>(buffers.begin(), buffers.end()));
  }

  static std::string destination(Phase phase) {
    switch (phase) {
      case Phase::forward:
        return "out";
      case Phase::grad_x:
        return "gx";
      case Phase::grad_y:
        return "gy";
      case Phase::grad_weights:
        return "gw";
      case Phase::dd_x:
        return "dx";
      case Phase::dd_y:
        return "dy";
      case Phase::dd_weights:
        return "dw";
      case Phase::dd_grad_out:
        return "dg";
    }
    return "";
  }

  // The channel pass (see channel_pass()): lane c owns channel c of every in1 and out block; x
  // and out targets accumulate per channel, weight targets are written per instruction, and y
  // targets (in2 has multiplicity 1) are summed over the lane's channels, then over the warp.
  void channel_kernel(const std::string& name, const std::vector<Phase>& phases,
                      const std::string& params) {
    open("extern \"C\" __global__ void __launch_bounds__(" + std::to_string(threads_per_block_) +
         ") " + name + "(" + leading_params_ + ", " + params + ")");
    open("FOR_EACH_ROW_OF_A_WARP(z, batch)");
    phase_row_pointers(phases);
    const Irreps &in1 = p_.irreps_in1(), &in2 = p_.irreps_in2(), &out = p_.irreps_out();
    const auto prefix = [](const char* base, std::size_t block) {
      std::string s = indexed(base, static_cast<int>(block));
      s += "_";
      return s;
    };
    const auto declare = [&](const std::string& pre, int dim) {
      std::string decl = "T";
      for (int e = 0; e < dim; ++e)
        decl += std::string(e ? "," : "") + " " + indexed(pre.c_str(), e) + " = 0";
      line(decl + ";");
    };
    const auto has = [&](Target t) {
      for (Phase ph : phases)
        if (target_of(ph) == t) return ph;
      return Phase::forward;  // none
    };
    const Phase x_phase = has(Target::x), y_phase = has(Target::y), out_phase = has(Target::out),
                w_phase = has(Target::weight);
    const bool x_target = x_phase != Phase::forward, y_target = y_phase != Phase::forward;
    const bool out_target = out_phase != Phase::forward, w_target = w_phase != Phase::forward;
    if (y_target)
      for (std::size_t b = 0; b < in2.size(); ++b) declare(prefix("ya", b), in2[b].ir.dim());
    int channels = 0;
    for (const MulIrrep& m : in1) channels = std::max(channels, m.mul);
    open("for (int c = lane; c < " + std::to_string(channels) + "; c += LANES)");
    if (x_target)
      for (std::size_t b = 0; b < in1.size(); ++b) declare(prefix("xa", b), in1[b].ir.dim());
    const ChannelPaths cp{{}, "c", "0", "c", "c"};  // u = c, v = 0, o = c, weight c*1 + 0
    for (const Instruction& ins : p_.instructions()) {
      if (!usable(ins)) continue;
      const MulIrrep& a = in1[ins.i_in1];
      line("// instruction (" + std::to_string(ins.i_in1) + ", " + std::to_string(ins.i_in2) +
           ", " + std::to_string(ins.i_out) + ", uvu): " + a.ir.to_string() + " x " +
           in2[ins.i_in2].ir.to_string() + " -> " + out[ins.i_out].ir.to_string());
      open(a.mul < channels ? "if (c < " + std::to_string(a.mul) + ")" : "");
      for (Phase ph : phases) {
        open("");
        switch (target_of(ph)) {
          case Target::x:
            acc_prefix_ = prefix("xa", ins.i_in1);
            break;
          case Target::y:
            acc_prefix_ = prefix("ya", ins.i_in2);
            break;
          case Target::out:
            acc_prefix_ = "oa";
            declare(acc_prefix_, out[ins.i_out].ir.dim());
            break;
          case Target::weight:
            acc_prefix_ = "wa";
            declare(acc_prefix_, 1);
            break;
        }
        if (target_of(ph) == Target::weight && !ins.has_weight) {
          close();
          continue;
        }
        path_body(ph, ins, cp);
        if (target_of(ph) == Target::out) {
          const int d = out[ins.i_out].ir.dim(), offset = out.offset(ins.i_out);
          for (int e = 0; e < d; ++e)
            line(destination(ph) + "[" + std::to_string(offset) + "+c*" + std::to_string(d) + "+" +
                 std::to_string(e) + "] = " + indexed("oa", e) + ";");
        }
        if (target_of(ph) == Target::weight)
          line(destination(ph) + "[" + std::to_string(ins.weight_offset) + "+c] = wa0;");
        close();
      }
      close();
    }
    acc_prefix_ = "acc";
    if (x_target) {
      for (std::size_t b = 0; b < in1.size(); ++b) {
        const int d = in1[b].ir.dim(), offset = in1.offset(b);
        open(in1[b].mul < channels ? "if (c < " + std::to_string(in1[b].mul) + ")" : "");
        for (int e = 0; e < d; ++e)
          line(destination(x_phase) + "[" + std::to_string(offset) + "+c*" + std::to_string(d) +
               "+" + std::to_string(e) + "] = " + indexed(prefix("xa", b).c_str(), e) + ";");
        close();
      }
    }
    close();           // channels
    if (out_target) {  // output blocks no instruction writes
      std::vector<bool> fed(out.size(), false);
      for (const Instruction& ins : p_.instructions())
        if (usable(ins)) fed[ins.i_out] = true;
      for (std::size_t b = 0; b < out.size(); ++b) {
        if (fed[b] || out[b].dim() == 0) continue;
        open("for (int e = lane; e < " + std::to_string(out[b].dim()) + "; e += LANES)");
        line(destination(out_phase) + "[" + std::to_string(out.offset(b)) + "+e] = 0;");
        close();
      }
    }
    if (w_target) {  // weights of instructions that are not usable (a zero-dimensional block)
      for (const Instruction& ins : p_.instructions()) {
        if (usable(ins) || !ins.has_weight || ins.weight_numel == 0) continue;
        open("for (int p = lane; p < " + std::to_string(ins.weight_numel) + "; p += LANES)");
        line(destination(w_phase) + "[" + std::to_string(ins.weight_offset) + "+p] = 0;");
        close();
      }
    }
    if (y_target) {
      for (std::size_t b = 0; b < in2.size(); ++b) {
        const std::string pre = prefix("ya", b);
        open("for (int offset = LANES / 2; offset > 0; offset /= 2)");
        for (int e = 0; e < in2[b].ir.dim(); ++e)
          line(indexed(pre.c_str(), e) + " += SHUFFLE_XOR(" + indexed(pre.c_str(), e) +
               ", offset);");
        close();
      }
      open("if (lane == 0)");
      for (std::size_t b = 0; b < in2.size(); ++b)
        for (int e = 0; e < in2[b].ir.dim(); ++e)
          line(destination(y_phase) + "[" + std::to_string(in2.offset(b) + e) +
               "] = " + indexed(prefix("ya", b).c_str(), e) + ";");
      close();
    }
    close();  // rows
    close();
    line("");
  }

  void row_kernel(const std::string& name, const std::vector<Phase>& phases,
                  const std::string& params) {
    open("extern \"C\" __global__ void __launch_bounds__(" + std::to_string(threads_per_block_) +
         ") " + name + "(" + leading_params_ + ", " + params + ")");
    open("FOR_EACH_ROW_OF_A_WARP(z, batch)");
    phase_row_pointers(phases);
    for (Phase ph : phases) phase_body(ph);
    close();
    close();
    line("");
  }

  // Shared weights: grad[t] += sum over this block's chunk of rows, one thread per weight element.
  void weight_reduction_kernel(const std::string& name, Phase phase, const std::string& params) {
    open("extern \"C\" __global__ void __launch_bounds__(" + std::to_string(threads_per_block_) +
         ") " + std::string(name) + "(" + leading_params_ + ", " + params + ")");
    line("const int t = blockIdx.x * blockDim.x + threadIdx.x;");
    line("if (t >= " + std::to_string(p_.weight_numel()) + ") return;");
    line("const long chunk = (batch + gridDim.y - 1) / gridDim.y;");
    line("const long z0 = blockIdx.y * chunk;");
    line("const long z1 = z0 + chunk < batch ? z0 + chunk : batch;");
    line("T acc0 = 0;");
    const std::string dst = phase == Phase::grad_weights ? "GW" : "DW";
    bool first = true;
    for (const Instruction& ins : p_.instructions()) {
      if (!ins.has_weight || ins.weight_numel == 0 || !usable(ins)) continue;
      open(std::string(first ? "" : "else ") + "if (t < " +
           std::to_string(ins.weight_offset + ins.weight_numel) +
           (first ? "" : " && t >= " + std::to_string(ins.weight_offset)) + ")");
      first = false;
      line("const int p = t - " + std::to_string(ins.weight_offset) + ";");
      open("for (long z = z0; z < z1; ++z)");
      std::vector<std::string> rows = {"x", "y", "g"};
      if (phase == Phase::dd_weights) rows.insert(rows.end(), {"ggx", "ggy"});
      row_pointers(rows);
      instruction_body(phase, ins);
      close();
      close();
    }
    line("atomicAdd(&" + dst + "[t], acc0);");
    close();
    line("");
  }
};

}  // namespace equifuse::gpu_codegen_detail
