// The potential file's validation: every kind of bad file is refused with a message that names
// the problem (truncation, corrupt header, wrong shapes, missing or unexpected tensors, unknown
// architecture or format version, malformed config), and unknown elements in a structure too.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/common/error.hpp"
#include "model_loader/potential_file.hpp"
#include "models/potential/model_options.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse {
namespace {

const std::string kModel =
    std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/mace/mace_l1_corr3_two_layers.eqf";

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("equifuse-test-" + name + ".eqf")).string();
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Rewrites the model file with its JSON header changed by `edit`.
std::string with_header(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  const auto bytes = read_bytes(kModel);
  std::uint64_t size = 0;
  for (int i = 7; i >= 0; --i)
    size = (size << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  auto header = nlohmann::json::parse(bytes.begin() + 8,
                                      bytes.begin() + 8 + static_cast<std::ptrdiff_t>(size));
  edit(header);
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string length;
  for (int i = 0; i < 8; ++i) length.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  std::vector<char> out(length.begin(), length.end());
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), bytes.begin() + 8 + static_cast<std::ptrdiff_t>(size), bytes.end());
  const std::string path = temp_path(name);
  write_bytes(path, out);
  return path;
}

void expect_error(const std::string& path, const std::string& fragment) {
  try {
    load_potential(path);
    ADD_FAILURE() << "no error for " << path << " (expected \"" << fragment << "\")";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PotentialFile, LoadsAValidFile) {
  const auto p = load_potential(kModel);
  EXPECT_EQ(p->info().architecture, "mace");
  EXPECT_EQ(p->info().species, (std::vector<int>{13, 29}));
  EXPECT_DOUBLE_EQ(p->info().r_max, 4.5);
  EXPECT_EQ(p->info().num_interactions, 2);
}

TEST(PotentialFile, MissingFile) {
  expect_error("/nonexistent/model.eqf", "cannot open potential file");
}

TEST(PotentialFile, TruncatedFile) {
  auto bytes = read_bytes(kModel);
  bytes.resize(bytes.size() - 100);
  write_bytes(temp_path("truncated"), bytes);
  expect_error(temp_path("truncated"), "truncated file");
  bytes.resize(20);
  write_bytes(temp_path("truncated-header"), bytes);
  expect_error(temp_path("truncated-header"), "is truncated or not a safetensors file");
}

TEST(PotentialFile, NotJson) {
  auto bytes = read_bytes(kModel);
  bytes[8] = '#';  // the header's opening brace
  write_bytes(temp_path("not-json"), bytes);
  expect_error(temp_path("not-json"), "corrupt header");
}

TEST(PotentialFile, WrongTensorShape) {
  // Same number of elements, transposed shape: only the model's own check can catch it.
  expect_error(with_header("shape",
                           [](nlohmann::json& h) {
                             h["interactions.0.radial_mlp.0.weight"]["shape"] = {16, 8};
                           }),
               "tensor 'interactions.0.radial_mlp.0.weight' has shape [16, 8], expected [8, 16]");
  expect_error(with_header("bytes", [](nlohmann::json& h) { h["atomic_energies"]["shape"] = {3}; }),
               "tensor 'atomic_energies' has 16 bytes, its shape needs 24");
}

// Shapes whose element count wrapped around 64 bits matched a tiny byte count.
TEST(PotentialFile, ShapeLargerThanTheFile) {
  expect_error(
      with_header("wrapped-shape",
                  [](nlohmann::json& h) {
                    h["atomic_energies"]["shape"] = {std::int64_t{1} << 40, std::int64_t{1} << 40};
                  }),
      "tensor 'atomic_energies' has a shape larger than the file");
  expect_error(
      with_header("scalar-shape", [](nlohmann::json& h) { h["atomic_energies"]["shape"] = 2; }),
      "tensor 'atomic_energies' has an invalid shape (not a list)");
}

TEST(PotentialFile, MissingAndUnexpectedTensors) {
  expect_error(with_header("missing", [](nlohmann::json& h) { h.erase("atomic_energies"); }),
               "tensor 'atomic_energies' is missing");
  expect_error(
      with_header("extra", [](nlohmann::json& h) { h["zbl.weight"] = h["atomic_energies"]; }),
      "unexpected tensor 'zbl.weight'");
}

TEST(PotentialFile, UnknownArchitectureAndVersion) {
  expect_error(
      with_header("arch", [](nlohmann::json& h) { h["__metadata__"]["architecture"] = "allegro"; }),
      "unknown architecture 'allegro'");
  expect_error(
      with_header("version", [](nlohmann::json& h) { h["__metadata__"]["format_version"] = "3"; }),
      "has format version 3; this build reads versions 1 to 2 (a newer equifuse wrote it)");
  expect_error(
      with_header("format", [](nlohmann::json& h) { h["__metadata__"]["format"] = "pytorch"; }),
      "is not an equifuse potential");
  expect_error(
      with_header("dtype", [](nlohmann::json& h) { h["atomic_energies"]["dtype"] = "BF16"; }),
      "unsupported dtype 'BF16'");
}

TEST(PotentialFile, MalformedConfig) {
  expect_error(with_header("config",
                           [](nlohmann::json& h) {
                             auto config = nlohmann::json::parse(
                                 h["__metadata__"]["config"].get<std::string>());
                             config.erase("r_max");
                             h["__metadata__"]["config"] = config.dump();
                           }),
               "config has no \"r_max\"");
  expect_error(with_header("irreps",
                           [](nlohmann::json& h) {
                             auto config = nlohmann::json::parse(
                                 h["__metadata__"]["config"].get<std::string>());
                             config["interactions"][1]["node_feats_irreps"] = "8x0e+8x2e";
                             h["__metadata__"]["config"] = config.dump();
                           }),
               "layer 1 input differs from the previous layer's output");
  // Whole numbers out of range or with a fraction (fuzz/regressions/model_config).
  for (const double bad : {1e300, 2.5, -3e9}) {
    expect_error(with_header("integer",
                             [bad](nlohmann::json& h) {
                               auto config = nlohmann::json::parse(
                                   h["__metadata__"]["config"].get<std::string>());
                               config["num_bessel"] = bad;
                               h["__metadata__"]["config"] = config.dump();
                             }),
                 "config.num_bessel must be a whole number (or numbers) that fits 32 bits, not");
  }
}

// Options this build does not know (a file from a newer exporter) are named, with the known ones.
TEST(PotentialFile, UnsupportedOptionsAreNamed) {
  const auto edit_config = [](const std::function<void(nlohmann::json&)>& edit) {
    return [edit](nlohmann::json& h) {
      auto config = nlohmann::json::parse(h["__metadata__"]["config"].get<std::string>());
      edit(config);
      h["__metadata__"]["config"] = config.dump();
    };
  };
  expect_error(
      with_header("kind", edit_config([](nlohmann::json& c) {
                    c["interactions"][0]["kind"] = "attention_residual";
                  })),
      "interactions[0].kind \"attention_residual\" is not one of plain, residual, density, "
      "density_residual, nonlinear_residual");
  expect_error(with_header("basis", edit_config([](nlohmann::json& c) {
                             c["radial"] = {{"basis", "spline"},
                                            {"num_basis", 8},
                                            {"polynomial_cutoff_p", 5},
                                            {"apply_cutoff", true}};
                           })),
               "radial.basis \"spline\" is not one of bessel, gaussian, chebyshev");
  expect_error(with_header("transform", edit_config([](nlohmann::json& c) {
                             c["radial"] = {{"basis", "bessel"},
                                            {"num_basis", 8},
                                            {"polynomial_cutoff_p", 5},
                                            {"apply_cutoff", true},
                                            {"transform", {{"kind", "morse"}}}};
                           })),
               "radial.transform.kind \"morse\" is not one of agnesi, soft");
  expect_error(with_header("pair", edit_config([](nlohmann::json& c) {
                             c["pair_repulsion"] = {{"prefactor", 7.2},
                                                    {"screening_length", 0.24},
                                                    {"screening_exponent", 0.3},
                                                    {"coefficients", {0.1, 0.5, 0.3, 0.1}},
                                                    {"exponents", {3.2, 0.9, 0.4, 0.2}},
                                                    {"polynomial_cutoff_p", 5},
                                                    {"cutoff", "per_pair_table"}};
                           })),
               "pair_repulsion.cutoff 'per_pair_table' is not one this build knows");
  expect_error(
      with_header(
          "embedding", edit_config([](nlohmann::json& c) {
            c["joint_embedding"] = {
                {"inputs",
                 {{{"name", "temperature"}, {"num_classes", 4}, {"offset", 0}, {"dim", 8}}}}};
          })),
      "the joint embedding's input \"temperature\" is not supported");
}

// Version 1 files (the previous exporter) still load: the committed reference models are version 1.
TEST(PotentialFile, ReadsVersionOneFiles) {
  std::string version;
  with_header("version-1",
              [&](nlohmann::json& h) { version = h["__metadata__"]["format_version"]; });
  EXPECT_EQ(version, "1");
  EXPECT_NO_THROW(load_potential(kModel));
}

TEST(PotentialFile, UnknownElementInStructure) {
  const auto p = load_potential(kModel);
  AtomicStructure s;
  s.atomic_numbers = {13, 26};
  s.positions = {{{0, 0, 0}}, {{2, 0, 0}}};
  try {
    make_atomic_graph(s, p->info().species, p->info().r_max);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "atom 2 is Fe, which the potential does not know (its elements: Al Cu)"),
              std::string::npos)
        << e.what();
  }
}

