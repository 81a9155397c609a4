// File: run_cli.h (tests only)
//
// Runs the built `isocourse` binary the way a user would and captures what it
// printed. Used by the CLI end-to-end tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace isocourse::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs ISOCOURSE_TEST_BIN with `args`; `stdin_text` is fed to standard input.
inline CliResult RunCli(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  namespace fs = std::filesystem;
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("isocourse-cli-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  fs::create_directories(dir);
  std::string cmd = ShellQuote(ISOCOURSE_TEST_BIN);
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  {
    std::ofstream in(dir / "stdin");
    in << stdin_text;
  }
  cmd += " < " + ShellQuote((dir / "stdin").string()) + " > " + ShellQuote((dir / "out").string()) +
         " 2> " + ShellQuote((dir / "err").string());
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadAll(dir / "out");
  r.err = ReadAll(dir / "err");
  fs::remove_all(dir);
  return r;
}

}  // namespace isocourse::testing
