#include "models/cuda/device_layers.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

template <typename Block>
std::vector<int> block_table(const std::vector<Block>& blocks) {
  std::vector<int> table;
  for (const Block& b : blocks) {
    table.insert(table.end(), {b.in_offset, b.out_offset, b.mul_in, b.mul_out, b.dim,
                               static_cast<int>(b.weight_offset)});
  }
  return table;
}

}  // namespace

void group_edges_on_device(const ModelKernels& k, std::size_t num_nodes, const DeviceArray<std::int32_t>& node_of_edge,
                           DeviceArray<std::int32_t>& offsets, DeviceArray<std::int32_t>& grouped) {
  long nodes = static_cast<long>(num_nodes), edges = static_cast<long>(node_of_edge.size());
  DeviceArray<std::int32_t> counts(num_nodes), block_sums((num_nodes + 1023) / 1024 + 1), total(1);
  counts.zero();
  offsets.resize(num_nodes + 1);
  grouped.resize(node_of_edge.size());
  const std::int32_t* node = node_of_edge.data();
  std::int32_t *c = counts.data(), *o = offsets.data(), *b = block_sums.data(), *t = total.data(), *g = grouped.data();
  k.launch("count_edges_per_node", edges, {&edges, &node, &c});
  long blocks = (nodes + 1023) / 1024;
  k.launch_grid("scan_blocks", static_cast<unsigned>(blocks), 1, 1024, {&nodes, &c, &o, &b});
  k.launch_grid("scan_block_sums", 1, 1, 1024, {&blocks, &b, &t});
  k.launch("add_block_offsets", nodes + 1, {&nodes, &o, &b, &t});
  counts.zero();  // now the per-node cursor
  k.launch("scatter_edges_to_nodes", edges, {&edges, &node, &o, &c, &g});
  k.launch("sort_node_edges", nodes, {&nodes, &o, &g});
}

DeviceGraph::DeviceGraph(const AtomicGraph& graph, const ModelKernels& k)
    : senders(graph.senders), receivers(graph.receivers),
      species(std::vector<int>(graph.species.begin(), graph.species.end())), vectors(graph.edge_vectors),
      num_local(graph.num_local) {
  group(k, graph.num_nodes);
}

DeviceGraph::DeviceGraph(const DeviceGraphInput& graph, const ModelKernels& k) : num_local(graph.num_local) {
  if (graph.num_local > graph.num_nodes) throw Error("device graph: more local nodes than nodes");
  senders.copy_from_device(graph.senders, graph.num_edges);
  receivers.copy_from_device(graph.receivers, graph.num_edges);
  species.copy_from_device(graph.species, graph.num_nodes);
  vectors.copy_from_device(graph.edge_vectors, 3 * graph.num_edges);
  group(k, graph.num_nodes);
}

void DeviceGraph::group(const ModelKernels& k, std::size_t num_nodes) {
  group_edges_on_device(k, num_nodes, receivers, receiver_offsets, receiver_edges);
  group_edges_on_device(k, num_nodes, senders, sender_offsets, sender_edges);
  view = {num_nodes,               senders.size(),        senders.span(),        receivers.span(),
          receiver_offsets.span(), receiver_edges.span(), sender_offsets.span(), sender_edges.span()};
}

template <typename T>
DeviceEdgeEmbedding<T>::DeviceEdgeEmbedding(const EdgeEmbedding& host) : host_(host) {
  const auto& f = host.radial_basis().frequencies();
  frequencies_.upload(std::vector<T>(f.begin(), f.end()));
}

template <typename T>
DeviceEdgeFeatures<T> DeviceEdgeEmbedding<T>::evaluate(const ModelKernels& k, const DeviceGraph& graph) const {
  const std::size_t num_edges = graph.view.num_edges;
  const auto sh_dim = static_cast<std::size_t>(host_.sh_dim());
  int nb = host_.num_basis();
  DeviceEdgeFeatures<T> f;
  f.sh.resize(num_edges * sh_dim);
  f.sh_grad.resize(num_edges * sh_dim * 3);
  f.radial.resize(num_edges * nb);
  f.radial_grad.resize(num_edges * nb);
  f.length.resize(num_edges);
  long edges = static_cast<long>(num_edges);
  const double* v = graph.vectors.data();
  const T* freq = frequencies_.data();
  T prefactor = static_cast<T>(host_.radial_basis().prefactor());
  T r_max = static_cast<T>(host_.r_max());
  int p = host_.radial_basis().p();
  T *s = f.sh.data(), *sg = f.sh_grad.data(), *r = f.radial.data(), *rg = f.radial_grad.data(), *l = f.length.data();
  k.launch("edge_embedding", edges, {&edges, &v, &nb, &freq, &prefactor, &r_max, &p, &s, &sg, &r, &rg, &l});
  return f;
}

