// `isocourse serve`: the HTTP API and the web app. `isocourse demo`: seed a demo clinic
// network (and with --serve, start serving it).
//
// Configuration comes from flags, environment variables (ISOCOURSE_*) or a config
// file (--config, TOML/INI `key = value` lines named like the long flags); a flag
// beats the environment, which beats the file. See docs/operations.md.
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "cli/app.h"
#include "server/api.h"
#include "server/demo.h"
#include "server/http_server.h"
#include "store/articles.h"
#include "store/knowledge_files.h"
#include "store/open_store.h"

namespace isocourse::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string db;
  std::string static_dir;
  std::string articles_dir;
  int threads = 0;
  int blocking_threads = 0;
  int64_t body_limit = 1024 * 1024;
  int read_timeout = 30;
  int shutdown_grace = 10;
  bool secure_cookies = false;
  bool quiet = false;
  bool demo = false;
};

void AddServeFlags(CLI::App* cmd, ServeOptions& o, bool with_demo_flag) {
  cmd->add_option("--host", o.host, "Address to listen on")
      ->envname("ISOCOURSE_HOST")
      ->capture_default_str();
  cmd->add_option("--port", o.port, "Port (0 = any free port; the URL is printed)")
      ->envname("ISOCOURSE_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--db", o.db,
                  "Database: a SQLite file (created with its directory) or a postgresql:// URL "
                  "(default: ./data/isocourse.db)")
      ->envname("ISOCOURSE_DB");
  cmd->add_option("--static-dir", o.static_dir,
                  "Web app files to serve (default: ./web/dist when it exists)")
      ->envname("ISOCOURSE_STATIC_DIR");
  cmd->add_option("--articles", o.articles_dir,
                  "Education articles (default: the knowledge directory's articles/)")
      ->envname("ISOCOURSE_ARTICLES");
  cmd->add_option("--threads", o.threads,
                  "HTTP threads (0 = 2 x cores): read requests, run quick routes, write answers")
      ->envname("ISOCOURSE_THREADS")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--blocking-threads", o.blocking_threads,
                  "Threads for routes that wait for a durable commit of their own (appends, "
                  "dispenses, logins; 0 = max(32, 8 x cores)); more make bigger group commits")
      ->envname("ISOCOURSE_BLOCKING_THREADS")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--body-limit", o.body_limit, "Largest request body in bytes")
      ->envname("ISOCOURSE_BODY_LIMIT")
      ->check(CLI::Range(int64_t{1024}, int64_t{64} * 1024 * 1024))
      ->capture_default_str();
  cmd->add_option("--read-timeout", o.read_timeout,
                  "Seconds to wait for a request (also the keep-alive idle time)")
      ->envname("ISOCOURSE_READ_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--shutdown-grace", o.shutdown_grace,
                  "Seconds in-flight requests get to finish after SIGTERM/SIGINT")
      ->envname("ISOCOURSE_SHUTDOWN_GRACE")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
  cmd->add_flag("--secure-cookies", o.secure_cookies,
                "Mark the session cookie Secure (set when serving behind TLS)")
      ->envname("ISOCOURSE_SECURE_COOKIES");
  cmd->add_flag("--quiet", o.quiet, "Do not log one line per request")->envname("ISOCOURSE_QUIET");
  if (with_demo_flag)
    cmd->add_flag("--demo", o.demo, "Seed the demo clinics first if the database is empty");
  cmd->add_option("--config", o.config,
                  "Config file: 'key = value' lines named like these flags (TOML/INI style)")
      ->envname("ISOCOURSE_CONFIG");
}

// Reads `key = value` lines (TOML/INI style: # comments, [sections] ignored, quotes
// stripped) and gives each value to the option of the same long name, unless a flag or
// an environment variable already set it. Errors name the file and line.
Status ApplyConfigFile(CLI::App* cmd, const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound(path, "cannot read the config file");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string where = path + ":" + std::to_string(n);
    auto trim = [](std::string s) {
      size_t a = s.find_first_not_of(" \t\r");
      size_t b = s.find_last_not_of(" \t\r");
      return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    };
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) return InvalidArgument(where, "expected 'key = value'");
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    CLI::Option* opt = key == "config" ? nullptr : cmd->get_option_no_throw("--" + key);
    if (!opt) return InvalidArgument(where, "unknown setting '" + key + "'");
    if (opt->count() > 0) continue;  // a flag or the environment wins
    try {
      opt->add_result(value);
      opt->run_callback();
    } catch (const CLI::Error& e) {
      return InvalidArgument(where, key + ": " + e.what());
    }
  }
  return {};
}

void PrintDemoLogins(const server::DemoSummary& s) {
  fmt::print("demo: {} clinics, {} patients, {} timeline events\n", s.clinics, s.patients,
             s.events);
  fmt::print("demo logins (password for all: {}):\n", server::kDemoPassword);
  for (const auto& l : s.logins) {
    fmt::print("  {:<14} {:<11} {}\n", l.username, l.role, l.clinic);
  }
  std::fflush(stdout);
}

