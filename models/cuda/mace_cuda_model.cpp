#include "models/cuda/mace_cuda_model.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

template <typename T>
MaceCudaModel<T>::MaceCudaModel(std::unique_ptr<MaceModel<T>> host) : CudaPotential("MACE"), host_(std::move(host)) {
  info_ = host_->info();
  const EdgeEmbedding& edges = *host_->edge_embedding_;
  kernels_ = std::make_unique<ModelKernels>(std::is_same_v<T, float> ? "float" : "double",
                                            edges.spherical_harmonics());
  embedding_ = std::make_unique<DeviceLinear<T>>(*host_->embedding_);
  // Node energy = scale * readout sum + atomic energy of its species + shift.
  std::vector<double> offset;
  for (double e : host_->atomic_energies_) offset.push_back(e + host_->config().shift);
  node_energy_scale_.upload(std::vector<double>(offset.size(), host_->config().scale));
  node_energy_offset_.upload(offset);
  edge_embedding_ = std::make_unique<DeviceEdgeEmbedding<T>>(edges);
  for (std::size_t t = 0; t < host_->interactions_.size(); ++t) {
    const auto& hi = host_->interactions_[t];
    const auto& hp = host_->products_[t];
    const auto& hr = host_->readouts_[t];
    Layer layer;
    layer.linear_up = std::make_unique<DeviceLinear<T>>(*hi.linear_up);
    layer.linear = std::make_unique<DeviceLinear<T>>(*hi.linear);
    layer.skip = std::make_unique<DeviceLinear<T>>(*hi.skip);
    layer.radial_mlp = std::make_unique<DeviceMlp<T>>(*hi.radial_mlp);
    layer.convolution = make_graph_convolution<T>(hi.convolution->problem(), Backend::cuda,
                                                  ConvolutionAlgorithm::deterministic);
    layer.contraction = std::make_unique<DeviceSymmetricContraction<T>>(*hp.contraction);
    layer.product_linear = std::make_unique<DeviceLinear<T>>(*hp.linear);
    layer.readout_1 = std::make_unique<DeviceLinear<T>>(*hr.linear_1);
    if (hr.linear_2) layer.readout_2 = std::make_unique<DeviceLinear<T>>(*hr.linear_2);
    layer.readout_scale = hr.activation_scale;
    layer.readout_hidden = hr.hidden_dim;
    layer.plain = hi.kind == MaceInteractionConfig::Kind::plain;
    layer.use_skip = !layer.plain && hp.use_skip_connection;
    layers_.push_back(std::move(layer));
  }
}

template <typename T>
MaceCudaModel<T>::~MaceCudaModel() = default;

