#include "models/potential/model_options.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

int select_head(const std::vector<std::string>& heads, const std::string& head) {
  std::string names;
  for (const std::string& h : heads) names += (names.empty() ? "" : ", ") + h;
  const auto exact = std::find(heads.begin(), heads.end(), head);
  if (exact != heads.end()) return static_cast<int>(exact - heads.begin());
  // "default" asks for what no head asks for (mace-torch calls a single head "Default" or
  // "default"; code written for multi-head models passes it to single-head ones).
  if (head.empty() || lower(head) == "default") {
    if (heads.size() == 1) return 0;
    for (std::size_t k = 0; k < heads.size(); ++k)
      if (lower(heads[k]) == "default") return static_cast<int>(k);
    throw Error("the potential has " + std::to_string(heads.size()) + " heads (" + names +
                "): choose one (pair_style equifuse head NAME, equifuse eval --head NAME)");
  }
  throw Error("the potential has no head \"" + head + "\" (its heads: " + names + ")");
}

std::size_t default_edge_memory(Backend backend) {
  constexpr std::size_t kMiB = std::size_t(1) << 20;
  return backend == Backend::cpu ? 256 * kMiB : 2048 * kMiB;
}

std::size_t parse_edge_memory(const std::string& text) {
  const std::string t = lower(text);
  if (t == "all") return 0;
  std::size_t digits = 0;
  while (digits < t.size() && (std::isdigit(static_cast<unsigned char>(t[digits])) != 0)) ++digits;
  const std::string unit = t.substr(digits);
  int shift = -1;
  for (const auto& [names, bits] :
       {std::pair{std::array{"k", "kb", "kib"}, 10}, std::pair{std::array{"m", "mb", "mib"}, 20},
        std::pair{std::array{"g", "gb", "gib"}, 30}})
    for (const char* name : names)
      if (unit == name) shift = bits;
  const std::size_t count = digits == 0 || digits > 6 ? 0 : std::stoul(t.substr(0, digits));
  if (count == 0 || shift < 0) {
    throw Error("memory \"" + text +
                "\": expected all or a positive size with a unit, such as 256MB or 2GB");
  }
  return count << shift;
}

}  // namespace equifuse
