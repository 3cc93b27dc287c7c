// A CUDA injection library (loaded by the driver through CUDA_INJECTION64_PATH, the mechanism
// profilers use) that counts, with CUPTI's activity records, every memory copy by direction (with
// its bytes, and host <-> device copies by size), every memset and every kernel of a process, and
// writes the totals as JSON to $EQUIFUSE_TRANSFER_COUNTS.<pid> at exit. Running an MD input for two
// numbers of steps and subtracting gives the traffic per step (bench/transfers_per_step.py). It
// sees all CUDA runtimes of a process, static ones included, which an LD_PRELOAD shim would not.
#include <cupti.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "counts_file.hpp"
#include "cupti_activity_buffers.hpp"

namespace {

struct Totals {
  std::uint64_t copies[16] = {};  // by CUpti_ActivityMemcpyKind
  std::uint64_t bytes[16] = {};
  std::uint64_t memsets = 0, kernels = 0;
  // Copies between host and device by size, to tell what they are.
  std::map<std::uint64_t, std::uint64_t> htod_sizes, dtoh_sizes;
};
Totals totals;
std::mutex totals_mutex;

void CUPTIAPI buffer_completed(CUcontext, std::uint32_t, std::uint8_t* buffer, std::size_t,
                               std::size_t valid) {
  std::lock_guard<std::mutex> lock(totals_mutex);
  cupti_buffers::drain(buffer, valid, [](const CUpti_Activity* record) {
    if (record->kind == CUPTI_ACTIVITY_KIND_MEMCPY) {
      const auto* copy = reinterpret_cast<const CUpti_ActivityMemcpy6*>(record);
      const unsigned kind = copy->copyKind < 16 ? copy->copyKind : 0;
      ++totals.copies[kind];
      totals.bytes[kind] += copy->bytes;
      if (kind == CUPTI_ACTIVITY_MEMCPY_KIND_HTOD) ++totals.htod_sizes[copy->bytes];
      if (kind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOH) ++totals.dtoh_sizes[copy->bytes];
    } else if (record->kind == CUPTI_ACTIVITY_KIND_MEMSET) {
      ++totals.memsets;
    } else if (record->kind == CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL) {
      ++totals.kernels;
    }
  });
}

void write_totals() {
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  std::FILE* out = open_counts_file("");
  if (out == nullptr) return;
  std::lock_guard<std::mutex> lock(totals_mutex);
  const auto count = [](CUpti_ActivityMemcpyKind k) {
    return static_cast<unsigned long long>(totals.copies[static_cast<unsigned>(k)]);
  };
  const auto bytes = [](CUpti_ActivityMemcpyKind k) {
    return static_cast<unsigned long long>(totals.bytes[static_cast<unsigned>(k)]);
  };
  std::fprintf(out,
               "{\"htod_copies\": %llu, \"htod_bytes\": %llu, \"dtoh_copies\": %llu, "
               "\"dtoh_bytes\": %llu, \"dtod_copies\": %llu, \"dtod_bytes\": %llu, "
               "\"htoh_copies\": %llu, \"memsets\": %llu, \"kernels\": %llu",
               count(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD), bytes(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD),
               count(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH), bytes(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH),
               count(CUPTI_ACTIVITY_MEMCPY_KIND_DTOD), bytes(CUPTI_ACTIVITY_MEMCPY_KIND_DTOD),
               count(CUPTI_ACTIVITY_MEMCPY_KIND_HTOH),
               static_cast<unsigned long long>(totals.memsets),
               static_cast<unsigned long long>(totals.kernels));
  const std::pair<const char*, const std::map<std::uint64_t, std::uint64_t>*> by_size[] = {
      {"htod", &totals.htod_sizes}, {"dtoh", &totals.dtoh_sizes}};
  for (const auto& [name, sizes] : by_size)
    for (const auto& [size, copies] : *sizes)
      std::fprintf(out, ", \"%s_copies_of_%llu_bytes\": %llu", name,
                   static_cast<unsigned long long>(size), static_cast<unsigned long long>(copies));
  std::fprintf(out, "}\n");
  std::fclose(out);
}

}  // namespace

extern "C" int InitializeInjection() {
  if (cuptiActivityRegisterCallbacks(cupti_buffers::request, buffer_completed) != CUPTI_SUCCESS)
    return 0;
  cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MEMCPY);
  cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MEMSET);
  cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  std::atexit(write_totals);
  return 1;
}
