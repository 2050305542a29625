// The `sanad` command. Exit codes: 0 success, 2 usage, 65 invalid input data, 1 anything else.
#include <fmt/format.h>
#include <unistd.h>

#include <termios.h>
#include <CLI/CLI.hpp>
#include <algorithm>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "core/app/accounts.hpp"
#include "core/app/refusal.hpp"
#include "core/app/territory.hpp"
#include "core/http/server.hpp"
#include "core/module.hpp"
#include "core/store/store.hpp"

using namespace sanad;

namespace {

constexpr int kUsage = 2, kDataErr = 65, kFail = 1;

std::string default_db() {
  if (const char* e = std::getenv("SANAD_DB"); e && *e) return e;
  return "data/sanad.db";
}

std::string actor() {
  const char* u = std::getenv("USER");
  return fmt::format("cli:{}", u && *u ? u : "unknown");
}

const auto started = std::chrono::steady_clock::now();

// A password from standard input (one line), or asked twice at the terminal without echo.
std::string read_password(bool from_stdin) {
  auto read_line = [] {
    std::string p;
    std::getline(std::cin, p);
    if (!p.empty() && p.back() == '\r') p.pop_back();
    return p;
  };
  if (from_stdin || !isatty(0)) return read_line();
  termios old{};
  tcgetattr(0, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(0, TCSANOW, &quiet);
  std::cerr << "password: " << std::flush;
  std::string a = read_line();
  std::cerr << "\nagain: " << std::flush;
  std::string b = read_line();
  std::cerr << "\n";
  tcsetattr(0, TCSANOW, &old);
  if (a != b) throw app::AccountError("the two passwords differ");
  return a;
}

// A line of progress on long work, with the time since the command started.
void progress(const std::string& msg) {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string line = fmt::format("[{:.1f} s] {}", s, msg);
  if (isatty(2))
    std::cerr << "\r\033[K" << line << std::flush;
  else
    std::cerr << line << "\n";
}
void progress_done() {
  if (isatty(2)) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "Sanad — the social support information system of Morocco's education administration"};
  cli.require_subcommand(1);
  std::string db = default_db();
  cli.add_option("--db", db,
                 "database: a SQLite file path or postgresql://user@host:port/db (env SANAD_DB)")
      ->capture_default_str();

  auto* init = cli.add_subcommand("init", "create or upgrade the database and load the territory");

  auto* srv = cli.add_subcommand("serve", "serve the application over HTTP");
  std::string listen = "127.0.0.1:8080";
  srv->add_option("--listen", listen, "HOST:PORT")->capture_default_str();
  http::ServeOptions serve_opt;
  const char* web_env = std::getenv("SANAD_WEB_DIR");
  serve_opt.web_dir = web_env ? web_env : SANAD_DEFAULT_WEB_DIR;
  srv->add_option("--web", serve_opt.web_dir, "the built web app (SANAD_WEB_DIR)")
      ->capture_default_str();
  srv->add_option("--workers", serve_opt.workers,
                  "API calls handled at once (default: the cores and one more on SQLite, twice "
                  "the cores on PostgreSQL)")
      ->check(CLI::Range(1, 256));
  int64_t upload_mb = serve_opt.max_upload >> 20;
  srv->add_option("--max-upload-mb", upload_mb, "largest file an import accepts")
      ->check(CLI::Range(1, 2048))
      ->capture_default_str();
  srv->add_flag("--behind-proxy", serve_opt.behind_proxy,
                "served behind a TLS reverse proxy (the only way to the port): the client's "
                "address from X-Forwarded-For, https from X-Forwarded-Proto (Secure cookies)");
  for (const Module* m : modules())
    if (m->serve_options) m->serve_options(*srv);

  auto* usr = cli.add_subcommand("user", "manage accounts: add, passwd, disable, enable, list");
  usr->require_subcommand(1);
  std::string u_login, u_name, u_role, u_scope;
  bool u_stdin = false;
  auto* u_add = usr->add_subcommand("add", "create an account (the password is asked for)");
  u_add->add_option("LOGIN", u_login, "login")->required();
  u_add->add_option("--name", u_name, "full name")->required();
  u_add
      ->add_option("--role", u_role,
                   "national_admin, academy_officer, directorate_manager, school_head, "
                   "statistician, complaints_officer or auditor")
      ->required();
  u_add->add_option("--scope", u_scope, "MA, a region, a directorate, a commune or a school")
      ->required();
  u_add->add_flag("--password-stdin", u_stdin, "read the password from standard input");
  auto* u_pw = usr->add_subcommand("passwd", "set an account's password (ends its sessions)");
  u_pw->add_option("LOGIN", u_login, "login")->required();
  u_pw->add_flag("--password-stdin", u_stdin, "read the password from standard input");
  auto* u_dis = usr->add_subcommand("disable", "disable an account (ends its sessions)");
  u_dis->add_option("LOGIN", u_login, "login")->required();
  auto* u_en = usr->add_subcommand("enable", "enable a disabled account");
  u_en->add_option("LOGIN", u_login, "login")->required();
  auto* u_ls = usr->add_subcommand("list", "list the accounts");

  auto* aud = cli.add_subcommand("audit", "the audit log");
  aud->require_subcommand(1);
  auto* a_ver = aud->add_subcommand("verify", "check the hash chain of the whole log");
  std::string a_anchor;
  a_ver->add_option("--anchor", a_anchor,
                    "an earlier `sanad audit head` (ID:HASH), kept outside the database: its entry "
                    "must still be there with that hash (detects entries deleted from the end, or "
                    "a log rewritten whole)");
  auto* a_head = aud->add_subcommand(
      "head", "print the newest entry as ID:HASH, to keep outside the database as an anchor");

  auto* roles = cli.add_subcommand("roles", "print what each role may do, action by action");
  auto* check = cli.add_subcommand(
      "check", "check what the store derives from the records (absence tallies), changing nothing");

  // The parts' commands (the registry's import, export, demo and requests; stats; tayssir …).
  std::vector<std::unique_ptr<Command>> commands;
  for (const Module* m : modules())
    if (m->commands)
      for (auto& c : m->commands(cli)) commands.push_back(std::move(c));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : kUsage;
  }

