// `isocourse user add/list/disable/enable` and `isocourse clinic add/list/settings`:
// account and clinic administration on the database file, for the first setup and for
// operators.
#include <fmt/core.h>

#include <iostream>

#include <boost/json/serialize.hpp>

#include <cstdlib>

#include "cli/app.h"
#include "cli/course_inputs.h"
#include "codec/timeline_json.h"
#include "server/accounts.h"
#include "store/open_store.h"

namespace isocourse::cli {
namespace {

struct DbFlag {
  std::string db;
};

void AddDbFlag(CLI::App* cmd, DbFlag& f) {
  cmd->add_option("--db", f.db,
                  "Database: a SQLite file or a postgresql:// URL (default: $ISOCOURSE_DB or "
                  "./data/isocourse.db)");
}

Result<std::unique_ptr<store::Store>> OpenDb(const DbFlag& f) { return store::OpenStore(f.db); }

}  // namespace

void RegisterUserCommands(CLI::App& app, Context& ctx) {
  auto* user = app.add_subcommand("user", "Manage user accounts (add, list, disable, enable)");
  user->require_subcommand(1);

  struct AddOpts {
    DbFlag db;
    std::string username, role, clinic, patient, name;
    bool password_stdin = false;
  };
  auto add_opts = std::make_shared<AddOpts>();
  auto* add = user->add_subcommand("add", "Create a user; prints a generated password once");
  add->add_option("USERNAME", add_opts->username, "Login name (letters, digits, . _ - @)")
      ->required();
  add->add_option("--role", add_opts->role, "admin, prescriber, staff, pharmacist or patient")
      ->required();
  add->add_option("--clinic", add_opts->clinic, "Clinic id (required for every role but admin)");
  add->add_option("--patient", add_opts->patient, "Patient id (role patient: their own record)");
  add->add_option("--name", add_opts->name, "Display name");
  add->add_flag("--password-stdin", add_opts->password_stdin,
                "Read the password from the first line of stdin instead of generating one");
  AddDbFlag(add, add_opts->db);
  add->footer(
      "Example:\n  isocourse user add dr.lee --role prescriber --clinic cln_abc --name \"Dr Lee\"");
  add->callback([&ctx, add_opts] {
    auto role = store::ParseRole(add_opts->role, "--role");
    if (!role) return ctx.Fail(role.error());
    server::NewAccount a;
    a.username = add_opts->username;
    a.display_name = add_opts->name;
    a.role = *role;
    if (!add_opts->clinic.empty()) a.clinic = ClinicId(add_opts->clinic);
    if (!add_opts->patient.empty()) a.patient = PatientId(add_opts->patient);
    if (add_opts->password_stdin) std::getline(std::cin, a.password);
    auto s = OpenDb(add_opts->db);
    if (!s) return ctx.Fail(s.error());
    server::Accounts accounts(**s);
    auto created = accounts.Create(a);
    if (!created) {
      Error e = created.error();
      if (e.where == "clinic") e.where = "--clinic";
      if (e.where == "patient") e.where = "--patient";
      if (e.where == "password") e.where = "--password-stdin";
      return ctx.Fail(e);
    }
    fmt::print("created {} ({}, id {})\n", created->user.username,
               store::RoleName(created->user.role), created->user.id.value());
    if (!created->password.empty())
      fmt::print("password: {}\n(shown once; store it safely)\n", created->password);
  });

  auto list_db = std::make_shared<DbFlag>();
  auto* list = user->add_subcommand("list", "List users");
  AddDbFlag(list, *list_db);
  list->callback([&ctx, list_db] {
    auto s = OpenDb(*list_db);
    if (!s) return ctx.Fail(s.error());
    auto users = (*s)->ListUsers();
    if (!users) return ctx.Fail(users.error());
    fmt::print("{:<24} {:<11} {:<26} {:<9} {}\n", "USERNAME", "ROLE", "CLINIC", "STATUS", "ID");
    for (const store::User& u : *users) {
      fmt::print("{:<24} {:<11} {:<26} {:<9} {}\n", u.username, store::RoleName(u.role),
                 u.clinic ? u.clinic->value() : "-", u.disabled ? "disabled" : "active",
                 u.id.value());
    }
  });

  for (bool disable : {true, false}) {
    struct Opts {
      DbFlag db;
      std::string username;
    };
    auto o = std::make_shared<Opts>();
    auto* cmd = user->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "Disable a user (ends their sessions)" : "Enable a disabled user");
    cmd->add_option("USERNAME", o->username, "Login name")->required();
    AddDbFlag(cmd, o->db);
    cmd->callback([&ctx, o, disable] {
      auto s = OpenDb(o->db);
      if (!s) return ctx.Fail(s.error());
      auto u = (*s)->FindUserByName(o->username);
      if (!u) return ctx.Fail(u.error());
      auto st = (*s)->SetUserDisabled(u->id, disable);
      if (!st) return ctx.Fail(st.error());
      fmt::print("{} {}\n", disable ? "disabled" : "enabled", u->username);
    });
  }