// Heads by name; empty or "default" (any case) picks a single head or the one called default.
TEST(PotentialFile, SelectsHeads) {
  const std::vector<std::string> one = {"Default"}, named = {"mp_pbe"};
  const std::vector<std::string> several = {"omat_pbe", "DEFAULT", "omol"};
  EXPECT_EQ(select_head(one, ""), 0);
  EXPECT_EQ(select_head(named, "default"), 0);
  EXPECT_EQ(select_head(named, "mp_pbe"), 0);
  EXPECT_EQ(select_head(several, "omol"), 2);
  EXPECT_EQ(select_head(several, ""), 1);
  EXPECT_EQ(select_head(several, "Default"), 1);
  const std::vector<std::string> no_default = {"omat_pbe", "omol"};
  EXPECT_THROW(
      {
        try {
          select_head(no_default, "default");
        } catch (const Error& e) {
          EXPECT_STREQ(e.what(),
                       "the potential has 2 heads (omat_pbe, omol): choose one (pair_style "
                       "equifuse head NAME, equifuse eval --head NAME)");
          throw;
        }
      },
      Error);
  EXPECT_THROW(select_head(named, "OMOL"), Error);
  EXPECT_THROW(select_head(several, "Omol"), Error);  // names other than default are exact
}

}  // namespace
}  // namespace equifuse
