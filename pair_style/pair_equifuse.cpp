#include "pair_equifuse.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"
#include "update.h"
#include "utils.h"
#ifndef EQUIFUSE_LAMMPS_ADD_REQUEST
#include "neigh_request.h"
#endif

#include "kernels/common/error.hpp"
#include "model_loader/potential_file.hpp"
#include "models/engine/memory_space.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/potential/species_selection.hpp"
#include "models/structure/atomic_structure.hpp"
#include "pair_style/neighbor_graph.hpp"

using namespace LAMMPS_NS;

namespace {

// The LAMMPS unit style whose energy and length units are the potential's.
std::string unit_style_for(const equifuse::PotentialInfo& info) {
  if (info.energy_unit == "eV" && info.length_unit == "Angstrom") return "metal";
  return "";
}

}  // namespace

PairEquifuse::PairEquifuse(LAMMPS* instance) : Pair(instance) {
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  ghostneigh = 1;               // the lists of ghosts are the graph's edges into ghost nodes
  no_virial_fdotr_compute = 1;  // the virial comes from the edge gradients
  centroidstressflag = CENTROID_NOTAVAIL;
  comm_reverse = 9;      // force (3) and per-atom virial (6) of a ghost, newton_pair off
  comm_reverse_off = 9;  // LAMMPS sizes its buffers by this alone with newton off
  comm_forward = 0;      // node features of the layer exchange (init_communication)
}

PairEquifuse::~PairEquifuse() {
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    memory->destroy(cutghost);
  }
}

void PairEquifuse::allocate() {
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  memory->create(cutghost, n + 1, n + 1, "pair:cutghost");
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j <= n; ++j) setflag[i][j] = 0;
}

void PairEquifuse::settings(int narg, char** arg) {
  for (int i = 0; i < narg; i += 2) {
    const std::string key = arg[i];
    if (i + 1 >= narg)
      error->all(FLERR, "pair_style equifuse: keyword '" + key + "' needs a value");
    const std::string value = arg[i + 1];
    if (key == "device") {
      if (value != "auto" && value != "cpu" && value != "cuda")
        error->all(FLERR,
                   "pair_style equifuse: device must be auto, cpu or cuda, not '" + value + "'");
      device_ = value;
    } else if (key == "precision") {
      if (value != "float64" && value != "float32")
        error->all(FLERR, "pair_style equifuse: precision must be float64 or float32, not '" +
                              value + "'");
      precision_ = value;
    } else if (key == "comm") {
      if (value != "layer" && value != "shell")
        error->all(FLERR, "pair_style equifuse: comm must be layer or shell, not '" + value + "'");
      comm_mode_ = value;
    } else if (key == "memory") {
      try {
        edge_memory_ = equifuse::parse_edge_memory(value);
      } catch (const std::exception& e) {
        error->all(FLERR, std::string("pair_style equifuse: ") + e.what());
      }
    } else if (key == "head") {
      head_ = value;
    } else if (key == "charge" || key == "spin") {
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0')
        error->all(FLERR, "pair_style equifuse: " + key + " must be a number, not '" + value + "'");
      (key == "charge" ? total_charge_ : total_spin_) = v;
    } else {
      error->all(FLERR, "pair_style equifuse: unknown keyword '" + key +
                            "' (known: device auto|cpu|cuda, precision float64|float32, comm "
                            "layer|shell, memory SIZE|all, head NAME, charge Q, spin 2S+1)");
    }
  }
}

