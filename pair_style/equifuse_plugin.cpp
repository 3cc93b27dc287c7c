// Registers pair_style equifuse with LAMMPS's PLUGIN package: `plugin load equifuseplugin.so`.
// Built against a LAMMPS with the KOKKOS package (equifusekkplugin.so), it also registers
// equifuse/kk, equifuse/kk/device and equifuse/kk/host (pair_style/kokkos).
#include "lammpsplugin.h"
#include "version.h"

#include "pair_style/pair_equifuse.h"
#ifdef EQUIFUSE_PLUGIN_KOKKOS
#include "pair_style/kokkos/pair_equifuse_kokkos.h"
#endif

using namespace LAMMPS_NS;

namespace {

template <class Style>
Pair* create_pair(LAMMPS* lmp) {
  return new Style(lmp);
}

void register_pair(const char* name, const char* info, lammpsplugin_factory1* creator, void* lmp,
                   void* handle, void* regfunc) {
  lammpsplugin_t plugin;
  plugin.version = LAMMPS_VERSION;
  plugin.style = "pair";
  plugin.name = name;
  plugin.info = info;
  plugin.author = "the equifuse developers";
  plugin.creator.v1 = creator;
  plugin.handle = handle;
  reinterpret_cast<lammpsplugin_regfunc>(regfunc)(&plugin, lmp);
}

}  // namespace

extern "C" void lammpsplugin_init(void* lmp, void* handle, void* regfunc) {
  const auto factory = [](Pair* (*create)(LAMMPS*)) {
    return reinterpret_cast<lammpsplugin_factory1*>(create);
  };
  register_pair("equifuse",
                "pair_style equifuse: MACE and NequIP potentials on fused equivariant kernels",
                factory(&create_pair<PairEquifuse>), lmp, handle, regfunc);
#ifdef EQUIFUSE_PLUGIN_KOKKOS
  register_pair("equifuse/kk", "pair_style equifuse/kk: equifuse on LAMMPS's Kokkos views",
                factory(&create_pair<PairEquifuseKokkos<LMPDeviceType>>), lmp, handle, regfunc);
  register_pair("equifuse/kk/device", "pair_style equifuse/kk/device",
                factory(&create_pair<PairEquifuseKokkos<LMPDeviceType>>), lmp, handle, regfunc);
  register_pair("equifuse/kk/host", "pair_style equifuse/kk/host",
                factory(&create_pair<PairEquifuseKokkos<LMPHostType>>), lmp, handle, regfunc);
#endif
}
