// TensorProductProblem <-> JSON. Two forms are read:
//  * explicit: {"irreps_in1", "irreps_in2", "irreps_out", "instructions": [[i1, i2, io, "uvu",
//    true, 1.0], ...], "irrep_normalization", "path_normalization", "shared_weights", "in1_var",
//    "in2_var", "out_var"} (all but the first four optional), the form
//    written by problem_to_json and by python/equifuse_reference;
//  * benchmark: an entry of bench/problems.json: {"in1", "in2", "out_filter", "mode": "uvu"}
//    (MACE's channel-wise construction, per-sample weights) or {"in1", "in2", "out",
//    "mode": "uvw", "weights": "shared" | "per-sample"} (fully connected).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

TensorProductProblem problem_from_json(const nlohmann::json& spec);
nlohmann::json problem_to_json(const TensorProductProblem& problem);

struct NamedProblem {
  std::string name;
  TensorProductProblem problem;
};

struct ProblemSet {
  std::size_t batch = 0;  // the set's default batch size
  std::vector<NamedProblem> problems;
};

// Reads a problem set file (bench/problems.json); errors name the file and the problem.
ProblemSet load_problem_set(const std::string& path);
// The same for a parsed document; `where` names it in messages ("problem set \"x.json\"").
ProblemSet parse_problem_set(const nlohmann::json& doc, const std::string& where);

}  // namespace equifuse
