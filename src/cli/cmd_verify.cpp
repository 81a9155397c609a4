// `isocourse verify`: walks every patient's hash chain and the audit chain and reports
// the first broken link. Safe to run while the server is serving (it reads one
// consistent snapshot).
#include <fmt/core.h>

#include "cli/app.h"
#include "store/open_store.h"

namespace isocourse::cli {

void RegisterVerifyCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "verify", "Check the database's hash chains (every patient timeline and the audit log)");
  auto db = std::make_shared<std::string>();
  cmd->add_option("--db", *db,
                  "Database: a SQLite file or a postgresql:// URL (default: $ISOCOURSE_DB or "
                  "./data/isocourse.db)");
  cmd->footer(
      "Exit status 0 when every chain verifies, 1 when a link is broken (the first one is "
      "printed), 4 when the database cannot be read.\n\nExample:\n  isocourse verify --db "
      "data/isocourse.db");
  cmd->callback([&ctx, db] {
    const std::string spec = store::DatabaseSpec(*db);
    // Opening would create an empty SQLite file, which verifies trivially.
    if (!store::IsPostgresSpec(spec) && !std::filesystem::exists(spec)) {
      ctx.Fail(Error{ErrorCode::kNotFound, "no database file here", spec, {}});
      return;
    }
    auto s = store::OpenStore(spec);
    if (!s) return ctx.Fail(s.error());
    auto report = (*s)->Verify();
    if (!report) return ctx.Fail(report.error());
    if (report->ok()) {
      fmt::print("ok: {} patients, {} events, {} audit entries; every chain verifies\n",
                 report->patients, report->events, report->audit_entries);
      return;
    }
    const store::ChainBreak& b = *report->first_break;
    fmt::print("BROKEN: {} at seq {}{}: {}\n", b.chain, b.seq,
               b.id.empty() ? "" : " (" + b.id + ")", b.problem);
    ctx.exit_code = kExitRefused;
  });
}

}  // namespace isocourse::cli
