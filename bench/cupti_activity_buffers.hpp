// The activity buffers CUPTI fills for the injection libraries of bench/
// (cuda_transfer_counter.cpp, cuda_kernel_profiler.cpp): one 8 MiB buffer per request, and a walk
// over a completed buffer's records that frees it afterwards.
#pragma once

#include <cupti.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace cupti_buffers {

inline void CUPTIAPI request(std::uint8_t** buffer, std::size_t* size, std::size_t* max_records) {
  constexpr std::size_t kBufferBytes = 8 << 20;
  *buffer = static_cast<std::uint8_t*>(std::aligned_alloc(8, kBufferBytes));
  *size = kBufferBytes;
  *max_records = 0;
}

template <typename Visit>
void drain(std::uint8_t* buffer, std::size_t valid, Visit&& visit) {
  CUpti_Activity* record = nullptr;
  while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) visit(record);
  std::free(buffer);
}

}  // namespace cupti_buffers
