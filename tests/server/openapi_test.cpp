// The OpenAPI document (api/openapi.json) lists exactly the routes the server has,
// with the same methods, and is what /api/openapi.json serves.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "server/api.h"
#include "store/sqlite_store.h"

namespace isocourse::server {
namespace {

namespace json = boost::json;

struct Fixture {
  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "isocourse-oa-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    store = std::move(*store::SqliteStore::Open(dir / "o.db"));
    api = std::make_unique<Api>(*store, ApiOptions{});
  }
  ~Fixture() {
    api.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<Api> api;
};

json::object CheckedInDocument() {
  std::ifstream in(std::string(ISOCOURSE_TEST_SOURCE_DIR) + "/api/openapi.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).as_object();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(OpenApi, EveryRouteIsDocumented) {
  Fixture f;
  json::object doc = CheckedInDocument();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  const json::object& paths = doc.at("paths").as_object();
  for (const Route& r : f.api->router().routes()) {
    std::string method = Lower(boost::beast::http::to_string(r.method));
    SCOPED_TRACE(method + " " + r.pattern);
    auto p = paths.find(r.pattern);
    ASSERT_NE(p, paths.end()) << "route missing from api/openapi.json";
    const json::object& item = p->value().as_object();
    ASSERT_TRUE(item.contains(method)) << "method missing from api/openapi.json";
    const json::object& op = item.at(method).as_object();
    EXPECT_EQ(op.at("summary").as_string(), r.summary) << "summary differs from the route's";
    // Public routes say so; the others require credentials.
    EXPECT_EQ(op.at("security").as_array().empty(), r.access == Access::kPublic);
    // Every {parameter} in the path is declared.
    size_t pos = 0;
    while ((pos = r.pattern.find('{', pos)) != std::string::npos) {
      std::string name = r.pattern.substr(pos + 1, r.pattern.find('}', pos) - pos - 1);
      bool declared = false;
      if (op.contains("parameters")) {
        for (const auto& prm : op.at("parameters").as_array()) {
          const json::object& po = prm.as_object();
          declared = declared || (po.contains("name") && po.at("name").as_string() == name);
        }
      }
      EXPECT_TRUE(declared) << "path parameter " << name << " not declared";
      ++pos;
    }
  }
}

TEST(OpenApi, NothingDocumentedThatDoesNotExist) {
  Fixture f;
  json::object doc = CheckedInDocument();
  std::set<std::string> routes;
  for (const Route& r : f.api->router().routes())
    routes.insert(Lower(boost::beast::http::to_string(r.method)) + " " + r.pattern);
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      EXPECT_TRUE(routes.count(std::string(method) + " " + std::string(path)))
          << method << " " << path << " is documented but not routed";
    }
  }
}

TEST(OpenApi, ServedDocumentIsTheCheckedInOne) {
  Fixture f;
  EXPECT_EQ(json::parse(OpenApiDocument()).as_object(), CheckedInDocument());
}

}  // namespace
}  // namespace isocourse::server
