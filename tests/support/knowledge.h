// File: knowledge.h (tests only): the shipped knowledge base, loaded once.
#pragma once

#include <gtest/gtest.h>

#include "core/knowledge/knowledge.h"
#include "store/knowledge_files.h"

namespace isocourse::testing {

inline const KnowledgeBase& RealKnowledge() {
  static const KnowledgeBase* kb = [] {
    auto loaded = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
    if (!loaded) {
      ADD_FAILURE() << "shipped knowledge base does not load: " << loaded.error().ToString();
      return new KnowledgeBase();
    }
    return new KnowledgeBase(std::move(*loaded));
  }();
  return *kb;
}

}  // namespace isocourse::testing
