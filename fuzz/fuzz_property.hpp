// What a harness asserts beyond "no crash": a property every accepted input must have (a parse
// that round-trips). A violation aborts, which libFuzzer reports and saves like a crash.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace equifuse::fuzz {

inline void require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", property);
  std::abort();
}

}  // namespace equifuse::fuzz
