// Patient education articles (knowledge/articles/*.md). Not patient data: public.
#include "server/api.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;

void RegisterContentRoutes(Api& api) {
  api.router().Add({http::verb::get, "/api/v1/articles", Access::kPublic,
                    "List education articles (optional tag, jurisdiction)",
                    [&api](RequestContext& c) -> Result<ApiResponse> {
                      auto tag = c.Query("tag");
                      auto jurisdiction = c.Query("jurisdiction");
                      json::array items;
                      for (const auto& a : api.options().articles) {
                        if (tag && std::find(a.tags.begin(), a.tags.end(), *tag) == a.tags.end())
                          continue;
                        if (jurisdiction && !a.jurisdiction.empty() &&
                            a.jurisdiction != *jurisdiction)
                          continue;
                        items.push_back(ArticleJson(a, false));
                      }
                      return ApiResponse::Json(json::object{{"items", std::move(items)}});
                    }});
  api.router().Add({http::verb::get, "/api/v1/articles/{article_id}", Access::kPublic,
                    "One education article with its Markdown body and sources",
                    [&api](RequestContext& c) -> Result<ApiResponse> {
                      const std::string& id = c.Param("article_id");
                      for (const auto& a : api.options().articles) {
                        // Accept "article.mood" and the file name "mood".
                        if (a.id == id || a.id == "article." + id)
                          return ApiResponse::Json(ArticleJson(a, true, api.options().knowledge));
                      }
                      return NotFound("article_id", "no article " + id.substr(0, 100));
                    }});
}

}  // namespace isocourse::server