  auto* clinic = app.add_subcommand("clinic", "Manage clinics (tenants)");
  clinic->require_subcommand(1);
  struct ClinicOpts {
    DbFlag db;
    std::string name, jurisdiction, id;
  };
  auto c = std::make_shared<ClinicOpts>();
  auto* cadd = clinic->add_subcommand("add", "Create a clinic");
  cadd->add_option("NAME", c->name, "Clinic name")->required();
  cadd->add_option("--jurisdiction", c->jurisdiction, "Program rules to apply: US, EU, UK, AU...")
      ->required();
  cadd->add_option("--id", c->id, "Clinic id (default: generated)");
  AddDbFlag(cadd, c->db);
  cadd->callback([&ctx, c] {
    auto s = OpenDb(c->db);
    if (!s) return ctx.Fail(s.error());
    auto made = (*s)->CreateClinic(store::Clinic{ClinicId(c->id), c->name, c->jurisdiction, ""});
    if (!made) return ctx.Fail(made.error());
    fmt::print("created clinic {} ({})\n", made->id.value(), made->name);
  });
  struct SettingsOpts {
    DbFlag db;
    std::string clinic, file;
  };
  auto so = std::make_shared<SettingsOpts>();
  auto* cset = clinic->add_subcommand(
      "settings", "Show a clinic's course-engine settings, or set them from a JSON file");
  cset->add_option("CLINIC_ID", so->clinic, "The clinic (see `isocourse clinic list`)")->required();
  cset->add_option("--set", so->file,
                   "Settings JSON file (lab_profile, ipledge_2026_cutover, retreatment...; "
                   "docs/course-engine.md); stored as the next version");
  AddDbFlag(cset, so->db);
  cset->footer(
      "Every evaluation of the clinic's patients uses these settings (the running server "
      "within 2 s). Versions are kept; the server shows them at "
      "/api/v1/clinics/{id}/settings/history.\n\nExamples:\n"
      "  isocourse clinic settings cln_riverside\n"
      "  isocourse clinic settings cln_riverside --set delphi.json\n\n"
      "Exit codes: 0 ok; 2 no such clinic, invalid settings (the message names the field) "
      "or the settings changed meanwhile; 4 unreadable file or database");
  cset->callback([&ctx, so] {
    auto s = OpenDb(so->db);
    if (!s) return ctx.Fail(s.error());
    const ClinicId id(so->clinic);
    auto current = (*s)->GetClinicSettings(id);
    if (!current) return ctx.Fail(current.error());
    if (!so->file.empty()) {
      auto file = ReadSettingsFile(so->file);
      if (!file) return ctx.Fail(file.error());
      const char* login = std::getenv("USER");
      UserId by("cli:" + std::string(login && *login ? login : "operator"));
      auto stored = (*s)->SetClinicSettings(id, current->version, file->json, by);
      if (!stored) return ctx.Fail(stored.error());
      store::AuditDraft audit{by.value(),
                              "operator",
                              "clinic.settings.update",
                              "isocourse clinic settings",
                              std::nullopt,
                              id,
                              "local",
                              "operations",
                              "ok"};
      if (auto a = (*s)->AppendAudit(audit); !a) return ctx.Fail(a.error());
      current = std::move(stored);
      fmt::print("stored version {} of clinic {}'s settings\n", current->version, id.value());
    }
    auto parsed = codec::ParseSettingsJson(current->settings_json);
    if (!parsed) return ctx.Fail(parsed.error());
    fmt::print("clinic {} settings version {}{}\n", id.value(), current->version,
               current->version == 0
                   ? " (never set: the engine's defaults)"
                   : " by " + current->changed_by.value() + " at " + current->changed_at);
    fmt::print("chosen:    {}\n", current->settings_json);
    fmt::print("effective: {}\n", boost::json::serialize(codec::SettingsToJson(*parsed)));
  });

  auto cl_db = std::make_shared<DbFlag>();
  auto* clist = clinic->add_subcommand("list", "List clinics");
  AddDbFlag(clist, *cl_db);
  clist->callback([&ctx, cl_db] {
    auto s = OpenDb(*cl_db);
    if (!s) return ctx.Fail(s.error());
    auto clinics = (*s)->ListClinics();
    if (!clinics) return ctx.Fail(clinics.error());
    for (const store::Clinic& x : *clinics)
      fmt::print("{:<26} {:<6} {}\n", x.id.value(), x.jurisdiction, x.name);
  });
}

}  // namespace isocourse::cli
