# Finds LibTorch through a Python interpreter's torch package (pip wheels and Debian's
# python3-torch both ship torch/include and torch/lib) and defines the imported target
# equifuse::torch. Avoids TorchConfig.cmake, whose CUDA detection (nvcc, cuDNN, architecture
# lists) fails or differs across machines, although we only need headers and shared libraries.
#
# In:  TORCH_PYTHON           the interpreter to ask
# Out: TorchFromPython_FOUND, TORCH_VERSION, TORCH_HAS_CUDA (the wheel ships libc10_cuda)
execute_process(
  COMMAND "${TORCH_PYTHON}" -c
    "import os, torch; print(os.path.dirname(torch.__file__)); print(torch.__version__); print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"
  OUTPUT_VARIABLE _torch_info OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _torch_rc ERROR_QUIET)
set(TorchFromPython_FOUND FALSE)
if(_torch_rc EQUAL 0)
  string(REPLACE "\n" ";" _torch_info "${_torch_info}")
  list(GET _torch_info 0 _torch_dir)
  list(GET _torch_info 1 TORCH_VERSION)
  list(GET _torch_info 2 _torch_abi)
  find_library(TORCH_LIBRARY torch PATHS "${_torch_dir}/lib" NO_DEFAULT_PATH)
  find_library(TORCH_CPU_LIBRARY torch_cpu PATHS "${_torch_dir}/lib" NO_DEFAULT_PATH)
  find_library(C10_LIBRARY c10 PATHS "${_torch_dir}/lib" NO_DEFAULT_PATH)
  find_library(C10_CUDA_LIBRARY c10_cuda PATHS "${_torch_dir}/lib" NO_DEFAULT_PATH)
  if(TORCH_LIBRARY AND TORCH_CPU_LIBRARY AND C10_LIBRARY AND EXISTS "${_torch_dir}/include/torch")
    set(TorchFromPython_FOUND TRUE)
    set(TORCH_HAS_CUDA FALSE)
    if(C10_CUDA_LIBRARY)
      set(TORCH_HAS_CUDA TRUE)
    endif()
    add_library(equifuse::torch INTERFACE IMPORTED)
    # Imported include directories are system headers: LibTorch's own warnings stay quiet.
    target_include_directories(equifuse::torch INTERFACE
      "${_torch_dir}/include" "${_torch_dir}/include/torch/csrc/api/include")
    target_link_libraries(equifuse::torch INTERFACE
      ${TORCH_LIBRARY} ${TORCH_CPU_LIBRARY} ${C10_LIBRARY} $<$<BOOL:${TORCH_HAS_CUDA}>:${C10_CUDA_LIBRARY}>)
    target_compile_definitions(equifuse::torch INTERFACE _GLIBCXX_USE_CXX11_ABI=${_torch_abi})
    set(TORCH_LIBRARY_DIR "${_torch_dir}/lib")
  endif()
endif()
