// Reading a potential file's JSON config with errors that name the key: "<model> config:
// interactions[1] has no "kind"".
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/common/error.hpp"
#include "kernels/irreps/irreps.hpp"

namespace equifuse::json_fields {

using Json = nlohmann::json;

inline Json parse(const std::string& text, const std::string& model) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(model + " config: not valid JSON (" + e.what() + ")");
  }
}

inline const Json& field(const Json& object, const char* key, const std::string& where,
                         const std::string& model) {
  if (!object.is_object() || !object.contains(key)) {
    throw Error(model + " config: " + where + " has no \"" + key + "\"");
  }
  return object.at(key);
}

// The integer type inside V (int, std::vector<int>, std::array<long, 3>, ...), else void.
template <typename V, typename = void>
struct integer_in {
  using type = void;
};
template <typename V>
struct integer_in<V, std::enable_if_t<std::is_integral_v<V> && !std::is_same_v<V, bool>>> {
  using type = V;
};
template <typename U>
struct integer_in<std::vector<U>> : integer_in<U> {};
template <typename U, std::size_t N>
struct integer_in<std::array<U, N>> : integer_in<U> {};

// Whether every number in `value` is a whole number that I holds: nlohmann converts 1e300 or
// 2.5 to an int by a plain cast (undefined behaviour, or a silently different number).
template <typename I>
bool integers_fit(const Json& value) {
  if (value.is_array()) {
    for (const Json& v : value)
      if (!integers_fit<I>(v)) return false;
    return true;
  }
  if (value.is_number_unsigned())
    return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<I>::max());
  if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    return v >= static_cast<std::int64_t>(std::numeric_limits<I>::min()) &&
           v <= static_cast<std::int64_t>(std::numeric_limits<I>::max());
  }
  if (value.is_number_float()) {
    const double v = value.get<double>();
    return std::isfinite(v) && v == std::floor(v) &&
           v >= static_cast<double>(std::numeric_limits<I>::min()) &&
           v <= static_cast<double>(std::numeric_limits<I>::max());
  }
  return true;  // not a number: nlohmann's own type check decides
}

template <typename V>
V get(const Json& object, const char* key, const std::string& where, const std::string& model) {
  try {
    const Json& value = field(object, key, where, model);
    using Integer = typename integer_in<V>::type;
    if constexpr (!std::is_void_v<Integer>) {
      if (!integers_fit<Integer>(value)) {
        throw Error(model + " config: " + where + "." + key +
                    " must be a whole number (or numbers) "
                    "that fits " +
                    std::to_string(sizeof(Integer) * 8) + " bits, not " +
                    value.dump().substr(0, 60));
      }
    }
    return value.get<V>();
  } catch (const nlohmann::json::exception&) {
    throw Error(model + " config: " + where + "." + key + " has the wrong type");
  }
}

// The value of an optional key, or `fallback` where it is absent.
template <typename V>
V get_or(const Json& object, const char* key, V fallback, const std::string& where,
         const std::string& model) {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return fallback;
  return get<V>(object, key, where, model);
}

inline Irreps irreps(const Json& object, const char* key, const std::string& where,
                     const std::string& model) {
  return Irreps::parse(get<std::string>(object, key, where, model));
}

}  // namespace equifuse::json_fields
