#include "model_loader/safetensors_reader.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

std::uint64_t little_endian_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

template <typename V>
V load_le(const unsigned char* p) {
  static_assert(std::is_trivially_copyable_v<V>);
  unsigned char bytes[sizeof(V)];
  for (std::size_t i = 0; i < sizeof(V); ++i) bytes[i] = p[i];  // hosts are little-endian (checked)
  V v;
  std::memcpy(&v, bytes, sizeof(V));
  return v;
}

}  // namespace

SafetensorsFile parse_safetensors(std::span<const unsigned char> bytes, const std::string& where) {
  static_assert(std::endian::native == std::endian::little, "big-endian hosts are not supported");
  if (bytes.size() < 8) throw Error(where + " is truncated (no header)");
  const std::uint64_t header_size = little_endian_u64(bytes.data());
  if (header_size > bytes.size() - 8) {
    throw Error(where + " is truncated or not a safetensors file (header of " +
                std::to_string(header_size) + " bytes in a file of " +
                std::to_string(bytes.size()) + ")");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8,
                                   bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_size));
  } catch (const nlohmann::json::exception&) {
    throw Error(where + " has a corrupt header (not JSON)");
  }
  if (!header.is_object()) throw Error(where + " has a corrupt header (not a JSON object)");
  const unsigned char* data = bytes.data() + 8 + header_size;
  const std::uint64_t data_size = bytes.size() - 8 - header_size;

  SafetensorsFile file;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(where + ": __metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw Error(where + ": metadata '" + key + "' is not a string");
        file.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string what = where + ": tensor '" + name + "'";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets")) {
      throw Error(what + " lacks dtype, shape or data_offsets");
    }
    StoredTensor t;
    std::uint64_t count = 1;
    try {
      if (!entry.at("shape").is_array())
        throw Error(what + " has an invalid shape (not a list): the file is corrupt");
      for (const auto& extent : entry.at("shape")) {
        if (!extent.is_number_integer()) throw Error(what + " has an invalid shape");
        const auto e = extent.get<std::int64_t>();
        if (e < 0 || e > (std::int64_t{1} << 40)) throw Error(what + " has an invalid shape");
        t.shape.push_back(e);
      }
      // No tensor has more elements than the file has bytes: checked as the product grows, so
      // that it cannot wrap around.
      if (std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end()) count = 0;
      for (const std::int64_t e : t.shape) {
        if (count == 0) break;
        count *= static_cast<std::uint64_t>(e);
        if (count > data_size)
          throw Error(what + " has a shape larger than the file: the file is corrupt or truncated");
      }
    } catch (const nlohmann::json::exception&) {
      throw Error(what + " has an invalid shape");
    }
    const std::string dtype =
        entry.at("dtype").is_string() ? entry.at("dtype").get<std::string>() : "";
    std::size_t element = 0;
    if (dtype == "F64" || dtype == "I64")
      element = 8;
    else if (dtype == "F32" || dtype == "I32")
      element = 4;
    else
      throw Error(what + " has unsupported dtype '" + dtype + "' (F64, F32, I32, I64)");
    std::uint64_t begin = 0, end = 0;
    try {
      const auto& offsets = entry.at("data_offsets");
      // Non-negative integers only: nlohmann converts floats unchecked.
      if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
          !offsets[1].is_number_unsigned())
        throw Error(what + " has invalid data_offsets");
      begin = offsets[0].get<std::uint64_t>();
      end = offsets[1].get<std::uint64_t>();
    } catch (const nlohmann::json::exception&) {
      throw Error(what + " has invalid data_offsets");
    }
    if (end < begin || end > data_size) {
      throw Error(what + " lies outside the file (truncated file?)");
    }
    if (end - begin != count * element) {
      throw Error(what + " has " + std::to_string(end - begin) + " bytes, its shape needs " +
                  std::to_string(count * element));
    }
    const unsigned char* p = data + begin;
    t.integer = dtype[0] == 'I';
    for (std::uint64_t k = 0; k < count; ++k) {
      const unsigned char* q = p + k * element;
      if (dtype == "F64")
        t.reals.push_back(load_le<double>(q));
      else if (dtype == "F32")
        t.reals.push_back(static_cast<double>(load_le<float>(q)));
      else if (dtype == "I32")
        t.integers.push_back(load_le<std::int32_t>(q));
      else {
        const auto v = load_le<std::int64_t>(q);
        if (v < std::numeric_limits<std::int32_t>::min() ||
            v > std::numeric_limits<std::int32_t>::max()) {
          throw Error(what + " holds an integer outside 32 bits");
        }
        t.integers.push_back(static_cast<std::int32_t>(v));
      }
    }
    for (double v : t.reals) {
      if (!std::isfinite(v)) throw Error(what + " holds a NaN or infinity");
    }
    file.tensors.emplace(name, std::move(t));
  }
  return file;
}

}  // namespace equifuse
