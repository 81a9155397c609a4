// File: evaluate.h
//
// The course engine: `Evaluate(timeline, knowledge, as_of, settings) -> Assessment`.
// Pure and deterministic: no I/O, no clock; events dated after `as_of` are ignored
// (corrections apply whenever they were recorded). See docs/course-engine.md.
#pragma once

#include <vector>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/date.h"
#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse::course {

// Errors (kInvalidArgument, `where` names the event and field, e.g.
// "events[4] (id rx-1).product"): corrections that do not resolve (see
// ResolveCorrections); a product unknown to the knowledge base; a dispense naming a
// prescription that does not exist; data the dose ledger refuses (e.g. doses with no
// weight recorded). A clinical "no" is never an error.
Result<Assessment> Evaluate(const Timeline& timeline, const KnowledgeBase& kb, Date as_of,
                            const Settings& settings);

// Only the tasks of Evaluate() - the same ids, windows, statuses and explanations -
// without candidacy, dose, alert and decision texts: for worklists and sweeps over
// many patients. Same errors as Evaluate.
Result<std::vector<Task>> DueTasks(const Timeline& timeline, const KnowledgeBase& kb, Date as_of,
                                   const Settings& settings);

// The facts derived from a resolved timeline (phase, dates, pauses, category) that
// the program rules and the forecaster read. Same errors as Evaluate.
Result<CourseFacts> DeriveCourseFacts(const ResolvedTimeline& timeline, const KnowledgeBase& kb,
                                      Date as_of, const Settings& settings);

}  // namespace isocourse::course
