#include "core/http/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "core/app/territory.hpp"
#include "core/http/api.hpp"
#include "core/module.hpp"
#include "core/store/store.hpp"
#include "kernel/text.hpp"

namespace sanad::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

int default_workers(const std::string& db_url) {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  const bool postgres = db_url.rfind("postgres", 0) == 0;
  return std::clamp(postgres ? 2 * cores : cores + 1, 2, 64);
}
using tcp = asio::ip::tcp;

namespace {

std::string status_page(store::Store& st) {
  struct Line {
    const char *table, *ar, *fr;
  };
  const Line lines[] = {{"regions", "الجهات", "Régions"},
                        {"directorates", "المديريات الإقليمية", "Directions provinciales"},
                        {"communes", "الجماعات", "Communes"},
                        {"schools", "المؤسسات التعليمية", "Établissements"},
                        {"pupils", "التلاميذ", "Élèves"},
                        {"enrolments", "التسجيلات", "Inscriptions"},
                        {"households", "الأسر", "Ménages"},
                        {"absences", "أيام الغياب", "Jours d'absence"}};
  std::string rows;
  for (const auto& l : lines)
    rows += fmt::format("<tr><td>{}</td><td class=n>{}</td><td lang=fr dir=ltr>{}</td></tr>\n",
                        l.ar, st.count(l.table), l.fr);
  return fmt::format(R"(<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>سند — Sanad</title>
<style>body{{font-family:"Noto Naskh Arabic","Amiri",system-ui,sans-serif;margin:2rem;max-width:44rem}}
table{{border-collapse:collapse;width:100%}}td{{border-bottom:1px solid #ddd;padding:.4rem .6rem}}
td.n{{text-align:left;font-variant-numeric:tabular-nums}}small{{color:#555}}</style></head>
<body><h1>سند <small lang="fr" dir="ltr">— Sanad</small></h1>
<p>منظومة معلوماتية لمكون الدعم الاجتماعي. <span lang="fr" dir="ltr">Système d'information de l'appui social.</span></p>
<table>
{}</table>
<p><small>{}</small></p>
</body></html>
)",
                     rows, markup_escape(app::territory_attribution));
}

int worker_count(const ServeOptions& o) {
  return o.workers > 0 ? o.workers : default_workers(o.db_url);
}
// Workers of their own for long work (imports, exports, lists, computations): half as many, one
// to four, so that the other calls always have theirs.
int long_worker_count(const ServeOptions& o) {
  return std::clamp(worker_count(o) / 2, 1, 4);
}

// Database connections for the workers: one each, lent for the length of a call.
class StorePool {
 public:
  StorePool(const std::string& url, int n) {
    for (int i = 0; i < n; ++i)
      free_.push_back(std::make_unique<store::Store>(store::Store::open(url)));
  }
  struct Lease {
    StorePool* pool;
    std::unique_ptr<store::Store> st;
    ~Lease() {
      std::lock_guard lock(pool->mu_);
      pool->free_.push_back(std::move(st));
      pool->cv_.notify_one();
    }
  };
  Lease acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty(); });
    auto st = std::move(free_.back());
    free_.pop_back();
    return Lease{this, std::move(st)};
  }
  store::Store& any() { return *free_.front(); }  // before the workers start

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<store::Store>> free_;
};

class Session;

struct Server {
  ServeOptions opt;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::thread_pool workers, long_workers;
  StorePool stores, long_stores;
  bool stopping = false;
  std::set<Session*> sessions;  // touched on the I/O thread only
  // Uploads whose body is being read or worked on: beyond a few, the next are asked to come back
  // (their bodies would only wait in memory for a long worker).
  std::atomic<int> uploads{0};
  int max_uploads() const { return long_worker_count(opt) + 1; }
  Server(const ServeOptions& o)
      : opt(o),
        workers(static_cast<std::size_t>(worker_count(o))),
        long_workers(static_cast<std::size_t>(long_worker_count(o))),
        stores(o.db_url, worker_count(o)),
        long_stores(o.db_url, long_worker_count(o)) {}
};

std::string_view content_type_of(std::string_view path) {
  auto dot = path.rfind('.');
  auto ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// A file of the web app, or nothing. Only plain relative paths are served.
std::optional<std::string> static_file(const std::string& dir, std::string_view path) {
  if (dir.empty()) return std::nullopt;
  std::string rel(path.substr(1));
  if (rel.empty()) rel = "index.html";
  if (rel.size() > 200 || rel.find("..") != std::string::npos || rel.front() == '/')
    return std::nullopt;
  for (char c : rel)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
          c == '/'))
      return std::nullopt;
  std::filesystem::path p = std::filesystem::path(dir) / rel;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Whether a page of another site sent the request: the browser says so (Sec-Fetch-Site), or
// names an origin whose host is not the one asked (Host, or X-Forwarded-Host behind a proxy).
template <typename Request>
bool foreign_origin(const Request& req, bool behind_proxy) {
  const std::string_view site = req["Sec-Fetch-Site"];
  if (beast::iequals(site, "cross-site") || beast::iequals(site, "same-site")) return true;
  const std::string_view origin = req[bhttp::field::origin];
  if (origin.empty()) return false;
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return true;  // "null": a sandboxed or local page
  std::string_view host = req[bhttp::field::host];
  if (behind_proxy && !req["X-Forwarded-Host"].empty()) host = req["X-Forwarded-Host"];
  return !beast::iequals(origin.substr(scheme + 3), host);
}

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, Server& srv) : stream_(std::move(s)), srv_(srv) {
    srv_.sessions.insert(this);
  }
  ~Session() {
    srv_.sessions.erase(this);
    end_upload();
  }
  void start() { read(); }
  bool busy() const { return busy_; }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  using Response = bhttp::response<bhttp::string_body>;

  void read() {
    busy_ = false;
    body_unread_ = false;
    req_ = {};
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    // The body's limit depends on the route: set once the header is read.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(std::chrono::minutes(5));  // an idle keep-alive connection
    bhttp::async_read_header(
        stream_, buf_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      if (ec == bhttp::error::header_limit)
        return fail(bhttp::status::request_header_fields_too_large, "header too large\n");
      if (ec == bhttp::error::body_limit)
        return fail(bhttp::status::payload_too_large, "body too large\n");
      return close();
    }
    busy_ = true;
    const auto& h = parser_->get();
    const bool upload =
        h.target().starts_with("/api/") && work_of(h.method_string(), h.target()) == Work::upload;
    const auto limit = static_cast<std::uint64_t>(upload ? srv_.opt.max_upload : srv_.opt.max_body);
    if (parser_->content_length() && *parser_->content_length() > limit)
      return fail(bhttp::status::payload_too_large,
                  fmt::format(R"({{"error":"too_large","message":"the body is limited to {} MB"}})",
                              limit >> 20));
    parser_->body_limit(limit);
    if (upload) return check_upload();
    read_body(limit);
  }

  // An upload's headers are checked before its body is read: a caller without a session, a
  // token or the right to import is answered at once, and its body never fills the memory; and
  // only a few uploads are read at a time.
  void check_upload() {
    const auto limit = static_cast<std::uint64_t>(srv_.opt.max_upload);
    if (srv_.uploads.fetch_add(1) >= srv_.max_uploads()) {
      srv_.uploads.fetch_sub(1);
      body_unread_ = true;
      auto res = std::make_shared<Response>(bhttp::status::service_unavailable, 11);
      res->set(bhttp::field::content_type, "application/json; charset=utf-8");
      res->set(bhttp::field::retry_after, "10");
      res->body() =
          R"({"error":"busy","message":"other files are being imported: send this one again in a moment","message_ar":"ملفات أخرى قيد الاستيراد: أعد إرسال هذا الملف بعد لحظات","message_fr":"d'autres fichiers sont en cours d'import : renvoyez celui-ci dans un moment"})";
      res->keep_alive(false);
      return send(res);
    }
    counted_upload_ = true;
    const auto& h = parser_->get();
    ApiRequest a;
    a.method = std::string(h.method_string());
    a.target = std::string(h.target());
    a.cookie = std::string(h[bhttp::field::cookie]);
    a.csrf = std::string(h["X-CSRF-Token"]);
    asio::post(srv_.workers, [self = shared_from_this(), a = std::move(a), limit]() mutable {
      std::optional<ApiResponse> refused;
      try {
        auto lease = self->srv_.stores.acquire();
        refused = check_upload_headers(*lease.st, a);
      } catch (const std::exception& e) {
        std::cerr << "sanad serve: " << a.method << " " << a.target << ": " << e.what() << "\n";
        refused = ApiResponse{500,
                              "application/json; charset=utf-8",
                              R"({"error":"internal","message":"internal error"})",
                              {}};
      }
      auto& io = self->srv_.io;
      asio::post(io, [self = std::move(self), refused = std::move(refused), limit]() mutable {
        if (refused) {
          self->body_unread_ = true;
          auto res = std::make_shared<Response>(static_cast<bhttp::status>(refused->status), 11);
          res->set(bhttp::field::content_type, refused->content_type);
          res->body() = std::move(refused->body);
          res->keep_alive(false);  // the body is not read: the connection cannot go on
          return self->send(res);
        }
        if (beast::iequals(self->parser_->get()[bhttp::field::expect], "100-continue")) {
          auto go =
              std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
          return bhttp::async_write(self->stream_, *go,
                                    [self, go, limit](beast::error_code ec, std::size_t) {
                                      if (ec) return self->close();
                                      self->read_body(limit);
                                    });
        }
        self->read_body(limit);
      });
    });
  }

  void end_upload() {
    if (counted_upload_) srv_.uploads.fetch_sub(1);
    counted_upload_ = false;
  }

  void read_body(std::uint64_t limit) {
    stream_.expires_after(std::chrono::seconds(srv_.opt.request_seconds));
    bhttp::async_read(stream_, buf_, *parser_,
                      [self = shared_from_this(), limit](beast::error_code e, std::size_t) {
                        if (e == bhttp::error::body_limit)
                          return self->fail(bhttp::status::payload_too_large,
                                            fmt::format(R"({{"error":"too_large","message":"the )"
                                                        R"(body is limited to {} MB"}})",
                                                        limit >> 20));
                        if (e) return self->close();
                        self->req_ = self->parser_->release();
                        self->respond();
                      });
  }

  // After an answer given before the body was read: the sending side is shut, and what the client
  // still sends is read and thrown away for a moment, so that it reads the answer rather than a
  // reset connection; then closed.
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    drain_ = std::make_shared<std::array<char, 16384>>();
    drain();
  }
  void drain() {
    stream_.async_read_some(asio::buffer(*drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  // Answers and closes: the rest of the request is not read.
  void fail(bhttp::status status, const std::string& body) {
    body_unread_ = true;
    auto res = std::make_shared<Response>(status, 11);
    res->set(bhttp::field::content_type, body.starts_with("{") ? "application/json; charset=utf-8"
                                                               : "text/plain; charset=utf-8");
    res->body() = body;
    res->keep_alive(false);
    send(res);
  }

  void respond() {
    auto res = std::make_shared<Response>();
    res->version(req_.version());
    res->keep_alive(req_.keep_alive() && !srv_.stopping);
    std::string target(req_.target());
    if (target.rfind("/api/", 0) == 0) {
      ApiRequest a;
      a.method = std::string(req_.method_string());
      a.target = target;
      a.cookie = std::string(req_[bhttp::field::cookie]);
      a.csrf = std::string(req_["X-CSRF-Token"]);
      a.body = std::move(req_.body());
      a.content_type = std::string(req_[bhttp::field::content_type]);
      a.foreign_origin = foreign_origin(req_, srv_.opt.behind_proxy);
      beast::error_code ec;
      auto ep = stream_.socket().remote_endpoint(ec);
      a.origin = ec ? "unknown" : ep.address().to_string();
      if (srv_.opt.behind_proxy) {
        // The proxy appends the address it got the request from: the last one is the client.
        std::string_view xff = req_["X-Forwarded-For"];
        if (auto comma = xff.rfind(','); comma != std::string_view::npos)
          xff = xff.substr(comma + 1);
        while (!xff.empty() && xff.front() == ' ') xff.remove_prefix(1);
        while (!xff.empty() && xff.back() == ' ') xff.remove_suffix(1);
        beast::error_code bad;
        auto client = asio::ip::make_address(std::string(xff), bad);
        if (!xff.empty() && !bad) a.origin = client.to_string();
        a.tls = beast::iequals(req_["X-Forwarded-Proto"], "https");
      }
      // The call runs on a worker with a connection of its own (long work on one of the long
      // workers); the answer comes back here.
      const bool long_call = work_of(a.method, a.target) != Work::quick;
      auto& pool = long_call ? srv_.long_workers : srv_.workers;
      asio::post(pool, [self = shared_from_this(), a = std::move(a), res, long_call]() mutable {
        ApiResponse r;
        try {
          auto lease = (long_call ? self->srv_.long_stores : self->srv_.stores).acquire();
          r = handle_api(*lease.st, a);
        } catch (const std::exception& e) {
          std::cerr << "sanad serve: " << a.method << " " << a.target << ": " << e.what() << "\n";
          r.status = 500;
          r.body = R"({"error":"internal","message":"internal error"})";
        }
        auto& io = self->srv_.io;
        asio::post(io, [self = std::move(self), r = std::move(r), res]() mutable {
          res->result(static_cast<bhttp::status>(r.status));
          res->set(bhttp::field::content_type, r.content_type);
          res->set(bhttp::field::cache_control, "no-store");
          for (const auto& [k, v] : r.headers) res->insert(k, v);
          res->body() = std::move(r.body);
          self->send(res);
        });
      });
      return;
    }
    if (req_.method() != bhttp::verb::get && req_.method() != bhttp::verb::head) {
      res->result(bhttp::status::method_not_allowed);
      res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
      res->body() = "method not allowed\n";
    } else if (target == "/healthz") {
      res->result(bhttp::status::ok);
      res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
      res->body() = "ok\n";
    } else {
      std::string path = percent_decode(target.substr(0, target.find('?')));
      auto file = static_file(srv_.opt.web_dir, path);
      if (file) {
        res->result(bhttp::status::ok);
        res->set(bhttp::field::content_type,
                 content_type_of(path == "/" ? std::string_view("index.html") : path));
        res->set(bhttp::field::cache_control,
                 path.starts_with("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        res->body() = std::move(*file);
      } else if (path == "/" || path == "/index.html") {
        status(*res);  // no web app built: the status page
      } else {
        res->result(bhttp::status::not_found);
        res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res->body() = "not found\n";
      }
    }
    send(res);
  }

  void status(Response& res) {
    try {
      auto lease = srv_.stores.acquire();
      res.body() = status_page(*lease.st);
      res.result(bhttp::status::ok);
      res.set(bhttp::field::content_type, "text/html; charset=utf-8");
    } catch (const std::exception& e) {
      res.result(bhttp::status::internal_server_error);
      res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
      res.body() = "database unavailable\n";
      std::cerr << "sanad serve: " << e.what() << "\n";
    }
  }

  void send(const std::shared_ptr<Response>& res) {
    res->set(bhttp::field::server, "sanad");
    res->set("X-Content-Type-Options", "nosniff");
    res->set("X-Frame-Options", "DENY");
    res->set("Referrer-Policy", "same-origin");
    res->set("Content-Security-Policy", kCsp);
    if (srv_.stopping) res->keep_alive(false);
    const bool head = req_.method() == bhttp::verb::head;
    res->prepare_payload();
    if (head) res->body().clear();
    stream_.expires_after(std::chrono::seconds(srv_.opt.request_seconds));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         self->busy_ = false;
                         self->end_upload();
                         if (ec) return self->close();
                         if (!res->keep_alive() || self->srv_.stopping)
                           return self->body_unread_ ? self->linger_close() : self->close();
                         self->read();
                       });
  }

  beast::tcp_stream stream_;
  Server& srv_;
  beast::flat_buffer buf_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> req_;
  bool busy_ = false;
  bool counted_upload_ = false;
  bool body_unread_ = false;
  std::shared_ptr<std::array<char, 16384>> drain_;
};

void accept(Server& srv) {
  srv.acceptor.async_accept([&srv](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || srv.stopping) return;
    if (!ec) std::make_shared<Session>(std::move(s), srv)->start();
    accept(srv);
  });
}

}  // namespace

