// Subcommands of the `equifuse` command-line tool. Each takes its own arguments (after the
// subcommand name) and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace equifuse::cli {

int tensor_product_command(const std::vector<std::string>& args);
int precompile_command(const std::vector<std::string>& args);
int generate_command(const std::vector<std::string>& args);
int eval_command(const std::vector<std::string>& args);

}  // namespace equifuse::cli
