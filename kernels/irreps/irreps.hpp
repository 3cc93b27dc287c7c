// Irreducible representations of O(3) in e3nn's notation: "32x0e + 16x1o", "0e+1o+2e", "1x1o".
#pragma once

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace equifuse {

// The largest degree whose dimension 2l + 1 is an int.
inline constexpr int kMaxIrrepDegree = (2147483647 - 1) / 2;

// One irrep: degree 0 <= l <= kMaxIrrepDegree and parity p = +1 ("e") or -1 ("o").
struct Irrep {
  int l = 0;
  int p = 1;

  Irrep() = default;
  Irrep(int l_, int p_);
  // Parses "1o", "2e" or "3y" (y: parity (-1)^l, as in e3nn).
  static Irrep parse(std::string_view token);

  int dim() const { return 2 * l + 1; }
  std::string to_string() const;

  // e3nn orders irreps as the tuple (l, p): 0o < 0e < 1o < 1e < ...
  auto operator<=>(const Irrep&) const = default;
};

// The irreps that Irrep a x Irrep b decomposes into: l from |la-lb| to la+lb, parity pa*pb.
std::vector<Irrep> irrep_product(const Irrep& a, const Irrep& b);

struct MulIrrep {
  int mul = 0;
  Irrep ir;
  int dim() const { return mul * ir.dim(); }
  bool operator==(const MulIrrep&) const = default;
};

// A direct sum of irreps with multiplicities, in order. Mirrors e3nn.o3.Irreps. Its dimension
// fits an int (the constructor throws otherwise).
class Irreps {
 public:
  Irreps() = default;
  explicit Irreps(std::vector<MulIrrep> items);
  // Parses e3nn syntax; throws equifuse::Error naming the offending token.
  static Irreps parse(std::string_view text);

  const std::vector<MulIrrep>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const MulIrrep& operator[](std::size_t i) const { return items_.at(i); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

  int dim() const;
  int num_irreps() const;  // sum of multiplicities
  int lmax() const;        // throws on empty irreps, as e3nn does
  bool contains(const Irrep& ir) const;
  // Offset of block i in a flattened feature vector; offset(size()) == dim().
  int offset(std::size_t i) const;

  // e3nn's simplify: merge neighbouring equal irreps and drop zero multiplicities; no sorting.
  Irreps simplify() const;
  // e3nn's sort: stable sort by irrep. permutation[i] is the new position of block i
  // (e3nn's `p`); inverse[j] is the old position of new block j (e3nn's `inv`).
  struct Sorted;
  Sorted sort() const;
  // sort() then simplify().
  Irreps regroup() const;

  // e3nn's textual form, e.g. "32x0e+16x1o".
  std::string to_string() const;
  bool operator==(const Irreps&) const = default;

 private:
  std::vector<MulIrrep> items_;
};

struct Irreps::Sorted {
  Irreps irreps;
  std::vector<int> permutation;
  std::vector<int> inverse;
};

}  // namespace equifuse
