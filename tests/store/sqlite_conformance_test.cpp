// The Store contract (store_conformance.h) on SQLite, on a real file in a temporary
// directory.
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

#include "store/sqlite_store.h"
#include "store_conformance.h"

namespace isocourse::store {

namespace fs = std::filesystem;

// Outside the anonymous namespace: CTest names the typed tests after it.
class SqliteBackend {
 public:
  SqliteBackend() {
    std::string tmpl = (fs::temp_directory_path() / "isocourse-conf-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  ~SqliteBackend() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Result<std::unique_ptr<Store>> Open() {
    auto s = SqliteStore::Open(dir_ / "test.db");
    if (!s) return std::unexpected(s.error());
    return std::unique_ptr<Store>(std::move(*s));
  }
  std::string Exec(const std::string& sql) { return Run(sql, nullptr); }
  std::string Value(const std::string& sql) {
    std::string v;
    std::string err = Run(sql, &v);
    return err.empty() ? v : "ERROR: " + err;
  }
  static std::string DropTrigger(std::string_view trigger, std::string_view) {
    return "DROP TRIGGER " + std::string(trigger);
  }

 private:
  std::string Run(const std::string& sql, std::string* value) {
    sqlite3* h = nullptr;
    if (sqlite3_open((dir_ / "test.db").c_str(), &h) != SQLITE_OK) return "cannot open";
    sqlite3_busy_timeout(h, 10000);
    char* err = nullptr;
    auto first_value = [](void* out, int, char** values, char**) {
      auto* v = static_cast<std::string*>(out);
      if (v && v->empty() && values[0]) *v = values[0];
      return 0;
    };
    int rc = sqlite3_exec(h, sql.c_str(), first_value, value, &err);
    std::string msg = rc == SQLITE_OK ? "" : (err ? err : "error");
    sqlite3_free(err);
    sqlite3_close(h);
    return msg;
  }

  fs::path dir_;
};

namespace {
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreConformance, SqliteBackend);
}  // namespace

}  // namespace isocourse::store
