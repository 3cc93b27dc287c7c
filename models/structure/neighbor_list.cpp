#include "models/structure/neighbor_list.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <tuple>

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// inverse of the matrix whose rows are the lattice vectors
Mat3 inverse(const Mat3& m, double det) {
  Mat3 inv{};
  const Vec3 c0 = cross(m[1], m[2]), c1 = cross(m[2], m[0]), c2 = cross(m[0], m[1]);
  for (int r = 0; r < 3; ++r) {
    inv[r][0] = c0[r] / det;
    inv[r][1] = c1[r] / det;
    inv[r][2] = c2[r] / det;
  }
  return inv;
}

struct Point {
  Vec3 r;
  std::int32_t atom;
  std::array<int, 3> shift;  // lattice translation of the wrapped position
  bool image() const { return shift[0] != 0 || shift[1] != 0 || shift[2] != 0; }
};

double determinant(const Mat3& cell) {
  const double det = dot(cell[0], cross(cell[1], cell[2]));
  if (std::abs(det) < 1e-12) throw Error("neighbour list: periodic structure with a singular cell");
  return det;
}

}  // namespace

WrappedPositions wrap_positions(const AtomicStructure& s) {
  const std::size_t n = s.size();
  WrappedPositions w;
  w.home.assign(s.positions.begin(), s.positions.end());
  w.wraps.assign(n, {0, 0, 0});
  if (!s.periodic()) return w;
  const Mat3& cell = s.cell;
  const Mat3 inv = inverse(cell, determinant(cell));
  w.fractional.resize(n);
  for (std::size_t a = 0; a < n; ++a) {
    for (int d = 0; d < 3; ++d) {
      double f = 0;
      for (int k = 0; k < 3; ++k) f += w.home[a][k] * inv[k][d];
      if (s.pbc[d]) {
        const double whole = std::floor(f);
        f -= whole;
        w.wraps[a][d] = -static_cast<int>(whole);
      }
      w.fractional[a][d] = f;
    }
    for (int k = 0; k < 3; ++k) {
      w.home[a][k] = 0;
      for (int d = 0; d < 3; ++d) w.home[a][k] += w.fractional[a][d] * cell[d][k];
    }
  }
  return w;
}

Vec3 image_position(const Vec3& home, const std::array<int, 3>& shift, const Mat3& cell) {
  Vec3 r = home;
  for (int d = 0; d < 3; ++d)
    for (int k = 0; k < 3; ++k) r[k] += shift[d] * cell[d][k];
  return r;
}

NeighborList build_neighbor_list(const AtomicStructure& s, double cutoff, bool with_shifts) {
  if (!(cutoff > 0.0) || !std::isfinite(cutoff)) throw Error("neighbour list: cutoff must be > 0");
  if (s.positions.size() != s.atomic_numbers.size()) {
    throw Error("neighbour list: positions and atomic numbers differ in length");
  }
  if (s.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw Error("neighbour list: too many atoms for 32-bit indices");
  }
  const std::size_t n = s.size();
  const WrappedPositions wrapped = wrap_positions(s);
  const std::vector<Vec3>& home = wrapped.home;
  std::vector<Point> points;
  points.reserve(n);
  if (s.periodic()) {
    const Mat3& cell = s.cell;
    const double det = determinant(cell);
    std::array<int, 3> images{0, 0, 0};
    std::array<double, 3> margin{0, 0, 0};  // cutoff in fractional units, per direction
    for (int d = 0; d < 3; ++d) {
      if (!s.pbc[d]) continue;
      const Vec3 normal = cross(cell[(d + 1) % 3], cell[(d + 2) % 3]);
      const double height = std::abs(det) / std::sqrt(dot(normal, normal));
      margin[d] = cutoff / height;
      images[d] = static_cast<int>(std::ceil(margin[d]));
    }
    for (int i0 = -images[0]; i0 <= images[0]; ++i0)
      for (int i1 = -images[1]; i1 <= images[1]; ++i1)
        for (int i2 = -images[2]; i2 <= images[2]; ++i2) {
          const std::array<int, 3> shift{i0, i1, i2};
          for (std::size_t a = 0; a < n; ++a) {
            bool keep = true;
            for (int d = 0; d < 3 && keep; ++d) {
              const double f = wrapped.fractional[a][d] + shift[d];
              if (s.pbc[d] && (f < -margin[d] || f > 1.0 + margin[d])) keep = false;
            }
            if (!keep) continue;
            points.push_back(
                {image_position(home[a], shift, cell), static_cast<std::int32_t>(a), shift});
          }
        }
  } else {
    for (std::size_t a = 0; a < n; ++a)
      points.push_back({home[a], static_cast<std::int32_t>(a), {0, 0, 0}});
  }

  NeighborList list;
  if (n == 0) return list;
  Vec3 lo{}, hi{};
  for (int k = 0; k < 3; ++k) {
    lo[k] = std::numeric_limits<double>::max();
    hi[k] = std::numeric_limits<double>::lowest();
  }
  for (const auto& p : points)
    for (int k = 0; k < 3; ++k) {
      if (!std::isfinite(p.r[k])) throw Error("neighbour list: non-finite atom position");
      lo[k] = std::min(lo[k], p.r[k]);
      hi[k] = std::max(hi[k], p.r[k]);
    }
  std::array<long, 3> bins{};
  for (int k = 0; k < 3; ++k) {
    bins[k] = std::max(1L, static_cast<long>(std::floor((hi[k] - lo[k]) / cutoff)) + 1);
  }
  if (bins[0] * bins[1] * bins[2] > 64L * static_cast<long>(points.size()) + 64) {
    throw Error("neighbour list: atoms are spread too sparsely for binning");
  }
  auto bin_of = [&](const Vec3& r, int k) {
    return std::min(bins[k] - 1, static_cast<long>((r[k] - lo[k]) / cutoff));
  };
  const std::size_t num_bins = static_cast<std::size_t>(bins[0] * bins[1] * bins[2]);
  std::vector<std::size_t> start(num_bins + 1, 0), order(points.size());
  std::vector<std::size_t> point_bin(points.size());
  for (std::size_t p = 0; p < points.size(); ++p) {
    const auto& r = points[p].r;
    point_bin[p] =
        static_cast<std::size_t>((bin_of(r, 0) * bins[1] + bin_of(r, 1)) * bins[2] + bin_of(r, 2));
    ++start[point_bin[p] + 1];
  }
  for (std::size_t b = 0; b < num_bins; ++b) start[b + 1] += start[b];
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t p = 0; p < points.size(); ++p) order[fill[point_bin[p]]++] = p;
  }
  // Receivers in parallel, in contiguous chunks whose edges are concatenated in chunk order: the
  // list is the same for any number of threads.
  const double cutoff2 = cutoff * cutoff;
  struct Chunk {
    std::vector<std::int32_t> senders, receivers, shifts;
    std::vector<double> vectors;
  };
  const std::size_t chunk_size = 1024, num_chunks = (n + chunk_size - 1) / chunk_size;
  std::vector<Chunk> chunks(num_chunks);
