#include "kernels/tensor_product/problem_json.hpp"

#include <cstdint>
#include <fstream>
#include <limits>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

const nlohmann::json& require(const nlohmann::json& spec, const char* key) {
  if (!spec.is_object() || !spec.contains(key)) {
    throw Error(std::string("problem description lacks the key \"") + key + "\"");
  }
  return spec.at(key);
}

std::string require_string(const nlohmann::json& spec, const char* key) {
  const auto& v = require(spec, key);
  if (!v.is_string()) throw Error(std::string("problem key \"") + key + "\" must be a string");
  return v.get<std::string>();
}

// An integer field. nlohmann's get<int>() converts floats and wider integers unchecked (a float
// out of range is undefined behaviour), so the type and range are checked here.
int int_from_json(const nlohmann::json& value, const std::string& what) {
  constexpr auto kMax = std::numeric_limits<int>::max();
  if (value.is_number_unsigned() && value.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMax))
    return static_cast<int>(value.get<std::uint64_t>());
  if (value.is_number_integer() && !value.is_number_unsigned() &&
      value.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
      value.get<std::int64_t>() <= kMax)
    return static_cast<int>(value.get<std::int64_t>());
  throw Error(what + " must be an integer between " +
              std::to_string(std::numeric_limits<int>::min()) + " and " + std::to_string(kMax) +
              ", got " + value.dump());
}

InstructionSpec instruction_from_json(const nlohmann::json& t, std::size_t index) {
  const std::string where = "instruction " + std::to_string(index);
  if (!t.is_array() || t.size() < 5 || t.size() > 6) {
    throw Error(where + " must be [i_in1, i_in2, i_out, mode, has_weight(, path_weight)]");
  }
  try {
    InstructionSpec s;
    s.i_in1 = int_from_json(t[0], where + ": i_in1");
    s.i_in2 = int_from_json(t[1], where + ": i_in2");
    s.i_out = int_from_json(t[2], where + ": i_out");
    s.mode = parse_connection_mode(t[3].get<std::string>());
    s.has_weight = t[4].get<bool>();
    if (t.size() == 6) s.path_weight = t[5].get<double>();
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + " has a field of the wrong type: " + e.what());
  }
}

}  // namespace

// Builds the problem; JSON type errors surface as nlohmann exceptions (see problem_from_json).
static TensorProductProblem problem_from_json_fields(const nlohmann::json& spec) {
  if (spec.contains("instructions")) {
    TensorProductOptions options;
    if (spec.contains("irrep_normalization"))
      options.irrep_normalization =
          parse_irrep_normalization(require_string(spec, "irrep_normalization"));
    if (spec.contains("path_normalization"))
      options.path_normalization =
          parse_path_normalization(require_string(spec, "path_normalization"));
    if (spec.contains("shared_weights"))
      options.shared_weights = spec.at("shared_weights").get<bool>();
    // e3nn's in1_var/in2_var/out_var; absent or null means all ones.
    const auto variances = [&](const char* key) {
      return spec.contains(key) && !spec.at(key).is_null() ? spec.at(key).get<std::vector<double>>()
                                                           : std::vector<double>{};
    };
    options.in1_var = variances("in1_var");
    options.in2_var = variances("in2_var");
    options.out_var = variances("out_var");
    std::vector<InstructionSpec> instructions;
    const auto& list = require(spec, "instructions");
    if (!list.is_array()) throw Error("\"instructions\" must be a list");
    for (std::size_t n = 0; n < list.size(); ++n)
      instructions.push_back(instruction_from_json(list[n], n));
    return TensorProductProblem(Irreps::parse(require_string(spec, "irreps_in1")),
                                Irreps::parse(require_string(spec, "irreps_in2")),
                                Irreps::parse(require_string(spec, "irreps_out")), instructions,
                                options);
  }
  const Irreps in1 = Irreps::parse(require_string(spec, "in1"));
  const Irreps in2 = Irreps::parse(require_string(spec, "in2"));
  const std::string mode = require_string(spec, "mode");
  TensorProductOptions options;
  if (mode == "uvu") {
    options.shared_weights = spec.value("weights", std::string("per-sample")) == "shared";
    return channelwise_tensor_product(in1, in2, Irreps::parse(require_string(spec, "out_filter")),
                                      options);
  }
  if (mode == "uvw") {
    const std::string weights = spec.value("weights", std::string("shared"));
    if (weights != "shared" && weights != "per-sample") {
      throw Error("\"weights\" must be \"shared\" or \"per-sample\", got \"" + weights + "\"");
    }
    options.shared_weights = weights == "shared";
    return fully_connected_tensor_product(in1, in2, Irreps::parse(require_string(spec, "out")),
                                          options);
  }
  throw Error(
      "benchmark problems support mode \"uvu\" (with out_filter) or \"uvw\" (with out), got \"" +
      mode + "\"");
}

TensorProductProblem problem_from_json(const nlohmann::json& spec) {
  try {
    return problem_from_json_fields(spec);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("problem description has a field of the wrong type: ") + e.what());
  }
}

nlohmann::json problem_to_json(const TensorProductProblem& problem) {
  nlohmann::json instructions = nlohmann::json::array();
  for (const Instruction& ins : problem.instructions()) {
    instructions.push_back(
        {ins.i_in1, ins.i_in2, ins.i_out, to_string(ins.mode), ins.has_weight, ins.path_weight});
  }
  return {{"irreps_in1", problem.irreps_in1().to_string()},
          {"irreps_in2", problem.irreps_in2().to_string()},
          {"irreps_out", problem.irreps_out().to_string()},
          {"instructions", instructions},
          {"irrep_normalization", to_string(problem.options().irrep_normalization)},
          {"path_normalization", to_string(problem.options().path_normalization)},
          {"shared_weights", problem.shared_weights()},
          {"in1_var", problem.options().in1_var},
          {"in2_var", problem.options().in2_var},
          {"out_var", problem.options().out_var}};
}

ProblemSet load_problem_set(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open problem set \"" + path + "\"");
  nlohmann::json doc;
  try {
    in >> doc;
  } catch (const nlohmann::json::exception& e) {
    throw Error("problem set \"" + path + "\" is not valid JSON: " + e.what());
  }
  return parse_problem_set(doc, "problem set \"" + path + "\"");
}

ProblemSet parse_problem_set(const nlohmann::json& doc, const std::string& where) {
  if (!doc.is_object() || !doc.contains("problems") || !doc.at("problems").is_array()) {
    throw Error(where + " has no \"problems\" list");
  }
  ProblemSet set;
  if (doc.contains("batch")) {
    if (!doc.at("batch").is_number_unsigned())
      throw Error(where + ": \"batch\" must be a non-negative integer, got " +
                  doc.at("batch").dump());
    set.batch = doc.at("batch").get<std::size_t>();
  }
  for (const auto& entry : doc.at("problems")) {
    const std::string name =
        entry.is_object() && entry.contains("name") && entry.at("name").is_string()
            ? entry.at("name").get<std::string>()
            : std::string("(unnamed)");
    try {
      set.problems.push_back({name, problem_from_json(entry)});
    } catch (const Error& e) {
      throw Error(where + ", problem \"" + name + "\": " + e.what());
    }
  }
  return set;
}

}  // namespace equifuse
