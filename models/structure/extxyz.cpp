#include "models/structure/extxyz.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <ostream>
#include <sstream>

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// key=value pairs of the comment line; values may be double-quoted.
std::map<std::string, std::string> parse_info(const std::string& line, const std::string& where) {
  std::map<std::string, std::string> info;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    std::size_t key_begin = i;
    while (i < line.size() && line[i] != '=' && !std::isspace(static_cast<unsigned char>(line[i])))
      ++i;
    std::string key = line.substr(key_begin, i - key_begin);
    std::string value;
    if (i < line.size() && line[i] == '=') {
      ++i;
      if (i < line.size() && line[i] == '"') {
        std::size_t end = line.find('"', i + 1);
        if (end == std::string::npos) throw Error(where + ": unterminated quote in comment line");
        value = line.substr(i + 1, end - i - 1);
        i = end + 1;
      } else {
        std::size_t begin = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        value = line.substr(begin, i - begin);
      }
    }
    info[lower(key)] = value;
  }
  return info;
}

double parse_number(const std::string& token, const std::string& where) {
  try {
    std::size_t used = 0;
    double value = std::stod(token, &used);
    if (used != token.size()) throw std::invalid_argument(token);
    return value;
  } catch (const std::exception&) {
    throw Error(where + ": \"" + token + "\" is not a number");
  }
}

// A coordinate or lattice entry: a number that is finite (ASE writes no NaN or infinity).
double parse_finite(const std::string& token, const std::string& where, const char* what) {
  const double value = parse_number(token, where);
  if (!std::isfinite(value)) {
    throw Error(where + ": " + what + " \"" + token +
                "\" is not a finite number; positions and cells must be finite");
  }
  return value;
}

// A count (atoms, a property's columns): a non-negative integer no larger than `max`.
std::size_t parse_count(const std::string& token, std::size_t max, const std::string& where,
                        const char* what) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size() || value > max) {
    throw Error(where + ": expected " + what + " (an integer from 0 to " + std::to_string(max) +
                "), got \"" + token + "\"");
  }
  return value;
}

struct Property {
  std::string name;
  char type;
  int count;
  int column;
};

std::vector<Property> parse_properties(const std::string& text, const std::string& where) {
  std::vector<std::string> fields;
  std::stringstream stream(text);
  for (std::string field; std::getline(stream, field, ':');) fields.push_back(field);
  if (fields.size() % 3 != 0) throw Error(where + ": malformed Properties=\"" + text + "\"");
  std::vector<Property> properties;
  int column = 0;
  for (std::size_t i = 0; i < fields.size(); i += 3) {
    // A property has 1 to 1000 columns (extended XYZ writers use up to 9).
    const auto count =
        static_cast<int>(parse_count(fields[i + 2], 1000, where, "a property's column count"));
    if (fields[i + 1].size() != 1 || count < 1) {
      throw Error(where + ": malformed Properties=\"" + text + "\"");
    }
    properties.push_back({lower(fields[i]), fields[i + 1][0], count, column});
    column += count;
  }
  return properties;
}

}  // namespace

std::vector<AtomicStructure> read_extxyz(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open structure file \"" + path + "\"");
  return read_extxyz(in, path);
}

