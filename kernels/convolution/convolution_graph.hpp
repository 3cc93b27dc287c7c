// ConvolutionGraph: the edges of a graph convolution, out[i] = sum over edges e = (j -> i) of
// TP(x[j], y[e], W[e]), with the orderings the kernels need, computed once per graph: edges
// grouped by receiver (the forward pass and dL/dgrad_out sum over them) and by sender (dL/dx
// sums over them), each a CSR index (offsets + edge ids, edge ids ascending within a node).
// Edge data (y, W and their gradients) stays in the caller's edge order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace equifuse {

// The graph as the kernels read it; the spans live in the memory of the backend that runs (host
// for Backend::cpu, device for Backend::cuda). Indices are 32-bit.
struct ConvolutionGraphView {
  std::size_t num_nodes = 0;
  std::size_t num_edges = 0;
  std::span<const std::int32_t> senders, receivers;                // [num_edges]
  std::span<const std::int32_t> receiver_offsets, receiver_edges;  // [num_nodes + 1], [num_edges]
  std::span<const std::int32_t> sender_offsets, sender_edges;      // [num_nodes + 1], [num_edges]
};

class ConvolutionGraph {
 public:
  // Throws equifuse::Error for mismatched lengths, an index outside [0, num_nodes), or more
  // nodes or edges than 32-bit indices hold.
  ConvolutionGraph(std::size_t num_nodes, std::span<const std::int32_t> senders,
                   std::span<const std::int32_t> receivers);

  std::size_t num_nodes() const { return num_nodes_; }
  std::size_t num_edges() const { return senders_.size(); }
  const std::vector<std::int32_t>& senders() const { return senders_; }
  const std::vector<std::int32_t>& receivers() const { return receivers_; }
  const std::vector<std::int32_t>& receiver_offsets() const { return receiver_offsets_; }
  const std::vector<std::int32_t>& receiver_edges() const { return receiver_edges_; }
  const std::vector<std::int32_t>& sender_offsets() const { return sender_offsets_; }
  const std::vector<std::int32_t>& sender_edges() const { return sender_edges_; }

  // A view of host memory (for the CPU backend; copy the six arrays for a device).
  ConvolutionGraphView host_view() const;

 private:
  std::size_t num_nodes_;
  std::vector<std::int32_t> senders_, receivers_;
  std::vector<std::int32_t> receiver_offsets_, receiver_edges_, sender_offsets_, sender_edges_;
};

}  // namespace equifuse
