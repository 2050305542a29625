#include "http/server.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <iostream>
#include <memory>

#include "app/territory.hpp"
#include "http/api.hpp"
#include "store/store.hpp"

namespace sanad::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o.push_back(c);
    }
  }
  return o;
}

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
                     rows, html_escape(app::territory_attribution));
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, store::Store& st) : stream_(std::move(s)), st_(st) {}
  void start() { read(); }

 private:
  void read() {
    req_ = {};
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(1024 * 1024);
    stream_.expires_after(std::chrono::seconds(60));
    bhttp::async_read(stream_, buf_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        self->req_ = self->parser_->release();
                        self->respond();
                      });
  }

  void respond() {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(req_.version());
    res->keep_alive(req_.keep_alive());
    res->set(bhttp::field::server, "sanad");
    res->set("X-Content-Type-Options", "nosniff");
    std::string target(req_.target());
    if (target.rfind("/api/", 0) == 0) {
      ApiRequest a;
      a.method = std::string(req_.method_string());
      a.target = target;
      a.cookie = std::string(req_[bhttp::field::cookie]);
      a.csrf = std::string(req_["X-CSRF-Token"]);
      a.body = req_.body();
      beast::error_code ec;
      auto ep = stream_.socket().remote_endpoint(ec);
      a.origin = ec ? "unknown" : ep.address().to_string();
      ApiResponse r;
      try {
        r = handle_api(st_, a);
      } catch (const std::exception& e) {
        std::cerr << "sanad serve: " << a.method << " " << target << ": " << e.what() << "\n";
        r.status = 500;
        r.body = R"({"error":"internal","message":"internal error"})";
      }
      res->result(static_cast<bhttp::status>(r.status));
      res->set(bhttp::field::content_type, r.content_type);
      res->set(bhttp::field::cache_control, "no-store");
      for (const auto& [k, v] : r.headers) res->insert(k, v);
      res->body() = std::move(r.body);
    } else if (req_.method() != bhttp::verb::get && req_.method() != bhttp::verb::head) {
      res->result(bhttp::status::method_not_allowed);
      res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
      res->body() = "method not allowed\n";
    } else if (target == "/healthz") {
      res->result(bhttp::status::ok);
      res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
      res->body() = "ok\n";
    } else if (target == "/" || target == "/index.html") {
      try {
        res->body() = status_page(st_);
        res->result(bhttp::status::ok);
        res->set(bhttp::field::content_type, "text/html; charset=utf-8");
      } catch (const std::exception& e) {
        res->result(bhttp::status::internal_server_error);
        res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res->body() = "database unavailable\n";
        std::cerr << "sanad serve: " << e.what() << "\n";
      }
    } else {
      res->result(bhttp::status::not_found);
      res->set(bhttp::field::content_type, "text/plain; charset=utf-8");
      res->body() = "not found\n";
    }
    res->prepare_payload();
    if (req_.method() == bhttp::verb::head) res->body().clear();
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         if (ec || !res->keep_alive()) return self->close();
                         self->read();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> req_;
  store::Store& st_;
};

void accept(tcp::acceptor& acc, store::Store& st) {
  acc.async_accept([&acc, &st](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(s), st)->start();
    accept(acc, st);
  });
}

}  // namespace

int serve(const ServeOptions& opt) {
  auto colon = opt.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "sanad serve: --listen must be HOST:PORT\n";
    return 2;
  }
  store::Store st = store::Store::open(opt.db_url);
  if (!st.initialized()) {
    std::cerr << "sanad serve: the database is not initialised: run `sanad init` first\n";
    return 1;
  }
  asio::io_context io;
  beast::error_code ec;
  auto addr = asio::ip::make_address(opt.listen.substr(0, colon), ec);
  if (ec) {
    std::cerr << "sanad serve: bad address " << opt.listen << "\n";
    return 2;
  }
  int port = std::atoi(opt.listen.c_str() + colon + 1);
  tcp::acceptor acc(io);
  tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "sanad serve: cannot listen on " << opt.listen << ": " << ec.message() << "\n";
    return 1;
  }
  accept(acc, st);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    acc.close();
    io.stop();
  });
  std::cerr << "sanad: serving on http://" << opt.listen << "/\n";
  io.run();
  std::cerr << "sanad: stopped\n";
  return 0;
}

}  // namespace sanad::http