std::vector<AtomicStructure> read_extxyz(std::istream& in, const std::string& name) {
  std::vector<AtomicStructure> frames;
  std::string line;
  int line_number = 0;
  auto where = [&] { return name + ":" + std::to_string(line_number); };
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::size_t count =
        parse_count(line.substr(line.find_first_not_of(" \t"),
                                line.find_last_not_of(" \t\r") - line.find_first_not_of(" \t") + 1),
                    std::numeric_limits<std::int32_t>::max(), where(), "the number of atoms");
    if (!std::getline(in, line)) throw Error(where() + ": missing comment line");
    ++line_number;
    const auto info = parse_info(line, where());
    AtomicStructure s;
    if (auto it = info.find("lattice"); it != info.end()) {
      std::stringstream values(it->second);
      for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) {
          std::string token;
          if (!(values >> token)) throw Error(where() + ": Lattice needs 9 numbers");
          s.cell[r][c] = parse_finite(token, where(), "Lattice entry");
        }
      }
      s.pbc = {true, true, true};
    }
    if (auto it = info.find("pbc"); it != info.end()) {
      std::stringstream values(it->second);
      for (int d = 0; d < 3; ++d) {
        std::string token;
        if (!(values >> token)) throw Error(where() + ": pbc needs 3 values");
        token = lower(token);
        if (token != "t" && token != "f" && token != "true" && token != "false") {
          throw Error(where() + ": pbc value \"" + token + "\" is not T or F");
        }
        s.pbc[d] = token[0] == 't';
      }
      if (s.periodic() && info.find("lattice") == info.end()) {
        throw Error(where() + ": periodic structure without Lattice");
      }
    }
    auto props_it = info.find("properties");
    const auto properties = parse_properties(
        props_it == info.end() ? "species:S:1:pos:R:3" : props_it->second, where());
    const Property* species = nullptr;
    const Property* pos = nullptr;
    int columns = 0;
    for (const auto& p : properties) {
      if (p.name == "species" && p.type == 'S') species = &p;
      if (p.name == "pos" && p.type == 'R' && p.count == 3) pos = &p;
      columns += p.count;
    }
    if (species == nullptr || pos == nullptr) {
      throw Error(where() + ": Properties must contain species:S:1 and pos:R:3");
    }
    for (std::size_t a = 0; a < count; ++a) {
      if (!std::getline(in, line))
        throw Error(where() + ": file ends before atom " + std::to_string(a + 1));
      ++line_number;
      std::stringstream tokens(line);
      std::vector<std::string> fields;
      for (std::string token; tokens >> token;) fields.push_back(token);
      if (static_cast<int>(fields.size()) < columns) {
        throw Error(where() + ": expected " + std::to_string(columns) + " columns, found " +
                    std::to_string(fields.size()));
      }
      s.atomic_numbers.push_back(
          atomic_number_of(fields[static_cast<std::size_t>(species->column)]));
      std::array<double, 3> r{};
      for (int d = 0; d < 3; ++d) {
        r[d] = parse_finite(fields[static_cast<std::size_t>(pos->column + d)], where(), "position");
      }
      s.positions.push_back(r);
    }
    frames.push_back(std::move(s));
  }
  if (frames.empty()) throw Error(name + ": no structure found");
  return frames;
}

void write_extxyz(std::ostream& out, const AtomicStructure& s,
                  const std::vector<ExtxyzColumn>& columns, const std::string& info) {
  out << s.size() << "\n";
  std::ostringstream comment;
  comment << std::setprecision(17);
  if (s.periodic()) {
    comment << "Lattice=\"";
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) comment << (r || c ? " " : "") << s.cell[r][c];
    comment << "\" ";
  }
  comment << "Properties=species:S:1:pos:R:3";
  for (const auto& column : columns) comment << ":" << column.name << ":R:" << column.width;
  comment << " pbc=\"" << (s.pbc[0] ? "T" : "F") << " " << (s.pbc[1] ? "T" : "F") << " "
          << (s.pbc[2] ? "T" : "F") << "\"";
  if (!info.empty()) comment << " " << info;
  out << comment.str() << "\n";
  char buffer[64];
  for (std::size_t a = 0; a < s.size(); ++a) {
    out << chemical_symbol(s.atomic_numbers[a]);
    for (double x : s.positions[a]) {
      std::snprintf(buffer, sizeof buffer, " %.17g", x);
      out << buffer;
    }
    for (const auto& column : columns) {
      for (int k = 0; k < column.width; ++k) {
        std::snprintf(buffer, sizeof buffer, " %.17g",
                      column.values[a * static_cast<std::size_t>(column.width) + k]);
        out << buffer;
      }
    }
    out << "\n";
  }
}

}  // namespace equifuse
