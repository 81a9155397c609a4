#include "server/views.h"

#include <boost/json/array.hpp>

#include "server/timeline_bridge.h"

namespace isocourse::server {

namespace json = boost::json;

namespace {
template <class IdT>
json::value OptId(const std::optional<IdT>& id) {
  if (!id) return nullptr;
  return json::value(id->value());
}
}  // namespace

json::object ClinicJson(const store::Clinic& c) {
  return {{"id", c.id.value()},
          {"name", c.name},
          {"jurisdiction", c.jurisdiction},
          {"created_at", c.created_at}};
}

json::object PatientJson(const store::Patient& p) {
  return {{"id", p.id.value()},
          {"clinic_id", p.clinic.value()},
          {"given_name", p.given_name},
          {"family_name", p.family_name},
          {"birth_date", p.birth_date.ToString()},
          {"sex", p.sex},
          {"mrn", p.mrn},
          {"version", p.version},
          {"created_at", p.created_at}};
}

json::object StoredEventJson(const store::Event& e) {
  return {{"seq", e.seq},
          {"recorded_at", e.recorded_at},
          {"hash", e.hash},
          {"prev_hash", e.prev_hash},
          {"event", EventToTimelineJson(e)}};
}

json::object UserJson(const store::User& u) {
  return {
      {"id", u.id.value()},
      {"username", u.username},
      {"display_name", u.display_name},
      {"role", store::RoleName(u.role)},
      {"clinic_id", OptId(u.clinic)},
      {"patient_id", OptId(u.patient)},
      {"disabled", u.disabled},
      {"locked_until", u.locked_until.empty() ? json::value(nullptr) : json::value(u.locked_until)},
      {"created_at", u.created_at}};
}

json::object PrincipalJson(const Principal& p) {
  return {{"id", p.id.value()},
          {"username", p.username},
          {"display_name", p.display_name},
          {"role", store::RoleName(p.role)},
          {"clinic_id", OptId(p.clinic)},
          {"patient_id", OptId(p.patient)}};
}

json::object TokenJson(const store::ApiToken& t) {
  return {{"id", t.id},
          {"user_id", t.user.value()},
          {"name", t.name},
          {"created_at", t.created_at},
          {"revoked_at", t.revoked_at.empty() ? json::value(nullptr) : json::value(t.revoked_at)}};
}

json::object AuditJson(const store::AuditEntry& a) {
  return {{"seq", a.seq},
          {"at", a.at},
          {"actor", a.what.actor},
          {"role", a.what.role},
          {"action", a.what.action},
          {"resource", a.what.resource},
          {"patient_id", OptId(a.what.patient)},
          {"clinic_id", OptId(a.what.clinic)},
          {"remote", a.what.remote},
          {"reason", a.what.reason},
          {"outcome", a.what.outcome},
          {"hash", a.hash},
          {"prev_hash", a.prev_hash}};
}

json::object ArticleJson(const store::Article& a, bool with_body, const KnowledgeBase* kb) {
  json::array tags;
  for (const auto& t : a.tags) tags.push_back(json::value(t));
  json::object o{
      {"id", a.id},
      {"title", a.title},
      {"summary", a.summary},
      {"audience", a.audience},
      {"jurisdiction", a.jurisdiction.empty() ? json::value(nullptr) : json::value(a.jurisdiction)},
      {"last_reviewed", a.last_reviewed},
      {"tags", std::move(tags)}};
  if (with_body) {
    json::array sources;
    for (const auto& s : a.sources) {
      json::object src{{"key", s.key}, {"locator", s.locator}};
      if (kb) {
        if (auto it = kb->sources.find(s.key); it != kb->sources.end()) {
          if (!it->second.title.empty()) src["title"] = it->second.title;
          if (!it->second.url.empty()) src["url"] = it->second.url;
        }
      }
      sources.push_back(std::move(src));
    }
    o["sources"] = std::move(sources);
    o["markdown"] = a.markdown;
  }
  return o;
}

}  // namespace isocourse::server
