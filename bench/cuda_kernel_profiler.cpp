// A CUDA injection library (CUDA_INJECTION64_PATH, as cuda_transfer_counter.cpp) that sums, with
// CUPTI's activity records, the GPU time of every kernel of a process by kernel name, and writes
// {name: [launches, nanoseconds]} as JSON to $EQUIFUSE_KERNEL_PROFILE.<pid> at exit. It stands in
// for Nsight Systems where that cannot make a report (the H200 machines here); running a command
// for two repeat counts and subtracting gives the kernels of one evaluation (kernel_profile.py).
#include <cupti.h>
#include <cxxabi.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "cupti_activity_buffers.hpp"

namespace {

struct KernelTotals {
  std::uint64_t launches = 0, nanoseconds = 0;
};
std::map<std::string, KernelTotals> totals;
std::mutex totals_mutex;

// Kernels compiled from C++ (Kokkos, templates) carry mangled names; extern "C" ones do not.
std::string readable(const char* name) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string out = status == 0 && demangled != nullptr ? demangled : name;
  std::free(demangled);
  return out;
}

void CUPTIAPI buffer_completed(CUcontext, std::uint32_t, std::uint8_t* buffer, std::size_t,
                               std::size_t valid) {
  std::lock_guard<std::mutex> lock(totals_mutex);
  cupti_buffers::drain(buffer, valid, [](const CUpti_Activity* record) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL) return;
    // The fields read (start, end, name) sit where every version of the kernel record has them.
    const auto* kernel = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
    KernelTotals& t = totals[readable(kernel->name)];
    ++t.launches;
    t.nanoseconds += kernel->end - kernel->start;
  });
}

void write_json_string(std::FILE* out, const std::string& s) {
  std::fputc('"', out);
  for (const char c : s) {
    if (c == '"' || c == '\\') std::fputc('\\', out);
    if (static_cast<unsigned char>(c) >= 0x20) std::fputc(c, out);
  }
  std::fputc('"', out);
}

void write_totals() {
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  const char* prefix = std::getenv("EQUIFUSE_KERNEL_PROFILE");
  if (prefix == nullptr) return;
  const std::string path = std::string(prefix) + "." + std::to_string(getpid());
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) return;
  std::lock_guard<std::mutex> lock(totals_mutex);
  std::fputc('{', out);
  bool first = true;
  for (const auto& [name, t] : totals) {
    if (!first) std::fputs(", ", out);
    first = false;
    write_json_string(out, name);
    std::fprintf(out, ": [%llu, %llu]", static_cast<unsigned long long>(t.launches),
                 static_cast<unsigned long long>(t.nanoseconds));
  }
  std::fputs("}\n", out);
  std::fclose(out);
}

}  // namespace

extern "C" int InitializeInjection() {
  if (cuptiActivityRegisterCallbacks(cupti_buffers::request, buffer_completed) != CUPTI_SUCCESS)
    return 0;
  cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  std::atexit(write_totals);
  return 1;
}
