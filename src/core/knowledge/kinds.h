// File: kinds.h  (internal)
//
// One parser per knowledge kind. A module that adds a kind declares its parser here
// and registers it in loader.cpp's table; `Validate*` functions run after every file
// is parsed, for cross-references.
#pragma once

#include <vector>

#include "core/knowledge/knowledge.h"
#include "core/knowledge/yaml_reader.h"

namespace isocourse::kb {

void ParseSources(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseParameters(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseProducts(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseRegimens(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseTargets(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseAdvisories(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ValidateDosing(KnowledgeBase& kb, Diagnostics& diag);
// Pregnancy-prevention programs (src/core/program/program_knowledge.cpp).
void ParseProgramPacks(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseProgramRules(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseContraceptionMethods(std::vector<ItemReader>& items, KnowledgeBase& kb,
                               Diagnostics& diag);
void ValidateProgram(KnowledgeBase& kb, Diagnostics& diag);
// Acne symptom checker (src/core/symptom/parse_symptom.cpp).
void ParseSymptomFindings(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseQuestionGroups(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseSymptomConditions(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseTriageLevels(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseRedFlagRules(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseTriageModifiers(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseSymptomBenchmarks(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ValidateSymptom(KnowledgeBase& kb, Diagnostics& diag);
// Course engine (src/core/course/course_knowledge.cpp).
void ParseCourseRules(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseRedFlags(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseInteractions(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseLabAnalytes(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseLabProfiles(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ParseCourseTasks(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag);
void ValidateCourse(KnowledgeBase& kb, Diagnostics& diag);

}  // namespace isocourse::kb
