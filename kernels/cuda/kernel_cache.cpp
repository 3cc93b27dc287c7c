#include "kernels/cuda/kernel_cache.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "kernels/cuda/nvrtc_compiler.hpp"

namespace equifuse {

std::filesystem::path kernel_cache_directory() {
  if (const char* dir = std::getenv("EQUIFUSE_KERNEL_CACHE"); dir != nullptr && *dir != '\0')
    return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return std::filesystem::path(xdg) / "equifuse" / "kernels";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return std::filesystem::path(home) / ".cache" / "equifuse" / "kernels";
  return std::filesystem::temp_directory_path() / "equifuse-kernels";
}

std::uint64_t kernel_cache_key(const CudaProgram& program, int compute_capability) {
  // FNV-1a over everything that determines the binary.
  std::uint64_t h = 1469598103934665603ull;
  const auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(program.source);
  for (const auto& [name, contents] : program.headers) {
    mix("|header " + name + "|");
    mix(contents);
  }
  for (const std::string& option : program.options) mix("|option " + option);
  mix("|sm_" + std::to_string(compute_capability) + "|nvrtc " + std::to_string(nvrtc_version()));
  return h;
}

std::uint64_t kernel_cache_key(const std::string& source, int compute_capability) {
  return kernel_cache_key(CudaProgram{"", source, {}, {}}, compute_capability);
}

std::vector<char> cached_cubin(const std::string& source, int compute_capability,
                               const std::string& program_name) {
  return cached_cubin(CudaProgram{program_name, source, {}, {}}, compute_capability);
}

std::vector<char> cached_cubin(const CudaProgram& program, int compute_capability) {
  static std::mutex mutex;
  static std::map<std::uint64_t, std::vector<char>> memory;
  const std::uint64_t key = kernel_cache_key(program, compute_capability);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = memory.find(key); it != memory.end()) return it->second;
  }
  const char* setting = std::getenv("EQUIFUSE_KERNEL_CACHE");
  const bool use_disk = setting == nullptr || std::string(setting) != "off";
  std::ostringstream name;
  name << "tp-" << std::hex << key << ".cubin";
  const std::filesystem::path file = kernel_cache_directory() / name.str();
  std::vector<char> cubin;
  if (use_disk) {
    std::ifstream in(file, std::ios::binary);
    if (in) cubin.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (cubin.empty()) {
    cubin = compile_cuda_to_cubin(program, compute_capability);
    if (use_disk) {
      std::error_code ec;
      std::filesystem::create_directories(file.parent_path(), ec);
      std::ostringstream tmp_name;
      tmp_name << name.str() << ".tmp" << std::this_thread::get_id();
      const std::filesystem::path tmp = file.parent_path() / tmp_name.str();
      {
        std::ofstream out(tmp, std::ios::binary);
        out.write(cubin.data(), static_cast<std::streamsize>(cubin.size()));
      }
      std::filesystem::rename(tmp, file, ec);  // a failed write leaves only a missing cache entry
      if (ec) std::filesystem::remove(tmp, ec);
    }
  }
  const std::lock_guard<std::mutex> lock(mutex);
  return memory.emplace(key, std::move(cubin)).first->second;
}

}  // namespace equifuse
