// `isocourse backup FILE` and `isocourse restore FILE`.
//
// backup is online: it runs while the server keeps serving and copies one consistent
// snapshot with SQLite's backup API. restore checks the backup (integrity, schema,
// hash chains) before it replaces anything; stop the server first.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

#include "cli/app.h"
#include "store/open_store.h"
#include "store/sqlite_store.h"

namespace isocourse::cli {
namespace {

// A progress bar on stderr when it is a terminal; otherwise only the final line.
store::ProgressFn ProgressBar(const char* label) {
  bool tty = isatty(fileno(stderr)) != 0;
  return [label, tty, last = -1](int done, int total) mutable {
    int pct = total > 0 ? static_cast<int>(100LL * done / total) : 100;
    if (pct == last) return;
    last = pct;
    if (!tty && pct < 100) return;
    constexpr int kWidth = 30;
    int filled = pct * kWidth / 100;
    fmt::print(stderr, "{}{} [{}{}] {:3}% ({}/{} pages){}", tty ? "\r" : "", label,
               std::string(static_cast<size_t>(filled), '#'),
               std::string(static_cast<size_t>(kWidth - filled), '.'), pct, done, total,
               pct == 100 ? "\n" : "");
    std::fflush(stderr);
  };
}

std::filesystem::path DbPath(const std::string& flag) {
  return flag.empty() ? store::DefaultDatabasePath() : std::filesystem::path(flag);
}

// backup and restore copy SQLite files; a PostgreSQL database has its own tools.
std::optional<Error> NotForPostgres(const std::string& flag, const char* command) {
  if (!store::IsPostgresSpec(store::DatabaseSpec(flag))) return std::nullopt;
  return Error{ErrorCode::kInvalidArgument,
               std::string(command) +
                   " works on SQLite database files only; for PostgreSQL use pg_dump to back "
                   "up and pg_restore to restore (then 'isocourse verify --db URL')",
               "--db",
               {}};
}

}  // namespace

void RegisterBackupCommands(CLI::App& app, Context& ctx) {
  struct Opts {
    std::string db;
    std::string file;
  };
  auto b = std::make_shared<Opts>();
  auto* backup = app.add_subcommand(
      "backup", "Copy the database to FILE while the server keeps running (consistent snapshot)");
  backup->add_option("FILE", b->file, "Backup file to create (must not exist)")->required();
  backup->add_option("--db", b->db,
                     "SQLite database file (default: $ISOCOURSE_DB or ./data/isocourse.db; "
                     "for PostgreSQL use pg_dump)");
  backup->footer("Example:\n  isocourse backup backups/isocourse-2026-03-01.db");
  backup->callback([&ctx, b] {
    if (auto e = NotForPostgres(b->db, "backup")) return ctx.Fail(*e);
    std::filesystem::path path = DbPath(b->db);
    if (!std::filesystem::exists(path))
      return ctx.Fail(Error{ErrorCode::kNotFound, "no database file here", path.string(), {}});
    auto s = store::SqliteStore::Open(path);
    if (!s) return ctx.Fail(s.error());
    auto st = (*s)->Backup(b->file, ProgressBar("backup"));
    if (!st) return ctx.Fail(st.error());
    fmt::print("backed up {} to {}\n", path.string(), b->file);
  });

  auto r = std::make_shared<Opts>();
  auto* restore = app.add_subcommand(
      "restore", "Replace the database with a backup FILE (stop the server first)");
  restore->add_option("FILE", r->file, "Backup file made by 'isocourse backup'")->required();
  restore->add_option("--db", r->db,
                      "SQLite database file to replace (default: $ISOCOURSE_DB or "
                      "./data/isocourse.db; for PostgreSQL use pg_restore)");
  restore->footer(
      "The backup is checked first (SQLite integrity check, schema version, every hash "
      "chain); the database is replaced only if all pass.\n\nExample:\n  isocourse restore "
      "backups/isocourse-2026-03-01.db");
  restore->callback([&ctx, r] {
    if (auto e = NotForPostgres(r->db, "restore")) return ctx.Fail(*e);
    std::filesystem::path path = DbPath(r->db);
    auto st = store::RestoreDatabase(r->file, path, ProgressBar("restore"));
    if (!st) return ctx.Fail(st.error());
    fmt::print("restored {} from {}\n", path.string(), r->file);
  });
}

}  // namespace isocourse::cli
