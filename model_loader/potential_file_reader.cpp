#include "model_loader/potential_file_reader.hpp"

#include <fstream>
#include <iterator>
#include <vector>

#include "kernels/common/error.hpp"
#include "model_loader/safetensors_reader.hpp"

namespace equifuse {

namespace {

// A copy: the entries are short, and a reference returned next to temporary arguments is what
// GCC 13's -Wdangling-reference flags.
std::string metadata(const SafetensorsFile& file, const std::string& key,
                     const std::string& where) {
  auto it = file.metadata.find(key);
  if (it == file.metadata.end()) throw Error(where + " has no '" + key + "' metadata");
  return it->second;
}

}  // namespace

PotentialFileContents read_potential_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open potential file \"" + path + "\"");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
  return parse_potential_file(bytes, "potential file \"" + path + "\"");
}

PotentialFileContents parse_potential_file(std::span<const unsigned char> bytes,
                                           const std::string& where) {
  SafetensorsFile file = parse_safetensors(bytes, where);
  const std::string format = metadata(file, "format", where);
  if (format != "equifuse-potential")
    throw Error(where + " is not an equifuse potential (format '" + format + "')");
  const std::string version = metadata(file, "format_version", where);
  bool known = false;
  for (int v = 1; v <= kPotentialFormatVersion; ++v) known = known || version == std::to_string(v);
  if (!known) {
    throw Error(where + " has format version " + version + "; this build reads versions 1 to " +
                std::to_string(kPotentialFormatVersion) + " (a newer equifuse wrote it)");
  }
  PotentialFileContents contents{metadata(file, "architecture", where),
                                 metadata(file, "config", where), ParameterStore(where)};
  for (auto& [name, tensor] : file.tensors) contents.parameters.add(name, std::move(tensor));
  return contents;
}

}  // namespace equifuse
