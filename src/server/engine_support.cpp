// EngineState (the evaluation cache) and the helpers the engine routes share.
#include <boost/json/parse.hpp>

#include "codec/timeline_json.h"
#include "core/course/evaluate.h"
#include "server/demo.h"
#include "server/engine_routes.h"
#include "server/errors.h"
#include "server/timeline_bridge.h"

namespace isocourse::server {

namespace json = boost::json;

Result<const KnowledgeBase*> EngineState::Knowledge() const {
  const KnowledgeBase* kb = api_.options().knowledge;
  if (!kb)
    return MakeError(ErrorCode::kUnavailable, "knowledge", "the knowledge base is not loaded");
  return kb;
}

Date EngineState::Today() const { return ServerToday(api_.store()); }

Result<Date> EngineState::AsOf(const RequestContext& c, std::string_view name) const {
  auto v = c.Query(name);
  if (!v) return Today();
  return Date::Parse(*v, name);
}

std::string EngineState::Key(const PatientId& id, int64_t version, Date as_of,
                             int64_t settings_version) const {
  const KnowledgeBase* kb = api_.options().knowledge;
  return id.value() + '|' + std::to_string(version) + '|' + as_of.ToString() + '|' +
         std::to_string(settings_version) + '|' + (kb ? kb->version : std::string());
}

Result<EngineState::ClinicChoice> EngineState::SettingsFor(const ClinicId& clinic) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(settings_mu_);
    auto it = settings_.find(clinic.value());
    if (it != settings_.end() && now < it->second.until) return it->second.choice;
  }
  ISO_ASSIGN_OR_RETURN(store::ClinicSettings stored, api_.store().GetClinicSettings(clinic));
  auto parsed = codec::ParseSettingsJson(stored.settings_json);
  if (!parsed) {
    // Stored settings were valid when written; a newer build may read them differently.
    return MakeError(ErrorCode::kFailedPrecondition, "clinic_settings",
                     "clinic " + clinic.value() + "'s settings (version " +
                         std::to_string(stored.version) +
                         ") are no longer valid: " + parsed.error().ToString() +
                         "; an admin or prescriber must set them again");
  }
  ClinicChoice choice{*parsed, stored.version};
  std::lock_guard lock(settings_mu_);
  if (settings_.size() > 1024) settings_.clear();
  settings_[clinic.value()] = {choice, now + std::chrono::seconds(kSettingsSeconds)};
  return choice;
}

void EngineState::ForgetSettings(const ClinicId& clinic) {
  std::lock_guard lock(settings_mu_);
  settings_.erase(clinic.value());
}

std::shared_ptr<const Evaluation> EngineState::Find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  ++hits_;
  return it->second;
}

void EngineState::Put(const std::string& key, std::shared_ptr<const Evaluation> e) {
  std::lock_guard lock(mu_);
  if (cache_.contains(key)) return;
  while (cache_.size() >= kCacheEntries && !order_.empty()) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  cache_.emplace(key, std::move(e));
  order_.push_back(key);
}

Result<std::shared_ptr<const Evaluation>> EngineState::Evaluate(const store::Patient& patient,
                                                                Date as_of) {
  ISO_ASSIGN_OR_RETURN(ClinicChoice choice, SettingsFor(patient.clinic));
  if (auto hit = Find(Key(patient.id, patient.version, as_of, choice.version))) return hit;
  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> events, api_.store().ReadEvents(patient.id));
  return EvaluateEvents(patient, events, as_of);
}

Result<std::shared_ptr<const Evaluation>> EngineState::EvaluateEvents(
    const store::Patient& patient, const std::vector<store::Event>& events, Date as_of) {
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, Knowledge());
  // The key uses the number of events actually read: a write that landed between
  // reading the patient and reading the events must not be cached under the old one.
  const int64_t version = static_cast<int64_t>(events.size());
  ISO_ASSIGN_OR_RETURN(ClinicChoice choice, SettingsFor(patient.clinic));
  const std::string key = Key(patient.id, version, as_of, choice.version);
  if (auto hit = Find(key)) return hit;
  auto e = std::make_shared<Evaluation>();
  ISO_ASSIGN_OR_RETURN(e->timeline, TimelineFromStore(patient, events));
  ISO_ASSIGN_OR_RETURN(e->assessment, course::Evaluate(e->timeline, *kb, as_of, choice.settings));
  ISO_ASSIGN_OR_RETURN(e->resolved, course::ResolveCorrections(e->timeline));
  e->version = version;
  e->settings = choice.settings;
  e->settings_version = choice.version;
  Put(key, e);
  return std::shared_ptr<const Evaluation>(std::move(e));
}

namespace {
// "events[12] (id new-2).mg" -> "events[1].mg"; other event labels are left alone.
Error RenameDraftLabels(Error e) {
  auto rename = [](std::string& where) {
    size_t pos = where.find("(id new-");
    if (pos == std::string::npos) return;
    size_t num_start = pos + 8;
    size_t num_end = where.find(')', num_start);
    if (num_end == std::string::npos) return;
    int j = std::atoi(where.substr(num_start, num_end - num_start).c_str());
    where = "events[" + std::to_string(j - 1) + "]" + where.substr(num_end + 1);
  };
  rename(e.where);
  for (Error& d : e.details) rename(d.where);
  return e;
}
}  // namespace

Result<course::Assessment> EvaluateWithDrafts(const KnowledgeBase& kb,
                                              const course::Settings& settings,
                                              const store::Patient& patient,
                                              const std::vector<store::Event>& existing,
                                              const std::vector<store::EventDraft>& drafts,
                                              const UserId& by, Date as_of) {
  // The codec's own check first: its errors name the draft and field.
  ISO_RETURN_IF_ERROR(ValidateWithTimelineCodec(patient, existing, drafts, by));
  std::vector<store::Event> all = existing;
  for (size_t i = 0; i < drafts.size(); ++i) {
    store::Event e;
    e.id = EventId("new-" + std::to_string(i + 1));
    e.patient = patient.id;
    e.type = drafts[i].type;
    e.effective = drafts[i].effective;
    e.recorded_by = by;
    e.corrects = drafts[i].corrects;
    e.payload_json = drafts[i].payload_json;
    all.push_back(std::move(e));
  }
  auto timeline = TimelineFromStore(patient, all);
  if (!timeline) return std::unexpected(RenameDraftLabels(timeline.error()));
  auto a = course::Evaluate(*timeline, kb, as_of, settings);
  if (!a) return std::unexpected(RenameDraftLabels(a.error()));
  return std::move(*a);
}

Result<store::AppendResult> AppendOnce(Api& api, const store::Patient& patient,
                                       int64_t expected_version, const std::string& key,
                                       const UserId& by, std::vector<store::EventDraft> drafts) {
  const int64_t n = static_cast<int64_t>(drafts.size());
  store::AppendRequest req{patient.id, expected_version, key, by, std::move(drafts)};
  auto r = api.store().Append(req);
  if (r || key.empty() || expected_version < n) return r;
  const Error& e = r.error();
  if (e.code != ErrorCode::kAlreadyExists || e.where != "Idempotency-Key") return r;
  // The key is taken. If it was taken by this very request (a retry after the first
  // attempt was stored, so the version has moved on by the drafts' count), the store
  // recognises the same content at the earlier version and replays it.
  req.expected_version = expected_version - n;
  auto replay = api.store().Append(req);
  if (replay && replay->replayed) return replay;
  return r;
}

}  // namespace isocourse::server
