// The model layers on the GPU: device copies of the folded tables of the host layers
// (models/layers, models/mace) and launches of the generic model kernels (model_kernels), plus
// the graph and edge embedding every model starts from. Pointers are device pointers; everything
// runs on the default stream.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/convolution/convolution_graph.hpp"
#include "models/cuda/device_array.hpp"
#include "models/cuda/model_kernels.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/equivariant_linear.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/layers/species_linear.hpp"
#include "models/mace/symmetric_contraction.hpp"
#include "models/potential/atomic_graph.hpp"
#include "models/potential/forces_and_virial.hpp"

namespace equifuse {

// Groups edges by node on the device: offsets [num_nodes + 1] and edge ids ascending within a node
// (ConvolutionGraph's CSR) from each edge's node. Node indices must be in range (checked on the
// host by check_atomic_graph).
void group_edges_on_device(const ModelKernels& k, std::size_t num_nodes, const DeviceArray<std::int32_t>& node_of_edge,
                           DeviceArray<std::int32_t>& offsets, DeviceArray<std::int32_t>& grouped);

// A graph whose arrays are on the device already (device pointers; AtomicGraph's layout): what the
// Kokkos pair style builds on the GPU.
struct DeviceGraphInput {
  std::size_t num_nodes = 0, num_local = 0, num_edges = 0;
  const int* species = nullptr;                                       // [num_nodes]
  const std::int32_t *senders = nullptr, *receivers = nullptr;        // [num_edges]
  const double* edge_vectors = nullptr;                               // [num_edges][3]
};

// A graph on the device: the convolution's edge groupings (built there), the species and the
// edge vectors; only the edge lists, species and vectors are copied in (from the host, or from
// device memory).
struct DeviceGraph {
  DeviceGraph(const AtomicGraph& graph, const ModelKernels& k);
  DeviceGraph(const DeviceGraphInput& graph, const ModelKernels& k);
  DeviceGraph(const DeviceGraph&) = delete;
  DeviceGraph& operator=(const DeviceGraph&) = delete;
  DeviceArray<std::int32_t> senders, receivers, receiver_offsets, receiver_edges, sender_offsets,
      sender_edges;
  DeviceArray<int> species;
  DeviceArray<double> vectors;
  ConvolutionGraphView view;  // of the arrays above
  std::size_t num_local = 0;  // energy is summed over nodes [0, num_local)

 private:
  void group(const ModelKernels& k, std::size_t num_nodes);
};

template <typename T>
struct DeviceEdgeFeatures {
  DeviceArray<T> sh, sh_grad, radial, radial_grad, length;
};

// The host EdgeEmbedding on the device: forward with derivatives, and the chain rule back to
// dE/d(edge vector) [num_edges][3] (on the device).
template <typename T>
class DeviceEdgeEmbedding {
 public:
  explicit DeviceEdgeEmbedding(const EdgeEmbedding& host);
  DeviceEdgeFeatures<T> evaluate(const ModelKernels& k, const DeviceGraph& graph) const;
  DeviceArray<double> edge_gradients(const ModelKernels& k, const DeviceGraph& graph,
                                     const DeviceEdgeFeatures<T>& features, const DeviceArray<T>& grad_sh,
                                     const DeviceArray<T>& grad_radial) const;

 private:
  const EdgeEmbedding& host_;
  DeviceArray<T> frequencies_;
};

// Forces and per-node virials [num_nodes][3], [num_nodes][3][3] (forces_and_virial.hpp) from
// edge gradients, summed per node on the device.
void device_node_forces(const ModelKernels& k, const DeviceGraph& graph, const DeviceArray<double>& edge_gradients,
                        DeviceArray<double>& forces, DeviceArray<double>& atomic_virials);
// The same copied back, with the virial summed on the host.
ForcesAndVirial device_forces_and_virial(const ModelKernels& k, const DeviceGraph& graph,
                                         const DeviceArray<double>& edge_gradients);
// Column sums of a [rows][columns] device array, in a fixed order, returned to the host (written by
// the kernel into mapped pinned memory: no copy operation).
std::vector<double> device_column_sums(const ModelKernels& k, const DeviceArray<double>& values, int columns);

// out[n] = scale[species[n]] * values[n] + offset[species[n]] for n < count: node energies.
template <typename T>
void species_affine(const ModelKernels& k, std::size_t count, const int* species, const T* values,
                    const DeviceArray<double>& scale, const DeviceArray<double>& offset, DeviceArray<double>& out);

// a += b (same sizes).
template <typename T>
void add_into(const ModelKernels& k, DeviceArray<T>& a, const DeviceArray<T>& b);

// An e3nn Linear, or a species-dependent one (weights chosen per row by species).
template <typename T>
class DeviceLinear {
 public:
  explicit DeviceLinear(const EquivariantLinear<T>& host);
  explicit DeviceLinear(const SpeciesLinear<T>& host);
  int dim_in() const { return dim_in_; }
  int dim_out() const { return dim_out_; }
  void forward(const ModelKernels& k, long rows, const T* x, T* out, const int* species,
               bool accumulate = false) const;
  void backward(const ModelKernels& k, long rows, const T* grad_out, T* grad_x, const int* species,
                bool accumulate) const;

 private:
  DeviceArray<int> blocks_;
  DeviceArray<T> weights_;
  long species_stride_ = 0;
  int num_blocks_ = 0, dim_in_ = 0, dim_out_ = 0;
};

template <typename T>
class DeviceMlp {
 public:
  explicit DeviceMlp(const RadialMlp<T>& host);
  int dim_out() const { return dims_.back(); }
  // Keeps the hidden pre-activations in `saved` (one array per hidden layer).
  void forward(const ModelKernels& k, long rows, const T* in, T* out, std::vector<DeviceArray<T>>& saved) const;
  void backward(const ModelKernels& k, long rows, const std::vector<DeviceArray<T>>& saved,
                const T* grad_out, T* grad_in) const;

 private:
  std::vector<int> dims_;
  std::vector<DeviceArray<T>> weights_, transposed_;  // [in][out] and [out][in]
  T scale_;
};

template <typename T>
class DeviceSymmetricContraction {
 public:
  explicit DeviceSymmetricContraction(const SymmetricContraction<T>& host);
  int dim_out() const { return dim_out_; }
  void forward(const ModelKernels& k, long rows, const T* x, const int* species, T* out) const;
  // grad_x += ...
  void backward(const ModelKernels& k, long rows, const T* x, const int* species, const T* grad_out,
                T* grad_x) const;

 private:
  DeviceArray<int> base_, stride_, outputs_, monomials_;
  DeviceArray<T> coefficients_;
  int channels_, dim_in_, dim_out_, num_outputs_, num_components_;
};

}  // namespace equifuse
