// File: yaml_reader.h  (internal to core/knowledge and the modules that add kinds)
//
// Reads one knowledge item with precise diagnostics. Every accessor records a problem
// in `Diagnostics` (file, line, item id, field, what was expected) instead of
// failing, so `isocourse kb check` reports every problem of a file in one pass.
// Accessors return a harmless default after recording a problem; the loader refuses
// the whole knowledge base if any problem was recorded.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse::kb {

class Diagnostics {
 public:
  void Add(const std::string& file, int line, std::string message);
  bool empty() const { return errors_.empty(); }
  std::vector<Error>& errors() { return errors_; }

  // Remembers a citation so the loader can check its source key once sources.yaml
  // has been read.
  void NoteCitation(const std::string& source, const std::string& file, int line);
  // Records a problem if `key` was registered before (ids are unique across files).
  void RegisterId(const std::string& key, const std::string& file, int line);
  // Checks every noted citation against the known source keys.
  void CheckCitations(const KnowledgeBase& kb);

 private:
  struct Pending {
    std::string source, file;
    int line;
  };
  std::vector<Error> errors_;
  std::vector<Pending> cites_;
  std::map<std::string, std::string> ids_;  // key -> "file:line"
};

class ItemReader {
 public:
  ItemReader(const YAML::Node& node, const std::string& file, Diagnostics& diag);

  // The item's `id`: required, lowercase dotted (e.g. "dose.max.standard").
  std::string Id();
  // Common metadata: id, citation (required), jurisdiction (optional), note.
  ItemMeta Meta();

  bool Has(std::string_view field) const;
  std::string String(std::string_view field);
  std::optional<std::string> OptString(std::string_view field);
  double Number(std::string_view field, double min, double max);
  std::optional<double> OptNumber(std::string_view field, double min, double max);
  int Integer(std::string_view field, int min, int max);
  std::optional<int> OptInteger(std::string_view field, int min, int max);
  bool Bool(std::string_view field, bool default_value);
  std::vector<std::string> StringList(std::string_view field, bool required);
  std::vector<double> NumberList(std::string_view field, double min, double max, bool required);
  // One of `allowed`; records a problem listing them otherwise.
  std::string Enum(std::string_view field, std::initializer_list<std::string_view> allowed);
  Citation Cite(std::string_view field = "citation");
  std::vector<Jurisdiction> Jurisdictions(std::string_view field = "jurisdiction");
  // Sub-items of a list field, each with its own reader.
  std::vector<ItemReader> List(std::string_view field, bool required);
  std::optional<ItemReader> Map(std::string_view field, bool required);

  // Records a problem for every field not in `known` (catches typos such as
  // "strenghts_mg").
  void RejectUnknown(std::initializer_list<std::string_view> known);

  // Records a problem at this item.
  void Problem(std::string_view field, std::string message);

  int line() const { return line_; }
  const std::string& file() const { return file_; }
  const YAML::Node& node() const { return node_; }

 private:
  std::string Label(std::string_view field) const;
  std::optional<YAML::Node> Get(std::string_view field, bool required);
  std::string OptStringImpl(std::string_view field, bool required);
  double CheckNumber(std::string_view field, const YAML::Node& n, double min, double max);

  YAML::Node node_;
  std::string file_;
  Diagnostics* diag_;
  std::string id_;
  int line_ = 0;
};

}  // namespace isocourse::kb
