#include "cli/app.h"

#include <fmt/core.h>

#include <exception>
#include <filesystem>

#include "store/knowledge_files.h"

namespace isocourse::cli {

int ExitCodeFor(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
      return kExitBadInput;
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kUnavailable:
      return kExitIo;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

void Context::Fail(const Error& e) {
  fmt::print(stderr, "isocourse: {}\n", e.ToString());
  exit_code = ExitCodeFor(e);
}

const KnowledgeBase* Context::Knowledge() {
  if (!tried_) {
    tried_ = true;
    std::filesystem::path dir =
        knowledge_dir.empty() ? store::DefaultKnowledgeDir() : std::filesystem::path(knowledge_dir);
    auto loaded = store::LoadKnowledgeDir(dir);
    if (loaded) {
      kb_ = std::move(*loaded);
    } else {
      fmt::print(stderr, "isocourse: the knowledge base in {} did not load:\n{}\n", dir.string(),
                 loaded.error().ToString());
      exit_code = loaded.error().code == ErrorCode::kInvalidArgument ? kExitKnowledge
                                                                     : ExitCodeFor(loaded.error());
    }
  }
  return kb_ ? &*kb_ : nullptr;
}

namespace {
constexpr const char* kFooter = R"(Exit codes:
  0   success
  1   the command ran and the answer is "no" (e.g. a check that refused)
  2   bad input: a flag, file or value was wrong (the message says which and where)
  3   the knowledge base did not validate
  4   a file or database could not be read or written
  70  internal error (a bug; please report it)

Run 'isocourse COMMAND --help' for a command's options and examples.)";
}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{
      "isocourse - decision support for oral isotretinoin courses: dose planning, "
      "pregnancy-prevention programs, labs and follow-up."};
  app.footer(kFooter);
  app.require_subcommand(1);
  Context ctx;
  app.add_option("--knowledge", ctx.knowledge_dir,
                 "Knowledge directory (default: $ISOCOURSE_KNOWLEDGE, ./knowledge, or the "
                 "source tree's knowledge/)");
  app.set_version_flag("--version", "isocourse 0.1.0");

  RegisterKbCommands(app, ctx);
  RegisterPlanCommand(app, ctx);
  RegisterForecastCommand(app, ctx);
  RegisterEvaluateCommand(app, ctx);
  RegisterCheckCommand(app, ctx);
  RegisterVerifyCommand(app, ctx);
  RegisterBackupCommands(app, ctx);
  RegisterUserCommands(app, ctx);
  RegisterServeCommand(app, ctx);
  RegisterDemoCommand(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // CLI11 returns 0 for --help/--version and a positive code for usage errors.
    return code == 0 ? kExitOk : kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "isocourse: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return ctx.exit_code;
}

}  // namespace isocourse::cli
