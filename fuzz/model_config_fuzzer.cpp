// The model configurations a potential file carries (its "config" JSON): MaceConfig::from_json
// and NequipConfig::from_json on arbitrary text. Every input is a configuration or an
// equifuse::Error naming what is wrong; nlohmann's exceptions or a crash on a wrong type, a
// missing field or an absurd size are failures.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/common/error.hpp"
#include "models/mace/mace_config.hpp"
#include "models/nequip/nequip_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)equifuse::MaceConfig::from_json(text);
  } catch (const equifuse::Error&) {
  }
  try {
    (void)equifuse::NequipConfig::from_json(text);
  } catch (const equifuse::Error&) {
  }
  return 0;
}
