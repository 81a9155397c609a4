// File: loader.h
//
// Parses and validates the knowledge base from YAML text. Pure: the caller reads the
// files (see store/knowledge_files.h) and supplies the content hash used as version.
//
// Each file is a mapping with `kind:` (what its items are) and `items:` (a list).
// Kinds: sources, parameters, products, regimens, cumulative_targets; later modules
// register more in loader.cpp. Every item needs an `id` and a `citation` whose source
// is a key in a `sources` file.
#pragma once

#include <string>
#include <vector>

#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse {

struct KnowledgeFile {
  std::string path;  // as shown in messages, e.g. "knowledge/products.yaml"
  std::string text;
};

// Returns the validated knowledge base, or kInvalidArgument whose `details` hold
// every problem found, each with "file:line" in `where` and the item id and field
// in the message.
Result<KnowledgeBase> LoadKnowledge(const std::vector<KnowledgeFile>& files, std::string version);

}  // namespace isocourse
