// HTTP load test of the API, closed loop, keep-alive connections, same machine.
//
// Starts the real server in-process (Api + HttpServer on an ephemeral port, a fresh
// SQLite file), seeds a clinic, a user and a patient, then for each scenario runs
// `--connections` client threads for `--seconds` and prints requests/s and latency
// percentiles. Scenarios:
//   healthz        GET /healthz (the baseline: transport only)
//   patient.read   GET /api/v1/patients/{id} (bearer auth, authorization, durable audit entry)
//   events.append  POST /api/v1/patients/{id}/events (codec validation, durable commit)
//   dispense.check POST /api/v1/dispense/check as a pharmacist on demo patients (course
//                  engine, durable audit); only with --dispense
// The client threads share the machine with the server, as wrk would; see
// docs/performance.md for recorded runs.
//
//   build/release/bench/bench_http --connections 32 --seconds 5 [--no-validate] [--dispense]
#include <stdlib.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "server/api.h"
#include "server/demo.h"
#include "server/http_server.h"
#include "store/knowledge_files.h"
#include "store/sqlite_store.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace isocourse;

namespace {

struct Scenario {
  std::string name;
  http::verb method;
  std::function<std::string(int thread)> target;
  std::function<std::string(int thread, int64_t i, int64_t& version)> body;  // empty = none
};

struct Stats {
  std::vector<double> latencies_us;
  int64_t errors = 0;
};

Stats RunClient(uint16_t port, const Scenario& s, const std::string& token, int thread,
                std::chrono::steady_clock::time_point until) {
  Stats st;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  beast::flat_buffer buffer;
  int64_t version = 0;
  for (int64_t i = 0; std::chrono::steady_clock::now() < until; ++i) {
    http::request<http::string_body> req{s.method, s.target(thread), 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (s.body) {
      req.set(http::field::content_type, "application/json");
      req.body() = s.body(thread, i, version);
      req.prepare_payload();
    }
    auto t0 = std::chrono::steady_clock::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    auto t1 = std::chrono::steady_clock::now();
    st.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    if (res.result_int() >= 300) {
      ++st.errors;
    } else if (s.body) {
      boost::system::error_code ec;
      json::value v = json::parse(res.body(), ec);
      if (!ec && v.is_object()) {
        if (const json::value* ver = v.as_object().if_contains("version"); ver && ver->is_int64())
          version = ver->as_int64();
      }
    }
  }
  return st;
}

void Run(uint16_t port, const Scenario& s, const std::string& token, int connections,
         double seconds) {
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(seconds));
  std::vector<Stats> per(connections);
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] { per[c] = RunClient(port, s, token, c, until); });
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<double> all;
  int64_t errors = 0;
  for (auto& p : per) {
    all.insert(all.end(), p.latencies_us.begin(), p.latencies_us.end());
    errors += p.errors;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double q) {
    if (all.empty()) return 0.0;
    return all[std::min(all.size() - 1, static_cast<size_t>(q * static_cast<double>(all.size())))];
  };
  std::printf(
      "%-14s %4d conns  %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  errors %lld\n",
      s.name.c_str(), connections, static_cast<double>(all.size()) / elapsed, pct(0.50) / 1000,
      pct(0.99) / 1000, all.empty() ? 0 : all.back() / 1000, static_cast<long long>(errors));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 32;
  double seconds = 3;
  int threads = 0;
  bool validate = true;
  bool dispense = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-validate")) validate = false;
    if (!std::strcmp(argv[i], "--dispense")) dispense = true;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  const char* base = std::getenv("ISOCOURSE_BENCH_DIR");
  std::string tmpl =
      (std::filesystem::path(base ? base : "/tmp") / "isocourse-http-XXXXXX").string();
  std::filesystem::path dir = mkdtemp(tmpl.data());
  auto kb = store::LoadKnowledgeDir(ISOCOURSE_BENCH_KNOWLEDGE_DIR);
  if (!kb) {
    std::fprintf(stderr, "knowledge: %s\n", kb.error().ToString().c_str());
    return 1;
  }
  {
    auto st = std::move(*store::SqliteStore::Open(dir / "http.db"));
    // The dispense check as a pharmacist on demo patients with a prescription.
    auto today = Date::FromDays(
        static_cast<int>(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())
                             .time_since_epoch()
                             .count()));
    // Seeded first: the demo needs an empty database.
    auto demo = server::SeedDemo(*st, today, 40);
    server::ApiOptions opt;
    opt.knowledge = &*kb;
    opt.logger = server::Logger(server::LogLevel::kInfo, false);
    // --no-validate: skip the timeline codec, to see what validation costs.
    if (!validate) opt.validator = nullptr;
    server::Api api(*st, std::move(opt));
    server::Accounts accounts(*st);
    auto clinic = st->CreateClinic(store::Clinic{ClinicId(), "Bench", "US", ""});
    (void)accounts.Create(server::NewAccount{"bench", "", store::Role::kStaff, clinic->id,
                                             std::nullopt, "bench-password-1"});
    auto login = accounts.Login("bench", "bench-password-1");
    auto patient = st->CreatePatient(store::NewPatient{
        clinic->id, "B", "M", Date::FromYmd(2000, 1, 1), "female", "", login->who.id});
    std::vector<PatientId> per_thread;
    for (int c = 0; c < connections; ++c)
      per_thread.push_back(
          st->CreatePatient(store::NewPatient{clinic->id, "B", "M", Date::FromYmd(2000, 1, 1),
                                              "female", "", login->who.id})
              ->id);

    server::HttpServerOptions hopt;
    hopt.port = 0;
    hopt.threads = threads;
    hopt.handle_signals = false;
    auto srv = server::HttpServer::Start(
        hopt,
        [&api](server::HttpRequest& r, server::HttpRespond respond) {
          api.Handle(r, std::move(respond));
        },
        [&api](const Error& e) { return api.TransportError(e); });
    if (!srv) {
      std::fprintf(stderr, "%s\n", srv.error().ToString().c_str());
      return 1;
    }
    uint16_t port = (*srv)->port();
    std::printf("server %s, %d connections, %.1f s per scenario, %u cores\n", (*srv)->url().c_str(),
                connections, seconds, std::thread::hardware_concurrency());
    Run(port, {"healthz", http::verb::get, [](int) { return std::string("/healthz"); }, {}}, "",
        connections, seconds);
    std::string one = "/api/v1/patients/" + patient->id.value();
    Run(port, {"patient.read", http::verb::get, [&](int) { return one; }, {}}, login->session_token,
        connections, seconds);
    // Each connection appends to its own patient, so there are no write conflicts.
    Run(port,
        {"events.append", http::verb::post,
         [&](int c) { return "/api/v1/patients/" + per_thread[c].value() + "/events"; },
         [](int, int64_t i, int64_t& version) {
           return R"({"expected_version": )" + std::to_string(version) +
                  R"(, "events": [{"type": "weight", "date": "2026-01-)" +
                  std::to_string(10 + i % 18) + R"(", "kg": 61.5}]})";
         }},
        login->session_token, connections, seconds);
    if (!demo) {
      std::fprintf(stderr, "demo: %s\n", demo.error().ToString().c_str());
    } else {
      auto pharm = accounts.Login("pharm.us", server::kDemoPassword);
      std::vector<std::string> bodies;
      auto patients =
          st->ListPatients(store::PatientQuery{std::nullopt, "", std::nullopt, 0, 1000});
      for (const auto& p : patients.value_or(std::vector<store::Patient>{})) {
        auto home = st->GetClinic(p.clinic);
        if (!home || home->jurisdiction != "US") continue;
        std::string rx;
        auto events = st->ReadEvents(p.id);
        for (const auto& e : events.value_or(std::vector<store::Event>{}))
          if (e.type == "prescription") rx = e.id.value();
        if (!rx.empty())
          bodies.push_back(R"({"patient_id": ")" + p.id.value() + R"(", "prescription_id": ")" +
                           rx + R"("})");
      }
      if (dispense && pharm && !bodies.empty()) {
        Run(port,
            {"dispense.check", http::verb::post,
             [](int) { return std::string("/api/v1/dispense/check"); },
             [&bodies](int c, int64_t i, int64_t&) {
               return bodies[static_cast<size_t>(c + i) % bodies.size()];
             }},
            pharm->session_token, connections, seconds);
      }
    }
    store::StoreStats s = st->Stats();
    std::printf("store: %llu commits, %llu writes (%.1f writes per commit)\n",
                static_cast<unsigned long long>(s.commits),
                static_cast<unsigned long long>(s.writes),
                s.commits ? static_cast<double>(s.writes) / static_cast<double>(s.commits) : 0);
    (*srv)->Shutdown();
    (*srv)->Wait();
  }
  std::filesystem::remove_all(dir);
  return 0;
}
