#include "kernels/cuda/kernel_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "kernels/cuda/nvrtc_compiler.hpp"

namespace equifuse {

namespace {

std::uint64_t fnv1a(const char* data, std::size_t size, std::uint64_t h = 1469598103934665603ull) {
  for (std::size_t i = 0; i < size; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

// A cache file is the cubin followed by this trailer: a file cut short or altered (a full disk,
// a crash of another writer, an older layout) fails the check and is compiled again.
struct Trailer {
  std::uint64_t size, checksum, magic;
};
constexpr std::uint64_t kTrailerMagic = 0x31656863616b7165ull;  // "eqkache1"

std::optional<std::vector<char>> read_cache_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof(Trailer)) return std::nullopt;
  Trailer t{};
  std::memcpy(&t, bytes.data() + bytes.size() - sizeof(Trailer), sizeof(Trailer));
  bytes.resize(bytes.size() - sizeof(Trailer));
  if (t.magic != kTrailerMagic || t.size != bytes.size() || t.size == 0 ||
      t.checksum != fnv1a(bytes.data(), bytes.size()))
    return std::nullopt;
  return bytes;
}

// Under a name of this process and thread, then renamed over `file` (atomic): readers see the
// whole file or none. Returns what went wrong, empty on success.
std::string write_cache_file(const std::filesystem::path& file, const std::vector<char>& cubin) {
  std::ostringstream tmp_name;
  tmp_name << file.filename().string() << ".tmp." << getpid() << "."
           << std::hash<std::thread::id>{}(std::this_thread::get_id());
  const std::filesystem::path tmp = file.parent_path() / tmp_name.str();
  const Trailer t{cubin.size(), fnv1a(cubin.data(), cubin.size()), kTrailerMagic};
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(cubin.data(), static_cast<std::streamsize>(cubin.size()));
    out.write(reinterpret_cast<const char*>(&t), sizeof t);
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return "cannot write " + tmp.string();
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return "cannot rename a file into " + file.parent_path().string();
  }
  return "";
}

// An exclusive lock on "<cubin>.lock" for as long as it lives: the one process that holds it
// compiles that kernel, the others wait and then read the file. Not held where the lock file
// cannot be created (an unwritable directory).
class KernelFileLock {
 public:
  explicit KernelFileLock(const std::filesystem::path& file) {
    const std::string lock = file.string() + ".lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      error_ = "cannot create " + lock + ": " + std::strerror(errno);
      return;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      error_ = "cannot lock " + lock + ": " + std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
      return;
    }
  }
  ~KernelFileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  KernelFileLock(const KernelFileLock&) = delete;
  KernelFileLock& operator=(const KernelFileLock&) = delete;
  bool held() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

// The cache directory's problems are the same for every kernel: said once per process.
void warn_unwritable(const std::filesystem::path& directory, const std::string& what) {
  static std::once_flag once;
  std::call_once(once, [&] {
    std::fprintf(stderr,
                 "equifuse: warning: the kernel cache directory %s is not writable (%s); compiled "
                 "kernels are kept in memory for this process only. Set EQUIFUSE_KERNEL_CACHE to "
                 "a writable directory, or to 'off' to compile without a disk cache.\n",
                 directory.c_str(), what.c_str());
  });
}

std::atomic<int> compiled_count{0}, disk_count{0}, memory_count{0};

}  // namespace

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
  const auto mix = [&](const std::string& s) { h = fnv1a(s.data(), s.size(), h); };
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
  const auto remember = [&](std::vector<char> cubin) {
    const std::lock_guard<std::mutex> lock(mutex);
    return memory.emplace(key, std::move(cubin)).first->second;
  };
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = memory.find(key); it != memory.end()) {
      ++memory_count;
      return it->second;
    }
  }
  const auto compile = [&] {
    ++compiled_count;
    return compile_cuda_to_cubin(program, compute_capability);
  };
  const char* setting = std::getenv("EQUIFUSE_KERNEL_CACHE");
  if (setting != nullptr && std::string(setting) == "off") return remember(compile());

  const std::filesystem::path directory = kernel_cache_directory();
  std::ostringstream name;
  name << "tp-" << std::hex << key << ".cubin";
  const std::filesystem::path file = directory / name.str();
  if (auto cubin = read_cache_file(file)) {
    ++disk_count;
    return remember(std::move(*cubin));
  }
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  const KernelFileLock lock(file);  // waits while another process compiles this kernel
  if (!lock.held()) {
    warn_unwritable(directory, lock.error());
    return remember(compile());
  }
  if (auto cubin = read_cache_file(file)) {  // the process we waited for wrote it
    ++disk_count;
    return remember(std::move(*cubin));
  }
  std::vector<char> cubin = compile();
  if (const std::string error = write_cache_file(file, cubin); !error.empty())
    warn_unwritable(directory, error);
  return remember(std::move(cubin));
}

KernelCacheCounts kernel_cache_counts() {
  return {compiled_count.load(), disk_count.load(), memory_count.load()};
}

}  // namespace equifuse