template <typename T>
DeviceArray<double> DeviceEdgeEmbedding<T>::edge_gradients(const ModelKernels& k, const DeviceGraph& graph,
                                                           const DeviceEdgeFeatures<T>& f,
                                                           const DeviceArray<T>& grad_sh,
                                                           const DeviceArray<T>& grad_radial) const {
  long edges = static_cast<long>(graph.view.num_edges);
  int nb = host_.num_basis();
  DeviceArray<double> gradients(3 * graph.view.num_edges);
  const T *gs = grad_sh.data(), *sg = f.sh_grad.data(), *gr = grad_radial.data(), *rg = f.radial_grad.data(),
          *l = f.length.data();
  const double* v = graph.vectors.data();
  double* o = gradients.data();
  k.launch("edge_gradients", edges, {&edges, &nb, &gs, &sg, &gr, &rg, &l, &v, &o});
  return gradients;
}

void device_node_forces(const ModelKernels& k, const DeviceGraph& graph, const DeviceArray<double>& edge_gradients,
                        DeviceArray<double>& forces, DeviceArray<double>& atomic_virials) {
  const ConvolutionGraphView& view = graph.view;
  if (edge_gradients.size() != 3 * view.num_edges) throw Error("forces: edge gradients do not match the graph's edges");
  long nodes = static_cast<long>(view.num_nodes);
  forces.resize(3 * view.num_nodes);
  atomic_virials.resize(9 * view.num_nodes);
  const std::int32_t *ro = view.receiver_offsets.data(), *re = view.receiver_edges.data(),
                     *so = view.sender_offsets.data(), *se = view.sender_edges.data();
  const double *g = edge_gradients.data(), *v = graph.vectors.data();
  double *f = forces.data(), *w = atomic_virials.data();
  k.launch("node_forces_virials", nodes, {&nodes, &ro, &re, &so, &se, &g, &v, &f, &w});
}

namespace {

// Pinned host memory mapped into the device: a kernel writes the sums there and the host reads them
// after the stream, with no copy operation (as Kokkos returns its reductions), so that an MD step
// that tallies energy and virial copies nothing. One buffer per thread, grown as needed, never
// freed (CUDA may be gone at exit).
struct MappedSums {
  double* host = nullptr;
  double* device = nullptr;
  std::size_t capacity = 0;
};

const MappedSums& mapped_sums(std::size_t count) {
  thread_local MappedSums sums;
  if (count > sums.capacity) {
    if (sums.host != nullptr) cudaFreeHost(sums.host);
    sums = {};
    void* host = nullptr;
    check_cuda(cudaHostAlloc(&host, count * sizeof(double), cudaHostAllocMapped), "pinned sums");
    void* device = nullptr;
    check_cuda(cudaHostGetDevicePointer(&device, host, 0), "pinned sums");
    sums = {static_cast<double*>(host), static_cast<double*>(device), count};
  }
  return sums;
}

}  // namespace

std::vector<double> device_column_sums(const ModelKernels& k, const DeviceArray<double>& values, int columns) {
  long rows = static_cast<long>(values.size() / static_cast<std::size_t>(columns));
  const MappedSums& sums = mapped_sums(static_cast<std::size_t>(columns));
  const double* in = values.data();
  double* out = sums.device;
  k.launch_grid("column_sums", 1, 1, 1024, {&rows, &columns, &in, &out});
  check_cuda(cudaStreamSynchronize(nullptr), "column sums");
  return std::vector<double>(sums.host, sums.host + columns);
}

template <typename T>
void species_affine(const ModelKernels& k, std::size_t count, const int* species, const T* values,
                    const DeviceArray<double>& scale, const DeviceArray<double>& offset, DeviceArray<double>& out) {
  out.resize(count);
  long n = static_cast<long>(count);
  const double *a = scale.data(), *b = offset.data();
  double* o = out.data();
  k.launch("species_affine", n, {&n, &species, &values, &a, &b, &o});
}

ForcesAndVirial device_forces_and_virial(const ModelKernels& k, const DeviceGraph& graph,
                                         const DeviceArray<double>& edge_gradients) {
  DeviceArray<double> forces, virials;
  device_node_forces(k, graph, edge_gradients, forces, virials);
  const ConvolutionGraphView& view = graph.view;
  ForcesAndVirial out;
  out.forces = forces.download();
  out.atomic_virials = virials.download();
  for (std::size_t n = 0; n < view.num_nodes; ++n)
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) out.virial[a][b] += out.atomic_virials[9 * n + 3 * a + b];
  return out;
}