void RunServe(Context& ctx, const ServeOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  const KnowledgeBase* kb = ctx.Knowledge();
  if (!kb) return;  // Knowledge() printed every problem and set the exit code
  auto opened = store::OpenStore(o.db);
  if (!opened) return ctx.Fail(opened.error());
  store::Store& st = **opened;
  const std::string db_name = store::RedactSpec(store::DatabaseSpec(o.db));

  std::filesystem::path knowledge_dir = ctx.knowledge_dir.empty()
                                            ? store::DefaultKnowledgeDir()
                                            : std::filesystem::path(ctx.knowledge_dir);
  std::filesystem::path articles_dir =
      o.articles_dir.empty() ? knowledge_dir / "articles" : std::filesystem::path(o.articles_dir);
  auto articles = store::LoadArticles(articles_dir);
  if (!articles) return ctx.Fail(articles.error());

  server::Accounts accounts(st);
  if (o.demo) {
    auto count = st.CountPatients();
    if (!count) return ctx.Fail(count.error());
    if (*count == 0) {
      auto seeded = server::SeedDemo(st, server::ServerToday(st));
      if (!seeded) return ctx.Fail(seeded.error());
      PrintDemoLogins(*seeded);
    } else {
      fmt::print("demo: the database already has data; demo logins use password {}\n",
                 server::kDemoPassword);
    }
  }
  auto admin = accounts.BootstrapAdmin();
  if (!admin) return ctx.Fail(admin.error());
  if (*admin) {
    fmt::print(
        "first start: created user 'admin' with the one-time password\n\n    {}\n\n"
        "It is shown only now. Log in and create named accounts (isocourse user add).\n",
        **admin);
  }

  server::ApiOptions api_opt;
  api_opt.knowledge = kb;
  api_opt.articles = std::move(*articles);
  api_opt.secure_cookies = o.secure_cookies;
  api_opt.logger = server::Logger(server::LogLevel::kInfo, !o.quiet);
  std::filesystem::path static_dir = o.static_dir;
  std::error_code ec;
  if (static_dir.empty() && std::filesystem::is_directory("web/dist", ec)) static_dir = "web/dist";
  api_opt.static_dir = static_dir;
  api_opt.blocking_threads = o.blocking_threads;
  server::Logger log(server::LogLevel::kInfo, true);
  server::Api api(st, std::move(api_opt));

  server::HttpServerOptions http_opt;
  http_opt.host = o.host;
  http_opt.port = static_cast<uint16_t>(o.port);
  http_opt.threads = o.threads;
  http_opt.body_limit = static_cast<size_t>(o.body_limit);
  http_opt.read_timeout = std::chrono::seconds(o.read_timeout);
  http_opt.shutdown_grace = std::chrono::seconds(o.shutdown_grace);
  auto srv = server::HttpServer::Start(
      http_opt,
      [&api](server::HttpRequest& r, server::HttpRespond respond) {
        api.Handle(r, std::move(respond));
      },
      [&api](const Error& e) { return api.TransportError(e); });
  if (!srv) return ctx.Fail(srv.error());
  (*srv)->OnShutdown([&log] { log.Info("shutting down: finishing in-flight requests"); });
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // Tests and scripts read this line for the URL (with --port 0 the port is chosen here).
  fmt::print("isocourse serving on {}\n", (*srv)->url());
  std::fflush(stdout);
  log.Info("listening", {{"url", (*srv)->url()},
                         {"database", db_name},
                         {"schema_version", st.SchemaVersion()},
                         {"knowledge_version", kb->version},
                         {"articles", static_cast<int64_t>(api.options().articles.size())},
                         {"static_dir", static_dir.string()},
                         {"startup_us", static_cast<int64_t>(ms * 1000)}});
  (*srv)->Wait();
  log.Info("stopped");
}

}  // namespace

void RegisterServeCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the HTTP API (and the web app when built)");
  AddServeFlags(cmd, *o, true);
  cmd->footer(
      "On first start with an empty database, user 'admin' is created and its one-time "
      "password printed.\n\nExamples:\n  isocourse serve\n  isocourse serve --port 0 --db "
      "/tmp/test.db\n  isocourse serve --demo --db data/demo.db");
  cmd->callback([&ctx, o, cmd] {
    if (!o->config.empty()) {
      if (Status st = ApplyConfigFile(cmd, o->config); !st) return ctx.Fail(st.error());
    }
    RunServe(ctx, *o);
  });
}

void RegisterDemoCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto serve = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "demo", "Seed a demo clinic network (~200 patients) into an empty database");
  cmd->add_option("--db", o->db,
                  "Database: a SQLite file or a postgresql:// URL (default: ./data/isocourse.db)")
      ->envname("ISOCOURSE_DB");
  cmd->add_flag("--serve", *serve, "Start the server afterwards (same as 'serve --demo')");
  cmd->footer("Examples:\n  isocourse demo --db data/demo.db\n  isocourse demo --serve");
  cmd->callback([&ctx, o, serve] {
    if (*serve) {
      o->demo = true;
      return RunServe(ctx, *o);
    }
    auto opened = store::OpenStore(o->db);
    if (!opened) return ctx.Fail(opened.error());
    auto seeded = server::SeedDemo(**opened, server::ServerToday(**opened));
    if (!seeded) return ctx.Fail(seeded.error());
    PrintDemoLogins(*seeded);
    fmt::print("start it with: isocourse serve --db {}\n",
               store::RedactSpec(store::DatabaseSpec(o->db)));
  });
}

}  // namespace isocourse::cli
