// Reading a potential file's JSON config with errors that name the key: "<model> config:
// interactions[1] has no "kind"".
#pragma once

#include <string>

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

template <typename V>
V get(const Json& object, const char* key, const std::string& where, const std::string& model) {
  try {
    return field(object, key, where, model).get<V>();
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
