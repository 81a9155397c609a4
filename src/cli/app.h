// File: app.h
//
// The `isocourse` command. main.cpp only forwards argv here, so tests and other
// front ends can run the same code. Each subcommand lives in its own cmd_*.cpp and
// registers itself through a Register* function listed in app.cpp.
//
// Exit codes (also printed by `isocourse --help`):
//   0  success
//   1  the command ran and the answer is "no" (e.g. a check that refused)
//   2  bad input: a flag, a file or a value was wrong (the message says where)
//   3  the knowledge base did not validate
//   4  a file or database could not be read or written
//  70  internal error (a bug; please report it)
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,
  kExitBadInput = 2,
  kExitKnowledge = 3,
  kExitIo = 4,
  kExitInternal = 70,
};

// Shared state of one invocation. Subcommand callbacks set `exit_code`.
struct Context {
  std::string knowledge_dir;  // --knowledge; empty = default
  int exit_code = kExitOk;

  // Loads (once) and returns the knowledge base; on failure prints every problem to
  // stderr, sets exit_code = kExitKnowledge and returns nullptr.
  const KnowledgeBase* Knowledge();
  // Prints "isocourse: <where>: <message>" to stderr and sets the exit code that
  // matches the error (bad input -> 2, unavailable -> 4, ...).
  void Fail(const Error& e);

 private:
  std::optional<KnowledgeBase> kb_;
  bool tried_ = false;
};

int ExitCodeFor(const Error& e);

// Subcommand registrars (one per cmd_*.cpp).
void RegisterKbCommands(CLI::App& app, Context& ctx);
void RegisterPlanCommand(CLI::App& app, Context& ctx);
void RegisterForecastCommand(CLI::App& app, Context& ctx);
void RegisterEvaluateCommand(CLI::App& app, Context& ctx);
void RegisterCheckCommand(CLI::App& app, Context& ctx);
void RegisterVerifyCommand(CLI::App& app, Context& ctx);
void RegisterBackupCommands(CLI::App& app, Context& ctx);
void RegisterUserCommands(CLI::App& app, Context& ctx);
void RegisterServeCommand(CLI::App& app, Context& ctx);
void RegisterDemoCommand(CLI::App& app, Context& ctx);

int Run(int argc, char** argv);

}  // namespace isocourse::cli
