#include "models/nequip/nequip_config.hpp"

#include "kernels/common/error.hpp"
#include "models/potential/json_fields.hpp"

namespace equifuse {

namespace {

using json_fields::Json;
const std::string kModel = "NequIP";

template <typename V>
V get(const Json& object, const char* key, const std::string& where) {
  return json_fields::get<V>(object, key, where, kModel);
}
Irreps irreps(const Json& object, const char* key, const std::string& where) {
  return json_fields::irreps(object, key, where, kModel);
}

}  // namespace

NequipConfig NequipConfig::from_json(const std::string& text) {
  const Json j = json_fields::parse(text, kModel);
  const std::string top = "config";
  NequipConfig c;
  c.species = get<std::vector<int>>(j, "species", top);
  c.r_max = get<double>(j, "r_max", top);
  const Json& units = json_fields::field(j, "units", top, kModel);
  c.energy_unit = get<std::string>(units, "energy", "units");
  c.length_unit = get<std::string>(units, "length", "units");
  c.num_bessel = get<int>(j, "num_bessel", top);
  c.polynomial_cutoff_p = get<int>(j, "polynomial_cutoff_p", top);
  c.bessel_prefactor = get<double>(j, "bessel_prefactor", top);
  c.spherical_harmonics_irreps = irreps(j, "spherical_harmonics_irreps", top);
  c.type_embedding_dim = get<int>(j, "type_embedding_dim", top);
  c.readout_mlp = get<std::vector<int>>(j, "readout_mlp", top);
  c.readout_mlp_scales = get<std::vector<double>>(j, "readout_mlp_scales", top);
  c.pair_repulsion = read_pair_repulsion_config(j, kModel);
  const Json& layers = json_fields::field(j, "layers", top, kModel);
  for (std::size_t t = 0; t < layers.size(); ++t) {
    const Json& l = layers[t];
    const std::string where = "layers[" + std::to_string(t) + "]";
    NequipLayerConfig lc;
    lc.irreps_in = irreps(l, "irreps_in", where);
    lc.conv_irreps_mid = irreps(l, "conv_irreps_mid", where);
    lc.conv_instructions = get<std::vector<std::array<int, 3>>>(l, "conv_instructions", where);
    lc.linear_2_irreps_in = irreps(l, "linear_2_irreps_in", where);
    lc.irreps_conv_out = irreps(l, "irreps_conv_out", where);
    lc.irreps_out = irreps(l, "irreps_out", where);
    lc.self_connection = get<bool>(l, "self_connection", where);
    lc.resnet = get<bool>(l, "resnet", where);
    lc.radial_mlp = get<std::vector<int>>(l, "radial_mlp", where);
    lc.radial_mlp_scales = get<std::vector<double>>(l, "radial_mlp_scales", where);
    c.layers.push_back(std::move(lc));
  }
  if (c.species.empty() || !(c.r_max > 0) || c.layers.empty()) {
    throw Error("NequIP config: needs species, r_max > 0 and at least one layer");
  }
  const Irreps embedding({MulIrrep{c.type_embedding_dim, Irrep(0, 1)}});
  for (std::size_t t = 0; t < c.layers.size(); ++t) {
    const auto& l = c.layers[t];
    const Irreps& expected_in = t == 0 ? embedding : c.layers[t - 1].irreps_out;
    if (l.irreps_in != expected_in) {
      throw Error("NequIP config: layer " + std::to_string(t) + " input " +
                  l.irreps_in.to_string() + " differs from " + expected_in.to_string());
    }
    if (l.radial_mlp.size() < 2 || l.radial_mlp.front() != c.num_bessel ||
        l.radial_mlp_scales.size() + 1 != l.radial_mlp.size()) {
      throw Error("NequIP config: layer " + std::to_string(t) + " radial MLP is malformed");
    }
    if (l.linear_2_irreps_in != l.conv_irreps_mid.simplify()) {
      throw Error("NequIP config: layer " + std::to_string(t) +
                  " linear_2 input is not the simplified convolution output");
    }
    if (l.resnet && l.irreps_out != l.irreps_in) {
      throw Error("NequIP config: layer " + std::to_string(t) +
                  " resnet needs equal input and output irreps");
    }
  }
  const Irreps& last = c.layers.back().irreps_out;
  if (last.lmax() != 0 || c.readout_mlp.size() < 2 || c.readout_mlp.front() != last.dim() ||
      c.readout_mlp.back() != 1 || c.readout_mlp_scales.size() + 1 != c.readout_mlp.size()) {
    throw Error("NequIP config: the readout must map the last layer's scalars to one energy");
  }
  return c;
}

}  // namespace equifuse
