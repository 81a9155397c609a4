#include "server/api.h"

#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "server/engine_routes.h"
#include "server/errors.h"
#include "store/crypto.h"

namespace isocourse::server {

namespace json = boost::json;

ApiResponse ApiResponse::Json(const json::value& v, int status) {
  ApiResponse r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

namespace {
const std::string kEmpty;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Valid UTF-8 without NUL characters (RFC 3629: no overlongs, no surrogates, up to
// U+10FFFF).
bool IsText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == 0) return false;
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((b & 0xE0) == 0xC0) {
      n = 1;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 2;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 3;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cb & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool SafeMethod(http::verb v) {
  return v == http::verb::get || v == http::verb::head || v == http::verb::options;
}

std::string_view MimeType(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}
}  // namespace

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

const std::string& RequestContext::Param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::optional<std::string> RequestContext::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string_view RequestContext::Header(std::string_view name) const {
  auto it = req.msg.find(name);
  if (it == req.msg.end()) return {};
  return {it->value().data(), it->value().size()};
}

Api::Api(store::Store& store, ApiOptions options)
    : store_(store),
      opt_(std::move(options)),
      accounts_(store),
      started_(std::chrono::steady_clock::now()) {
  RegisterOpsRoutes(*this);
  RegisterAuthRoutes(*this);
  RegisterPatientRoutes(*this);
  RegisterAdminRoutes(*this);
  RegisterContentRoutes(*this);
  RegisterEngineRoutes(*this);
  int n = opt_.blocking_threads > 0
              ? opt_.blocking_threads
              : std::max(32, 8 * static_cast<int>(std::thread::hardware_concurrency()));
  blocking_ = std::make_unique<boost::asio::thread_pool>(static_cast<size_t>(n));
}

Api::~Api() {
  // After a clean shutdown nothing is queued. After the grace period ran out, what is
  // still queued is dropped rather than run with nobody to answer.
  blocking_->stop();
  blocking_->join();
}

double Api::UptimeSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void Api::AuditThis(RequestContext& c, std::string_view action,
                    const std::optional<PatientId>& patient,
                    const std::optional<ClinicId>& clinic) {
  store::AuditDraft d;
  d.actor = c.who ? c.who->id.value() : "anonymous";
  d.role = c.who ? store::RoleName(c.who->role) : "";
  d.action = action;
  d.resource = std::string(http::to_string(c.req.msg.method())) + " " + c.path;
  d.patient = patient;
  d.clinic = clinic;
  d.remote = c.remote;
  d.reason = c.purpose;
  c.audit = std::move(d);
}

Result<store::Patient> Api::AuthorizedPatient(RequestContext& c, PatientAction action,
                                              std::string_view audit_action) {
  std::string id = c.Param("patient_id").substr(0, 100);
  auto p = store_.GetPatient(PatientId(id));
  if (!p) {
    AuditThis(c, audit_action, PatientId(id));
    if (p.error().code == ErrorCode::kNotFound) {
      c.audit->outcome = "not_found";
      return NotFound("patient_id", "no patient " + id);
    }
    return std::unexpected(p.error());
  }
  AuditThis(c, audit_action, p->id, p->clinic);
  if (Status st = AuthorizePatient(*c.who, *p, action); !st) {
    c.audit->outcome = "denied";
    return std::unexpected(st.error());
  }
  return *p;
}

Result<Principal> Api::Authenticate(RequestContext& c) {
  std::string_view auth = c.Header("Authorization");
  if (!auth.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer)
      return MakeError(ErrorCode::kUnauthenticated, "Authorization",
                       "expected 'Authorization: Bearer <token>'");
    return accounts_.FromBearer(auth.substr(kBearer.size()));
  }
  std::string_view cookies = c.Header("Cookie");
  while (!cookies.empty()) {
    size_t semi = cookies.find(';');
    std::string_view part = cookies.substr(0, semi);
    cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > kSessionCookie.size() &&
        part.substr(0, kSessionCookie.size()) == kSessionCookie &&
        part[kSessionCookie.size()] == '=') {
      return accounts_.FromSessionToken(part.substr(kSessionCookie.size() + 1), true);
    }
  }
  return MakeError(ErrorCode::kUnauthenticated, "credentials",
                   "log in first: send the session cookie or an 'Authorization: Bearer' token");
}

std::optional<ApiResponse> Api::ServeStatic(const HttpRequest& req, std::string_view path) {
  (void)req;
  if (opt_.static_dir.empty()) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::is_directory(opt_.static_dir, ec)) return std::nullopt;
  std::string rel = UrlDecode(path, false);
  // No way out of the directory: refuse dot segments and backslashes outright.
  if (rel.find("..") != std::string::npos || rel.find('\\') != std::string::npos ||
      rel.find('\0') != std::string::npos)
    return std::nullopt;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  std::filesystem::path file = opt_.static_dir / rel;
  if (rel.empty() || std::filesystem::is_directory(file, ec)) file /= "index.html";
  if (!std::filesystem::is_regular_file(file, ec)) {
    // A client-side route of the single-page app: serve its shell.
    if (std::filesystem::path(rel).has_extension()) return std::nullopt;
    file = opt_.static_dir / "index.html";
    if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  ApiResponse r;
  r.content_type = MimeType(file);
  r.body = ss.str();
  r.headers.emplace_back("Cache-Control",
                         file.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
  return r;
}

Result<ApiResponse> Api::Dispatch(RequestContext& c, Result<RouteMatch> m, const Route*& route) {
  if (!m) {
    if (m.error().code == ErrorCode::kNotFound && SafeMethod(c.req.msg.method()) &&
        c.req.msg.method() != http::verb::options && c.path.rfind("/api/", 0) != 0) {
      if (auto s = ServeStatic(c.req, c.path)) return *s;
    }
    return std::unexpected(m.error());
  }
  route = m->route;
  c.params = std::move(m->params);
  if (route->access != Access::kPublic) {
    ISO_ASSIGN_OR_RETURN(c.who, Authenticate(c));
    // Browsers send cookies on their own; a write must also prove it came from our
    // page by echoing the session's CSRF token (SameSite=Strict is the first wall).
    if (c.who->via_cookie && !SafeMethod(c.req.msg.method()) &&
        c.Header(kCsrfHeader) != c.who->csrf_token) {
      return MakeError(ErrorCode::kPermissionDenied, std::string(kCsrfHeader),
                       "a write with the session cookie needs the X-CSRF-Token header from the "
                       "login response");
    }
  }
  return route->handler(c);
}

HttpResponse Api::ToHttp(const HttpRequest& req, ApiResponse r) {
  HttpResponse res{static_cast<http::status>(r.status), req.msg.version()};
  res.set(http::field::server, "isocourse");
  res.set(http::field::content_type, r.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  bool has_cache = false;
  for (auto& [k, v] : r.headers) {
    if (k == "Cache-Control") has_cache = true;
    res.insert(k, v);
  }
  if (!has_cache) res.set(http::field::cache_control, "no-store");
  res.body() = std::move(r.body);  // HEAD: the server sends the length, not the body
  return res;
}

HttpResponse Api::TransportError(const Error& e) {
  HttpRequest dummy;
  ApiResponse r = ApiResponse::Json(ProblemFor(e, ""), HttpStatusFor(e));
  r.content_type = "application/problem+json";
  metrics_.Observe("-", "(unreadable request)", r.status, 0);
  opt_.logger.Warn("request rejected", {{"status", r.status}, {"reason", e.message}});
  return ToHttp(dummy, std::move(r));
}

// What a request carries from its route to its answer, which may be built on another
// thread once the audit entry is durable.
struct Api::InFlight {
  InFlight(HttpRequest& r, Metrics& m)
      : c{r, {}, {}, {}, std::nullopt, store::RandomToken(9), r.remote, "treatment", std::nullopt},
        metrics(m) {
    metrics.InFlight(1);
  }
  // However the request ends (also when an answer is lost), the gauge goes down.
  ~InFlight() { metrics.InFlight(-1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  RequestContext c;
  Metrics& metrics;
  const Route* route = nullptr;
  Result<ApiResponse> result;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
};

void Api::Handle(HttpRequest& req, HttpRespond respond) {
  auto f = std::make_shared<InFlight>(req, metrics_);
  RequestContext& c = f->c;
  Result<RouteMatch> m;
  try {
    std::string_view target(req.msg.target().data(), req.msg.target().size());
    size_t qpos = target.find('?');
    c.path = UrlDecode(target.substr(0, qpos), false);
    if (qpos != std::string_view::npos) {
      std::string_view q = target.substr(qpos + 1);
      while (!q.empty()) {
        size_t amp = q.find('&');
        std::string_view kv = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
        size_t eq = kv.find('=');
        std::string key = UrlDecode(kv.substr(0, eq), true);
        std::string value = eq == std::string_view::npos ? "" : UrlDecode(kv.substr(eq + 1), true);
        if (!key.empty()) c.query[key] = value;
      }
    }

    // Decoded path and query must be text: a NUL or invalid UTF-8 ("%00", "%FF") is
    // refused here, before it reaches a lookup, an audit entry or a database.
    std::string_view bad_in;
    if (!IsText(c.path)) bad_in = "path";
    for (const auto& [k, v] : c.query) {
      if (bad_in.empty() && !IsText(k)) bad_in = "query";  // a name we cannot echo back
      if (bad_in.empty() && !IsText(v)) bad_in = k;
    }
    if (!bad_in.empty()) {
      if (bad_in == "path") c.path.clear();  // not echoed back as the problem's instance
      f->result = InvalidArgument(std::string(bad_in),
                                  "contains a NUL character or bytes that are not UTF-8");
      return respond([this, f] { return Finish(*f); });
    }

    std::string_view purpose = c.Header(kPurposeHeader);
    bool purpose_ok = purpose.size() <= 64;
    for (char ch : purpose) {
      purpose_ok = purpose_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ||
                                  ch == '-' || ch == '.' || ch == ' ');
    }
    if (!purpose_ok) {
      f->result = InvalidArgument(std::string(kPurposeHeader),
                                  "use up to 64 letters, digits, spaces, '.', '_' or '-'");
      return respond([this, f] { return Finish(*f); });
    }
    if (!purpose.empty()) c.purpose = purpose;
    m = router_.Match(req.msg.method(), c.path);
  } catch (const std::exception& ex) {
    f->result =
        MakeError(ErrorCode::kInternal, "server", std::string("unhandled exception: ") + ex.what());
    return respond([this, f] { return Finish(*f); });
  }
  if (m && m->route->Blocking()) {
    boost::asio::post(*blocking_, [this, f = std::move(f), m = std::move(m),
                                   respond = std::move(respond)]() mutable {
      try {
        Run(std::move(f), std::move(m), std::move(respond));
      } catch (...) {
        // Nothing may escape a pool thread. A request whose HttpRespond is dropped
        // unanswered gets a 500 from the server.
      }
    });
    return;
  }
  Run(std::move(f), std::move(m), std::move(respond));
}

void Api::Run(std::shared_ptr<InFlight> f, Result<RouteMatch> m, HttpRespond respond) {
  RequestContext& c = f->c;
  try {
    f->result = Dispatch(c, std::move(m), f->route);
  } catch (const std::exception& ex) {
    f->result =
        MakeError(ErrorCode::kInternal, "server", std::string("unhandled exception: ") + ex.what());
  } catch (...) {
    f->result = MakeError(ErrorCode::kInternal, "server", "unhandled exception");
  }
  if (!c.audit) return respond([this, f] { return Finish(*f); });
  // No answer before its audit entry is durable. The request waits for the store's
  // group commit without holding a thread; the answer is built on a server thread.
  if (c.audit->outcome.empty())
    c.audit->outcome = f->result ? "ok" : ErrorCodeName(f->result.error().code);
  store_.AppendAuditAsync(*c.audit, [this, f, respond = std::move(respond)](Status written) {
    respond([this, f, written = std::move(written)] {
      if (!written) {
        opt_.logger.Error("audit write failed",
                          {{"request_id", f->c.request_id}, {"error", written.error().message}});
        // No audit entry, no patient data: fail closed.
        f->result = MakeError(ErrorCode::kUnavailable, "audit",
                              "the audit log could not be written, so the request was refused; "
                              "retry later");
      }
      return Finish(*f);
    });
  });
}

HttpResponse Api::HandleAndWait(HttpRequest& req) {
  auto built = std::make_shared<std::promise<HttpResponseBuilder>>();
  auto answer = built->get_future();
  Handle(req, [built](HttpResponseBuilder b) { built->set_value(std::move(b)); });
  return answer.get()();
}

HttpResponse Api::Finish(InFlight& f) {
  RequestContext& c = f.c;
  Result<ApiResponse>& result = f.result;
  ApiResponse out;
  if (result) {
    out = std::move(*result);
  } else {
    const Error& e = result.error();
    out = ApiResponse::Json(ProblemFor(e, c.path), HttpStatusFor(e));
    out.content_type = "application/problem+json";
    if (e.code == ErrorCode::kUnauthenticated)
      out.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"isocourse\"");
    if (e.code == ErrorCode::kInternal || e.code == ErrorCode::kUnavailable) {
      opt_.logger.Error("request failed", {{"request_id", c.request_id},
                                           {"code", ErrorCodeName(e.code)},
                                           {"where", e.where},
                                           {"error", e.message}});
    }
  }
  out.headers.emplace_back("X-Request-Id", c.request_id);

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - f.t0).count();
  std::string_view label =
      f.route ? std::string_view(f.route->pattern) : (result ? "(static)" : "(unmatched)");
  std::string_view method = http::to_string(c.req.msg.method());
  metrics_.Observe(method, label, out.status, secs);
  if (opt_.logger.Enabled(LogLevel::kInfo)) {
    json::object line{{"request_id", c.request_id},
                      {"method", method},
                      {"route", label},
                      {"status", out.status},
                      {"duration_us", static_cast<int64_t>(secs * 1e6)}};
    if (c.who) line["user"] = c.who->id.value();
    opt_.logger.Info("request", std::move(line));
  }
  return ToHttp(c.req, std::move(out));
}

}  // namespace isocourse::server
