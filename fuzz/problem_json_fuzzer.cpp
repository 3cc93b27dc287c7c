// The tensor-product problem reader on arbitrary JSON: a document with "problems" is read as a
// problem set (bench/problems.json), anything else as one problem. Every input is read or throws
// equifuse::Error; a problem read writes to JSON that reads back to the same problem.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_property.hpp"
#include "kernels/common/error.hpp"
#include "kernels/tensor_product/problem_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr,
                                                   /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;  // not JSON: nlohmann's parser is not under test
  try {
    if (doc.is_object() && doc.contains("problems")) {
      (void)equifuse::parse_problem_set(doc, "problem set \"fuzz\"");
    } else {
      const equifuse::TensorProductProblem problem = equifuse::problem_from_json(doc);
      const nlohmann::json written = equifuse::problem_to_json(problem);
      equifuse::fuzz::require(
          equifuse::problem_to_json(equifuse::problem_from_json(written)) == written,
          "problem_to_json reads back to the same problem");
    }
  } catch (const equifuse::Error&) {
  }
  return 0;
}
