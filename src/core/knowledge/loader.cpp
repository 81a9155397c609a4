#include "core/knowledge/loader.h"

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "core/knowledge/kinds.h"
#include "core/knowledge/yaml_reader.h"

namespace isocourse {

namespace {

using Parser = void (*)(std::vector<kb::ItemReader>&, KnowledgeBase&, kb::Diagnostics&);
struct KindEntry {
  std::string_view kind;
  Parser parse;
};

// Every kind a knowledge file may declare. Add new kinds here.
constexpr KindEntry kKinds[] = {
    {"sources", kb::ParseSources},        {"parameters", kb::ParseParameters},
    {"products", kb::ParseProducts},      {"regimens", kb::ParseRegimens},
    {"cumulative_targets", kb::ParseTargets}, {"advisories", kb::ParseAdvisories},
    {"program_packs", kb::ParseProgramPacks}, {"program_rules", kb::ParseProgramRules},
    {"contraception_methods", kb::ParseContraceptionMethods},
    {"symptom_findings", kb::ParseSymptomFindings},
    {"symptom_question_groups", kb::ParseQuestionGroups},
    {"symptom_conditions", kb::ParseSymptomConditions},
    {"triage_levels", kb::ParseTriageLevels},      {"red_flag_rules", kb::ParseRedFlagRules},
    {"triage_modifiers", kb::ParseTriageModifiers},
    {"symptom_benchmarks", kb::ParseSymptomBenchmarks},
    {"course_rules", kb::ParseCourseRules},   {"red_flags", kb::ParseRedFlags},
    {"interactions", kb::ParseInteractions},  {"lab_analytes", kb::ParseLabAnalytes},
    {"lab_profiles", kb::ParseLabProfiles},   {"course_tasks", kb::ParseCourseTasks},
};

using Validator = void (*)(KnowledgeBase&, kb::Diagnostics&);
// Cross-reference checks, run after every file is parsed.
constexpr Validator kValidators[] = {kb::ValidateDosing, kb::ValidateProgram, kb::ValidateCourse,
                                     kb::ValidateSymptom};

std::string KindList() {
  std::string out;
  for (const KindEntry& k : kKinds) {
    if (!out.empty()) out += ", ";
    out += k.kind;
  }
  return out;
}

}  // namespace

Result<KnowledgeBase> LoadKnowledge(const std::vector<KnowledgeFile>& files,
                                    std::string version) {
  KnowledgeBase kb;
  kb.version = std::move(version);
  kb::Diagnostics diag;

  // Sources first, so that citations in any file can be checked against them.
  struct Parsed {
    const KnowledgeFile* file;
    YAML::Node root;
    const KindEntry* kind;
  };
  std::vector<Parsed> parsed;
  for (const KnowledgeFile& f : files) {
    YAML::Node root;
    try {
      root = YAML::Load(f.text);
    } catch (const YAML::Exception& e) {
      diag.Add(f.path, e.mark.line + 1, "not valid YAML: " + e.msg);
      continue;
    }
    if (!root.IsMap()) {
      diag.Add(f.path, 1, "expected a mapping with 'kind' and 'items'");
      continue;
    }
    kb::ItemReader top(root, f.path, diag);
    top.RejectUnknown({"kind", "items", "description"});
    std::string kind = top.String("kind");
    const KindEntry* entry = nullptr;
    for (const KindEntry& k : kKinds) {
      if (k.kind == kind) entry = &k;
    }
    if (!entry) {
      if (!kind.empty()) top.Problem("kind", "'" + kind + "' is not a known kind; expected one of: " + KindList());
      continue;
    }
    parsed.push_back(Parsed{&f, root, entry});
  }
  for (const KindEntry& k : kKinds) {
    for (Parsed& p : parsed) {
      if (p.kind != &k) continue;
      kb::ItemReader top(p.root, p.file->path, diag);
      std::vector<kb::ItemReader> items = top.List("items", true);
      k.parse(items, kb, diag);
    }
  }
  if (kb.sources.empty()) {
    diag.Add("knowledge", 0, "no 'sources' file was loaded; every citation needs one");
  }
  diag.CheckCitations(kb);
  for (Validator v : kValidators) v(kb, diag);

  if (!diag.empty()) {
    Error e{ErrorCode::kInvalidArgument,
            std::to_string(diag.errors().size()) + " problem(s) in the knowledge base",
            "knowledge",
            std::move(diag.errors())};
    return std::unexpected(std::move(e));
  }
  return kb;
}

}  // namespace isocourse