#pragma omp parallel
  {
    // (sender, vector, the sender image's shift in the wrapped frame)
    std::vector<std::tuple<std::int32_t, Vec3, std::array<int, 3>>> found;
#pragma omp for schedule(dynamic)
    for (std::size_t c = 0; c < num_chunks; ++c) {
      Chunk& chunk = chunks[c];
      for (std::size_t i = c * chunk_size; i < std::min(n, (c + 1) * chunk_size); ++i) {
        const Vec3& ri = home[i];
        const long b0 = bin_of(ri, 0), b1 = bin_of(ri, 1), b2 = bin_of(ri, 2);
        found.clear();
        for (long c0 = std::max(0L, b0 - 1); c0 <= std::min(bins[0] - 1, b0 + 1); ++c0)
          for (long c1 = std::max(0L, b1 - 1); c1 <= std::min(bins[1] - 1, b1 + 1); ++c1)
            for (long c2 = std::max(0L, b2 - 1); c2 <= std::min(bins[2] - 1, b2 + 1); ++c2) {
              const auto b = static_cast<std::size_t>((c0 * bins[1] + c1) * bins[2] + c2);
              for (std::size_t q = start[b]; q < start[b + 1]; ++q) {
                const Point& p = points[order[q]];
                if (!p.image() && static_cast<std::size_t>(p.atom) == i) continue;
                const Vec3 d{ri[0] - p.r[0], ri[1] - p.r[1], ri[2] - p.r[2]};
                if (dot(d, d) < cutoff2) found.push_back({p.atom, d, p.shift});
              }
            }
        // A fixed order (by sender, then vector; no two images share both) makes results
        // independent of the binning.
        std::sort(found.begin(), found.end());
        for (const auto& [j, d, shift] : found) {
          chunk.senders.push_back(j);
          chunk.receivers.push_back(static_cast<std::int32_t>(i));
          chunk.vectors.insert(chunk.vectors.end(), d.begin(), d.end());
          if (!with_shifts) continue;
          // home[j] + shift . cell ~ r[j] + (wraps[j] + shift - wraps[i]) . cell, seen from r[i]
          for (int k = 0; k < 3; ++k) {
            chunk.shifts.push_back(wrapped.wraps[j][k] + shift[k] - wrapped.wraps[i][k]);
          }
        }
      }
    }
  }
  std::size_t num_edges = 0;
  for (const Chunk& chunk : chunks) num_edges += chunk.senders.size();
  list.senders.reserve(num_edges);
  list.receivers.reserve(num_edges);
  list.vectors.reserve(3 * num_edges);
  for (const Chunk& chunk : chunks) {
    list.senders.insert(list.senders.end(), chunk.senders.begin(), chunk.senders.end());
    list.receivers.insert(list.receivers.end(), chunk.receivers.begin(), chunk.receivers.end());
    list.vectors.insert(list.vectors.end(), chunk.vectors.begin(), chunk.vectors.end());
    list.shifts.insert(list.shifts.end(), chunk.shifts.begin(), chunk.shifts.end());
  }
  return list;
}

}  // namespace equifuse
