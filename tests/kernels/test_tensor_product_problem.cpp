#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using testing::error_of;

TEST(TensorProductProblem, WeightLayoutFollowsInstructionOrder) {
  const TensorProductProblem p(Irreps::parse("3x0e+2x1o"), Irreps::parse("1x1o+4x0e"),
                               Irreps::parse("5x1o+3x1o+4x1o"),
                               {{0, 0, 0, ConnectionMode::uvw, true},
                                {1, 1, 2, ConnectionMode::uvv, false},
                                {0, 0, 1, ConnectionMode::uvu, true},
                                {1, 1, 2, ConnectionMode::uvw, true}},
                               {.shared_weights = false});
  const auto& ins = p.instructions();
  EXPECT_EQ(ins[0].path_shape, (std::vector<int>{3, 1, 5}));
  EXPECT_EQ(ins[0].weight_offset, 0);
  EXPECT_EQ(ins[1].weight_offset, -1);
  EXPECT_EQ(ins[1].weight_numel, 0);
  EXPECT_EQ(ins[2].path_shape, (std::vector<int>{3, 1}));
  EXPECT_EQ(ins[2].weight_offset, 15);
  EXPECT_EQ(ins[3].weight_offset, 18);
  EXPECT_EQ(ins[3].path_shape, (std::vector<int>{2, 4, 4}));
  EXPECT_EQ(p.weight_numel(), 18 + 2 * 4 * 4);
  EXPECT_EQ(p.weight_size(10), 10u * p.weight_numel());
  EXPECT_EQ(p.out_size(10), 10u * (15 + 9 + 12));
}

TEST(TensorProductProblem, ElementNormalisationMatchesE3nnFormula) {
  // Two uvw paths into one output: alpha = dim(out) / sum(mul1 * mul2).
  const TensorProductProblem p(Irreps::parse("3x0e+2x1o"), Irreps::parse("1x1o+1x0e"),
                               Irreps::parse("4x1o+1x0e"),
                               {{0, 0, 0, ConnectionMode::uvw, true},
                                {1, 1, 0, ConnectionMode::uvw, true},
                                {1, 0, 1, ConnectionMode::uvw, true, 4.0}});
  EXPECT_NEAR(p.instructions()[0].coefficient, std::sqrt(3.0 / (3 + 2)), 1e-15);
  EXPECT_NEAR(p.instructions()[1].coefficient, std::sqrt(3.0 / (3 + 2)), 1e-15);
  EXPECT_NEAR(p.instructions()[2].coefficient, std::sqrt(1.0 / 2 * 4.0), 1e-15);
  EXPECT_NE(p.describe().find("3x0e+2x1o x 1x1o+1x0e -> 4x1o+1x0e"), std::string::npos);
}

TEST(TensorProductProblem, BuildersForTheBenchmarkSet) {
  const auto mace = channelwise_tensor_product(
      Irreps::parse("128x0e+128x1o+128x2e"), Irreps::parse("0e+1o+2e+3o"),
      Irreps::parse("0e+1o+2e+3o"), {.shared_weights = false});
  // Every output block has multiplicity 128 and the blocks are sorted.
  for (const auto& m : mace.irreps_out()) EXPECT_EQ(m.mul, 128);
  EXPECT_EQ(mace.irreps_out().sort().irreps, mace.irreps_out());
  for (const auto& ins : mace.instructions()) EXPECT_EQ(ins.mode, ConnectionMode::uvu);
  EXPECT_EQ(mace.weight_numel(), 128 * static_cast<int>(mace.instructions().size()));

  const auto fc = fully_connected_tensor_product(Irreps::parse("2x0e+2x1o"), Irreps::parse("1x1o"),
                                                 Irreps::parse("3x0e+3x1o+3x1e"));
  ASSERT_EQ(fc.instructions().size(), 3u);  // 0e x 1o -> 1o; 1o x 1o -> 0e, 1e
  EXPECT_EQ(fc.weight_numel(), 3 * (2 * 1 * 3));
}

TEST(TensorProductProblem, InvalidInstructionsGiveClearErrors) {
  const Irreps a = Irreps::parse("3x0e+2x1o"), b = Irreps::parse("1x1o"),
               c = Irreps::parse("3x1o+2x0e+1x3o+4x1o");
  const auto make = [&](InstructionSpec s) { return [=] { TensorProductProblem(a, b, c, {s}); }; };
  EXPECT_NE(error_of(make({5, 0, 0, ConnectionMode::uvw, true}))
                .find("irreps_in1 index 5 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 1, 0, ConnectionMode::uvw, true})).find("irreps_in2 index 1"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 0, -1, ConnectionMode::uvw, true})).find("irreps_out index -1"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 0, 1, ConnectionMode::uvw, true})).find("parity"), std::string::npos);
  EXPECT_NE(error_of(make({0, 0, 2, ConnectionMode::uvw, true})).find("forbidden"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 0, 0, ConnectionMode::uvw, false})).find("has_weight"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 0, 3, ConnectionMode::uvu, true})).find("mul(in1) == mul(out)"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 0, 0, ConnectionMode::uvv, true})).find("mul(in2) == mul(out)"),
            std::string::npos);
  EXPECT_NE(error_of(make({0, 0, 0, ConnectionMode::uuw, true})).find("mul(in1) == mul(in2)"),
            std::string::npos);
  EXPECT_NE(
      error_of(make({0, 0, 0, ConnectionMode::uuu, true})).find("mul(in1) == mul(in2) == mul(out)"),
      std::string::npos);
  EXPECT_NE(error_of([&] {
              TensorProductProblem(Irreps::parse("2x1o"), Irreps::parse("2x1o"),
                                   Irreps::parse("3x0e"), {{0, 0, 0, ConnectionMode::uuw, false}});
            }).find("mul(out) == 1"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { TensorProductProblem(a, b, c, {}, {.in1_var = {1.0}}); }).find("in1_var"),
      std::string::npos);
  EXPECT_THROW(parse_connection_mode("uvuv"), Error);
  EXPECT_THROW(parse_irrep_normalization("integral"), Error);
  EXPECT_THROW(parse_path_normalization("elements"), Error);
}

