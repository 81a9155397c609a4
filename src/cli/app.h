// File: app.h
//
// The `isocourse` command. main.cpp only forwards argv here, so tests and other
// front ends can run the same code. Exit codes (also in `isocourse --help`):
//   0  success
//   1  the command ran and the answer is "no" (e.g. a check that refused)
//   2  bad input: a flag, a file or a value was wrong (the message says where)
//   3  the knowledge base did not validate
//   4  a file or database could not be read or written
//  70  internal error (a bug; please report it)
#pragma once

namespace isocourse::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,
  kExitBadInput = 2,
  kExitKnowledge = 3,
  kExitIo = 4,
  kExitInternal = 70,
};

int Run(int argc, char** argv);

}  // namespace isocourse::cli
