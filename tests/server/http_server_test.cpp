// The HTTP transport on its own (in-process, real sockets on an ephemeral port): a
// handler may answer at once or later from another thread; a handler that throws or
// drops its answer still gets the client a 500 instead of a hung connection; a shutdown
// waits for answers still on their way.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "harness.h"
#include "server/http_server.h"

namespace isocourse::testing {
namespace {

using server::HttpRequest;
using server::HttpRespond;
using server::HttpResponse;
using server::HttpServer;

HttpResponse Text(int status, std::string body) {
  HttpResponse r{static_cast<boost::beast::http::status>(status), 11};
  r.set(boost::beast::http::field::content_type, "text/plain");
  r.body() = std::move(body);
  return r;
}

std::unique_ptr<HttpServer> Start(server::HttpHandler handler) {
  server::HttpServerOptions o;
  o.port = 0;
  o.threads = 2;
  o.handle_signals = false;
  o.shutdown_grace = std::chrono::seconds(5);
  auto s = HttpServer::Start(o, std::move(handler), [](const Error& e) {
    return Text(e.code == ErrorCode::kInternal ? 500 : 400, e.message);
  });
  EXPECT_TRUE(s) << s.error().ToString();
  return s ? std::move(*s) : nullptr;
}

TEST(HttpServer, AnswersNowLaterAndFromAnotherThread) {
  std::vector<std::thread> later;
  auto srv = Start([&](HttpRequest& req, HttpRespond respond) {
    std::string target(req.msg.target());
    if (target == "/now") return respond([] { return Text(200, "now"); });
    // Answered from another thread after the handler returned, as the store's commit
    // callback does; the request must still be readable then.
    later.emplace_back([&req, respond] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::string echoed(req.msg.target());
      respond([echoed] { return Text(200, "later " + echoed); });
    });
  });
  ASSERT_TRUE(srv);
  HttpClient c(srv->port());
  EXPECT_EQ(c.Get("/now").body, "now");
  HttpResult r = c.Get("/later");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "later /later");
  srv->Shutdown();
  srv->Wait();
  for (auto& t : later) t.join();
}

TEST(HttpServer, AHandlerThatThrowsOrDropsItsAnswerStillAnswers500) {
  auto srv = Start([](HttpRequest& req, HttpRespond respond) {
    std::string target(req.msg.target());
    if (target == "/throw") throw std::runtime_error("boom");
    if (target == "/drop") return;  // `respond` goes out of scope unanswered
    if (target == "/builder-throws")
      return respond([]() -> HttpResponse { throw std::runtime_error("no answer"); });
    if (target == "/twice") {
      respond([] { return Text(200, "first"); });
      respond([] { return Text(200, "second"); });
      return;
    }
    respond([] { return Text(200, "ok"); });
  });
  ASSERT_TRUE(srv);
  HttpClient c(srv->port());
  for (const char* path : {"/throw", "/drop", "/builder-throws"}) {
    HttpResult r = c.Get(path);
    EXPECT_EQ(r.status, 500) << path << ": " << r.body;
  }
  EXPECT_EQ(c.Get("/twice").body, "first");
  EXPECT_EQ(c.Get("/fine").body, "ok");  // the server is still serving
  srv->Shutdown();
  srv->Wait();
}

TEST(HttpServer, ShutdownWaitsForAnAnswerOnItsWay) {
  std::thread slow;
  std::atomic<bool> started{false};
  auto srv = Start([&](HttpRequest&, HttpRespond respond) {
    started = true;
    slow = std::thread([respond] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      respond([] { return Text(200, "made it"); });
    });
  });
  ASSERT_TRUE(srv);
  HttpResult r;
  std::thread client([&] { r = HttpClient(srv->port()).Get("/slow"); });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  srv->Shutdown();  // no socket operation is pending: only the answer on its way
  srv->Wait();
  client.join();
  slow.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "made it");
  EXPECT_EQ(r.Header("connection"), "close");
}

}  // namespace
}  // namespace isocourse::testing
