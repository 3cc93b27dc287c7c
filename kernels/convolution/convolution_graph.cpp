#include "kernels/convolution/convolution_graph.hpp"

#include <limits>
#include <string>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

// Counting sort of edge ids by key: offsets[n]..offsets[n+1] lists the edges whose key is n, in
// ascending edge order (stable), which keeps every sum in a fixed order.
void group_edges(std::size_t num_nodes, const std::vector<std::int32_t>& key,
                 std::vector<std::int32_t>& offsets, std::vector<std::int32_t>& edges) {
  offsets.assign(num_nodes + 1, 0);
  for (std::int32_t k : key) ++offsets[k + 1];
  for (std::size_t n = 0; n < num_nodes; ++n) offsets[n + 1] += offsets[n];
  std::vector<std::int32_t> next(offsets.begin(), offsets.end() - 1);
  edges.resize(key.size());
  for (std::size_t e = 0; e < key.size(); ++e) edges[next[key[e]]++] = static_cast<std::int32_t>(e);
}

}  // namespace

ConvolutionGraph::ConvolutionGraph(std::size_t num_nodes, std::span<const std::int32_t> senders,
                                   std::span<const std::int32_t> receivers)
    : num_nodes_(num_nodes),
      senders_(senders.begin(), senders.end()),
      receivers_(receivers.begin(), receivers.end()) {
  constexpr auto limit = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
  if (senders.size() != receivers.size())
    throw Error("convolution graph: " + std::to_string(senders.size()) + " senders but " +
                std::to_string(receivers.size()) + " receivers");
  if (num_nodes >= limit || senders.size() >= limit)
    throw Error("convolution graph: more than 2^31 - 1 nodes or edges");
  for (std::size_t e = 0; e < senders.size(); ++e) {
    for (std::int32_t node : {senders[e], receivers[e]}) {
      if (node < 0 || static_cast<std::size_t>(node) >= num_nodes)
        throw Error("convolution graph: edge " + std::to_string(e) + " refers to node " +
                    std::to_string(node) + ", outside [0, " + std::to_string(num_nodes) + ")");
    }
  }
  group_edges(num_nodes, receivers_, receiver_offsets_, receiver_edges_);
  group_edges(num_nodes, senders_, sender_offsets_, sender_edges_);
}

ConvolutionGraphView ConvolutionGraph::host_view() const {
  return {num_nodes_,        num_edges(),     senders_,        receivers_,
          receiver_offsets_, receiver_edges_, sender_offsets_, sender_edges_};
}

}  // namespace equifuse
