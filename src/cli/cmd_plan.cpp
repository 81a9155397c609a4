// `isocourse plan`: weight-based dose plan to a cumulative target.
#include "cli/app.h"

namespace isocourse::cli {

void RegisterPlanCommand(CLI::App& app, Context& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace isocourse::cli