template <typename T>
void add_into(const ModelKernels& k, DeviceArray<T>& a, const DeviceArray<T>& b) {
  if (a.size() != b.size()) throw Error("add_into: sizes differ");
  long n = static_cast<long>(a.size());
  T* target = a.data();
  const T* source = b.data();
  k.launch("add_to", n, {&n, &target, &source});
}

template <typename T>
DeviceLinear<T>::DeviceLinear(const EquivariantLinear<T>& host)
    : blocks_(block_table(host.blocks())), weights_(host.weights()),
      num_blocks_(static_cast<int>(host.blocks().size())), dim_in_(host.dim_in()), dim_out_(host.dim_out()) {}

template <typename T>
DeviceLinear<T>::DeviceLinear(const SpeciesLinear<T>& host)
    : blocks_(block_table(host.blocks())), weights_(host.weights()),
      species_stride_(static_cast<long>(host.per_species())),
      num_blocks_(static_cast<int>(host.blocks().size())), dim_in_(host.dim_in()), dim_out_(host.dim_out()) {}

template <typename T>
void DeviceLinear<T>::forward(const ModelKernels& k, long rows, const T* x, T* out, const int* species,
                              bool accumulate) const {
  long stride = species_stride_;
  const int* sp = species_stride_ ? species : nullptr;
  int din = dim_in_, dout = dim_out_, nb = num_blocks_, acc = accumulate ? 1 : 0;
  const int* bl = blocks_.data();
  const T* w = weights_.data();
  k.launch("linear_forward", rows * dout, {&rows, &din, &dout, &nb, &bl, &w, &stride, &sp, &x, &out, &acc});
}

template <typename T>
void DeviceLinear<T>::backward(const ModelKernels& k, long rows, const T* g, T* gx, const int* species,
                               bool accumulate) const {
  long stride = species_stride_;
  const int* sp = species_stride_ ? species : nullptr;
  int din = dim_in_, dout = dim_out_, nb = num_blocks_, acc = accumulate ? 1 : 0;
  const int* bl = blocks_.data();
  const T* w = weights_.data();
  k.launch("linear_backward", rows * din, {&rows, &din, &dout, &nb, &bl, &w, &stride, &sp, &g, &gx, &acc});
}

template <typename T>
DeviceMlp<T>::DeviceMlp(const RadialMlp<T>& host) : dims_(host.dims()), scale_(host.activation_scale()) {
  for (std::size_t l = 0; l + 1 < dims_.size(); ++l) {
    const std::vector<T>& w = host.layer_weights(l);
    const auto nin = static_cast<std::size_t>(dims_[l]), nout = static_cast<std::size_t>(dims_[l + 1]);
    std::vector<T> t(w.size());
    for (std::size_t i = 0; i < nin; ++i)
      for (std::size_t j = 0; j < nout; ++j) t[j * nin + i] = w[i * nout + j];
    weights_.emplace_back(w);
    transposed_.emplace_back(t);
  }
}

namespace {

// The MLP layers as tiled GEMMs (model_kernels' tiled_gemm) with their epilogues.
template <typename T>
void gemm(const ModelKernels& k, long rows, int inner, int n, const T* a, const T* b, T* out, int mode,
          T* saved, const T* pre, T scale) {
  const auto grid_x = static_cast<unsigned>((rows + 31) / 32);
  const auto grid_y = static_cast<unsigned>((n + 31) / 32);
  k.launch_grid("tiled_gemm", grid_x, grid_y, 256,
                {&rows, &inner, &n, &a, &b, &out, &mode, &saved, &pre, &scale});
}

}  // namespace

template <typename T>
void DeviceMlp<T>::forward(const ModelKernels& k, long rows, const T* in, T* out,
                           std::vector<DeviceArray<T>>& saved) const {
  const std::size_t layers = weights_.size();
  saved.resize(layers - 1);
  std::vector<DeviceArray<T>> activations(layers - 1);
  const T* current = in;
  for (std::size_t l = 0; l < layers; ++l) {
    const int nin = dims_[l], nout = dims_[l + 1];
    const bool act = l + 1 < layers;
    T* target = out;
    T* pre = nullptr;
    if (act) {
      saved[l].resize(static_cast<std::size_t>(rows) * nout);
      activations[l].resize(static_cast<std::size_t>(rows) * nout);
      target = activations[l].data();
      pre = saved[l].data();
    }
    gemm<T>(k, rows, nin, nout, current, weights_[l].data(), target, act ? 1 : 0, pre, nullptr, scale_);
    current = target;
  }
  // The activations must outlive the launches: synchronise before they are freed.
  check_cuda(cudaDeviceSynchronize(), "radial MLP");
}

