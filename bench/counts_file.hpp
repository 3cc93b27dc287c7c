// Where the counters that bench/ loads into a process (cuda_transfer_counter.cpp,
// kokkos_allocation_counter.cpp) write their JSON totals: $EQUIFUSE_TRANSFER_COUNTS<tag>.<pid>,
// which transfers_per_step.py sums over a run. Null when the variable is unset or the file cannot
// be written (the counters then write nothing).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

inline std::FILE* open_counts_file(const char* tag) {
  const char* prefix = std::getenv("EQUIFUSE_TRANSFER_COUNTS");
  if (prefix == nullptr) return nullptr;
  const std::string path = std::string(prefix) + tag + "." + std::to_string(getpid());
  return std::fopen(path.c_str(), "w");
}
