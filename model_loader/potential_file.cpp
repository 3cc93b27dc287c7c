#include "model_loader/potential_file.hpp"

#include "kernels/common/error.hpp"
#include "model_loader/safetensors_reader.hpp"
#include "models/mace/mace_model.hpp"
#include "models/nequip/nequip_model.hpp"

namespace equifuse {

namespace {

const std::string& metadata(const SafetensorsFile& file, const std::string& key,
                            const std::string& where) {
  auto it = file.metadata.find(key);
  if (it == file.metadata.end()) throw Error(where + " has no '" + key + "' metadata");
  return it->second;
}

template <typename T>
std::unique_ptr<Potential> build(const std::string& architecture, const std::string& config,
                                 const ParameterStore& parameters, const std::string& where,
                                 const LoadOptions& load) {
  const ModelOptions options{load.backend, load.elements, load.head, load.total_charge,
                             load.total_spin};
  if (architecture == "mace") {
    return std::make_unique<MaceModel<T>>(MaceConfig::from_json(config), parameters, options);
  }
  if (architecture == "nequip") {
    return std::make_unique<NequipModel<T>>(NequipConfig::from_json(config), parameters, options);
  }
  throw Error(where + ": unknown architecture '" + architecture +
              "' (this build knows: mace, nequip)");
}

}  // namespace

std::unique_ptr<Potential> load_potential(const std::string& path, Precision precision,
                                          Backend backend) {
  return load_potential(path, LoadOptions{.precision = precision, .backend = backend});
}

std::vector<std::string> potential_heads(const std::string& path) {
  const SafetensorsFile file = read_safetensors(path);
  const std::string where = "potential file \"" + path + "\"";
  if (metadata(file, "architecture", where) != "mace") return {"default"};
  return MaceConfig::from_json(metadata(file, "config", where)).heads;
}

std::unique_ptr<Potential> load_potential(const std::string& path, const LoadOptions& options) {
  SafetensorsFile file = read_safetensors(path);
  const std::string where = "potential file \"" + path + "\"";
  if (metadata(file, "format", where) != "equifuse-potential") {
    throw Error(where + " is not an equifuse potential (format '" + file.metadata["format"] + "')");
  }
  const std::string& version = metadata(file, "format_version", where);
  bool known = false;
  for (int v = 1; v <= kPotentialFormatVersion; ++v) known = known || version == std::to_string(v);
  if (!known) {
    throw Error(where + " has format version " + version + "; this build reads versions 1 to " +
                std::to_string(kPotentialFormatVersion) + " (a newer equifuse wrote it)");
  }
  const std::string& architecture = metadata(file, "architecture", where);
  const std::string& config = metadata(file, "config", where);
  ParameterStore parameters(where);
  for (auto& [name, tensor] : file.tensors) parameters.add(name, std::move(tensor));
  try {
    if (options.precision == Precision::float32)
      return build<float>(architecture, config, parameters, where, options);
    return build<double>(architecture, config, parameters, where, options);
  } catch (const UnknownElement& e) {
    throw UnknownElement(where + ": " + e.what(), e.atomic_number(), e.known());
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.rfind(where, 0) == 0) throw;
    throw Error(where + ": " + message);
  }
}

}  // namespace equifuse
