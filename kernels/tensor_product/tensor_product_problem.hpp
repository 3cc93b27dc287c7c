// TensorProductProblem: an immutable description of an e3nn-style Clebsch-Gordan tensor product
// (irreps in1/in2/out, instructions, normalisation, weight sharing). Every backend executes one.
//
// Semantics are e3nn.o3.TensorProduct's: for instruction (i1, i2, io, mode, has_weight) with
// coefficient c (e3nn's normalised path weight) and CG block C,
//   uvw: out[io][w,k] += c sum_{u,v,i,j} W[u,v,w] C[i,j,k] x[i1][u,i] y[i2][v,j]
//   uvu: out[io][u,k] += c sum_{v,i,j}   W[u,v]   C[i,j,k] x[i1][u,i] y[i2][v,j]
//   uvv: out[io][v,k] += c sum_{u,i,j}   W[u,v]   C[i,j,k] x[i1][u,i] y[i2][v,j]
//   uuw: out[io][w,k] += c sum_{u,i,j}   W[u,w]   C[i,j,k] x[i1][u,i] y[i2][u,j]
//   uuu: out[io][u,k] += c sum_{i,j}     W[u]     C[i,j,k] x[i1][u,i] y[i2][u,j]
// with W = 1 where has_weight is false. Weights are one flat vector: the instructions with
// weights in order, each path_shape row-major; per-sample weights repeat it per batch row.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/clebsch_gordan/wigner_3j.hpp"
#include "kernels/irreps/irreps.hpp"

namespace equifuse {

enum class ConnectionMode { uvw, uvu, uvv, uuw, uuu };
ConnectionMode parse_connection_mode(std::string_view name);
std::string to_string(ConnectionMode mode);

enum class IrrepNormalization { component, norm, none };
enum class PathNormalization { element, path, none };
IrrepNormalization parse_irrep_normalization(std::string_view name);
PathNormalization parse_path_normalization(std::string_view name);
std::string to_string(IrrepNormalization n);
std::string to_string(PathNormalization n);

// An instruction as the user writes it: e3nn's tuple (i_in1, i_in2, i_out, mode, has_weight,
// path_weight), path_weight defaulting to 1.
struct InstructionSpec {
  int i_in1 = 0;
  int i_in2 = 0;
  int i_out = 0;
  ConnectionMode mode = ConnectionMode::uvw;
  bool has_weight = true;
  double path_weight = 1.0;
};

// A validated instruction with everything a backend needs.
struct Instruction {
  int i_in1, i_in2, i_out;
  ConnectionMode mode;
  bool has_weight;
  double path_weight;  // as given by the user
  // The factor applied to the path: sqrt(irrep_norm / path_norm * out_var * path_weight). e3nn
  // stores this value, after construction, in its Instruction.path_weight.
  double coefficient;
  std::vector<int> path_shape;   // e3nn's path_shape for this mode
  int weight_offset = -1;        // offset in the flat weight vector; -1 without weights
  int weight_numel = 0;          // product of path_shape where has_weight, else 0
  const ClebschGordanBlock* cg;  // Wigner 3j block (l_in1, l_in2, l_out)
};

struct TensorProductOptions {
  IrrepNormalization irrep_normalization = IrrepNormalization::component;
  PathNormalization path_normalization = PathNormalization::element;
  bool shared_weights = true;  // false: one weight vector per batch row
  // Input/output variances of e3nn (in1_var, in2_var, out_var); empty means all ones.
  std::vector<double> in1_var, in2_var, out_var;
};

class TensorProductProblem {
 public:
  // Throws equifuse::Error naming the instruction and the rule it breaks.
  TensorProductProblem(Irreps irreps_in1, Irreps irreps_in2, Irreps irreps_out,
                       const std::vector<InstructionSpec>& instructions,
                       TensorProductOptions options = {});

  const Irreps& irreps_in1() const { return in1_; }
  const Irreps& irreps_in2() const { return in2_; }
  const Irreps& irreps_out() const { return out_; }
  const std::vector<Instruction>& instructions() const { return instructions_; }
  const TensorProductOptions& options() const { return options_; }
  bool shared_weights() const { return options_.shared_weights; }

  int weight_numel() const { return weight_numel_; }
  // Elements one call needs for `batch` rows.
  std::size_t in1_size(std::size_t batch) const { return batch * in1_.dim(); }
  std::size_t in2_size(std::size_t batch) const { return batch * in2_.dim(); }
  std::size_t out_size(std::size_t batch) const { return batch * out_.dim(); }
  std::size_t weight_size(std::size_t batch) const {
    return shared_weights() ? weight_numel_ : batch * weight_numel_;
  }

  // Like e3nn's repr: "TensorProduct(in1 x in2 -> out | N paths | M weights)".
  std::string describe() const;

 private:
  Irreps in1_, in2_, out_;
  std::vector<Instruction> instructions_;
  TensorProductOptions options_;
  int weight_numel_ = 0;
};

// e3nn.o3.FullyConnectedTensorProduct: every allowed (i1, i2, io) as a weighted "uvw" path.
TensorProductProblem fully_connected_tensor_product(const Irreps& in1, const Irreps& in2,
                                                    const Irreps& out,
                                                    TensorProductOptions options = {});

// MACE's convolution tensor product (tp_out_irreps_with_instructions): one weighted "uvu" output
// block per allowed path whose product irrep is in `out_filter`, output blocks sorted by irrep
// and instructions ordered by output block (so the per-edge weights have MACE's layout).
TensorProductProblem channelwise_tensor_product(const Irreps& in1, const Irreps& in2,
                                                const Irreps& out_filter,
                                                TensorProductOptions options = {});

}  // namespace equifuse
