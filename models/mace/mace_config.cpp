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
template <typename V>
V get_or(const Json& object, const char* key, V fallback, const std::string& where) {
  return json_fields::get_or<V>(object, key, fallback, where, kModel);
}
Irreps irreps(const Json& object, const char* key, const std::string& where) {
  return json_fields::irreps(object, key, where, kModel);
}

template <typename Enum>
Enum one_of(const std::string& value, const std::vector<std::pair<std::string, Enum>>& choices,
            const std::string& where) {
  std::string names;
  for (const auto& [name, e] : choices) {
    if (value == name) return e;
    names += (names.empty() ? "" : ", ") + name;
  }
  throw Error("MACE config: " + where + " \"" + value + "\" is not one of " + names);
}

MaceRadialConfig radial_config(const Json& j) {
  MaceRadialConfig r;
  if (!j.contains("radial")) {  // format 1
    r.num_basis = get<int>(j, "num_bessel", "config");
    r.polynomial_cutoff_p = get<int>(j, "polynomial_cutoff_p", "config");
    r.prefactor = get<double>(j, "bessel_prefactor", "config");
    return r;
  }
  const std::string config = "config";  // named: GCC 13 flags references next to temporaries
  const Json& radial = field(j, "radial", config);
  const std::string where = "radial";
  r.basis = one_of<RadialBasisKind>(
      get<std::string>(radial, "basis", where),
      {{"bessel", kBesselBasis}, {"gaussian", kGaussianBasis}, {"chebyshev", kChebyshevBasis}},
      "radial.basis");
  r.num_basis = get<int>(radial, "num_basis", where);
  r.prefactor = get_or<double>(radial, "prefactor", 0.0, where);
  r.polynomial_cutoff_p = get<int>(radial, "polynomial_cutoff_p", where);
  r.apply_cutoff = get<bool>(radial, "apply_cutoff", where);
  if (radial.contains("transform") && !radial.at("transform").is_null()) {
    const Json& t = radial.at("transform");
    r.transform = one_of<DistanceTransformKind>(
        get<std::string>(t, "kind", "radial.transform"),
        {{"agnesi", kAgnesiTransform}, {"soft", kSoftTransform}}, "radial.transform.kind");
    if (r.transform == kAgnesiTransform) {
      r.transform_q = get<double>(t, "q", "radial.transform");
      r.transform_p = get<double>(t, "p", "radial.transform");
      r.transform_a = get<double>(t, "a", "radial.transform");
    } else {
      r.transform_a = get<double>(t, "alpha", "radial.transform");
    }
  }
  return r;
}

MaceInteractionConfig interaction_config(const Json& l, const std::string& where) {
  MaceInteractionConfig ic;
  ic.kind = one_of<MaceInteractionConfig::Kind>(
      get<std::string>(l, "kind", where),
      {{"plain", MaceInteractionConfig::Kind::plain},
       {"residual", MaceInteractionConfig::Kind::residual},
       {"density", MaceInteractionConfig::Kind::density},
       {"density_residual", MaceInteractionConfig::Kind::density_residual},
       {"nonlinear_residual", MaceInteractionConfig::Kind::nonlinear_residual}},
      where + ".kind");
  ic.node_feats_irreps = irreps(l, "node_feats_irreps", where);
  ic.edge_irreps = irreps(l, "edge_irreps", where);
  ic.edge_attrs_irreps = irreps(l, "edge_attrs_irreps", where);
  ic.conv_irreps_out = irreps(l, "conv_irreps_out", where);
  ic.target_irreps = irreps(l, "target_irreps", where);
  ic.skip_irreps_in = irreps(l, "skip_irreps_in", where);
  ic.skip_irreps_out = irreps(l, "skip_irreps_out", where);
  ic.radial_mlp = get<std::vector<int>>(l, "radial_mlp", where);
  if (ic.kind == MaceInteractionConfig::Kind::plain ||
      ic.kind == MaceInteractionConfig::Kind::residual) {
    ic.avg_num_neighbors = get<double>(l, "avg_num_neighbors", where);
  }
  if (ic.density()) ic.density_mlp = get<std::vector<int>>(l, "density_mlp", where);
  if (ic.nonlinear()) {
    ic.species_embedding_dim = get<int>(l, "species_embedding_dim", where);
    ic.density_mlp = get<std::vector<int>>(l, "density_mlp", where);
    ic.irreps_nonlin = irreps(l, "irreps_nonlin", where);
    ic.layer_norm_eps = get<double>(l, "layer_norm_eps", where);
  }
  return ic;
}

