// The dense layer of the MLPs (dense_layer_kernels.cuh) as a call on an engine.
#pragma once

#include "models/engine/engine.hpp"
#include "models/layers/dense_layer_kernels.cuh"

namespace equifuse {

template <typename T>
void dense_layer(const Engine& engine, const DenseLayerArgs<T>& args);

}  // namespace equifuse
