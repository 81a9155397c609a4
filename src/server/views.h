// File: views.h
//
// The JSON shapes of store records in API responses (documented in api/openapi.json).
#pragma once

#include <boost/json/object.hpp>

#include "core/knowledge/knowledge.h"
#include "server/accounts.h"
#include "store/articles.h"
#include "store/store.h"

namespace isocourse::server {

boost::json::object ClinicJson(const store::Clinic& c);
boost::json::object PatientJson(const store::Patient& p);
// The stored event with its envelope: {"seq", "recorded_at", "hash", "prev_hash",
// "event": {timeline-format event}}.
boost::json::object StoredEventJson(const store::Event& e);
boost::json::object UserJson(const store::User& u);
boost::json::object PrincipalJson(const Principal& p);
boost::json::object TokenJson(const store::ApiToken& t);
boost::json::object AuditJson(const store::AuditEntry& a);
// With `kb`, each source also carries the title and url from knowledge/sources.yaml.
boost::json::object ArticleJson(const store::Article& a, bool with_body,
                                const KnowledgeBase* kb = nullptr);

}  // namespace isocourse::server
