// File: knowledge_files.h
//
// Reads the knowledge directory from disk and hands it to the pure loader
// (core/knowledge/loader.h). The version is a BLAKE2b content hash (libsodium) over
// every file's relative path and bytes, so two machines with the same files report
// the same version.
#pragma once

#include <filesystem>
#include <string>

#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse::store {

// Loads every *.yaml file below `dir` (recursively, in path order).
// Errors: kNotFound if `dir` does not exist or holds no YAML; kUnavailable if a file
// cannot be read; kInvalidArgument (with details) if the content does not validate.
Result<KnowledgeBase> LoadKnowledgeDir(const std::filesystem::path& dir);

// The directory to use when none is given: $ISOCOURSE_KNOWLEDGE, else ./knowledge if it
// exists, else the source tree's knowledge/ recorded at build time.
std::filesystem::path DefaultKnowledgeDir();

}  // namespace isocourse::store