void PairEquifuse::load(const std::string& path, const std::vector<int>& type_elements) {
  equifuse::Backend backend = equifuse::Backend::cpu;
  const bool gpu_here = equifuse::backend_runs_here(equifuse::Backend::cuda);
  if (device_ == "cuda" || (device_ == "auto" && gpu_here)) backend = equifuse::Backend::cuda;
  if (backend == equifuse::Backend::cuda && !gpu_here)
    error->all(FLERR,
               "pair_style equifuse: device cuda requested, but this build has no CUDA backend or "
               "no GPU is visible");
  int gpu = -1;
  try {
    if (backend == equifuse::Backend::cuda) {
      // Ranks of one node take its GPUs in turn (a rank that sees one GPU, through
      // CUDA_VISIBLE_DEVICES, takes that one).
      MPI_Comm node;
      MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, comm->me, MPI_INFO_NULL, &node);
      int node_rank = 0;
      MPI_Comm_rank(node, &node_rank);
      MPI_Comm_free(&node);
      gpu = equifuse::select_device(backend, node_rank);
    }
    equifuse::LoadOptions options;
    options.precision = equifuse::parse_precision(precision_);
    options.backend = backend;
    options.elements = type_elements;
    options.head = head_;
    options.total_charge = total_charge_;
    options.total_spin = total_spin_;
    options.edge_memory = edge_memory_;
    potential_ = equifuse::load_potential(path, options);
  } catch (const equifuse::UnknownElement& e) {
    std::string known;
    for (int s : e.known()) known += (known.empty() ? "" : " ") + equifuse::chemical_symbol(s);
    int type = 1;
    while (type < static_cast<int>(type_elements.size()) &&
           type_elements[type - 1] != e.atomic_number())
      ++type;
    error->all(FLERR, "pair_coeff equifuse: element " +
                          equifuse::chemical_symbol(e.atomic_number()) + " (type " +
                          std::to_string(type) + ") is not in " + path +
                          " (its elements: " + known + ")");
  } catch (const std::exception& e) {
    error->all(FLERR, std::string("pair_style equifuse: ") + e.what());
  }
  potential_path_ = path;
  const auto& info = potential_->info();
  r_max_ = info.r_max;
  num_interactions_ = info.num_interactions;
  if (comm->me == 0) {
    utils::logmesg(lmp, "equifuse: {} potential {}, r_max {} {}, {} interaction layers, {} on {}\n",
                   info.architecture, path, r_max_, info.length_unit, num_interactions_, precision_,
                   backend == equifuse::Backend::cuda ? "cuda" : "cpu");
    if (info.heads.size() > 1)
      utils::logmesg(lmp, "equifuse: head {} (of {})\n", info.head, info.heads.size());
    if (info.block_edges == 0)
      utils::logmesg(lmp, "equifuse: memory all: every edge in one block\n");
    else
      utils::logmesg(
          lmp,
          "equifuse: memory {} KiB: streamed edges in blocks of at most {} edges, or one "
          "atom's ({} bytes per edge)\n",
          info.edge_memory >> 10, info.block_edges, info.edge_bytes);
  }
  if (backend == equifuse::Backend::cuda) {
    std::vector<int> gpus(comm->me == 0 ? comm->nprocs : 0);
    MPI_Gather(&gpu, 1, MPI_INT, gpus.data(), 1, MPI_INT, 0, world);
    if (comm->me == 0) {
      std::string by_rank;
      for (int g : gpus) {
        by_rank += ' ';
        by_rank += std::to_string(g);
      }
      utils::logmesg(lmp, "equifuse: GPU of each rank (node-local index):{}\n", by_rank);
    }
  }
}