TEST(TensorProductProblem, JsonRoundTripAndBadDescriptions) {
  const auto p = channelwise_tensor_product(Irreps::parse("3x0e+3x1o"), Irreps::parse("0e+1o"),
                                            Irreps::parse("0e+1o+1e"), {.shared_weights = false});
  const auto q = problem_from_json(problem_to_json(p));
  EXPECT_EQ(problem_to_json(q), problem_to_json(p));
  EXPECT_NE(error_of([] {
              problem_from_json(nlohmann::json{{"in1", "1x0e"}, {"mode", "uvu"}});
            }).find("\"in2\""),
            std::string::npos);
  EXPECT_NE(error_of([] {
              problem_from_json(nlohmann::json{
                  {"in1", "1x0e"}, {"in2", "1x0e"}, {"out", "1x0e"}, {"mode", "uuu"}});
            }).find("support mode"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              problem_from_json(nlohmann::json{{"irreps_in1", "1x0e"},
                                               {"irreps_in2", "1x0e"},
                                               {"irreps_out", "1x0e"},
                                               {"instructions", {{0, 0, 0, "uvw"}}}});
            }).find("instruction 0 must be"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_problem_set("/nonexistent/problems.json"); }).find("cannot open"),
            std::string::npos);
  // Wrongly typed fields are reported as bad input, not as internal errors.
  EXPECT_NE(error_of([] {
              problem_from_json(nlohmann::json{{"irreps_in1", "1x0e"},
                                               {"irreps_in2", "1x0e"},
                                               {"irreps_out", "1x0e"},
                                               {"instructions", nlohmann::json::array()},
                                               {"shared_weights", "yes"}});
            }).find("wrong type"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              problem_from_json(nlohmann::json{{"in1", "1x0e"},
                                               {"in2", "1x0e"},
                                               {"out_filter", "0e"},
                                               {"mode", "uvu"},
                                               {"weights", 3}});
            }).find("wrong type"),
            std::string::npos);
}

// Found by fuzz/problem_json_fuzzer (fuzz/regressions/problem_json) and its neighbours: numbers
// that nlohmann converts unchecked, and sizes that overflowed an int.
TEST(TensorProductProblem, OutOfRangeNumbersAndSizesAreRefused) {
  const auto problem = [](const nlohmann::json& index) {
    return nlohmann::json{{"irreps_in1", "1x0e"},
                          {"irreps_in2", "1x0e"},
                          {"irreps_out", "1x0e"},
                          {"instructions", {{index, 0, 0, "uvw", true}}}};
  };
  for (const nlohmann::json& index :
       {nlohmann::json(21e300), nlohmann::json(0.5), nlohmann::json(std::int64_t{1} << 40),
        nlohmann::json(std::uint64_t{1} << 63)}) {
    EXPECT_NE(error_of([&] {
                problem_from_json(problem(index));
              }).find("instruction 0: i_in1 must be an integer between"),
              std::string::npos)
        << index;
  }
  EXPECT_NE(error_of([] {
              parse_problem_set(
                  nlohmann::json{{"batch", 1e300}, {"problems", nlohmann::json::array()}},
                  "problem set \"x\"");
            }).find("\"batch\" must be a non-negative integer, got 1e+300"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              fully_connected_tensor_product(Irreps::parse("2000x0e"), Irreps::parse("2000x0e"),
                                             Irreps::parse("2000x0e"));
            }).find("more than 2147483647 weights"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              channelwise_tensor_product(Irreps::parse("1x40e"), Irreps::parse("1x40e"),
                                         Irreps::parse("0e"));
            }).find("in1 \"1x40e\" has degree l = 40; tensor products support l up to 16"),
            std::string::npos);
}

TEST(TensorProductProblem, LoadsTheBenchmarkSet) {
  const ProblemSet set = load_problem_set(EQUIFUSE_SOURCE_DIR "/bench/problems.json");
  EXPECT_GE(set.problems.size(), 13u);
  EXPECT_EQ(set.batch, 50000u);
  for (const auto& np : set.problems) EXPECT_GT(np.problem.instructions().size(), 0u) << np.name;
}

}  // namespace
}  // namespace equifuse
