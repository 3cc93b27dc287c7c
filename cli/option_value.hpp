// Option parsing shared by the subcommands.
#pragma once

#include <string>
#include <vector>

#include "kernels/common/error.hpp"

namespace equifuse::cli {

// The value after option args[i] (advancing i past it); throws naming the option when missing.
inline const std::string& option_value(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw Error(args[i] + " needs a value");
  return args[++i];
}

}  // namespace equifuse::cli