template <typename T>
void DeviceMlp<T>::backward(const ModelKernels& k, long rows, const std::vector<DeviceArray<T>>& saved,
                            const T* grad_out, T* grad_in) const {
  const std::size_t layers = weights_.size();
  std::vector<DeviceArray<T>> grads(layers);
  const T* g = grad_out;
  for (std::size_t l = layers; l-- > 0;) {
    const int nin = dims_[l], nout = dims_[l + 1];
    T* target = grad_in;
    const T* pre = nullptr;
    if (l > 0) {
      grads[l].resize(static_cast<std::size_t>(rows) * nin);
      target = grads[l].data();
      pre = saved[l - 1].data();
    }
    // grad_in = grad_out W^T (times a silu'(pre) below the first layer)
    gemm<T>(k, rows, nout, nin, g, transposed_[l].data(), target, pre ? 2 : 0, nullptr, pre, scale_);
    g = target;
  }
  check_cuda(cudaDeviceSynchronize(), "radial MLP backward");
}

template <typename T>
DeviceSymmetricContraction<T>::DeviceSymmetricContraction(const SymmetricContraction<T>& host)
    : base_(host.component_base()), stride_(host.component_stride()), channels_(host.channels()),
      dim_in_(host.dim_in()), dim_out_(host.dim_out()),
      num_outputs_(static_cast<int>(host.outputs().size())),
      num_components_(static_cast<int>(host.component_base().size())) {
  // Limits of the kernel's local arrays (model_kernels.cpp).
  if (num_components_ > 64) throw Error("symmetric contraction on the GPU: more than 64 coupled components");
  for (const auto& o : host.outputs()) {
    if (o.dim > 13) throw Error("symmetric contraction on the GPU: output irreps above l = 6");
  }
  std::vector<int> outputs, monomials;
  std::vector<T> coefficients;
  for (const auto& o : host.outputs()) {
    outputs.insert(outputs.end(), {o.offset, o.dim, static_cast<int>(monomials.size() / 8),
                                   static_cast<int>(o.monomials.size()), static_cast<int>(coefficients.size())});
    for (const auto& m : o.monomials) {
      monomials.insert(monomials.end(), {m.m, m.degree});
      for (int j = 0; j < kMaxCorrelation; ++j) monomials.push_back(j < m.degree ? m.i[j] : 0);
    }
    coefficients.insert(coefficients.end(), o.coefficients.begin(), o.coefficients.end());
  }
  static_assert(kMaxCorrelation == 6, "monomial records are 8 ints");
  outputs_.upload(outputs);
  monomials_.upload(monomials);
  coefficients_.upload(coefficients);
}

template <typename T>
void DeviceSymmetricContraction<T>::forward(const ModelKernels& k, long rows, const T* x, const int* species,
                                            T* out) const {
  int c = channels_, din = dim_in_, dout = dim_out_, no = num_outputs_, nc = num_components_;
  const int *b = base_.data(), *s = stride_.data(), *o = outputs_.data(), *m = monomials_.data();
  const T* co = coefficients_.data();
  k.launch("symmetric_contraction_forward", rows * c,
           {&rows, &c, &din, &dout, &nc, &b, &s, &no, &o, &m, &co, &species, &x, &out});
}

template <typename T>
void DeviceSymmetricContraction<T>::backward(const ModelKernels& k, long rows, const T* x, const int* species,
                                             const T* g, T* gx) const {
  int c = channels_, din = dim_in_, dout = dim_out_, no = num_outputs_, nc = num_components_;
  const int *b = base_.data(), *s = stride_.data(), *o = outputs_.data(), *m = monomials_.data();
  const T* co = coefficients_.data();
  k.launch("symmetric_contraction_backward", rows * c,
           {&rows, &c, &din, &dout, &nc, &b, &s, &no, &o, &m, &co, &species, &x, &g, &gx});
}

template class DeviceEdgeEmbedding<float>;
template class DeviceEdgeEmbedding<double>;
template void add_into<float>(const ModelKernels&, DeviceArray<float>&, const DeviceArray<float>&);
template void add_into<double>(const ModelKernels&, DeviceArray<double>&, const DeviceArray<double>&);
template void species_affine<float>(const ModelKernels&, std::size_t, const int*, const float*,
                                    const DeviceArray<double>&, const DeviceArray<double>&, DeviceArray<double>&);
template void species_affine<double>(const ModelKernels&, std::size_t, const int*, const double*,
                                     const DeviceArray<double>&, const DeviceArray<double>&, DeviceArray<double>&);
template class DeviceLinear<float>;
template class DeviceLinear<double>;
template class DeviceMlp<float>;
template class DeviceMlp<double>;
template class DeviceSymmetricContraction<float>;
template class DeviceSymmetricContraction<double>;

}  // namespace equifuse
