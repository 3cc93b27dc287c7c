// Registers pair_style equifuse with LAMMPS's PLUGIN package: `plugin load equifuseplugin.so`.
#include "lammpsplugin.h"
#include "version.h"

#include "pair_equifuse.h"

using namespace LAMMPS_NS;

namespace {

Pair* create_pair_equifuse(LAMMPS* lmp) {
  return new PairEquifuse(lmp);
}

}  // namespace

extern "C" void lammpsplugin_init(void* lmp, void* handle, void* regfunc) {
  lammpsplugin_t plugin;
  plugin.version = LAMMPS_VERSION;
  plugin.style = "pair";
  plugin.name = "equifuse";
  plugin.info = "equifuse: MACE and NequIP potentials on fused equivariant kernels";
  plugin.author = "the equifuse developers";
  plugin.creator.v1 = reinterpret_cast<lammpsplugin_factory1*>(&create_pair_equifuse);
  plugin.handle = handle;
  reinterpret_cast<lammpsplugin_regfunc>(regfunc)(&plugin, lmp);
}