void PairEquifuse::coeff(int narg, char** arg) {
  if (!allocated) allocate();
  const int ntypes = atom->ntypes;
  if (narg < 3 || strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    error->all(
        FLERR,
        "pair_coeff for equifuse must be: pair_coeff * * potential.eqf Element1 Element2 ...");
  if (narg != 3 + ntypes)
    error->all(FLERR,
               "pair_coeff equifuse: {} elements given for {} atom types (one element per type)",
               narg - 3, ntypes);

  std::vector<int> type_elements;  // atomic number of each type
  for (int t = 1; t <= ntypes; ++t) {
    const std::string element = arg[2 + t];
    if (element == "NULL")
      error->all(FLERR,
                 "pair_coeff equifuse: type {} is NULL, but equifuse evaluates every atom type "
                 "(NULL, leaving types to other hybrid sub-styles, is not supported): give its "
                 "element",
                 t);
    try {
      type_elements.push_back(equifuse::atomic_number_of(element));
    } catch (const std::exception&) {
      error->all(FLERR, "pair_coeff equifuse: '" + element + "' (type " + std::to_string(t) +
                            ") is not a chemical element");
    }
  }
  load(arg[2], type_elements);
  const auto& species = potential_->info().species;
  type_species_.assign(ntypes + 1, -1);
  for (int t = 1; t <= ntypes; ++t) {
    const auto it = std::find(species.begin(), species.end(), type_elements[t - 1]);
    type_species_[t] = static_cast<int>(it - species.begin());
  }
  for (int i = 1; i <= ntypes; ++i)
    for (int j = i; j <= ntypes; ++j) setflag[i][j] = 1;
}

bool PairEquifuse::exchanges_layers() const {
  return comm_mode_ == "layer" && comm->nprocs > 1 && num_interactions_ > 1;
}

double PairEquifuse::required_ghost_cutoff() const {
  if (comm->nprocs == 1 || exchanges_layers()) return 0.0;
  return num_interactions_ * r_max_ + neighbor->skin;
}

void PairEquifuse::init_communication() {
  const auto& info = potential_->info();
  const bool single = info.precision == equifuse::Precision::float32;
  int words = 0;
  for (int width : info.exchanged_widths)
    words = std::max(words, equifuse::LayerExchange::words_per_row(width, single));
  comm_forward = exchanges_layers() ? words : 0;
  comm_reverse = comm_reverse_off = std::max(9, comm_forward);
  // Under pair_style hybrid LAMMPS sizes its buffers by the hybrid's sizes, which it takes from
  // the sub-styles before their init_style: raise them to this style's.
  if (force->pair != nullptr && force->pair != this) {
    force->pair->comm_forward = std::max(force->pair->comm_forward, comm_forward);
    force->pair->comm_reverse = std::max(force->pair->comm_reverse, comm_reverse);
    force->pair->comm_reverse_off = std::max(force->pair->comm_reverse_off, comm_reverse_off);
  }
  const std::string mode = exchanges_layers() ? "layer" : "shell";
  if (comm->me != 0 || comm->nprocs == 1 || logged_mode_ == mode) return;
  logged_mode_ = mode;  // once per setting, not at every run
  if (exchanges_layers()) {
    std::string widths;
    double bytes = 0;
    for (int width : info.exchanged_widths) {
      if (!widths.empty()) widths += ' ';
      widths += std::to_string(width);
      bytes += 8.0 * equifuse::LayerExchange::words_per_row(width, single);
    }
    const std::string layers =
        num_interactions_ == 2 ? "layer 2" : fmt::format("layers 2-{}", num_interactions_);
    utils::logmesg(lmp,
                   "equifuse: comm layer: ghost shell {} (r_max + skin); ghost node features from "
                   "their owners before {} ({} numbers per atom): {} bytes per ghost atom per "
                   "step, each way\n",
                   r_max_ + neighbor->skin, layers, widths, bytes);
  } else if (num_interactions_ == 1) {
    utils::logmesg(lmp,
                   "equifuse: one interaction layer: ghost shell {} (r_max + skin), nothing "
                   "exchanged between layers\n",
                   r_max_ + neighbor->skin);
  } else {
    utils::logmesg(lmp, "equifuse: comm shell: ghost shell {} ({} layers x r_max + skin)\n",
                   required_ghost_cutoff(), num_interactions_);
  }
}

void PairEquifuse::init_style() {
  if (!potential_)
    error->all(FLERR, "pair_style equifuse: pair_coeff * * <file> <elements> is missing");
  if (atom->tag_enable == 0) error->all(FLERR, "pair_style equifuse needs atom IDs");
  const std::string units = update->unit_style;
  const std::string needed = unit_style_for(potential_->info());
  if (units != needed)
    error->all(FLERR,
               "pair_style equifuse: {} is in {} and {}, which needs 'units {}'; this input uses "
               "'units {}'",
               potential_path_, potential_->info().energy_unit, potential_->info().length_unit,
               needed.empty() ? "(none LAMMPS has)" : needed, units);

  // Lists of ghosts are edges into ghost nodes: needed only where ghosts of other ranks carry
  // hops of the graph (`comm shell` on several ranks).
  const bool ghost_lists = graph_hops() > 1 && comm->nprocs > 1;
#ifdef EQUIFUSE_LAMMPS_ADD_REQUEST
  neighbor->add_request(this, NeighConst::REQ_FULL | (ghost_lists ? NeighConst::REQ_GHOST : 0));
#else
  const int request = neighbor->request(this, instance_me);
  neighbor->requests[request]->half = 0;
  neighbor->requests[request]->full = 1;
  neighbor->requests[request]->ghost = ghost_lists ? 1 : 0;
#endif
  init_communication();

  // Ghost shell for exact message passing across ranks (see required_ghost_cutoff).
  const double ghost = required_ghost_cutoff();
  if (ghost > 0.0) {
    if (comm->mode != Comm::SINGLE)
      error->all(FLERR,
                 "pair_style equifuse on several MPI ranks needs comm_modify mode single: its "
                 "ghost cutoff of "
                 "{} (interaction layers x r_max + skin) is one distance for all types",
                 ghost);
    if (comm->style == 1) {  // comm_style tiled cannot reach beyond one periodic box length
      const double* prd = domain->prd;
      for (int d = 0; d < domain->dimension; ++d)
        if (domain->periodicity[d] && ghost > prd[d])
          error->all(FLERR,
                     "pair_style equifuse: comm_style tiled cannot provide the ghost cutoff {} "
                     "(interaction layers "
                     "x r_max + skin) in a periodic box only {} long; use comm_style brick or a "
                     "larger box",
                     ghost, prd[d]);
    }
    if (comm->cutghostuser < ghost) {
      if (comm->me == 0 && comm->cutghostuser > 0.0)
        error->warning(FLERR, "pair_style equifuse raises the communication cutoff from {} to {}",
                       comm->cutghostuser, ghost);
      comm->cutghostuser = ghost;
    }
  }
}

double PairEquifuse::init_one(int i, int j) {
  if (setflag[i][j] == 0) error->all(FLERR, "pair_style equifuse: pair_coeff * * is missing");
  cutghost[i][j] = cutghost[j][i] = r_max_;
  return r_max_;
}

void PairEquifuse::compute(int eflag, int vflag) {
  ev_init(eflag, vflag);
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  const auto n = static_cast<std::size_t>(nall);

  // A ghost that is an image of an atom of this rank is that atom (tags identify atoms). Ghosts,
  // their tags and types change only when LAMMPS rebuilds its lists.
  if (neighbor->ago == 0 || owner_.size() != n) {
    owner_.resize(n);
    species_.resize(n);
    std::unordered_map<tagint, int> local_of_tag;
    local_of_tag.reserve(static_cast<std::size_t>(nlocal));
    for (int i = 0; i < nlocal; ++i) local_of_tag.emplace(atom->tag[i], i);
    for (int i = 0; i < nall; ++i) {
      species_[i] = type_species_[atom->type[i]];
      if (i < nlocal) {
        owner_[i] = i;
      } else {
        const auto it = local_of_tag.find(atom->tag[i]);
        owner_[i] = it == local_of_tag.end() ? i : it->second;
      }
    }
  }

  equifuse::NeighborListView view;
  view.num_local = nlocal;
  view.num_atoms = nall;
  view.x = atom->x;
  view.species = species_.data();
  view.owner = owner_.data();
  view.num_lists = list->inum + list->gnum;  // gnum is 0 without ghost lists
  view.ilist = list->ilist;
  view.numneigh = list->numneigh;
  view.firstneigh = list->firstneigh;
  view.neighbor_mask = NEIGHMASK;

  equifuse::NeighborGraph& graph = graph_;
  equifuse::PotentialForces result;
  try {
    start_step();
    equifuse::build_neighbor_graph(view, r_max_, graph_hops(), graph);
    if (exchanges_layers()) {
      exchange_.prepare(graph.node_atom.data(), graph.node_atom.size(), nall, num_interactions_);
      result = potential_->evaluate_forces(graph.graph, &exchange_);
    } else {
      result = potential_->evaluate_forces(graph.graph);
    }
    count_step(graph.graph.num_local, graph.graph.num_nodes, graph.graph.num_edges(),
               exchanges_layers() ? exchange_.traffic().bytes : 0.0);
  } catch (const std::exception& e) {
    report_compute_error(e, "pair_style equifuse");
  }
  const equifuse::ForcesAndVirial& fv = result.forces;

  tally_energy_and_virial(result.energy, fv.virial);
  if (eflag_atom)
    for (int i = 0; i < nlocal; ++i) eatom[i] += result.node_energies[i];

  // Forces and per-atom virials of every node, ghosts included. With newton_pair on, LAMMPS
  // returns ghost forces (and compute stress/atom ghost virials) to their owners; with it off,
  // this pair style does so itself.
  double** f = atom->f;
  const bool own_reverse = force->newton_pair == 0;
  reverse_values_ = vflag_atom ? 9 : 3;
  if (own_reverse) ghost_sums_.assign(9 * n, 0.0);
  for (std::size_t node = 0; node < graph.node_atom.size(); ++node) {
    const int a = graph.node_atom[node];
    const double* fn = &fv.forces[3 * node];
    const double* w = &fv.atomic_virials[9 * node];
    const double v6[6] = {w[0], w[4], w[8], w[1], w[2], w[5]};
    if (own_reverse && a >= nlocal) {
      double* sums = &ghost_sums_[9 * static_cast<std::size_t>(a)];
      for (int k = 0; k < 3; ++k) sums[k] += fn[k];
      for (int k = 0; k < 6; ++k) sums[3 + k] += v6[k];
      continue;
    }
    for (int k = 0; k < 3; ++k) f[a][k] += fn[k];
    if (vflag_atom)
      for (int k = 0; k < 6; ++k) vatom[a][k] += v6[k];
  }
  if (own_reverse) {
#ifdef EQUIFUSE_LAMMPS_REVERSE_COMM_PAIR
    comm->reverse_comm_pair(this);
#else
    comm->reverse_comm(this);
#endif
    for (int i = 0; i < nlocal; ++i) {
      const double* sums = &ghost_sums_[9 * static_cast<std::size_t>(i)];
      for (int k = 0; k < 3; ++k) f[i][k] += sums[k];
      if (vflag_atom)
        for (int k = 0; k < 6; ++k) vatom[i][k] += sums[3 + k];
    }
  }
}

void PairEquifuse::start_step() {
  const equifuse::MemorySpace space = potential_->memory_space();
  memory_before_ = equifuse::memory_use(space).in_use;
  equifuse::reset_peak_memory(space);
}

void PairEquifuse::count_step(std::size_t num_local, std::size_t num_nodes, std::size_t num_edges,
                              double bytes_packed) {
  const std::size_t peak = equifuse::memory_use(potential_->memory_space()).peak_in_use;
  if (num_local > 0 && peak > memory_before_) {
    run_counts_.peak_per_atom =
        std::max(run_counts_.peak_per_atom,
                 static_cast<double>(peak - memory_before_) / static_cast<double>(num_local));
  }
  ++run_counts_.steps;
  run_counts_.local = static_cast<double>(num_local);
  run_counts_.nodes = static_cast<double>(num_nodes);
  run_counts_.edges = static_cast<double>(num_edges);
  run_counts_.bytes += bytes_packed;
}

#ifdef EQUIFUSE_LAMMPS_PAIR_FINISH
void PairEquifuse::finish() {
  const RunCounts c = run_counts_;
  run_counts_ = {};
  long steps = 0;
  MPI_Allreduce(&c.steps, &steps, 1, MPI_LONG, MPI_MAX, world);
  if (steps == 0) return;
  const double mine[5] = {c.local, c.nodes, c.edges, c.bytes / static_cast<double>(steps),
                          c.peak_per_atom};
  double low[5], high[5], sum[5];
  MPI_Allreduce(mine, low, 5, MPI_DOUBLE, MPI_MIN, world);
  MPI_Allreduce(mine, high, 5, MPI_DOUBLE, MPI_MAX, world);
  MPI_Allreduce(mine, sum, 5, MPI_DOUBLE, MPI_SUM, world);
  if (comm->me != 0) return;
  const double ranks = comm->nprocs;
  std::string text = fmt::format(
      "equifuse: per rank (min/ave/max over {} ranks), last step: local atoms "
      "{:.0f}/{:.0f}/{:.0f}, "
      "nodes computed {:.0f}/{:.0f}/{:.0f}, edges {:.0f}/{:.0f}/{:.0f}\n",
      comm->nprocs, low[0], sum[0] / ranks, high[0], low[1], sum[1] / ranks, high[1], low[2],
      sum[2] / ranks, high[2]);
  if (exchanges_layers())
    text += fmt::format(
        "equifuse: comm layer packed {:.0f}/{:.0f}/{:.0f} bytes per rank per step (forward and "
        "reverse, {} steps)\n",
        low[3], sum[3] / ranks, high[3], steps);
  text += fmt::format(
      "equifuse: model working set peak {:.0f}/{:.0f}/{:.0f} bytes per local atom ({} memory, "
      "above the weights)\n",
      low[4], sum[4] / ranks, high[4],
      potential_->memory_space() == equifuse::MemorySpace::host ? "host" : "device");
  utils::logmesg(lmp, text);
}
#endif

void PairEquifuse::report_compute_error(const std::exception& e, const std::string& style) {
  const tagint* tag = atom->tag;
  std::string message = e.what();
  if (const auto* close = dynamic_cast<const equifuse::CloseAtomsError*>(&e)) {
    const tagint first = tag[close->first], second = tag[close->second];
    message = equifuse::close_atoms_message(first, second, close->distance);
    if (first != second) message += " (delete_atoms overlap removes such atoms)";
  } else if (const auto* bad = dynamic_cast<const equifuse::NonFinitePositionError*>(&e)) {
    message = fmt::format(
        "atom {} has a non-finite position: the run is unstable (check the time step, the "
        "forces of other styles and the input coordinates)",
        tag[bad->atom]);
  }
  error->one(FLERR, style + ": " + message);
}

void PairEquifuse::tally_energy_and_virial(double energy,
                                           const std::array<std::array<double, 3>, 3>& w) {
  if (eflag_global) eng_vdwl += energy;
  if (vflag_global) {
    const double v6[6] = {w[0][0], w[1][1], w[2][2], w[0][1], w[0][2], w[1][2]};
    for (int k = 0; k < 6; ++k) virial[k] += v6[k];
  }
}

void PairEquifuse::Communication::forward() {
#ifdef EQUIFUSE_LAMMPS_FORWARD_COMM_PAIR
  pair.comm->forward_comm_pair(&pair);
#else
  pair.comm->forward_comm(&pair);
#endif
}

void PairEquifuse::Communication::reverse() {
  // Forces again afterwards, also when the communication throws.
  struct FeaturePayload {
    explicit FeaturePayload(PairEquifuse& p) : style(p) {
      style.reverse_payload_ = ReversePayload::features;
    }
    ~FeaturePayload() { style.reverse_payload_ = ReversePayload::forces; }
    PairEquifuse& style;
  } payload(pair);
#ifdef EQUIFUSE_LAMMPS_REVERSE_COMM_PAIR
  pair.comm->reverse_comm_pair(&pair);
#else
  pair.comm->reverse_comm(&pair);
#endif
}

int PairEquifuse::pack_forward_comm(int n, int* atoms, double* buf, int, int*) {
  return exchange_.pack_forward(n, atoms, buf);
}

void PairEquifuse::unpack_forward_comm(int n, int first, double* buf) {
  exchange_.unpack_forward(n, first, buf);
}

int PairEquifuse::pack_reverse_comm(int n, int first, double* buf) {
  if (reverse_payload_ == ReversePayload::features) return exchange_.pack_reverse(n, first, buf);
  int m = 0;
  for (int i = first; i < first + n; ++i)
    for (int k = 0; k < reverse_values_; ++k)
      buf[m++] = ghost_sums_[9 * static_cast<std::size_t>(i) + k];
  return m;
}

void PairEquifuse::unpack_reverse_comm(int n, int* atoms, double* buf) {
  if (reverse_payload_ == ReversePayload::features) {
    exchange_.unpack_reverse(n, atoms, buf);
    return;
  }
  int m = 0;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < reverse_values_; ++k)
      ghost_sums_[9 * static_cast<std::size_t>(atoms[i]) + k] += buf[m++];
}

double PairEquifuse::memory_usage() {
  return Pair::memory_usage() +
         static_cast<double>((owner_.capacity() + species_.capacity()) * sizeof(int) +
                             ghost_sums_.capacity() * sizeof(double)) +
         exchange_.memory_bytes();
}
