#include "models/potential/parameter_store.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

std::string shape_to_string(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    s += (i ? ", " : "") + (shape[i] < 0 ? std::string("*") : std::to_string(shape[i]));
  }
  return s + "]";
}

void ParameterStore::add(const std::string& name, StoredTensor tensor) {
  if (!tensors_.emplace(name, std::move(tensor)).second) {
    throw Error(source_ + ": tensor '" + name + "' appears twice");
  }
}

const std::vector<std::int64_t>& ParameterStore::shape(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(source_ + ": no tensor '" + name + "'");
  return it->second.shape;
}

const StoredTensor& ParameterStore::find(const std::string& name,
                                         const std::vector<std::int64_t>& shape,
                                         bool integer) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(source_ + ": tensor '" + name + "' is missing");
  const StoredTensor& t = it->second;
  bool match = t.shape.size() == shape.size();
  for (std::size_t i = 0; match && i < shape.size(); ++i) {
    match = shape[i] < 0 || shape[i] == t.shape[i];
  }
  if (!match) {
    throw Error(source_ + ": tensor '" + name + "' has shape " + shape_to_string(t.shape) +
                ", expected " + shape_to_string(shape));
  }
  if (t.integer != integer) {
    throw Error(source_ + ": tensor '" + name + "' should hold " +
                (integer ? "integers" : "floating-point numbers"));
  }
  used_.insert(name);
  return t;
}

const std::vector<double>& ParameterStore::reals(const std::string& name,
                                                 const std::vector<std::int64_t>& shape) const {
  return find(name, shape, false).reals;
}

const StoredTensor& ParameterStore::integers(const std::string& name,
                                             const std::vector<std::int64_t>& shape) const {
  return find(name, shape, true);
}

void ParameterStore::check_all_used() const {
  for (const auto& [name, tensor] : tensors_) {
    if (!used_.count(name)) {
      throw Error(source_ + ": unexpected tensor '" + name + "' (not part of this model)");
    }
  }
}

}  // namespace equifuse
