#include "server/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/errors.h"

namespace isocourse::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

class Session;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  HttpServerOptions opt;
  HttpHandler handler;
  HttpErrorResponder on_error;
  net::io_context ioc;
  // The acceptor, the signals and the grace timer are used from several threads (the
  // accept loop, a signal, a connection ending), so they share one strand: Asio
  // objects are not safe for concurrent use, and closing the acceptor while another
  // thread starts the next accept crashed the server during shutdown under load.
  net::strand<net::io_context::executor_type> control{net::make_strand(ioc)};
  tcp::acceptor acceptor{control};
  net::signal_set signals{control};
  net::steady_timer grace{control};
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  uint16_t port = 0;
  std::function<void()> on_shutdown;

  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  explicit Impl(int hint) : ioc(hint) {}

  void Accept();
  void BeginShutdown();
  void SessionEnded(Session* s);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() { server_->SessionEnded(this); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  // From the shutdown path: closes the connection if it is waiting for a request.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->Close();
    });
  }

 private:
  void Read() {
    if (server_->stopping) return Close();
    parser_.emplace();
    parser_->body_limit(server_->opt.body_limit);
    parser_->header_limit(server_->opt.header_limit);
    idle_ = true;
    stream_.expires_after(server_->opt.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    idle_ = false;
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return WriteError(Error{ErrorCode::kResourceExhausted,
                              "the request body is larger than the limit of " +
                                  std::to_string(server_->opt.body_limit) + " bytes",
                              std::string(kWhereBody),
                              {}});
    }
    if (ec == http::error::header_limit) {
      return WriteError(Error{ErrorCode::kResourceExhausted,
                              "the request headers are larger than the limit of " +
                                  std::to_string(server_->opt.header_limit) + " bytes",
                              std::string(kWhereHeaders),
                              {}});
    }
    if (ec) {
      return WriteError(Error{
          ErrorCode::kInvalidArgument, "malformed HTTP request: " + ec.message(), "request", {}});
    }
    req_ = HttpRequest{parser_->release(), remote_};
    auto reply = std::make_shared<Reply>(shared_from_this());
    try {
      server_->handler(req_, [reply](HttpResponseBuilder build) { reply->Send(std::move(build)); });
    } catch (...) {
      // The handler lost the request; `reply` answers 500 once its last copy is gone.
    }
  }

  // One request's way back to its connection; the handler's HttpRespond copies share
  // it. The first Send answers, later ones are ignored. If every copy is dropped
  // unanswered (a handler threw or forgot), the client gets a 500 instead of a
  // connection that hangs until its timeout.
  class Reply {
   public:
    explicit Reply(std::shared_ptr<Session> s)
        : session_(std::move(s)), work_(net::make_work_guard(session_->server_->ioc)) {}
    ~Reply() {
      Send([s = session_] {
        return s->server_->on_error(Error{
            ErrorCode::kInternal, "the request was lost by its handler; retry", "server", {}});
      });
    }
    void Send(HttpResponseBuilder build) {
      if (answered_.exchange(true)) return;
      auto s = session_;
      net::dispatch(s->stream_.get_executor(), [s, build = std::move(build)]() mutable {
        HttpResponse res;
        try {
          res = build();
        } catch (const std::exception& ex) {
          res = s->server_->on_error(Error{
              ErrorCode::kInternal, std::string("the answer failed: ") + ex.what(), "server", {}});
        }
        s->Respond(std::move(res));
      });
    }

   private:
    // Declared before the work guard, so destroyed after it: the session holds the
    // server, which owns the io_context the guard refers to.
    std::shared_ptr<Session> session_;
    // Keeps the io_context running (and a shutdown waiting) until the answer is sent,
    // even when no socket operation is pending meanwhile.
    net::executor_work_guard<net::io_context::executor_type> work_;
    std::atomic<bool> answered_{false};
  };

  void Respond(HttpResponse res) {
    res_ = std::move(res);
    res_.version(req_.msg.version());
    res_.keep_alive(req_.msg.keep_alive() && !server_->stopping);
    res_.prepare_payload();
    if (req_.msg.method() == http::verb::head) {
      // The GET answer's headers, Content-Length included, and no body.
      const auto length = res_.body().size();
      res_.body().clear();
      res_.content_length(length);
    }
    Write();
  }

  void WriteError(const Error& e) {
    res_ = server_->on_error(e);
    res_.keep_alive(false);
    res_.prepare_payload();
    Write();
  }

  void Write() {
    stream_.expires_after(server_->opt.write_timeout);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec || !res_.keep_alive()) return Close();
    res_ = {};
    Read();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest req_;  // the request being answered; valid until its response is written
  HttpResponse res_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string remote_;
  bool idle_ = true;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                          if (ec) {
                            if (self->stopping || ec == net::error::operation_aborted) return;
                            self->Accept();  // e.g. too many open files: keep serving the others
                            return;
                          }
                          s.set_option(tcp::no_delay(true), ec);
                          auto session = std::make_shared<Session>(std::move(s), self);
                          {
                            std::lock_guard lock(self->sessions_mu);
                            self->sessions.emplace(session.get(), session);
                          }
                          session->Start();
                          self->Accept();
                        });
}

