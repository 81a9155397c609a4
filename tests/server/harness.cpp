#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstring>
#include <regex>
#include <thread>

namespace isocourse::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "isocourse-srv-XXXXXX").string();
  path_ = mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string Binary() {
  if (const char* b = std::getenv("ISOCOURSE_TEST_BIN_OVERRIDE")) return b;
  return ISOCOURSE_TEST_BIN;
}

std::string HttpResult::Header(const std::string& name) const {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(lower);
  return it == headers.end() ? "" : it->second;
}

std::string HttpResult::Detail() const {
  if (!json.is_object() || !json.as_object().contains("detail")) return "";
  return std::string(json.as_object().at("detail").as_string());
}

std::string HttpResult::Where() const {
  if (!json.is_object() || !json.as_object().contains("where")) return "";
  return std::string(json.as_object().at("where").as_string());
}

HttpResult HttpClient::Request(
    const std::string& method, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  HttpResult out;
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                          static_cast<unsigned short>(port_)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") {
      if (req.find(http::field::content_type) == req.end())
        req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    if (method == "HEAD") parser.skip(true);  // the answer has headers only
    http::read(stream, buffer, parser);
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    boost::system::error_code ec;
    auto v = json::parse(out.body, ec);
    if (!ec) out.json = v;
    beast::error_code ignore;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignore);
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> HttpClient::Auth(const Credentials& c) {
  std::vector<std::pair<std::string, std::string>> h;
  if (!c.bearer.empty()) h.emplace_back("Authorization", "Bearer " + c.bearer);
  if (!c.cookie.empty()) h.emplace_back("Cookie", c.cookie);
  if (!c.csrf.empty()) h.emplace_back("X-CSRF-Token", c.csrf);
  return h;
}

HttpResult HttpClient::Get(const std::string& target, const Credentials& c) const {
  return Request("GET", target, "", Auth(c));
}

HttpResult HttpClient::Post(const std::string& target, const std::string& body,
                            const Credentials& c,
                            std::vector<std::pair<std::string, std::string>> headers) const {
  auto h = Auth(c);
  h.insert(h.end(), headers.begin(), headers.end());
  return Request("POST", target, body, h);
}

HttpResult HttpClient::Put(const std::string& target, const std::string& body,
                           const Credentials& c) const {
  return Request("PUT", target, body, Auth(c));
}

HttpResult HttpClient::Delete(const std::string& target, const Credentials& c) const {
  return Request("DELETE", target, "", Auth(c));
}

Credentials HttpClient::Login(const std::string& user, const std::string& password) const {
  json::object body{{"username", user}, {"password", password}};
  HttpResult r = Post("/api/v1/auth/login", json::serialize(body));
  Credentials c;
  if (r.status == 200 && r.json.is_object())
    c.bearer = std::string(r.json.as_object().at("token").as_string());
  return c;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
  if (out_fd_ >= 0) close(out_fd_);
}

bool ServerProcess::Start() {
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
  int pipefd[2];
  if (pipe(pipefd) != 0) return false;
  std::vector<std::string> args = {Binary(),         "serve",   "--port",           "0", "--db",
                                   opt_.db.string(), "--quiet", "--shutdown-grace", "5"};
  args.insert(args.end(), opt_.extra_args.begin(), opt_.extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  out_fd_ = pipefd[0];
  out_.clear();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  static const std::regex kUrl("isocourse serving on http://127\\.0\\.0\\.1:(\\d+)");
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) > 0) {
      char buf[4096];
      ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      out_.append(buf, static_cast<size_t>(n));
      std::smatch m;
      if (std::regex_search(out_, m, kUrl)) {
        port_ = std::stoi(m[1]);
        static const std::regex kPw("one-time password\\s+([a-z0-9-]+)");
        std::smatch pm;
        if (std::regex_search(out_, pm, kPw)) admin_password_ = pm[1];
        return true;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
  }
  return false;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
}

}  // namespace isocourse::testing

