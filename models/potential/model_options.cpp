#include "models/potential/model_options.hpp"

#include <algorithm>
#include <cctype>

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

}  // namespace equifuse
