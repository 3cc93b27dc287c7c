# equifuse_embed_sources(TARGET <target> FUNCTION <name> HEADER <header> FILES <paths...>):
# compiles into <target> a generated C++ file whose <name>() returns the files (paths from the
# repository root) with their contents, regenerated whenever one of them changes
# (cmake/EmbedSources.cmake). GPU kernel sources are kept as real .cu/.cuh files this way and
# still reach NVRTC at run time without the source tree.
function(equifuse_embed_sources)
  cmake_parse_arguments(EMBED "" "TARGET;FUNCTION;HEADER" "FILES" ${ARGN})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${EMBED_FUNCTION}.cpp)
  list(TRANSFORM EMBED_FILES PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE paths)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output} -DROOT=${PROJECT_SOURCE_DIR}
            "-DFILES=${EMBED_FILES}" -DHEADER=${EMBED_HEADER} -DFUNCTION=${EMBED_FUNCTION}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedSources.cmake
    DEPENDS ${paths} ${PROJECT_SOURCE_DIR}/cmake/EmbedSources.cmake
    COMMENT "Embedding the sources of ${EMBED_FUNCTION}" VERBATIM)
  target_sources(${EMBED_TARGET} PRIVATE ${output})
endfunction()
