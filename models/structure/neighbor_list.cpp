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
  std::array<int, 3> shift;  // lattice translation of the wrapped position (working basis)
  bool image() const { return shift[0] != 0 || shift[1] != 0 || shift[2] != 0; }
};

double determinant(const Mat3& cell) {
  const double det = dot(cell[0], cross(cell[1], cell[2]));
  if (!(std::abs(det) >= 1e-12))
    throw Error("neighbour list: periodic structure with a singular cell");
  return det;
}

// Images searched per periodic direction at most: ceil(cutoff / cell height). After reduction a
// crystal's cell is at least about a bond length thick (1.5-3 Angstrom), a tenth of the longest
// cutoffs; a thinner one is degenerate (atoms next to their own images), and searching it would
// take time and memory that grow with the cube of the ratio.
constexpr double kMaxImagesPerDirection = 10;
// Bins per axis at most: atoms spread farther than this many cutoffs share wider bins.
constexpr double kMaxBinsPerAxis = 1 << 20;

// cutoff / height of the cell along each periodic direction (0 for the others).
Vec3 images_needed(const Mat3& cell, double det, const std::array<bool, 3>& pbc, double cutoff) {
  Vec3 ratio{0, 0, 0};
  for (int d = 0; d < 3; ++d) {
    if (!pbc[d]) continue;
    const Vec3 normal = cross(cell[(d + 1) % 3], cell[(d + 2) % 3]);
    ratio[d] = cutoff * std::sqrt(dot(normal, normal)) / std::abs(det);
  }
  return ratio;
}

// The same lattice in a basis of shorter, more orthogonal periodic vectors (Lagrange-Gauss
// reduction of each pair, repeated until none shortens; a unimodular change of basis, so the
// periodic images are the same). A strongly tilted cell has heights far below its lattice
// spacing; its reduced basis does not.
Mat3 reduced_periodic_basis(Mat3 cell, const std::array<bool, 3>& pbc) {
  for (int sweep = 0; sweep < 200; ++sweep) {
    bool changed = false;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        if (i == j || !pbc[i] || !pbc[j]) continue;
        const double q = std::round(dot(cell[i], cell[j]) / dot(cell[j], cell[j]));
        if (q == 0) continue;
        Vec3 v{};
        for (int k = 0; k < 3; ++k) v[k] = cell[i][k] - q * cell[j][k];
        if (dot(v, v) < dot(cell[i], cell[i]) * (1 - 1e-12)) {
          cell[i] = v;
          changed = true;
        }
      }
    if (!changed) break;
  }
  return cell;
}

// Points sorted into bins of at least the cutoff. Where most bins hold atoms the bins are an
// array (counting sort); where atoms are spread sparsely (isolated atoms, a vacuum) only the
// occupied bins are kept, sorted by key, so that empty space costs nothing.
class Bins {
 public:
  Bins(const std::vector<Point>& points, double cutoff) {
    Vec3 lo{}, hi{};
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::numeric_limits<double>::max();
      hi[k] = std::numeric_limits<double>::lowest();
    }
    for (const auto& p : points)
      for (int k = 0; k < 3; ++k) {
        lo[k] = std::min(lo[k], p.r[k]);
        hi[k] = std::max(hi[k], p.r[k]);
      }
    for (int k = 0; k < 3; ++k) {
      const double extent = hi[k] - lo[k];
      lo_[k] = lo[k];
      width_[k] = std::isfinite(extent) ? std::max(cutoff, extent / kMaxBinsPerAxis)
                                        : std::numeric_limits<double>::infinity();
      count_[k] = std::isfinite(width_[k]) ? static_cast<long>(extent / width_[k]) + 1 : 1;
    }
    const long num_bins = count_[0] * count_[1] * count_[2];
    dense_ = num_bins <= 64 * static_cast<long>(points.size()) + 64;
    std::vector<long> point_key(points.size());
    for (std::size_t p = 0; p < points.size(); ++p) {
      const auto b = bin_of(points[p].r);
      point_key[p] = key(b[0], b[1], b[2]);
    }
    order_.resize(points.size());
    if (dense_) {
      start_.assign(static_cast<std::size_t>(num_bins) + 1, 0);
      for (const long k : point_key) ++start_[static_cast<std::size_t>(k) + 1];
      for (std::size_t b = 0; b < static_cast<std::size_t>(num_bins); ++b)
        start_[b + 1] += start_[b];
      std::vector<std::size_t> fill(start_.begin(), start_.end() - 1);
      for (std::size_t p = 0; p < points.size(); ++p)
        order_[fill[static_cast<std::size_t>(point_key[p])]++] = p;
      return;
    }
    std::vector<std::pair<long, std::size_t>> keyed(points.size());
    for (std::size_t p = 0; p < points.size(); ++p) keyed[p] = {point_key[p], p};
    std::sort(keyed.begin(), keyed.end());
    for (std::size_t q = 0; q < keyed.size(); ++q) {
      order_[q] = keyed[q].second;
      if (q == 0 || keyed[q].first != keyed[q - 1].first) {
        keys_.push_back(keyed[q].first);
        start_.push_back(q);
      }
    }
    start_.push_back(keyed.size());
  }

  std::array<long, 3> bin_of(const Vec3& r) const {
    std::array<long, 3> b{};
    for (int k = 0; k < 3; ++k)
      b[k] = std::isfinite(width_[k])
                 ? std::min(count_[k] - 1, static_cast<long>((r[k] - lo_[k]) / width_[k]))
                 : 0;
    return b;
  }

  // Calls visit(point index) for every point in the 27 bins around bin b.
  template <class Visit>
  void for_each_near(const std::array<long, 3>& b, const Visit& visit) const {
    for (long c0 = std::max(0L, b[0] - 1); c0 <= std::min(count_[0] - 1, b[0] + 1); ++c0)
      for (long c1 = std::max(0L, b[1] - 1); c1 <= std::min(count_[1] - 1, b[1] + 1); ++c1) {
        // The three bins along the last axis have consecutive keys: their points are contiguous.
        const long first = key(c0, c1, std::max(0L, b[2] - 1));
        const long last = key(c0, c1, std::min(count_[2] - 1, b[2] + 1));
        std::size_t begin = 0, end = 0;
        if (dense_) {
          begin = start_[static_cast<std::size_t>(first)];
          end = start_[static_cast<std::size_t>(last) + 1];
        } else {
          const auto lo = std::lower_bound(keys_.begin(), keys_.end(), first);
          const auto hi = std::upper_bound(lo, keys_.end(), last);
          begin = start_[static_cast<std::size_t>(lo - keys_.begin())];
          end = start_[static_cast<std::size_t>(hi - keys_.begin())];
        }
        for (std::size_t q = begin; q < end; ++q) visit(order_[q]);
      }
  }

 private:
  long key(long b0, long b1, long b2) const { return (b0 * count_[1] + b1) * count_[2] + b2; }

  Vec3 lo_{}, width_{};
  std::array<long, 3> count_{};
  bool dense_ = true;
  std::vector<long> keys_;  // sparse: the occupied bins, ascending
  std::vector<std::size_t>
      start_;  // points of bin (dense) or occupied bin i (sparse): order_[start_[i], start_[i + 1])
  std::vector<std::size_t> order_;
};

}  // namespace

