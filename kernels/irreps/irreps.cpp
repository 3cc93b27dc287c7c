#include "kernels/irreps/irreps.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numeric>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Parses a non-negative decimal integer that fills `s` entirely.
bool parse_non_negative(std::string_view s, int& value) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size() && value >= 0;
}

}  // namespace

Irrep::Irrep(int l_, int p_) : l(l_), p(p_) {
  if (l < 0) throw Error("irrep degree l must be >= 0, got " + std::to_string(l));
  // dim() = 2l + 1 is an int.
  if (l > kMaxIrrepDegree)
    throw Error("irrep degree l = " + std::to_string(l) + " is larger than " +
                std::to_string(kMaxIrrepDegree) +
                " (its dimension 2l + 1 must fit 32 bits): use a smaller degree");
  if (p != 1 && p != -1) throw Error("irrep parity must be +1 or -1, got " + std::to_string(p));
}

Irrep Irrep::parse(std::string_view token) {
  const std::string_view t = trim(token);
  const auto bad = [&]() {
    return Error("cannot parse irrep \"" + std::string(t) +
                 "\": expected a degree and a parity such as 0e, 1o or 2y");
  };
  if (t.size() < 2) throw bad();
  int l = 0;
  if (!parse_non_negative(t.substr(0, t.size() - 1), l)) throw bad();
  switch (t.back()) {
    case 'e':
      return {l, 1};
    case 'o':
      return {l, -1};
    case 'y':
      return {l, l % 2 == 0 ? 1 : -1};
    default:
      throw bad();
  }
}

std::string Irrep::to_string() const {
  return std::to_string(l) + (p == 1 ? "e" : "o");
}

std::vector<Irrep> irrep_product(const Irrep& a, const Irrep& b) {
  std::vector<Irrep> out;
  for (int l = std::abs(a.l - b.l); l <= a.l + b.l; ++l) out.emplace_back(l, a.p * b.p);
  return out;
}

Irreps::Irreps(std::vector<MulIrrep> items) : items_(std::move(items)) {
  // Dimensions and offsets are ints: their sum must fit, counted where it cannot overflow.
  std::int64_t dim = 0;
  for (const auto& item : items_) {
    if (item.mul < 0) throw Error("multiplicity must be >= 0, got " + std::to_string(item.mul));
    dim += static_cast<std::int64_t>(item.mul) * item.ir.dim();
    if (dim > std::numeric_limits<int>::max()) {
      throw Error("irreps of dimension over " + std::to_string(std::numeric_limits<int>::max()) +
                  " (at " + std::to_string(item.mul) + "x" + item.ir.to_string() +
                  "): use smaller multiplicities or degrees");
    }
  }
}

Irreps Irreps::parse(std::string_view text) {
  std::vector<MulIrrep> items;
  if (trim(text).empty()) return Irreps{};
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t plus = text.find('+', start);
    const std::string_view raw =
        text.substr(start, plus == std::string_view::npos ? std::string_view::npos : plus - start);
    const std::string_view term = trim(raw);
    if (term.empty()) {
      throw Error("cannot parse irreps \"" + std::string(text) + "\": empty term at position " +
                  std::to_string(start));
    }
    const std::size_t x = term.find('x');
    int mul = 1;
    std::string_view ir_text = term;
    if (x != std::string_view::npos) {
      if (!parse_non_negative(trim(term.substr(0, x)), mul)) {
        throw Error("cannot parse irreps \"" + std::string(text) + "\": bad multiplicity in \"" +
                    std::string(term) + "\"");
      }
      ir_text = term.substr(x + 1);
    }
    try {
      items.push_back({mul, Irrep::parse(ir_text)});
    } catch (const Error& e) {
      throw Error("cannot parse irreps \"" + std::string(text) + "\": bad term \"" +
                  std::string(term) + "\" (" + e.what() + ")");
    }
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  return Irreps(std::move(items));
}

int Irreps::dim() const {
  return std::accumulate(items_.begin(), items_.end(), 0,
                         [](int acc, const MulIrrep& m) { return acc + m.dim(); });
}

int Irreps::num_irreps() const {
  return std::accumulate(items_.begin(), items_.end(), 0,
                         [](int acc, const MulIrrep& m) { return acc + m.mul; });
}

int Irreps::lmax() const {
  if (items_.empty()) throw Error("lmax of empty irreps is undefined");
  int l = 0;
  for (const auto& m : items_) l = std::max(l, m.ir.l);
  return l;
}

bool Irreps::contains(const Irrep& ir) const {
  return std::any_of(items_.begin(), items_.end(), [&](const MulIrrep& m) { return m.ir == ir; });
}

int Irreps::offset(std::size_t i) const {
  if (i > items_.size()) throw Error("irreps block index out of range");
  int off = 0;
  for (std::size_t k = 0; k < i; ++k) off += items_[k].dim();
  return off;
}

Irreps Irreps::simplify() const {
  std::vector<MulIrrep> out;
  for (const auto& m : items_) {
    if (!out.empty() && out.back().ir == m.ir) {
      out.back().mul += m.mul;
    } else if (m.mul > 0) {
      out.push_back(m);
    }
  }
  return Irreps(std::move(out));
}

Irreps::Sorted Irreps::sort() const {
  Sorted s;
  s.inverse.resize(items_.size());
  std::iota(s.inverse.begin(), s.inverse.end(), 0);
  // e3nn sorts tuples (ir, index, mul): ties between equal irreps keep their original order.
  std::stable_sort(s.inverse.begin(), s.inverse.end(),
                   [&](int a, int b) { return items_[a].ir < items_[b].ir; });
  s.permutation.resize(items_.size());
  std::vector<MulIrrep> sorted;
  for (std::size_t j = 0; j < s.inverse.size(); ++j) {
    s.permutation[s.inverse[j]] = static_cast<int>(j);
    sorted.push_back(items_[s.inverse[j]]);
  }
  s.irreps = Irreps(std::move(sorted));
  return s;
}

Irreps Irreps::regroup() const {
  return sort().irreps.simplify();
}

std::string Irreps::to_string() const {
  std::string s;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (i > 0) s += "+";
    s += std::to_string(items_[i].mul) + "x" + items_[i].ir.to_string();
  }
  return s;
}

}  // namespace equifuse
