#include "core/knowledge/knowledge.h"

#include <algorithm>
#include <cctype>

namespace isocourse {

namespace {
bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

const char* JurisdictionName(Jurisdiction j) {
  switch (j) {
    case Jurisdiction::kUS:
      return "US";
    case Jurisdiction::kEU:
      return "EU";
    case Jurisdiction::kUK:
      return "UK";
  }
  return "US";
}

std::optional<Jurisdiction> ParseJurisdiction(std::string_view s) {
  if (IEquals(s, "US")) return Jurisdiction::kUS;
  if (IEquals(s, "EU")) return Jurisdiction::kEU;
  if (IEquals(s, "UK")) return Jurisdiction::kUK;
  return std::nullopt;
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kModerate:
      return "moderate";
    case Severity::kMajor:
      return "major";
    case Severity::kHardStop:
      return "hard_stop";
  }
  return "info";
}

bool ItemMeta::AppliesTo(Jurisdiction j) const {
  return jurisdictions.empty() ||
         std::find(jurisdictions.begin(), jurisdictions.end(), j) != jurisdictions.end();
}

const Product* KnowledgeBase::FindProduct(std::string_view name) const {
  for (const Product& p : products) {
    if (IEquals(p.meta.id, name)) return &p;
    std::string_view id = p.meta.id;
    if (auto dot = id.find('.');
        dot != std::string_view::npos && IEquals(id.substr(dot + 1), name)) {
      return &p;
    }
    for (const std::string& a : p.aliases) {
      if (IEquals(a, name)) return &p;
    }
  }
  return nullptr;
}

const Regimen* KnowledgeBase::FindRegimen(std::string_view id) const {
  for (const Regimen& r : regimens) {
    if (IEquals(r.meta.id, id)) return &r;
  }
  return nullptr;
}

const CumulativeTarget* KnowledgeBase::FindTarget(std::string_view id) const {
  for (const CumulativeTarget& t : targets) {
    if (IEquals(t.meta.id, id)) return &t;
  }
  return nullptr;
}

const Parameter* KnowledgeBase::FindParameter(std::string_view id,
                                              std::optional<Jurisdiction> j) const {
  // Jurisdiction-specific parameters are stored as "<id>@<J>" next to the general one.
  if (j) {
    std::string key = std::string(id) + "@" + JurisdictionName(*j);
    if (auto it = parameters.find(key); it != parameters.end()) return &it->second;
  }
  if (auto it = parameters.find(id); it != parameters.end()) return &it->second;
  return nullptr;
}

const Advisory* KnowledgeBase::FindAdvisory(std::string_view id) const {
  auto it = advisories.find(id);
  return it == advisories.end() ? nullptr : &it->second;
}

Citation KnowledgeBase::CiteParameter(std::string_view id) const {
  const Parameter* p = FindParameter(id);
  return p ? p->meta.citation : Citation{};
}

}  // namespace isocourse