template <typename T>
void MaceCudaModel<T>::evaluate_on_device(const DeviceGraph& device_graph, DeviceArray<double>& node_energies,
                                          DeviceArray<double>& edge_gradients) const {
  const std::size_t num_nodes = device_graph.view.num_nodes, num_edges = device_graph.view.num_edges,
                    num_local = device_graph.num_local;
  const int num_species = static_cast<int>(info_.species.size());
  const ModelKernels& k = *kernels_;
  const long nodes = static_cast<long>(num_nodes), edges_count = static_cast<long>(num_edges);
  const ConvolutionGraphView& view = device_graph.view;
  const int* sp = device_graph.species.data();

  // Edge embedding.
  const DeviceEdgeFeatures<T> edges = edge_embedding_->evaluate(k, device_graph);
  const DeviceArray<T>& sh = edges.sh;
  const DeviceArray<T>& radial = edges.radial;

  const std::size_t layers = layers_.size();
  std::vector<DeviceArray<T>> h(layers + 1), edge_feats(layers), weights(layers), product_in(layers),
      readout_hidden(layers);
  std::vector<std::vector<DeviceArray<T>>> mlp_saved(layers);
  {
    DeviceArray<T> one_hot(num_nodes * num_species);
    int n = num_species;
    T* o = one_hot.data();
    k.launch("one_hot", nodes * n, {&nodes, &n, &sp, &o});
    h[0].resize(num_nodes * embedding_->dim_out());
    embedding_->forward(k, nodes, one_hot.data(), h[0].data(), sp);
    check_cuda(cudaDeviceSynchronize(), "embedding");
  }
  DeviceArray<T> readout_sum(num_nodes);
  readout_sum.zero();
  for (std::size_t t = 0; t < layers; ++t) {
    const Layer& L = layers_[t];
    const TensorProductProblem& problem = L.convolution->problem();
    edge_feats[t].resize(num_nodes * L.linear_up->dim_out());
    L.linear_up->forward(k, nodes, h[t].data(), edge_feats[t].data(), sp);
    weights[t].resize(num_edges * problem.weight_numel());
    L.radial_mlp->forward(k, edges_count, radial.data(), weights[t].data(), mlp_saved[t]);
    DeviceArray<T> message(problem.out_size(num_nodes));
    L.convolution->forward(view, {.x = edge_feats[t].span(), .y = sh.span(), .weights = weights[t].span(),
                                  .out = message.span()});
    DeviceArray<T> mixed(num_nodes * L.linear->dim_out());
    L.linear->forward(k, nodes, message.data(), mixed.data(), sp);
    if (L.plain) {
      product_in[t].resize(num_nodes * L.skip->dim_out());
      L.skip->forward(k, nodes, mixed.data(), product_in[t].data(), sp);
      check_cuda(cudaDeviceSynchronize(), "skip");
    } else {
      product_in[t] = std::move(mixed);
    }
    DeviceArray<T> contracted(num_nodes * L.contraction->dim_out());
    L.contraction->forward(k, nodes, product_in[t].data(), sp, contracted.data());
    h[t + 1].resize(num_nodes * L.product_linear->dim_out());
    L.product_linear->forward(k, nodes, contracted.data(), h[t + 1].data(), sp);
    if (L.use_skip) L.skip->forward(k, nodes, h[t].data(), h[t + 1].data(), sp, true);
    DeviceArray<T> energy(num_nodes);
    if (L.readout_2) {
      readout_hidden[t].resize(num_nodes * L.readout_hidden);
      L.readout_1->forward(k, nodes, h[t + 1].data(), readout_hidden[t].data(), sp);
      DeviceArray<T> activated(readout_hidden[t].size());
      long n = static_cast<long>(activated.size());
      const T* in = readout_hidden[t].data();
      T* out = activated.data();
      T a = static_cast<T>(L.readout_scale);
      k.launch("scaled_silu", n, {&n, &in, &out, &a});
      L.readout_2->forward(k, nodes, activated.data(), energy.data(), sp);
      check_cuda(cudaDeviceSynchronize(), "readout");
    } else {
      L.readout_1->forward(k, nodes, h[t + 1].data(), energy.data(), sp);
    }
    add_into(k, readout_sum, energy);
    check_cuda(cudaDeviceSynchronize(), "layer");
  }

  const MaceConfig& config = host_->config();
  species_affine(k, num_local, sp, readout_sum.data(), node_energy_scale_, node_energy_offset_, node_energies);

  // Backward.
  DeviceArray<T> grad_sh(sh.size()), grad_radial(radial.size());
  grad_sh.zero();
  grad_radial.zero();
  DeviceArray<T> grad_h(h[layers].size());
  grad_h.zero();
  DeviceArray<T> seed(num_nodes);
  {
    long prefix = static_cast<long>(num_local);
    T* s = seed.data();
    T value = static_cast<T>(config.scale);
    k.launch("fill_prefix", nodes, {&nodes, &prefix, &s, &value});
  }
  for (std::size_t t = layers; t-- > 0;) {
    const Layer& L = layers_[t];
    const TensorProductProblem& problem = L.convolution->problem();
    if (L.readout_2) {
      DeviceArray<T> grad_hidden(readout_hidden[t].size());
      L.readout_2->backward(k, nodes, seed.data(), grad_hidden.data(), sp, false);
      long n = static_cast<long>(grad_hidden.size());
      T* g = grad_hidden.data();
      const T* pre = readout_hidden[t].data();
      T a = static_cast<T>(L.readout_scale);
      k.launch("scaled_silu_backward", n, {&n, &g, &pre, &a});
      L.readout_1->backward(k, nodes, grad_hidden.data(), grad_h.data(), sp, true);
      check_cuda(cudaDeviceSynchronize(), "readout backward");
    } else {
      L.readout_1->backward(k, nodes, seed.data(), grad_h.data(), sp, true);
    }
    DeviceArray<T> grad_contracted(num_nodes * L.contraction->dim_out());
    L.product_linear->backward(k, nodes, grad_h.data(), grad_contracted.data(), sp, false);
    DeviceArray<T> grad_product_in(product_in[t].size());
    grad_product_in.zero();
    L.contraction->backward(k, nodes, product_in[t].data(), sp, grad_contracted.data(), grad_product_in.data());
    DeviceArray<T> grad_previous(h[t].size());
    grad_previous.zero();
    if (L.use_skip) L.skip->backward(k, nodes, grad_h.data(), grad_previous.data(), sp, true);
    DeviceArray<T> grad_mixed;
    if (L.plain) {
      grad_mixed.resize(num_nodes * L.skip->dim_in());
      L.skip->backward(k, nodes, grad_product_in.data(), grad_mixed.data(), sp, false);
    } else {
      grad_mixed = std::move(grad_product_in);
    }
    DeviceArray<T> grad_message(problem.out_size(num_nodes));
    L.linear->backward(k, nodes, grad_mixed.data(), grad_message.data(), sp, false);
    DeviceArray<T> grad_edge_feats(edge_feats[t].size()), grad_sh_t(sh.size()), grad_weights(weights[t].size());
    L.convolution->backward(view, {.x = edge_feats[t].span(), .y = sh.span(), .weights = weights[t].span(),
                                   .grad_out = grad_message.span(), .grad_x = grad_edge_feats.span(),
                                   .grad_y = grad_sh_t.span(), .grad_weights = grad_weights.span()});
    add_into(k, grad_sh, grad_sh_t);
    DeviceArray<T> grad_radial_t(grad_radial.size());
    L.radial_mlp->backward(k, edges_count, mlp_saved[t], grad_weights.data(), grad_radial_t.data());
    add_into(k, grad_radial, grad_radial_t);
    L.linear_up->backward(k, nodes, grad_edge_feats.data(), grad_previous.data(), sp, true);
    check_cuda(cudaDeviceSynchronize(), "layer backward");
    grad_h = std::move(grad_previous);
  }
  edge_gradients = edge_embedding_->edge_gradients(k, device_graph, edges, grad_sh, grad_radial);
}

template class MaceCudaModel<float>;
template class MaceCudaModel<double>;

}  // namespace equifuse
