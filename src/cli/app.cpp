#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "store/knowledge_files.h"

namespace isocourse::cli {

int Run(int argc, char** argv) {
  CLI::App app{"isocourse - isotretinoin course decision support"};
  std::string kdir;
  app.add_option("--knowledge", kdir, "Knowledge directory");
  auto* kb = app.add_subcommand("kb", "Knowledge base");
  auto* check = kb->add_subcommand("check", "Validate");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*check) {
    auto k = store::LoadKnowledgeDir(kdir.empty() ? store::DefaultKnowledgeDir() : std::filesystem::path(kdir));
    if (!k) {
      fmt::print(stderr, "{}\n", k.error().ToString());
      return kExitKnowledge;
    }
    fmt::print("ok {}\n", k->version);
  }
  return kExitOk;
}

}  // namespace isocourse::cli