std::vector<double> per_head(const Json& j, const char* key, std::size_t heads) {
  if (!j.contains(key)) throw Error("MACE config: config has no \"" + std::string(key) + "\"");
  const Json& v = j.at(key);
  if (v.is_number()) return std::vector<double>(heads, v.get<double>());
  const auto values = get<std::vector<double>>(j, key, "config");
  if (values.size() != heads) {
    throw Error("MACE config: \"" + std::string(key) + "\" needs one value per head");
  }
  return values;
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
  c.radial = radial_config(j);
  c.spherical_harmonics_irreps = irreps(j, "spherical_harmonics_irreps", top);
  c.radial_activation_scale = get<double>(j, "radial_activation_scale", top);
  c.heads = get_or<std::vector<std::string>>(j, "heads", {"Default"}, top);
  if (c.heads.empty()) throw Error("MACE config: \"heads\" is empty");
  c.scale = per_head(j, "scale", c.heads.size());
  c.shift = per_head(j, "shift", c.heads.size());

  const Json& interactions = field(j, "interactions", top);
  for (std::size_t t = 0; t < interactions.size(); ++t) {
    c.interactions.push_back(
        interaction_config(interactions[t], "interactions[" + std::to_string(t) + "]"));
  }
  const Json& products = field(j, "products", top);
  for (std::size_t t = 0; t < products.size(); ++t) {
    const Json& l = products[t];
    const std::string where = "products[" + std::to_string(t) + "]";
    MaceProductConfig pc;
    pc.irreps_in = irreps(l, "irreps_in", where);
    pc.irreps_out = irreps(l, "irreps_out", where);
    pc.use_skip_connection = get<bool>(l, "use_skip_connection", where);
    pc.agnostic = get_or<bool>(l, "agnostic", false, where);
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
    rc.layer = get_or<int>(l, "layer", static_cast<int>(t), where);
    rc.irreps_in = irreps(l, "irreps_in", where);
    rc.kind = one_of<MaceReadoutConfig::Kind>(get<std::string>(l, "kind", where),
                                              {{"linear", MaceReadoutConfig::Kind::linear},
                                               {"nonlinear", MaceReadoutConfig::Kind::nonlinear}},
                                              where + ".kind");
    if (rc.kind == MaceReadoutConfig::Kind::nonlinear) {
      rc.hidden_irreps = irreps(l, "hidden_irreps", where);
      rc.activation_scale = get<double>(l, "activation_scale", where);
      rc.head_mask = get_or<bool>(l, "head_mask", false, where);
    }
    c.readouts.push_back(std::move(rc));
  }
  c.pair_repulsion = read_pair_repulsion_config(j, kModel);
  if (j.contains("joint_embedding") && !j.at("joint_embedding").is_null()) {
    MaceJointEmbeddingConfig je;
    const std::string joint = "joint_embedding";
    for (const Json& in : field(j.at("joint_embedding"), "inputs", joint)) {
      const std::string where = "joint_embedding.inputs";
      je.inputs.push_back({get<std::string>(in, "name", where), get<int>(in, "num_classes", where),
                           get<int>(in, "offset", where), get<int>(in, "dim", where)});
    }
    c.joint_embedding = je;
  }

  // Consistency: what one layer produces is what the next consumes.
  const std::size_t layers = c.interactions.size();
  if (layers == 0 || c.products.size() != layers || c.readouts.empty() ||
      c.readouts.size() > layers) {
    throw Error(
        "MACE config: needs the same non-zero number of interactions and products, and "
        "at most one readout per layer");
  }
  for (std::size_t r = 0; r < c.readouts.size(); ++r) {
    const int layer = c.readouts[r].layer;
    if (layer < 0 || static_cast<std::size_t>(layer) >= layers ||
        (r > 0 && layer <= c.readouts[r - 1].layer)) {
      throw Error("MACE config: readouts must name distinct layers in order");
    }
  }
  if (c.species.empty()) throw Error("MACE config: no species");
  if (!(c.r_max > 0)) throw Error("MACE config: r_max must be positive");
  for (std::size_t t = 0; t < layers; ++t) {
    const auto& ic = c.interactions[t];
    const auto& pc = c.products[t];
    const std::string where = "layer " + std::to_string(t);
    const int radial_in = c.radial.num_basis + (ic.nonlinear() ? 2 * ic.species_embedding_dim : 0);
    if (ic.radial_mlp.size() < 2 || ic.radial_mlp.front() != radial_in) {
      throw Error("MACE config: " + where + " radial MLP must start with " +
                  std::to_string(radial_in) + " inputs");
    }
    if (!(ic.avg_num_neighbors > 0))
      throw Error("MACE config: " + where + " avg_num_neighbors <= 0");
    if ((ic.density() || ic.nonlinear()) &&
        (ic.density_mlp.size() < 2 || ic.density_mlp.front() != radial_in ||
         ic.density_mlp.back() != 1)) {
      throw Error("MACE config: " + where + " density MLP must map the radial inputs to one value");
    }
    if (ic.edge_attrs_irreps != c.spherical_harmonics_irreps) {
      throw Error("MACE config: " + where + " edge attributes differ from the spherical harmonics");
    }
    if (pc.irreps_in != ic.target_irreps) {
      throw Error("MACE config: " + where + " product input differs from the interaction output");
    }
    if (pc.contractions.size() != pc.irreps_out.size()) {
      throw Error("MACE config: " + where + " needs one contraction per product output block");
    }
    if (t + 1 < layers && c.interactions[t + 1].node_feats_irreps != pc.irreps_out) {
      throw Error("MACE config: layer " + std::to_string(t + 1) +
                  " input differs from the previous layer's output");
    }
  }
  for (const MaceReadoutConfig& rc : c.readouts) {
    if (rc.irreps_in != c.products[static_cast<std::size_t>(rc.layer)].irreps_out) {
      throw Error("MACE config: the readout of layer " + std::to_string(rc.layer) +
                  " differs from the product output");
    }
  }
  return c;
}

}  // namespace equifuse
