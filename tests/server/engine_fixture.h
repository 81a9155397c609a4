// Helpers for the engine route tests: load a timeline file (docs/timeline.md) into a
// patient through the API, and run the CLI on the same file to compare answers.
#pragma once

#include <gtest/gtest.h>
#include <stdio.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "harness.h"

namespace isocourse::testing {

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string SourcePath(const std::string& rel) {
  return std::string(ISOCOURSE_TEST_SOURCE_DIR) + "/" + rel;
}

// Appends every event of the timeline file to `patient`, one request per event so that
// a later event naming an earlier one (a dispense's prescription) gets the stored id.
// Returns file id -> stored id.
inline std::map<std::string, std::string> LoadTimeline(const HttpClient& c, const Credentials& who,
                                                       const std::string& patient,
                                                       const std::string& file) {
  std::map<std::string, std::string> ids;
  boost::json::value doc = boost::json::parse(ReadText(file));
  int64_t version = c.Get("/api/v1/patients/" + patient, who).json.at("version").as_int64();
  for (const auto& v : doc.at("events").as_array()) {
    boost::json::object e = v.as_object();
    std::string file_id(e.at("id").as_string());
    e.erase("id");
    e.erase("recorded_by");
    for (const char* ref : {"prescription", "corrects"}) {
      if (auto* r = e.if_contains(ref); r && r->is_string())
        *r = ids.at(std::string(r->as_string()));
    }
    boost::json::object body{{"expected_version", version},
                             {"events", boost::json::array{std::move(e)}}};
    HttpResult r =
        c.Post("/api/v1/patients/" + patient + "/events", boost::json::serialize(body), who);
    if (r.status != 201) {
      ADD_FAILURE() << "loading " << file_id << ": " << r.status << " " << r.body;
      return ids;
    }
    ids[file_id] = std::string(r.json.at("events").at(0).at("event").at("id").as_string());
    version = r.json.at("version").as_int64();
  }
  return ids;
}

// Runs the isocourse binary with `args` and returns what it printed on stdout.
inline std::string RunCli(const std::string& args) {
  std::string cmd = Binary() + " " + args + " 2>/dev/null";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// The `key` of each object in a JSON array ("id" of every task...), in order.
inline std::vector<std::string> Ids(const boost::json::value& list, const char* key) {
  std::vector<std::string> out;
  for (const auto& x : list.as_array()) out.emplace_back(x.at(key).as_string());
  return out;
}

// A new patient in the caller's clinic; returns its id.
inline std::string NewPatient(const HttpClient& c, const Credentials& who, const std::string& given,
                              const std::string& family, const std::string& birth,
                              const std::string& mrn = "") {
  boost::json::object b{
      {"given_name", given}, {"family_name", family}, {"birth_date", birth}, {"sex", "female"}};
  if (!mrn.empty()) b["mrn"] = mrn;
  HttpResult r = c.Post("/api/v1/patients", boost::json::serialize(b), who);
  EXPECT_EQ(r.status, 201) << r.body;
  if (r.status != 201) return "";
  return std::string(r.json.at("id").as_string());
}

// Carla Exampleton (clinic A, created by dr_a) with the timeline of
// docs/examples/timeline-us-active.json, the documented example; returns her id.
inline std::string ActiveExamplePatient(World& w) {
  HttpClient c = w.client();
  std::string id = NewPatient(c, w.dr_a, "Carla", "Exampleton", "2007-05-14", "EX-ACTIVE");
  LoadTimeline(c, w.dr_a, id, SourcePath("docs/examples/timeline-us-active.json"));
  return id;
}

inline int64_t VersionOf(const HttpClient& c, const Credentials& who, const std::string& patient) {
  HttpResult r = c.Get("/api/v1/patients/" + patient, who);
  if (r.status != 200) return -1;
  return r.json.at("version").as_int64();
}

// The audit entries of `w` since the last call with this action.
inline std::vector<boost::json::object> AuditOf(World& w, const std::string& action) {
  std::vector<boost::json::object> out;
  for (auto& a : w.NewAudit()) {
    if (a.at("action").as_string() == action) out.push_back(a);
  }
  return out;
}

}  // namespace isocourse::testing
