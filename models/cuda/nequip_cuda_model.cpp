#include "models/cuda/nequip_cuda_model.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

template <typename T>
NequipCudaModel<T>::NequipCudaModel(std::unique_ptr<NequipModel<T>> host)
    : CudaPotential("NequIP"), host_(std::move(host)) {
  info_ = host_->info();
  const EdgeEmbedding& edges = *host_->edge_embedding_;
  kernels_ = std::make_unique<ModelKernels>(std::is_same_v<T, float> ? "float" : "double",
                                            edges.spherical_harmonics());
  type_embedding_.upload(host_->type_embedding_);
  edge_embedding_ = std::make_unique<DeviceEdgeEmbedding<T>>(edges);
  energy_scales_.upload(std::vector<T>(host_->energy_scales_.begin(), host_->energy_scales_.end()));
  node_energy_scale_.upload(host_->energy_scales_);
  node_energy_offset_.upload(host_->energy_shifts_);
  readout_ = std::make_unique<DeviceMlp<T>>(*host_->readout_);
  for (const auto& h : host_->layers_) {
    Layer layer;
    if (h.self_connection) layer.self_connection = std::make_unique<DeviceLinear<T>>(*h.self_connection);
    layer.linear_1 = std::make_unique<DeviceLinear<T>>(*h.linear_1);
    layer.linear_2 = std::make_unique<DeviceLinear<T>>(*h.linear_2);
    layer.radial_mlp = std::make_unique<DeviceMlp<T>>(*h.radial_mlp);
    layer.convolution = make_graph_convolution<T>(h.convolution->problem(), Backend::cuda,
                                                  ConvolutionAlgorithm::deterministic);
    const GateParameters& g = h.gate->parameters();
    layer.gate.scalar_index.upload(std::vector<int>(g.scalar_index.begin(), g.scalar_index.end()));
    layer.gate.scalar_activation.upload(std::vector<int>(g.scalar_activation.begin(), g.scalar_activation.end()));
    layer.gate.gate_index.upload(std::vector<int>(g.gate_index.begin(), g.gate_index.end()));
    layer.gate.gate_activation.upload(std::vector<int>(g.gate_activation.begin(), g.gate_activation.end()));
    layer.gate.gated_index.upload(std::vector<int>(g.gated_index.begin(), g.gated_index.end()));
    layer.gate.gated_gate.upload(std::vector<int>(g.gated_gate.begin(), g.gated_gate.end()));
    layer.gate.scalar_scale.upload(std::vector<T>(g.scalar_scale.begin(), g.scalar_scale.end()));
    layer.gate.gate_scale.upload(std::vector<T>(g.gate_scale.begin(), g.gate_scale.end()));
    layer.gate.dim_in = g.dim_in;
    layer.gate.num_scalars = static_cast<int>(g.scalar_index.size());
    layer.gate.num_gated = static_cast<int>(g.gated_index.size());
    layer.neighbor_norm.upload(h.neighbor_norm);
    layer.resnet = h.resnet;
    layers_.push_back(std::move(layer));
  }
}

template <typename T>
NequipCudaModel<T>::~NequipCudaModel() = default;

