// Named tensors of a potential file, handed from model_loader/ to a model's constructor, which
// asks for every tensor by name and expected shape: a missing tensor, a wrong shape or dtype, or a
// tensor nobody asked for is an error that names it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace equifuse {

struct StoredTensor {
  std::vector<std::int64_t> shape;
  bool integer = false;
  std::vector<double> reals;           // when !integer
  std::vector<std::int32_t> integers;  // when integer
};

class ParameterStore {
 public:
  explicit ParameterStore(std::string source) : source_(std::move(source)) {}
  void add(const std::string& name, StoredTensor tensor);
  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  // The stored shape of a tensor (for layouts that changed between format versions).
  const std::vector<std::int64_t>& shape(const std::string& name) const;

  // Expected shape: -1 matches any extent. Throws equifuse::Error naming the tensor.
  const std::vector<double>& reals(const std::string& name,
                                   const std::vector<std::int64_t>& shape) const;
  const StoredTensor& integers(const std::string& name,
                               const std::vector<std::int64_t>& shape) const;
  // A one-dimensional tensor of `size` reals (layer weights in e3nn's flat layout).
  std::span<const double> vector(const std::string& name, std::size_t size) const {
    const std::vector<double>& v = reals(name, {static_cast<std::int64_t>(size)});
    return {v.data(), v.size()};
  }
  // The same, or an empty span where the file has no such tensor (optional biases).
  std::span<const double> optional_vector(const std::string& name, std::size_t size) const {
    return contains(name) ? vector(name, size) : std::span<const double>();
  }
  // The weight matrices <prefix>0.weight, <prefix>1.weight, ... of an MLP of widths `dims`, each
  // [dims[k]][dims[k + 1]] (e3nn's FullyConnectedNet and NequIP's MLPs store them so).
  std::vector<std::span<const double>> mlp_weights(const std::string& prefix,
                                                   const std::vector<int>& dims) const {
    std::vector<std::span<const double>> weights;
    for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
      const auto& w = reals(prefix + std::to_string(k) + ".weight", {dims[k], dims[k + 1]});
      weights.emplace_back(w.data(), w.size());
    }
    return weights;
  }
  // Throws naming the first tensor no one asked for (a file for another model variant).
  void check_all_used() const;

 private:
  const StoredTensor& find(const std::string& name, const std::vector<std::int64_t>& shape,
                           bool integer) const;
  std::string source_;
  std::map<std::string, StoredTensor> tensors_;
  mutable std::set<std::string> used_;
};

std::string shape_to_string(const std::vector<std::int64_t>& shape);

}  // namespace equifuse