namespace isocourse::testing {

namespace {
std::string Str(const json::value& v, const char* key) {
  if (!v.is_object() || !v.as_object().contains(key) || !v.as_object().at(key).is_string())
    return "";
  return std::string(v.as_object().at(key).as_string());
}
}  // namespace

bool World::Setup(std::vector<std::string> extra_args) {
  std::filesystem::path db_arg = db.empty() ? dir.path() / "world.db" : std::filesystem::path(db);
  server = std::make_unique<ServerProcess>(ServerOptions{db_arg, extra_args});
  if (!server->Start()) {
    ADD_FAILURE() << "server did not start: " << server->stdout_text();
    return false;
  }
  HttpClient c = client();
  if (server->admin_password().empty()) {
    ADD_FAILURE() << "no one-time admin password printed: " << server->stdout_text();
    return false;
  }
  admin = c.Login("admin", server->admin_password());
  if (admin.bearer.empty()) {
    ADD_FAILURE() << "admin login failed";
    return false;
  }
  auto post = [&](const Credentials& who, const std::string& target, json::object body) {
    HttpResult r = c.Post(target, json::serialize(body), who);
    if (r.status != 201) ADD_FAILURE() << target << " -> " << r.status << " " << r.body;
    return r.json;
  };
  clinic_a =
      Str(post(admin, "/api/v1/clinics", {{"name", "Clinic A"}, {"jurisdiction", "US"}}), "id");
  clinic_b =
      Str(post(admin, "/api/v1/clinics", {{"name", "Clinic B"}, {"jurisdiction", "EU"}}), "id");
  const std::string pw = "test-password-123";
  auto user = [&](const char* name, const char* role, const std::string& clinic,
                  const std::string& patient, Credentials& creds, std::string& id) {
    json::object b{{"username", name}, {"role", role}, {"password", pw}, {"clinic_id", clinic}};
    if (!patient.empty()) b["patient_id"] = patient;
    id = Str(post(admin, "/api/v1/users", b), "id");
    creds = c.Login(name, pw);
    if (creds.bearer.empty()) ADD_FAILURE() << "login failed for " << name;
  };
  user("dr_a", "prescriber", clinic_a, "", dr_a, dr_a_id);
  user("staff_a", "staff", clinic_a, "", staff_a, staff_a_id);
  user("pharm_a", "pharmacist", clinic_a, "", pharm_a, pharm_a_id);
  user("dr_b", "prescriber", clinic_b, "", dr_b, dr_b_id);
  p1 = Str(post(dr_a, "/api/v1/patients",
                {{"given_name", "Ana"},
                 {"family_name", "Rivera"},
                 {"birth_date", "2001-03-04"},
                 {"sex", "female"}}),
           "id");
  p2 = Str(post(dr_b, "/api/v1/patients",
                {{"given_name", "Bea"},
                 {"family_name", p2_family},
                 {"birth_date", "1999-09-09"},
                 {"sex", "female"}}),
           "id");
  user("patient_a", "patient", clinic_a, p1, patient_a, patient_a_id);
  auto first_event = [&](const Credentials& who, const std::string& p) {
    json::value r = post(
        who, "/api/v1/patients/" + p + "/events",
        {{"expected_version", 0},
         {"events",
          json::array{json::object{{"type", "weight"}, {"date", "2026-01-05"}, {"kg", 61.5}}}}});
    try {
      return std::string(r.at("events").at(0).at("event").at("id").as_string());
    } catch (...) {
      return std::string();
    }
  };
  p1_event = first_event(dr_a, p1);
  p2_event = first_event(dr_b, p2);
  NewAudit();  // start the audit cursor after the setup
  admin_id = Str(c.Get("/api/v1/auth/me", admin).json.at("user"), "id");
  return !::testing::Test::HasFailure();
}

std::vector<json::object> World::NewAudit() {
  std::vector<json::object> out;
  HttpResult r = client().Get("/api/v1/audit?limit=1000&after=" + std::to_string(audit_seq), admin);
  if (r.status != 200) {
    ADD_FAILURE() << "audit list failed: " << r.status << " " << r.body;
    return out;
  }
  for (const auto& item : r.json.at("items").as_array()) {
    const json::object& o = item.as_object();
    audit_seq = std::max(audit_seq, o.at("seq").as_int64());
    if (o.at("action").as_string() == "audit.read") continue;
    out.push_back(o);
  }
  return out;
}

}  // namespace isocourse::testing
