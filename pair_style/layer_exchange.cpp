#include "pair_style/layer_exchange.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "kernels/common/error.hpp"
#include "models/engine/memory_space.hpp"

namespace equifuse {

namespace {

// The node rows on the host: in place for a host potential, else a staging copy (the host pair
// style with a GPU potential; equifuse/kk exchanges on the device instead).
template <typename T>
T* host_rows(const NodeRows<T>& rows, std::vector<char>& staging) {
  if (rows.space == MemorySpace::host) return rows.data;
  const std::size_t bytes = rows.num_nodes * static_cast<std::size_t>(rows.width) * sizeof(T);
  staging.resize(bytes);
  copy_memory(staging.data(), MemorySpace::host, rows.data, rows.space, bytes);
  return reinterpret_cast<T*>(staging.data());
}

// target[c] += the c-th T of `bytes`, for c < width.
template <typename T>
void add_row(T* target, const char* bytes, int width) {
  for (int c = 0; c < width; ++c) {
    T v;
    std::memcpy(&v, bytes + c * sizeof(T), sizeof(T));
    target[c] += v;
  }
}

// The same into a row kept as bytes.
template <typename T>
void add_row_bytes(char* target, const char* bytes, int width) {
  for (int c = 0; c < width; ++c) {
    T a, b;
    std::memcpy(&a, target + c * sizeof(T), sizeof(T));
    std::memcpy(&b, bytes + c * sizeof(T), sizeof(T));
    a += b;
    std::memcpy(target + c * sizeof(T), &a, sizeof(T));
  }
}

template <typename T>
void return_rows(const NodeRows<T>& rows, const T* host, std::size_t first_node) {
  if (rows.space == MemorySpace::host) return;
  const auto width = static_cast<std::size_t>(rows.width);
  copy_memory(rows.data + first_node * width, rows.space, host + first_node * width,
              MemorySpace::host, (rows.num_nodes - first_node) * width * sizeof(T));
}

}  // namespace

void LayerExchangeBase::start(std::size_t num_nodes, int num_atoms, int num_layers) {
  num_nodes_ = num_nodes;
  num_atoms_ = num_atoms;
  traffic_ = {};
  traffic_.forward_calls.assign(static_cast<std::size_t>(std::max(num_layers, 0)), 0);
  traffic_.reverse_calls.assign(traffic_.forward_calls.size(), 0);
}

template <typename T>
void LayerExchangeBase::begin_layer(int layer, const NodeRows<T>& rows, bool forward) const {
  if (num_nodes_ != rows.num_nodes || layer < 0 ||
      static_cast<std::size_t>(layer) >= traffic_.forward_calls.size())
    throw Error("layer exchange: the graph or layer " + std::to_string(layer) +
                " is not the one it was prepared for");
  single_ = std::is_same_v<T, float>;
  width_ = rows.width;
  words_ = words_per_row(rows.width, single_);
  ++(forward ? traffic_.forward_calls : traffic_.reverse_calls)[static_cast<std::size_t>(layer)];
}

template void LayerExchangeBase::begin_layer(int, const NodeRows<float>&, bool) const;
template void LayerExchangeBase::begin_layer(int, const NodeRows<double>&, bool) const;

void LayerExchangeBase::count_packed(int n) const {
  traffic_.bytes += static_cast<double>(n) * words_ * static_cast<double>(sizeof(double));
}

void LayerExchange::prepare(const int* node_atom, std::size_t num_nodes, int num_atoms,
                            int num_layers) {
  if (node_atom == nullptr && num_nodes > 0)
    throw Error("layer exchange: no node -> atom map for " + std::to_string(num_nodes) + " nodes");
  node_atom_ = node_atom;
  start(num_nodes, num_atoms, num_layers);
}

template <typename T>
void LayerExchange::forward_rows(int layer, const NodeRows<T>& features) const {
  begin_layer(layer, features, true);
  atom_rows_.resize(atom_words_size());
  T* rows = host_rows(features, staging_);
  const auto width = static_cast<std::size_t>(width_);
  for (std::size_t i = 0; i < features.num_local; ++i)
    std::memcpy(atom_row(i), rows + i * width, width * sizeof(T));
  communication_.forward();
  const int* node_atom = node_atom_;
  for (std::size_t node = features.num_local; node < features.num_nodes; ++node)
    std::memcpy(rows + node * width, atom_row(static_cast<std::size_t>(node_atom[node])),
                width * sizeof(T));
  return_rows(features, rows, features.num_local);
}

template <typename T>
void LayerExchange::reverse_rows(int layer, const NodeRows<T>& gradients) const {
  begin_layer(layer, gradients, false);
  atom_rows_.assign(atom_words_size(), 0.0);
  T* rows = host_rows(gradients, staging_);
  const auto width = static_cast<std::size_t>(width_);
  const int* node_atom = node_atom_;
  for (std::size_t node = gradients.num_local; node < gradients.num_nodes; ++node) {
    std::memcpy(atom_row(static_cast<std::size_t>(node_atom[node])), rows + node * width,
                width * sizeof(T));
    std::fill_n(rows + node * width, width, T(0));
  }
  communication_.reverse();
  for (std::size_t i = 0; i < gradients.num_local; ++i)
    add_row(rows + i * width, atom_row(i), width_);
  return_rows(gradients, rows, 0);
}

void LayerExchange::forward(int layer, const NodeRows<float>& f) const {
  forward_rows(layer, f);
}
void LayerExchange::forward(int layer, const NodeRows<double>& f) const {
  forward_rows(layer, f);
}
void LayerExchange::reverse(int layer, const NodeRows<float>& g) const {
  reverse_rows(layer, g);
}
void LayerExchange::reverse(int layer, const NodeRows<double>& g) const {
  reverse_rows(layer, g);
}

int AtomWords::pack(int n, const int* list, int first, double* buffer) const {
  const auto w = static_cast<std::size_t>(words);
  for (int i = 0; i < n; ++i) {
    const auto atom = static_cast<std::size_t>(list == nullptr ? first + i : list[i]);
    std::memcpy(buffer + static_cast<std::size_t>(i) * w, rows + atom * w, w * sizeof(double));
  }
  return n * words;
}

void AtomWords::unpack(int n, int first, const double* buffer) const {
  const auto w = static_cast<std::size_t>(words);
  std::memcpy(rows + static_cast<std::size_t>(first) * w, buffer,
              static_cast<std::size_t>(n) * w * sizeof(double));
}

void AtomWords::add(int n, const int* list, const double* buffer) const {
  const auto w = static_cast<std::size_t>(words);
  for (int i = 0; i < n; ++i) {
    auto* target = reinterpret_cast<char*>(rows + static_cast<std::size_t>(list[i]) * w);
    const auto* in = reinterpret_cast<const char*>(buffer + static_cast<std::size_t>(i) * w);
    if (single)
      add_row_bytes<float>(target, in, width);
    else
      add_row_bytes<double>(target, in, width);
  }
}

int LayerExchange::pack_forward(int n, const int* list, double* buffer) const {
  count_packed(n);
  return atom_words().pack(n, list, 0, buffer);
}

void LayerExchange::unpack_forward(int n, int first, const double* buffer) const {
  atom_words().unpack(n, first, buffer);
}

int LayerExchange::pack_reverse(int n, int first, double* buffer) const {
  count_packed(n);
  return atom_words().pack(n, nullptr, first, buffer);
}

void LayerExchange::unpack_reverse(int n, const int* list, const double* buffer) const {
  atom_words().add(n, list, buffer);
}

}  // namespace equifuse