void HttpServer::Impl::SessionEnded(Session* s) {
  bool last = false;
  {
    std::lock_guard lock(sessions_mu);
    sessions.erase(s);
    last = sessions.empty();
  }
  if (last && stopping) {
    net::post(control, [self = shared_from_this()] { self->grace.cancel(); });
  }
}

void HttpServer::Impl::BeginShutdown() {
  net::post(control, [self = shared_from_this()] {
    if (self->stopping.exchange(true)) return;
    if (self->on_shutdown) self->on_shutdown();
    beast::error_code ec;
    self->acceptor.close(ec);
    self->signals.cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(self->sessions_mu);
      for (auto& [ptr, weak] : self->sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->CloseIfIdle();
    if (live.empty()) return;  // nothing in flight: run() returns once the queue drains
    self->grace.expires_after(self->opt.shutdown_grace);
    self->grace.async_wait([self](beast::error_code wait_ec) {
      if (wait_ec == net::error::operation_aborted) return;  // every connection finished
      self->ioc.stop();                                      // grace period over: drop what is left
    });
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler,
                                                      HttpErrorResponder on_error) {
  // Measured with the dispense check on 2 cores: 2-4 threads serve ~24,000 req/s,
  // 16-32 threads lose a fifth of that to context switches (docs/performance.md).
  int threads = options.threads > 0
                    ? options.threads
                    : std::max(2, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  auto impl = std::make_shared<Impl>(threads);
  impl->opt = options;
  impl->handler = std::move(handler);
  impl->on_error = std::move(on_error);

  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec)
    return InvalidArgument("--host",
                           "'" + options.host + "' is not an IP address: " + ec.message());
  tcp::endpoint ep(address, options.port);
  auto fail = [&](const char* what) {
    return MakeError(ErrorCode::kUnavailable, "--port",
                     std::string("cannot ") + what + " " + options.host + ":" +
                         std::to_string(options.port) + ": " + ec.message());
  };
  impl->acceptor.open(ep.protocol(), ec);
  if (ec) return fail("open a socket for");
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(ep, ec);
  if (ec) return fail("bind");
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  impl->port = impl->acceptor.local_endpoint(ec).port();

  if (options.handle_signals) {
    impl->signals.add(SIGINT);
    impl->signals.add(SIGTERM);
    impl->signals.async_wait([weak = std::weak_ptr<Impl>(impl)](beast::error_code sec, int) {
      if (sec) return;
      if (auto self = weak.lock()) self->BeginShutdown();
    });
  }
  impl->Accept();
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] {
      for (;;) {
        try {
          raw->ioc.run();
          return;
        } catch (...) {
          // A handler threw: the connection is lost but the server keeps going.
        }
      }
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  Shutdown();
  Wait();
  // Sessions hold the Impl; dropping the io_context's pending handlers releases them.
}

uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::url() const {
  std::string host = impl_->opt.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

bool HttpServer::stopping() const { return impl_->stopping; }

void HttpServer::Shutdown() { impl_->BeginShutdown(); }

void HttpServer::OnShutdown(std::function<void()> fn) { impl_->on_shutdown = std::move(fn); }

void HttpServer::Wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace isocourse::server
