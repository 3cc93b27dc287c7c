// The one exception type of equifuse: every bad input (irreps string, instruction, buffer size,
// file) raises it with a message that names what is wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace equifuse {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace equifuse
