#include "model_loader/potential_file.hpp"

#include "kernels/common/error.hpp"
#include "model_loader/potential_file_reader.hpp"
#include "models/mace/mace_model.hpp"
#include "models/nequip/nequip_model.hpp"

namespace equifuse {

namespace {

template <typename T>
std::unique_ptr<Potential> build(const std::string& architecture, const std::string& config,
                                 const ParameterStore& parameters, const std::string& where,
                                 const LoadOptions& load) {
  const ModelOptions options{load.backend,      load.elements,   load.head,
                             load.total_charge, load.total_spin, load.edge_memory};
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
  const PotentialFileContents file = read_potential_file(path);
  if (file.architecture != "mace") return {"default"};
  return MaceConfig::from_json(file.config).heads;
}

std::unique_ptr<Potential> load_potential(const std::string& path, const LoadOptions& options) {
  const PotentialFileContents file = read_potential_file(path);
  const std::string where = "potential file \"" + path + "\"";
  try {
    if (options.precision == Precision::float32)
      return build<float>(file.architecture, file.config, file.parameters, where, options);
    return build<double>(file.architecture, file.config, file.parameters, where, options);
  } catch (const UnknownElement& e) {
    throw UnknownElement(where + ": " + e.what(), e.atomic_number(), e.known());
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.rfind(where, 0) == 0) throw;
    throw Error(where + ": " + message);
  }
}

}  // namespace equifuse
