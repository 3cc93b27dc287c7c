#include "models/structure/skin_neighbor_list.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "kernels/common/error.hpp"

namespace equifuse {

SkinNeighborList::SkinNeighborList(double cutoff, double skin) : cutoff_(cutoff), skin_(skin) {
  if (!(cutoff > 0.0) || !std::isfinite(cutoff)) throw Error("neighbour list: cutoff must be > 0");
  if (!(skin >= 0.0) || !std::isfinite(skin)) throw Error("neighbour list: skin must be >= 0");
}

bool SkinNeighborList::reusable(const AtomicStructure& s) const {
  if (builds_ == 0 || s.atomic_numbers != built_.atomic_numbers || s.cell != built_.cell ||
      s.pbc != built_.pbc || s.positions.size() != built_.positions.size()) {
    return false;
  }
  const double limit2 = 0.25 * skin_ * skin_;
  for (std::size_t a = 0; a < s.size(); ++a) {
    double moved2 = 0;
    for (int k = 0; k < 3; ++k) {
      const double d = s.positions[a][k] - built_.positions[a][k];
      moved2 += d * d;
    }
    if (!(moved2 < limit2)) return false;  // also for a non-finite position
  }
  return true;
}

const NeighborList& SkinNeighborList::update(const AtomicStructure& s) {
  rebuilt_ = !reusable(s);
  if (rebuilt_) {
    skin_list_ = build_neighbor_list(s, cutoff_ + skin_, /*with_shifts=*/true);
    built_ = s;
    ++builds_;
  }
  // Each listed pair at the current positions, measured as build_neighbor_list measures it: from
  // the wrapped positions, with the sender's image shift in the wrapped frame of this step.
  // Serial: the model's evaluation, not this loop, is what an MD step spends its time on.
  const WrappedPositions wrapped = wrap_positions(s);
  const double cutoff2 = cutoff_ * cutoff_;
  current_.senders.clear();
  current_.receivers.clear();
  current_.vectors.clear();
  std::vector<std::pair<std::int32_t, std::array<double, 3>>> found;
  const std::size_t num_edges = skin_list_.senders.size();
  for (std::size_t begin = 0, end = 0; begin < num_edges; begin = end) {
    const std::int32_t i = skin_list_.receivers[begin];
    end = begin;
    while (end < num_edges && skin_list_.receivers[end] == i) ++end;
    found.clear();
    const std::array<double, 3>& ri = wrapped.home[i];
    for (std::size_t e = begin; e < end; ++e) {
      const std::int32_t j = skin_list_.senders[e];
      std::array<int, 3> shift{};
      for (int k = 0; k < 3; ++k) {
        shift[k] = skin_list_.shifts[3 * e + k] - wrapped.wraps[j][k] + wrapped.wraps[i][k];
      }
      const std::array<double, 3> rj = image_position(wrapped.home[j], shift, wrapped.cell);
      const std::array<double, 3> d{ri[0] - rj[0], ri[1] - rj[1], ri[2] - rj[2]};
      if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < cutoff2) found.push_back({j, d});
    }
    // build_neighbor_list's order: by sender, then vector.
    std::sort(found.begin(), found.end());
    for (const auto& [j, d] : found) {
      current_.senders.push_back(j);
      current_.receivers.push_back(i);
      current_.vectors.insert(current_.vectors.end(), d.begin(), d.end());
    }
  }
  return current_;
}

}  // namespace equifuse
