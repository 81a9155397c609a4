#include "cli/course_inputs.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

#include "codec/timeline_json.h"

namespace isocourse::cli {

Result<std::string> ReadInputFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kUnavailable, path,
                     "cannot read the " + std::string(what) + " file");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// A decoding error of `path`: the path in front of the field.
Error InFile(const std::string& path, Error e) {
  e.where = path + ": " + e.where;
  return e;
}

}  // namespace

Result<CourseInputs> ReadCourseInputs(const std::string& timeline_path,
                                      const std::string& settings_path) {
  CourseInputs in;
  ISO_ASSIGN_OR_RETURN(std::string text, ReadInputFile(timeline_path, "timeline"));
  auto timeline = codec::ParseTimelineJson(text);
  if (!timeline) return std::unexpected(InFile(timeline_path, timeline.error()));
  in.timeline = std::move(*timeline);
  if (!settings_path.empty()) {
    ISO_ASSIGN_OR_RETURN(SettingsFile s, ReadSettingsFile(settings_path));
    in.settings = s.settings;
  }
  return in;
}

Result<SettingsFile> ReadSettingsFile(const std::string& path) {
  ISO_ASSIGN_OR_RETURN(std::string text, ReadInputFile(path, "settings"));
  auto settings = codec::ParseSettingsJson(text);
  if (!settings) return std::unexpected(InFile(path, settings.error()));
  // Valid settings are valid JSON.
  return SettingsFile{*settings, boost::json::serialize(boost::json::parse(text))};
}

}  // namespace isocourse::cli
