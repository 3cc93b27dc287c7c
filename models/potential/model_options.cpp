#include "models/potential/model_options.hpp"

#include <algorithm>
#include <cctype>

#include "kernels/common/error.hpp"

namespace equifuse {

int select_head(const std::vector<std::string>& heads, const std::string& head) {
  std::string names;
  for (const std::string& h : heads) names += (names.empty() ? "" : ", ") + h;
  if (head.empty()) {
    if (heads.size() == 1) return 0;
    for (std::size_t k = 0; k < heads.size(); ++k) {
      std::string lower = heads[k];
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "default") return static_cast<int>(k);
    }
    throw Error("the potential has " + std::to_string(heads.size()) + " heads (" + names +
                "): choose one (pair_style equifuse head NAME, equifuse eval --head NAME)");
  }
  const auto it = std::find(heads.begin(), heads.end(), head);
  if (it == heads.end()) {
    throw Error("the potential has no head \"" + head + "\" (its heads: " + names + ")");
  }
  return static_cast<int>(it - heads.begin());
}

}  // namespace equifuse
