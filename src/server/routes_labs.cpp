// Lab import: a CSV file of LOINC-coded results becomes `lab` timeline events, all or
// nothing. The first line names the columns (any order, case-insensitive):
//
//   date,loinc,value,unit[,name][,reference_low][,reference_high][,fasting][,hours_since_alcohol]
//
// `date` is the specimen date (YYYY-MM-DD), `loinc` a LOINC code with its check digit
// (2571-8), `unit` one of the timeline's lab units (mg/dL, mmol/L, U/L...), `fasting`
// true/false/yes/no/1/0 or empty. Fields may be quoted ("ALT, serum"); blank lines are
// skipped. Every bad row is reported with its line number ("line 4: value: 'high' is
// not a number") and then nothing from the file is stored.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <map>

#include "server/engine_routes.h"
#include "server/errors.h"
#include "server/json_body.h"
#include "server/timeline_bridge.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr size_t kMaxRows = 500;  // one append holds at most 500 events

struct CsvLine {
  int number = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

// RFC 4180 fields: commas separate, double quotes quote (a doubled quote inside is
// one quote), CRLF or LF ends a line (also inside quotes it is kept as text).
Result<std::vector<CsvLine>> SplitCsv(std::string_view text) {
  std::vector<CsvLine> lines;
  CsvLine cur;
  cur.number = 1;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1;
  auto end_field = [&] {
    cur.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_line = [&] {
    end_field();
    bool blank = cur.fields.size() == 1 && cur.fields[0].empty();
    if (!blank) lines.push_back(std::move(cur));
    cur = CsvLine{};
    cur.number = line + 1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line;
        field += ch;
      }
      continue;
    }
    if (ch == '"') {
      if (field_started && !field.empty())
        return InvalidArgument("line " + std::to_string(line),
                               "a quote inside an unquoted field; quote the whole field");
      quoted = true;
      field_started = true;
    } else if (ch == ',') {
      end_field();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (ch == '\n') {
      end_line();
      ++line;
    } else if (ch == '\0') {
      return InvalidArgument("line " + std::to_string(line),
                             "contains a NUL byte; not a text file");
    } else {
      field += ch;
      field_started = true;
    }
  }
  if (quoted)
    return InvalidArgument("line " + std::to_string(cur.number), "a quoted field is not closed");
  if (!field.empty() || !cur.fields.empty()) end_line();
  return lines;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// LOINC codes end in a mod-10 check digit over the digits before the hyphen (the
// Luhn-style algorithm in the LOINC user guide, "Check digit").
bool LoincCheckDigitOk(std::string_view code) {
  size_t dash = code.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 2 != code.size()) return false;
  std::string_view body = code.substr(0, dash);
  for (char ch : body) {
    if (ch < '0' || ch > '9') return false;
  }
  char check = code.back();
  if (check < '0' || check > '9') return false;
  // Luhn: from the rightmost digit of the body, double every other digit.
  int sum = 0;
  bool dbl = true;
  for (auto it = body.rbegin(); it != body.rend(); ++it) {
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return (10 - sum % 10) % 10 == check - '0';
}

std::optional<double> ParseNumber(const std::string& s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

constexpr std::string_view kColumns[] = {"date",           "loinc",   "value",
                                         "unit",           "name",    "reference_low",
                                         "reference_high", "fasting", "hours_since_alcohol"};

struct Parsed {
  std::vector<store::EventDraft> drafts;
  std::vector<int> line_of;  // line number of each draft
};

// Header problems end the parse at once; row problems go to `problems`, and the rows
// without any are returned, so the codec can check them too and every bad line is
// reported in one answer.
Result<Parsed> ParseLabCsv(std::string_view text, Date today, Problems& problems) {
  if (text.empty()) return InvalidArgument("body", "is empty; send the CSV file as the body");
  ISO_ASSIGN_OR_RETURN(std::vector<CsvLine> lines, SplitCsv(text));
  if (lines.empty()) return InvalidArgument("body", "has no lines");
  // The header.
  const CsvLine& head = lines.front();
  std::map<std::string, size_t> col;
  Problems header;
  for (size_t i = 0; i < head.fields.size(); ++i) {
    std::string name = Lower(Trim(head.fields[i]));
    if (i == 0 && name.rfind("\xef\xbb\xbf", 0) == 0) name.erase(0, 3);  // a BOM
    bool known = false;
    for (std::string_view k : kColumns) known = known || name == k;
    std::string where = "line " + std::to_string(head.number);
    if (!known) {
      header.Add(where, "column '" + name.substr(0, 40) +
                            "' is not known; expected date, loinc, value, unit, name, "
                            "reference_low, reference_high, fasting, hours_since_alcohol");
    } else if (col.contains(name)) {
      header.Add(where, "column '" + name + "' appears twice");
    } else {
      col[name] = i;
    }
  }
  for (std::string_view need : {"date", "loinc", "value", "unit"}) {
    if (!col.contains(std::string(need)))
      header.Add("line " + std::to_string(head.number),
                 "the header has no '" + std::string(need) + "' column");
  }
  ISO_RETURN_IF_ERROR(header.ToStatus());
  if (lines.size() == 1) return InvalidArgument("body", "has a header but no results");
  if (lines.size() - 1 > kMaxRows)
    return InvalidArgument("body", std::to_string(lines.size() - 1) + " rows; at most " +
                                       std::to_string(kMaxRows) + " per file");

  Parsed out;
  for (size_t li = 1; li < lines.size(); ++li) {
    const CsvLine& l = lines[li];
    const std::string where = "line " + std::to_string(l.number);
    if (l.fields.size() != head.fields.size()) {
      problems.Add(where, std::to_string(l.fields.size()) + " fields; the header has " +
                              std::to_string(head.fields.size()));
      continue;
    }
    auto get = [&](std::string_view name) -> std::string {
      auto it = col.find(std::string(name));
      return it == col.end() ? std::string() : Trim(l.fields[it->second]);
    };
    bool ok = true;
    auto bad = [&](std::string_view column, std::string message) {
      problems.Add(where, std::string(column) + ": " + message);
      ok = false;
    };
    auto date = Date::Parse(get("date"), "date");
    if (!date) {
      bad("date", "'" + get("date").substr(0, 40) + "' is not a date (YYYY-MM-DD)");
    } else if (*date > today.AddDays(1)) {
      bad("date", date->ToString() + " is in the future");
    }
    std::string loinc = get("loinc");
    if (!LoincCheckDigitOk(loinc))
      bad("loinc", "'" + loinc.substr(0, 40) +
                       "' is not a LOINC code with a valid check digit (e.g. 2571-8)");
    json::object payload;
    payload["loinc"] = loinc;
    if (auto v = ParseNumber(get("value"))) {
      payload["value"] = *v;
    } else {
      bad("value", "'" + get("value").substr(0, 40) + "' is not a number");
    }
    std::string unit = get("unit");
    if (unit.empty()) bad("unit", "is empty");
    payload["unit"] = unit;
    if (std::string n = get("name"); !n.empty()) payload["name"] = n;
    for (std::string_view num : {"reference_low", "reference_high", "hours_since_alcohol"}) {
      std::string s = get(num);
      if (s.empty()) continue;
      if (auto v = ParseNumber(s)) {
        payload[num] = *v;
      } else {
        bad(num, "'" + s.substr(0, 40) + "' is not a number");
      }
    }
    if (std::string s = Lower(get("fasting")); !s.empty()) {
      if (s == "true" || s == "yes" || s == "1" || s == "y") {
        payload["fasting"] = true;
      } else if (s == "false" || s == "no" || s == "0" || s == "n") {
        payload["fasting"] = false;
      } else {
        bad("fasting", "'" + s.substr(0, 40) + "' is not true/false");
      }
    }
    if (!ok) continue;
    out.drafts.push_back({"lab", *date, std::nullopt, json::serialize(payload)});
    out.line_of.push_back(l.number);
  }
  return out;
}

// The codec's "events[3].unit: ..." as "line 5: unit: ...".
Error NameLines(Error e, const std::vector<int>& line_of) {
  auto rename = [&](Error& x) {
    if (x.where.rfind("events[", 0) != 0) return;
    size_t close = x.where.find(']');
    if (close == std::string::npos) return;
    size_t i = static_cast<size_t>(std::atoi(x.where.substr(7, close - 7).c_str()));
    if (i >= line_of.size()) return;
    std::string field = x.where.substr(close + 1);
    if (!field.empty() && field.front() == '.') field.erase(0, 1);
    x.where = "line " + std::to_string(line_of[i]);
    if (!field.empty()) x.message = field + ": " + x.message;
  };
  rename(e);
  for (Error& d : e.details) rename(d);
  return e;
}

Result<ApiResponse> ImportLabs(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kWrite, "labs.import"));
  std::string_view type = c.Header("Content-Type");
  if (!type.empty() && type.find("text/csv") == std::string_view::npos &&
      type.find("text/plain") == std::string_view::npos)
    return InvalidArgument("Content-Type", "send the file as text/csv");
  ISO_ASSIGN_OR_RETURN(std::string key, IdempotencyKeyHeader(c));
  Problems problems;
  ISO_ASSIGN_OR_RETURN(Parsed parsed, ParseLabCsv(c.req.msg.body(), engine.Today(), problems));
  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> existing, api.store().ReadEvents(patient.id));
  if (Status st = ValidateWithTimelineCodec(patient, existing, parsed.drafts, c.Who().id); !st) {
    Error e = NameLines(st.error(), parsed.line_of);
    if (e.details.empty()) {
      problems.Add(e);
    } else {
      for (const Error& d : e.details) problems.Add(d);
    }
  }
  if (!problems.empty()) {
    // Every bad line, in file order.
    Error first = problems.ToStatus().error();
    std::vector<Error> all = first.details.empty() ? std::vector<Error>{first} : first.details;
    auto line = [](const Error& x) {
      return x.where.rfind("line ", 0) == 0 ? std::atoi(x.where.c_str() + 5) : 0;
    };
    std::stable_sort(all.begin(), all.end(),
                     [&](const Error& a, const Error& b) { return line(a) < line(b); });
    Problems sorted;
    for (const Error& x : all) sorted.Add(x);
    Error out = sorted.ToStatus().error();
    out.message += "; nothing from this file was stored";
    return std::unexpected(out);
  }
  const size_t n = parsed.drafts.size();
  ISO_ASSIGN_OR_RETURN(store::AppendResult result,
                       AppendOnce(api, patient, static_cast<int64_t>(existing.size()), key,
                                  c.Who().id, std::move(parsed.drafts)));
  json::array events;
  for (const auto& e : result.events) events.push_back(StoredEventJson(e));
  ApiResponse r = ApiResponse::Json(json::object{{"version", result.version},
                                                 {"imported", static_cast<int64_t>(n)},
                                                 {"events", std::move(events)}},
                                    result.replayed ? kHttpOk : kHttpCreated);
  if (result.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace

void RegisterLabRoutes(Api& api, std::shared_ptr<EngineState> engine) {
  api.router().Add({http::verb::post, "/api/v1/patients/{patient_id}/labs/import",
                    Access::kAuthenticated,
                    "Import lab results from CSV (LOINC-coded rows); all rows or none",
                    [engine](RequestContext& c) { return ImportLabs(*engine, c); }});
}

}  // namespace isocourse::server
