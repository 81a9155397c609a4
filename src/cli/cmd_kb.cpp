// `isocourse kb check`: validate the knowledge base and print a summary.
#include <fmt/core.h>

#include "cli/app.h"

namespace isocourse::cli {

void RegisterKbCommands(CLI::App& app, Context& ctx) {
  CLI::App* kb_cmd = app.add_subcommand("kb", "Inspect the clinical knowledge base");
  kb_cmd->require_subcommand(1);
  CLI::App* check = kb_cmd->add_subcommand(
      "check", "Validate every knowledge file and print a summary with the version hash");
  check->footer(
      "Examples:\n"
      "  isocourse kb check\n"
      "  isocourse --knowledge /etc/isocourse/knowledge kb check\n"
      "Every problem is printed as FILE:LINE: item 'ID': field 'F': what was expected.");
  check->callback([&ctx] {
    const KnowledgeBase* kb = ctx.Knowledge();
    if (!kb) return;
    fmt::print("knowledge base OK, version {}\n", kb->version);
    fmt::print("  sources     {:4}\n", kb->sources.size());
    fmt::print("  parameters  {:4}\n", kb->parameters.size());
    fmt::print("  products    {:4}\n", kb->products.size());
    fmt::print("  regimens    {:4}\n", kb->regimens.size());
    fmt::print("  targets     {:4}\n", kb->targets.size());
    fmt::print("  advisories  {:4}\n", kb->advisories.size());
  });
}

}  // namespace isocourse::cli
