// A Kokkos Tools library (loaded by Kokkos at initialisation through KOKKOS_TOOLS_LIBS) that counts
// the Kokkos allocations of a process by memory space and label, and writes them as JSON to
// $EQUIFUSE_TRANSFER_COUNTS.kokkos.<pid> when Kokkos finalises. Next to the CUPTI copy counter it
// tells which views are allocated per MD step (on CUDA, each allocation also copies its 128-byte
// header to the device). It needs no Kokkos headers: the tools interface is a C ABI.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "counts_file.hpp"

namespace {

std::map<std::string, std::uint64_t>& counts() {
  static auto* c = new std::map<std::string, std::uint64_t>;  // outlives static destructors
  return *c;
}
std::mutex counts_mutex;

std::string json_escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

}  // namespace

// The interface's space handle: the memory space's name.
struct KokkosToolsSpaceHandle {
  char name[64];
};

extern "C" void kokkosp_init_library(int, std::uint64_t, std::uint32_t, void*) {}

extern "C" void kokkosp_allocate_data(KokkosToolsSpaceHandle space, const char* label, const void*,
                                      std::uint64_t) {
  const std::string key = "kokkos_allocations_in_" +
                          std::string(space.name, strnlen(space.name, 64)) + "_of_" +
                          (label != nullptr ? label : "");
  std::lock_guard<std::mutex> lock(counts_mutex);
  ++counts()[key];
}

extern "C" void kokkosp_finalize_library() {
  std::FILE* out = open_counts_file(".kokkos");
  if (out == nullptr) return;
  std::lock_guard<std::mutex> lock(counts_mutex);
  std::fprintf(out, "{");
  const char* separator = "";
  for (const auto& [key, count] : counts()) {
    std::fprintf(out, "%s\"%s\": %llu", separator, json_escaped(key).c_str(),
                 static_cast<unsigned long long>(count));
    separator = ", ";
  }
  std::fprintf(out, "}\n");
  std::fclose(out);
}
