// File: pg_test_db.h (tests only)
//
// A fresh, uniquely named database on the throwaway PostgreSQL server that CTest
// starts for tests declared with isocourse_test(... POSTGRES ...) (the `postgres`
// fixture: tests/support/pg_server.sh). Created on construction, dropped (with any
// connection still open to it) on destruction.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <string>

namespace isocourse::testing {

class PgTestDb {
 public:
  PgTestDb() {
    static std::atomic<int> counter{0};
    name_ = "isocourse_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
            std::to_string(std::random_device{}() % 100000);
    error_ = Admin("CREATE DATABASE " + name_);
    if (!error_.empty()) name_.clear();
  }
  ~PgTestDb() {
    if (!name_.empty()) (void)Admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  PgTestDb(const PgTestDb&) = delete;
  PgTestDb& operator=(const PgTestDb&) = delete;

  // Empty when the database was created; else why not (the test should fail with it).
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  // libpq key=value form and URL form of the same database.
  std::string conninfo() const { return Base() + " dbname=" + name_; }
  std::string url() const {
    return "postgresql:///" + name_ + "?host=" + std::string(ISOCOURSE_TEST_PG_DIR) +
           "&port=" + ISOCOURSE_TEST_PG_PORT + "&user=postgres";
  }
  // Runs SQL on this database behind the store's back; "" or the server's error.
  std::string Exec(const std::string& sql) const { return Run(conninfo(), sql); }
  // The first column of the first row of `sql` ("" when none), or "ERROR: ...".
  std::string Value(const std::string& sql) const {
    std::string value;
    std::string err = Run(conninfo(), sql, &value);
    return err.empty() ? value : "ERROR: " + err;
  }

 private:
  static std::string Base() {
    return "host=" + std::string(ISOCOURSE_TEST_PG_DIR) + " port=" + ISOCOURSE_TEST_PG_PORT +
           " user=postgres";
  }
  static std::string Admin(const std::string& sql) { return Run(Base() + " dbname=postgres", sql); }
  static std::string Run(const std::string& conninfo, const std::string& sql,
                         std::string* value = nullptr) {
    PGconn* c = PQconnectdb(conninfo.c_str());
    std::string err;
    if (PQstatus(c) != CONNECTION_OK) {
      err = std::string(
                "cannot connect to the test PostgreSQL server (is the CTest fixture "
                "'postgres' running? tests/support/pg_server.sh): ") +
            PQerrorMessage(c);
    } else {
      PQsetNoticeProcessor(
          c, [](void*, const char*) {}, nullptr);
      PGresult* r = PQexec(c, sql.c_str());
      ExecStatusType st = PQresultStatus(r);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) err = PQresultErrorMessage(r);
      if (value && st == PGRES_TUPLES_OK && PQntuples(r) > 0) *value = PQgetvalue(r, 0, 0);
      PQclear(r);
    }
    PQfinish(c);
    return err;
  }

  std::string name_;
  std::string error_;
};

}  // namespace isocourse::testing