  try {
    if (*init) {
      store::Store st = store::Store::open(db);
      auto r = app::init_database(st, actor());
      std::cout << fmt::format(
          "database ready: {} migration(s) applied; {} regions, {} provinces, {} directorates, "
          "{} communes ({} new)\n{}\n",
          r.migrations.size(), r.regions.total(), r.provinces.total(), st.count("directorates"),
          r.communes.total(), r.communes.inserted, app::territory_attribution);
      for (const auto& x : r.restored)
        std::cout << fmt::format(
            "{}: {} {} whose {} did not match (a database from before them, or rows written "
            "without sanad), counted again\n",
            x.action, x.count, x.unit, x.what);
      return 0;
    }
    if (*check) {
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      auto drifted = app::check_derived(st);
      for (const auto& x : drifted)
        std::cout << fmt::format(
            "DRIFTED: {} {} whose {} do not match (sanad init counts them "
            "again, audited)\n",
            x.count, x.unit, x.what);
      if (drifted.empty()) std::cout << "what is derived from the records matches them\n";
      return drifted.empty() ? 0 : kDataErr;
    }
    for (auto& c : commands) {
      if (!c->parsed()) continue;
      store::Store st = store::Store::open(db);
      if (c->needs_initialised() && !st.initialized()) {
        std::cerr << "sanad: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      CommandContext ctx{st, actor(), progress, progress_done};
      return c->run(ctx);
    }
    if (*roles) {
      std::cout << app::roles_table() << "\n" << app::kLocalOperatorSays;
      return 0;
    }
    if (*srv) {
      serve_opt.db_url = db;
      serve_opt.listen = listen;
      serve_opt.max_upload = upload_mb << 20;
      return http::serve(serve_opt);
    }
    if (*usr || *aud) {
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      if (*a_head) {
        std::cout << st.audit_head() << "\n";
        return 0;
      }
      if (*a_ver) {
        store::AuditCheck c;
        try {
          c = st.verify_audit(a_anchor);
        } catch (const std::invalid_argument& e) {
          std::cerr << "sanad audit verify: --anchor: " << e.what() << "\n";
          return kUsage;
        }
        if (c.broken_at) {
          std::cout << fmt::format("audit log BROKEN at entry {} of {}: {}\n", *c.broken_at,
                                   c.entries, c.reason);
          return kFail;
        }
        std::cout << fmt::format("audit log intact: {} entries, hash chain verified{}\n", c.entries,
                                 a_anchor.empty() ? "" : ", the anchor's entry is there");
        return 0;
      }
      try {
        if (*u_add) {
          auto v = app::add_user(st, {u_login, u_name, u_role, u_scope, read_password(u_stdin)},
                                 actor(), "local");
          std::cout << fmt::format("account {} created: {}, scope {}\n", v.login, v.role,
                                   v.scope.empty() ? "MA" : v.scope);
        } else if (*u_pw) {
          app::set_password(st, u_login, read_password(u_stdin), actor(), "local");
          std::cout << fmt::format("password of {} changed; its sessions are closed\n", u_login);
        } else if (*u_dis || *u_en) {
          app::set_disabled(st, u_login, u_dis->parsed(), actor(), "local");
          std::cout << fmt::format("account {} {}\n", u_login,
                                   u_dis->parsed() ? "disabled" : "enabled");
        } else if (*u_ls) {
          for (const auto& v : app::list_users(st))
            std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", v.login, v.role,
                                     v.scope.empty() ? "MA" : v.scope, v.full_name,
                                     v.disabled ? "disabled" : "active");
        }
      } catch (const app::AccountError& e) {
        std::cerr << "sanad user: " << e.what() << "\n";
        return kDataErr;
      }
      return 0;
    }
  } catch (const app::NotFound& e) {  // a record a command named is not there
    progress_done();
    std::cerr << "sanad: " << e.what() << "\n";
    return kDataErr;
  } catch (const app::Refusal& e) {  // a rule of the program refused
    progress_done();
    std::cerr << "sanad: " << e.what() << "\n";
    return kDataErr;
  } catch (const app::BadRequest& e) {
    progress_done();
    std::cerr << "sanad: " << e.what() << "\n";
    return kUsage;
  } catch (const std::exception& e) {
    progress_done();
    std::cerr << "sanad: " << e.what() << "\n";
    return kFail;
  }
  return kFail;
}
