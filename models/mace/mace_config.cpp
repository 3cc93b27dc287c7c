#include "models/mace/mace_config.hpp"

#include "kernels/common/error.hpp"
#include "models/potential/json_fields.hpp"

namespace equifuse {

namespace {

using json_fields::Json;
const std::string kModel = "MACE";

const Json& field(const Json& object, const char* key, const std::string& where) {
  return json_fields::field(object, key, where, kModel);
}
template <typename V>
V get(const Json& object, const char* key, const std::string& where) {
  return json_fields::get<V>(object, key, where, kModel);
}
Irreps irreps(const Json& object, const char* key, const std::string& where) {
  return json_fields::irreps(object, key, where, kModel);
}

}  // namespace

MaceConfig MaceConfig::from_json(const std::string& text) {
  const Json j = json_fields::parse(text, kModel);
  MaceConfig c;
  const std::string top = "config";
  c.species = get<std::vector<int>>(j, "species", top);
  c.r_max = get<double>(j, "r_max", top);
  const Json& units = field(j, "units", top);
  c.energy_unit = get<std::string>(units, "energy", "units");
  c.length_unit = get<std::string>(units, "length", "units");
  c.num_bessel = get<int>(j, "num_bessel", top);
  c.polynomial_cutoff_p = get<int>(j, "polynomial_cutoff_p", top);
  c.bessel_prefactor = get<double>(j, "bessel_prefactor", top);
  c.spherical_harmonics_irreps = irreps(j, "spherical_harmonics_irreps", top);
  c.radial_activation_scale = get<double>(j, "radial_activation_scale", top);
  c.scale = get<double>(j, "scale", top);
  c.shift = get<double>(j, "shift", top);

  const Json& interactions = field(j, "interactions", top);
  for (std::size_t t = 0; t < interactions.size(); ++t) {
    const Json& l = interactions[t];
    const std::string where = "interactions[" + std::to_string(t) + "]";
    MaceInteractionConfig ic;
    const auto kind = get<std::string>(l, "kind", where);
    if (kind != "plain" && kind != "residual") {
      throw Error("MACE config: " + where + ".kind \"" + kind + "\" is not plain or residual");
    }
    ic.kind = kind == "plain" ? MaceInteractionConfig::Kind::plain
                              : MaceInteractionConfig::Kind::residual;
    ic.node_feats_irreps = irreps(l, "node_feats_irreps", where);
    ic.edge_irreps = irreps(l, "edge_irreps", where);
    ic.edge_attrs_irreps = irreps(l, "edge_attrs_irreps", where);
    ic.conv_irreps_out = irreps(l, "conv_irreps_out", where);
    ic.target_irreps = irreps(l, "target_irreps", where);
    ic.skip_irreps_in = irreps(l, "skip_irreps_in", where);
    ic.skip_irreps_out = irreps(l, "skip_irreps_out", where);
    ic.radial_mlp = get<std::vector<int>>(l, "radial_mlp", where);
    ic.avg_num_neighbors = get<double>(l, "avg_num_neighbors", where);
    c.interactions.push_back(std::move(ic));
  }
  const Json& products = field(j, "products", top);
  for (std::size_t t = 0; t < products.size(); ++t) {
    const Json& l = products[t];
    const std::string where = "products[" + std::to_string(t) + "]";
    MaceProductConfig pc;
    pc.irreps_in = irreps(l, "irreps_in", where);
    pc.irreps_out = irreps(l, "irreps_out", where);
    pc.use_skip_connection = get<bool>(l, "use_skip_connection", where);
    for (const Json& k : field(l, "contractions", where)) {
      pc.contractions.push_back(
          {Irrep::parse(get<std::string>(k, "irrep", where)), get<int>(k, "correlation", where)});
    }
    c.products.push_back(std::move(pc));
  }
  const Json& readouts = field(j, "readouts", top);
  for (std::size_t t = 0; t < readouts.size(); ++t) {
    const Json& l = readouts[t];
    const std::string where = "readouts[" + std::to_string(t) + "]";
    MaceReadoutConfig rc;
    const auto kind = get<std::string>(l, "kind", where);
    rc.irreps_in = irreps(l, "irreps_in", where);
    if (kind == "linear") {
      rc.kind = MaceReadoutConfig::Kind::linear;
    } else if (kind == "nonlinear") {
      rc.kind = MaceReadoutConfig::Kind::nonlinear;
      rc.hidden_irreps = irreps(l, "hidden_irreps", where);
      rc.activation_scale = get<double>(l, "activation_scale", where);
    } else {
      throw Error("MACE config: " + where + ".kind \"" + kind + "\" is not linear or nonlinear");
    }
    c.readouts.push_back(std::move(rc));
  }

  // Consistency: what one layer produces is what the next consumes.
  const std::size_t layers = c.interactions.size();
  if (layers == 0 || c.products.size() != layers || c.readouts.size() != layers) {
    throw Error(
        "MACE config: needs the same non-zero number of interactions, products and readouts");
  }
  if (c.species.empty()) throw Error("MACE config: no species");
  if (!(c.r_max > 0)) throw Error("MACE config: r_max must be positive");
  for (std::size_t t = 0; t < layers; ++t) {
    const auto& ic = c.interactions[t];
    const auto& pc = c.products[t];
    const std::string where = "layer " + std::to_string(t);
    if (ic.radial_mlp.size() < 2 || ic.radial_mlp.front() != c.num_bessel) {
      throw Error("MACE config: " + where + " radial MLP must start with num_bessel inputs");
    }
    if (!(ic.avg_num_neighbors > 0))
      throw Error("MACE config: " + where + " avg_num_neighbors <= 0");
    if (ic.edge_attrs_irreps != c.spherical_harmonics_irreps) {
      throw Error("MACE config: " + where + " edge attributes differ from the spherical harmonics");
    }
    if (pc.irreps_in != ic.target_irreps) {
      throw Error("MACE config: " + where + " product input differs from the interaction output");
    }
    if (pc.contractions.size() != pc.irreps_out.size()) {
      throw Error("MACE config: " + where + " needs one contraction per product output block");
    }
    if (c.readouts[t].irreps_in != pc.irreps_out) {
      throw Error("MACE config: " + where + " readout input differs from the product output");
    }
    if (t + 1 < layers && c.interactions[t + 1].node_feats_irreps != pc.irreps_out) {
      throw Error("MACE config: layer " + std::to_string(t + 1) +
                  " input differs from the previous layer's output");
    }
  }
  return c;
}

}  // namespace equifuse