template <typename T>
void NequipCudaModel<T>::evaluate_on_device(const DeviceGraph& device_graph, DeviceArray<double>& node_energies,
                                            DeviceArray<double>& edge_gradients) const {
  const std::size_t num_nodes = device_graph.view.num_nodes, num_edges = device_graph.view.num_edges,
                    num_local = device_graph.num_local;
  const ModelKernels& k = *kernels_;
  const long nodes = static_cast<long>(num_nodes), edges_count = static_cast<long>(num_edges);
  const ConvolutionGraphView& view = device_graph.view;
  const int* sp = device_graph.species.data();

  const DeviceEdgeFeatures<T> edges = edge_embedding_->evaluate(k, device_graph);
  const DeviceArray<T>& sh = edges.sh;
  const DeviceArray<T>& radial = edges.radial;
  const std::size_t num_layers = layers_.size();
  std::vector<DeviceArray<T>> h(num_layers + 1), normalized(num_layers), weights(num_layers), gate_in(num_layers);
  std::vector<std::vector<DeviceArray<T>>> mlp_saved(num_layers);
  {
    int dim = host_->config_.type_embedding_dim;
    h[0].resize(num_nodes * dim);
    const T* table = type_embedding_.data();
    T* out = h[0].data();
    k.launch("gather_species_rows", nodes * dim, {&nodes, &dim, &sp, &table, &out});
  }
  for (std::size_t t = 0; t < num_layers; ++t) {
    const Layer& L = layers_[t];
    const TensorProductProblem& problem = L.convolution->problem();
    int dim_in = L.linear_1->dim_in();
    normalized[t].resize(num_nodes * dim_in);
    L.linear_1->forward(k, nodes, h[t].data(), normalized[t].data(), sp);
    {
      const T* factors = L.neighbor_norm.data();
      T* x = normalized[t].data();
      k.launch("scale_rows_by_species", nodes * dim_in, {&nodes, &dim_in, &sp, &factors, &x});
    }
    weights[t].resize(num_edges * problem.weight_numel());
    L.radial_mlp->forward(k, edges_count, radial.data(), weights[t].data(), mlp_saved[t]);
    DeviceArray<T> message(problem.out_size(num_nodes));
    L.convolution->forward(view, {.x = normalized[t].span(), .y = sh.span(), .weights = weights[t].span(),
                                  .out = message.span()});
    gate_in[t].resize(num_nodes * L.linear_2->dim_out());
    L.linear_2->forward(k, nodes, message.data(), gate_in[t].data(), sp);
    if (L.self_connection) L.self_connection->forward(k, nodes, h[t].data(), gate_in[t].data(), sp, true);
    const DeviceGate& g = L.gate;
    h[t + 1].resize(num_nodes * (g.num_scalars + g.num_gated));
    {
      int din = g.dim_in, ns = g.num_scalars, nd = g.num_gated;
      const int *si = g.scalar_index.data(), *sa = g.scalar_activation.data(), *gi = g.gate_index.data(),
                *ga = g.gate_activation.data(), *di = g.gated_index.data(), *dg = g.gated_gate.data();
      const T *ss = g.scalar_scale.data(), *gs = g.gate_scale.data(), *x = gate_in[t].data();
      T* out = h[t + 1].data();
      k.launch("gate_forward", nodes * (ns + nd), {&nodes, &din, &ns, &si, &sa, &ss, &gi, &ga, &gs, &nd, &di, &dg, &x, &out});
    }
    if (L.resnet) add_into(k, h[t + 1], h[t]);
    check_cuda(cudaDeviceSynchronize(), "layer");
  }
  DeviceArray<T> atomic(num_nodes);
  std::vector<DeviceArray<T>> readout_saved;
  readout_->forward(k, nodes, h[num_layers].data(), atomic.data(), readout_saved);

  species_affine(k, num_local, sp, atomic.data(), node_energy_scale_, node_energy_offset_, node_energies);

  DeviceArray<T> seed(num_nodes);
  {
    long prefix = static_cast<long>(num_local);
    const T* scales = energy_scales_.data();
    T* s = seed.data();
    k.launch("species_values_prefix", nodes, {&nodes, &prefix, &sp, &scales, &s});
  }
  DeviceArray<T> grad_h(h[num_layers].size());
  readout_->backward(k, nodes, readout_saved, seed.data(), grad_h.data());
  DeviceArray<T> grad_sh(sh.size()), grad_radial(radial.size());
  grad_sh.zero();
  grad_radial.zero();
  for (std::size_t t = num_layers; t-- > 0;) {
    const Layer& L = layers_[t];
    const TensorProductProblem& problem = L.convolution->problem();
    DeviceArray<T> grad_previous(h[t].size());
    if (L.resnet) {
      check_cuda(cudaMemcpy(grad_previous.data(), grad_h.data(), grad_h.size() * sizeof(T), cudaMemcpyDeviceToDevice),
                 "resnet gradient");
    } else {
      grad_previous.zero();
    }
    DeviceArray<T> grad_gate_in(gate_in[t].size());
    grad_gate_in.zero();
    {
      const DeviceGate& g = L.gate;
      int din = g.dim_in, ns = g.num_scalars, nd = g.num_gated;
      const int *si = g.scalar_index.data(), *sa = g.scalar_activation.data(), *gi = g.gate_index.data(),
                *ga = g.gate_activation.data(), *di = g.gated_index.data(), *dg = g.gated_gate.data();
      const T *ss = g.scalar_scale.data(), *gs = g.gate_scale.data(), *x = gate_in[t].data(), *go = grad_h.data();
      T* gx = grad_gate_in.data();
      k.launch("gate_backward", nodes, {&nodes, &din, &ns, &si, &sa, &ss, &gi, &ga, &gs, &nd, &di, &dg, &x, &go, &gx});
    }
    if (L.self_connection) L.self_connection->backward(k, nodes, grad_gate_in.data(), grad_previous.data(), sp, true);
    DeviceArray<T> grad_message(problem.out_size(num_nodes));
    L.linear_2->backward(k, nodes, grad_gate_in.data(), grad_message.data(), sp, false);
    DeviceArray<T> grad_normalized(normalized[t].size()), grad_sh_t(sh.size()), grad_weights(weights[t].size());
    L.convolution->backward(view, {.x = normalized[t].span(), .y = sh.span(), .weights = weights[t].span(),
                                   .grad_out = grad_message.span(), .grad_x = grad_normalized.span(),
                                   .grad_y = grad_sh_t.span(), .grad_weights = grad_weights.span()});
    add_into(k, grad_sh, grad_sh_t);
    DeviceArray<T> grad_radial_t(grad_radial.size());
    L.radial_mlp->backward(k, edges_count, mlp_saved[t], grad_weights.data(), grad_radial_t.data());
    add_into(k, grad_radial, grad_radial_t);
    {
      int dim_in = L.linear_1->dim_in();
      const T* factors = L.neighbor_norm.data();
      T* x = grad_normalized.data();
      k.launch("scale_rows_by_species", nodes * dim_in, {&nodes, &dim_in, &sp, &factors, &x});
    }
    L.linear_1->backward(k, nodes, grad_normalized.data(), grad_previous.data(), sp, true);
    check_cuda(cudaDeviceSynchronize(), "layer backward");
    grad_h = std::move(grad_previous);
  }
  edge_gradients = edge_embedding_->edge_gradients(k, device_graph, edges, grad_sh, grad_radial);
}

template class NequipCudaModel<float>;
template class NequipCudaModel<double>;

}  // namespace equifuse