// Work done in the background on its own thread with its own connection, so that it never holds
// up a request: `fn` every `tick` seconds until the server stops (errors are logged and the
// connection reopened next time).
class Periodic {
 public:
  Periodic(std::string name, const std::string& db_url, int64_t tick,
           std::function<void(store::Store&)> fn) {
    thread_ = std::thread([this, name, db_url, tick, fn] {
      std::optional<store::Store> st;
      std::unique_lock lock(mu_);
      while (!stop_) {
        lock.unlock();
        try {
          if (!st) st.emplace(store::Store::open(db_url));
          fn(*st);
        } catch (const std::exception& e) {
          std::cerr << "sanad: " << name << ": " << e.what() << "\n";
          st.reset();
        }
        lock.lock();
        cv_.wait_for(lock, std::chrono::seconds(tick), [this] { return stop_; });
      }
    });
  }
  ~Periodic() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

int serve(const ServeOptions& opt) {
  auto colon = opt.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "sanad serve: --listen must be HOST:PORT\n";
    return 2;
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(opt.listen.substr(0, colon), ec);
  if (ec) {
    std::cerr << "sanad serve: bad address " << opt.listen << "\n";
    return 2;
  }
  int port = std::atoi(opt.listen.c_str() + colon + 1);
  Server srv(opt);
  if (!srv.stores.any().initialized()) {
    std::cerr << "sanad serve: the database is not initialised: run `sanad init` first\n";
    return 1;
  }
  // The parts' work in the background (the statistics' refresher, the regular exchange …).
  std::vector<Background> tasks;
  try {
    for (const Module* m : modules())
      if (m->background)
        for (auto& b : m->background(opt.db_url)) tasks.push_back(std::move(b));
  } catch (const std::invalid_argument& e) {
    std::cerr << "sanad serve: " << e.what() << "\n";
    return 2;
  }
  std::list<Periodic> running;
  if (opt.background)
    for (auto& b : tasks) running.emplace_back(b.name, opt.db_url, b.tick_seconds, b.fn);
  if (!opt.web_dir.empty() && !std::filesystem::exists(opt.web_dir + "/index.html"))
    std::cerr << "sanad serve: no web app in " << opt.web_dir
              << " (build it with `make web`); serving the status page\n";
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  auto& acc = srv.acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "sanad serve: cannot listen on " << opt.listen << ": " << ec.message() << "\n";
    return 1;
  }
  accept(srv);
  asio::steady_timer deadline(srv.io);
  asio::signal_set signals(srv.io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    // Graceful: no new connections, idle ones closed, requests in flight answered (then their
    // connections closed); whatever is still running after the grace period is cut.
    std::cerr << "sanad: stopping\n";
    srv.stopping = true;
    beast::error_code e;
    acc.close(e);
    for (auto* s : std::vector<Session*>(srv.sessions.begin(), srv.sessions.end()))
      if (!s->busy()) s->close();
    deadline.expires_after(std::chrono::seconds(opt.shutdown_seconds));
    deadline.async_wait([&](beast::error_code e2) {
      if (!e2) srv.io.stop();
    });
  });
  std::cerr << "sanad: serving on http://" << opt.listen << "/ (" << worker_count(opt)
            << " workers, " << long_worker_count(opt) << " more for long work)\n";
  // The timer would keep run() going: it is cancelled once the last session has ended.
  asio::steady_timer idle(srv.io);
  std::function<void()> watch = [&] {
    idle.expires_after(std::chrono::milliseconds(100));
    idle.async_wait([&](beast::error_code e) {
      if (e) return;
      if (srv.stopping && srv.sessions.empty()) {
        deadline.cancel();
        return;
      }
      watch();
    });
  };
  watch();
  srv.io.run();
  srv.workers.join();
  srv.long_workers.join();
  std::cerr << "sanad: stopped\n";
  return 0;
}

}  // namespace sanad::http
