// File: course_inputs.h
//
// The inputs `isocourse evaluate` and `isocourse forecast` share: a timeline file
// (docs/timeline.md) and an optional settings file, read and decoded the same way so
// both commands name a bad file and field alike.
#pragma once

#include <string>
#include <string_view>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/result.h"

namespace isocourse::cli {

// The whole file. Error: kUnavailable (exit 4) with where = the path and a message
// naming `what` ("cannot read the timeline file").
Result<std::string> ReadInputFile(const std::string& path, std::string_view what);

// A settings file (codec::ParseSettingsJson): the settings and the file's JSON in
// compact form. Errors as ReadCourseInputs's.
struct SettingsFile {
  course::Settings settings;
  std::string json;
};
Result<SettingsFile> ReadSettingsFile(const std::string& path);

struct CourseInputs {
  course::Timeline timeline;
  course::Settings settings;  // the defaults when no settings file is given
};

// Reads and decodes the timeline file, then the settings file when `settings_path` is
// not empty. Decoding errors (kInvalidArgument, exit 2) have the file's path put in
// front of `where` ("patient.json: events[3].unit").
Result<CourseInputs> ReadCourseInputs(const std::string& timeline_path,
                                      const std::string& settings_path);

}  // namespace isocourse::cli
