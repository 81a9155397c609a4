// Test harness: runs the real `isocourse serve` binary on an ephemeral port against a
// real SQLite file in a temporary directory, and talks HTTP to it.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace isocourse::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json;  // parsed body when it is JSON, else null
  std::string Header(const std::string& name) const;
  // "detail" / "where" of a problem+json body.
  std::string Detail() const;
  std::string Where() const;
};

struct Credentials {
  std::string bearer;  // session or API token for Authorization: Bearer
  std::string cookie;  // "isocourse_session=..." for cookie auth
  std::string csrf;
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  // One request on a fresh connection. status 0 when the connection failed.
  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  HttpResult Get(const std::string& target, const Credentials& c = {}) const;
  HttpResult Post(const std::string& target, const std::string& body, const Credentials& c = {},
                  std::vector<std::pair<std::string, std::string>> headers = {}) const;
  HttpResult Put(const std::string& target, const std::string& body,
                 const Credentials& c = {}) const;
  HttpResult Delete(const std::string& target, const Credentials& c = {}) const;
  // Logs in; bearer credentials (token in the Authorization header).
  Credentials Login(const std::string& user, const std::string& password) const;

 private:
  static std::vector<std::pair<std::string, std::string>> Auth(const Credentials& c);
  int port_;
};

struct ServerOptions {
  std::filesystem::path db;
  std::vector<std::string> extra_args;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions opt) : opt_(std::move(opt)) {}
  ~ServerProcess();
  // Starts the binary and waits for "isocourse serving on URL". false on failure.
  bool Start();
  // SIGTERM and wait; returns the exit status (-1 if it had to be killed).
  int Stop();
  // SIGKILL and wait.
  void Kill();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The one-time admin password printed on first start (empty otherwise).
  const std::string& admin_password() const { return admin_password_; }
  const std::string& stdout_text() const { return out_; }
  HttpClient client() const { return HttpClient(port_); }

 private:
  ServerOptions opt_;
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::string out_;
  std::string admin_password_;
};

// Path of the isocourse binary under test.
std::string Binary();

}  // namespace isocourse::testing

namespace isocourse::testing {

// A running server with two clinics and a user of every role:
//   clinic A (US): dr_a (prescriber), staff_a, pharm_a, patient_a (login of patient p1)
//   clinic B (EU): dr_b (prescriber); patient p2
// Each patient has one weight event.
struct World {
  TempDir dir;
  std::string db;  // the server's --db; empty = a SQLite file in `dir`
  std::unique_ptr<ServerProcess> server;
  Credentials admin, dr_a, staff_a, pharm_a, patient_a, dr_b;
  std::string admin_id, dr_a_id, staff_a_id, pharm_a_id, patient_a_id, dr_b_id;
  std::string clinic_a, clinic_b;
  std::string p1, p2;                    // patient ids (p1 in clinic A, p2 in clinic B)
  std::string p1_event, p2_event;        // their first event ids
  std::string p2_family = "Zyxwvutson";  // must never appear in a response to clinic A
  int64_t audit_seq = 0;                 // last audit entry seen by NewAudit()

  // Starts the server and creates everything; ADD_FAILURE on any problem.
  bool Setup(std::vector<std::string> extra_args = {});
  HttpClient client() const { return server->client(); }
  // Audit entries written since the last call (excluding the admin's own audit reads).
  std::vector<boost::json::object> NewAudit();
};

}  // namespace isocourse::testing
