// File: http_server.h
//
// The HTTP/1.1 transport (Boost.Beast on a multi-threaded Asio io_context): accepts
// connections, reads requests with size limits and timeouts, keeps connections alive,
// hands each request to one handler function and writes its response. A handler may
// answer later (e.g. once a durable audit commit is done) without holding a thread.
//
// Graceful shutdown (Shutdown(), or SIGTERM/SIGINT when handle_signals is set): stop
// accepting, close idle keep-alive connections, let requests already being handled
// finish and send their responses (with Connection: close), then stop; connections
// still busy after `shutdown_grace` are dropped.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace isocourse::server {

namespace http = boost::beast::http;

struct HttpRequest {
  http::request<http::string_body> msg;
  std::string remote;  // client IP address
};
using HttpResponse = http::response<http::string_body>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = an ephemeral port (see HttpServer::port())
  // Threads running the connections and the handlers; 0 = 2 x cores. A handler must
  // not block for long: one that waits (for a durable commit, say) answers later
  // through HttpRespond from another thread.
  int threads = 0;
  size_t body_limit = 1024 * 1024;
  uint32_t header_limit = 16 * 1024;
  std::chrono::seconds read_timeout{30};  // also the keep-alive idle timeout
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds shutdown_grace{10};
  bool handle_signals = true;
};

// Builds a response; runs on one of the server's threads.
using HttpResponseBuilder = std::move_only_function<HttpResponse()>;
// How a handler answers: call it exactly once, from any thread (also before the handler
// returns), with a function that builds the response. Until then the connection waits
// and the request stays valid; a shutdown waits for it too (up to `shutdown_grace`).
using HttpRespond = std::function<void(HttpResponseBuilder)>;
// Called for every complete request. Must not throw.
using HttpHandler = std::function<void(HttpRequest&, HttpRespond)>;
// Builds the response for a request that could not be read (too large, malformed).
using HttpErrorResponder = std::function<HttpResponse(const Error&)>;

class HttpServer {
 public:
  // Binds and starts serving. Errors: kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler,
                                                   HttpErrorResponder on_error);
  ~HttpServer();

  uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:8080"
  bool stopping() const;

  // Begins a graceful shutdown; returns at once. Safe from any thread.
  void Shutdown();
  // Blocks until the server has stopped.
  void Wait();
  // Called once when a shutdown begins (e.g. to log it).
  void OnShutdown(std::function<void()> fn);

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace isocourse::server
