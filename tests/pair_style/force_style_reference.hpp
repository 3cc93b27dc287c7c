// The YAML reference of a force-style test, in the layout of LAMMPS's unittest/force-styles
// files: scalars ("init_vdwl: -98.5") and block scalars ("init_forces: ! |2" followed by indented
// lines "id fx fy fz"). Only that subset of YAML is read and written.
#pragma once

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace equifuse::lammps_testing {

class ForceStyleReference {
 public:
  static ForceStyleReference read(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    ForceStyleReference ref;
    std::string line, block_key;
    while (std::getline(in, line)) {
      if (line == "---" || line == "...") continue;
      if (!block_key.empty() && !line.empty() && line[0] == ' ') {
        ref.fields_[block_key] += line.substr(line.find_first_not_of(' ')) + "\n";
        continue;
      }
      block_key.clear();
      const auto colon = line.find(": ");
      if (colon == std::string::npos) continue;
      const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
      if (value.rfind("! |", 0) == 0) {
        block_key = key;
        ref.fields_[key] = "";
      } else {
        ref.fields_[key] = value == "! \"\"" ? "" : value;
      }
      ref.order_.push_back(key);
    }
    return ref;
  }

  void write(const std::string& path) const {
    std::ofstream out(path);
    out << "---\n";
    for (const std::string& key : order_) {
      const std::string& value = fields_.at(key);
      if (value.find('\n') == std::string::npos) {
        out << key << ": " << (value.empty() ? "! \"\"" : value) << "\n";
        continue;
      }
      out << key << ": ! |\n";
      std::istringstream lines(value);
      for (std::string l; std::getline(lines, l);) out << "  " << l << "\n";
    }
    out << "...\n";
  }

  void set(const std::string& key, const std::string& value) {
    if (fields_.count(key) == 0) order_.push_back(key);
    fields_[key] = value;
  }
  const std::string& text(const std::string& key) const {
    const auto it = fields_.find(key);
    if (it == fields_.end()) throw std::runtime_error("reference has no '" + key + "'");
    return it->second;
  }
  double number(const std::string& key) const { return std::stod(text(key)); }
  std::vector<double> numbers(const std::string& key) const {
    std::istringstream in(text(key));
    std::vector<double> values;
    for (double v; in >> v;) values.push_back(v);
    return values;
  }
  // "id fx fy fz" lines, by atom ID.
  std::map<int, std::array<double, 3>> forces(const std::string& key) const {
    std::istringstream in(text(key));
    std::map<int, std::array<double, 3>> out;
    int id = 0;
    std::array<double, 3> f{};
    while (in >> id >> f[0] >> f[1] >> f[2]) out[id] = f;
    return out;
  }

  static std::string format(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
  }

 private:
  std::map<std::string, std::string> fields_;
  std::vector<std::string> order_;
};

}  // namespace equifuse::lammps_testing