constexpr double kMaxCellsOutside = 1e9;

WrappedPositions wrap_positions(const AtomicStructure& s) {
  const std::size_t n = s.size();
  WrappedPositions w;
  w.home.assign(s.positions.begin(), s.positions.end());
  w.wraps.assign(n, {0, 0, 0});
  w.cell = s.cell;
  if (!s.periodic()) return w;
  // Always the reduced basis (a function of the cell alone): a list built with a skin and one
  // built without then wrap alike, bit for bit.
  w.cell = reduced_periodic_basis(s.cell, s.pbc);
  const Mat3 inv = inverse(w.cell, determinant(w.cell));
  w.fractional.resize(n);
  for (std::size_t a = 0; a < n; ++a) {
    for (int d = 0; d < 3; ++d) {
      double f = 0;
      for (int k = 0; k < 3; ++k) f += w.home[a][k] * inv[k][d];
      if (s.pbc[d]) {
        const double whole = std::floor(f);
        // Image shifts are ints; no real structure is a billion cells from its box.
        if (!(std::fabs(whole) <= kMaxCellsOutside)) {
          throw Error("structure: atom " + std::to_string(a + 1) + " is " + std::to_string(whole) +
                      " cells outside the periodic cell along lattice vector " +
                      std::to_string(d + 1) +
                      " (at most 1e9 are accepted): check its position and the units");
        }
        f -= whole;
        w.wraps[a][d] = -static_cast<int>(whole);
      }
      w.fractional[a][d] = f;
    }
    for (int k = 0; k < 3; ++k) {
      w.home[a][k] = 0;
      for (int d = 0; d < 3; ++d) w.home[a][k] += w.fractional[a][d] * w.cell[d][k];
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
  check_structure(s);
  if (s.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw Error("neighbour list: too many atoms for 32-bit indices");
  }
  const std::size_t n = s.size();
  if (s.periodic()) determinant(s.cell);  // a singular cell, before its reduction
  const WrappedPositions wrapped = wrap_positions(s);
  const std::vector<Vec3>& home = wrapped.home;
  const Mat3& cell = wrapped.cell;
  std::vector<Point> points;
  points.reserve(n);
  if (s.periodic()) {
    const double det = determinant(cell);
    const Vec3 margin = images_needed(cell, det, s.pbc, cutoff);  // cutoff in fractional units
    if (std::any_of(margin.begin(), margin.end(),
                    [](double m) { return m > kMaxImagesPerDirection; })) {
      const auto d =
          static_cast<std::size_t>(std::max_element(margin.begin(), margin.end()) - margin.begin());
      throw Error("neighbour list: the periodic cell is " + std::to_string(cutoff / margin[d]) +
                  " Angstrom thick across lattice vector " + std::to_string(d + 1) +
                  " of its reduced basis, less than 1/" +
                  std::to_string(static_cast<int>(kMaxImagesPerDirection)) + " of the cutoff " +
                  std::to_string(cutoff) + ": a degenerate cell (check the lattice vectors)");
    }
    std::array<int, 3> images{0, 0, 0};
    for (int d = 0; d < 3; ++d) images[d] = static_cast<int>(std::ceil(margin[d]));
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
  const Bins bins(points, cutoff);
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
        found.clear();
        bins.for_each_near(bins.bin_of(ri), [&](std::size_t q) {
          const Point& p = points[q];
          if (!p.image() && static_cast<std::size_t>(p.atom) == i) return;
          const Vec3 d{ri[0] - p.r[0], ri[1] - p.r[1], ri[2] - p.r[2]};
          if (dot(d, d) < cutoff2) found.push_back({p.atom, d, p.shift});
        });
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
  if (with_shifts) list.cell = cell;
  return list;
}

}  // namespace equifuse
