// The `sanad` command. Exit codes: 0 success, 2 usage, 65 invalid input data, 1 anything else.
#include <fmt/format.h>
#include <unistd.h>

#include <termios.h>
#include <CLI/CLI.hpp>
#include <algorithm>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "app/accounts.hpp"
#include "app/demo.hpp"
#include "app/export.hpp"
#include "app/import.hpp"
#include "app/territory.hpp"
#include "cli/requests_cmd.hpp"
#include "cli/stats_cmd.hpp"
#include "cli/tayssir_cmd.hpp"
#include "http/server.hpp"
#include "io/table.hpp"
#include "store/store.hpp"

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

int run_import(const std::string& db, const std::string& kind_s, const std::string& file, bool skip,
               bool dry, const std::string& report, bool lenient, const std::string& from,
               const std::string& to) {
  auto kind = app::parse_list_kind(kind_s);
  if (!kind || !app::importable(*kind)) {
    std::cerr << "sanad import: KIND must be schools, pupils, households or absences\n";
    return kUsage;
  }
  if (from.empty() != to.empty() || (!from.empty() && *kind != app::ListKind::absences)) {
    std::cerr << "sanad import: --replace-from and --replace-to go together, with absences\n";
    return kUsage;
  }
  store::Store st = store::Store::open(db);
  if (!st.initialized()) {
    std::cerr << "sanad import: the database is not initialised: run `sanad init` first\n";
    return kFail;
  }
  app::ImportOptions opt;
  opt.skip_invalid = skip;
  opt.dry_run = dry;
  opt.strict_massar = !lenient;
  opt.actor = actor();
  opt.progress = progress;
  opt.replace_from = from;
  opt.replace_to = to;
  opt.max_issues = report.empty() ? 1000 : 100'000;  // the report lists them
  app::ImportResult r;
  try {
    r = app::import_file(st, *kind, file, opt);
  } catch (const app::ImportOptionError& e) {
    progress_done();
    std::cerr << "sanad import: " << e.what() << "\n";
    return kUsage;
  } catch (const app::ImportError& e) {
    progress_done();
    std::cerr << "sanad import: " << e.what() << "\n";
    return kDataErr;
  }
  progress_done();
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  const std::size_t shown = std::min<std::size_t>(r.issues.size(), 200);
  for (std::size_t i = 0; i < shown; ++i) std::cerr << app::format_issue(r.issues[i]) << "\n";
  const auto total = static_cast<std::size_t>(r.issues_total);
  if (total > shown)
    std::cerr << fmt::format("… and {} more errors{}\n", total - shown,
                             report.empty() ? " (use --report FILE for the first 100,000)"
                             : total > r.issues.size()
                                 ? fmt::format(" (the first {} in the report)", r.issues.size())
                                 : std::string(" (all in the report)"));
  if (!report.empty()) app::write_report_csv(report, r);
  std::cout << fmt::format("{}: {} rows read, {} valid, {} rejected\n", file, r.rows_read,
                           r.rows_valid, r.rows_rejected);
  for (const auto& [what, c] : r.counts)
    std::cout << fmt::format("  {}: {} inserted, {} updated, {} unchanged{}\n", what, c.inserted,
                             c.updated, c.unchanged,
                             c.deleted ? fmt::format(", {} deleted", c.deleted) : "");
  if (!from.empty())
    std::cout << fmt::format(
        "replaces the absences from {} to {} of {} school(s){}: {} no longer listed{}\n", from, to,
        r.replaced_schools.size(),
        r.replaced_schools.size() <= 5
            ? " (" + fmt::format("{}", fmt::join(r.replaced_schools, ", ")) + ")"
            : "",
        r.to_delete, r.written ? " deleted" : (dry ? " would be deleted" : ""));
  if (!r.written) {
    if (dry)
      std::cout << "dry run: nothing written\n";
    else
      std::cout
          << "nothing written: correct the rows above and import again, or use --skip-invalid\n";
  }
  if (r.rows_rejected > 0 && !skip) return kDataErr;
  return 0;
}

}  // namespace

namespace {
// "90s", "30m", "6h", "1d" or a number of seconds, in seconds (at least 1).
std::optional<int64_t> parse_duration(const std::string& s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  int64_t unit = 1;
  std::string digits = s;
  switch (s.back()) {
    case 's':
      digits.pop_back();
      break;
    case 'm':
      unit = 60, digits.pop_back();
      break;
    case 'h':
      unit = 3600, digits.pop_back();
      break;
    case 'd':
      unit = 86400, digits.pop_back();
      break;
    default:
      break;
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int64_t n = std::stoll(digits);
  if (n < 1 || n > 10'000'000) return std::nullopt;
  return n * unit;
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

  auto* imp = cli.add_subcommand("import", "import a CSV or XLSX file (all-or-nothing by default)");
  std::string kind, file, report;
  bool skip = false, dry = false, lenient = false;
  imp->add_option("KIND", kind, "schools, pupils, households or absences")->required();
  imp->add_option("FILE", file, "the file to import")->required();
  imp->add_flag("--skip-invalid", skip, "write the valid rows and report the others");
  imp->add_flag("--dry-run", dry, "validate and report, write nothing");
  imp->add_option("--report", report, "also write the list of errors to this CSV file");
  imp->add_flag("--lenient-massar", lenient,
                "accept codes Massar of an unusual form, with a warning");
  std::string replace_from, replace_to;
  imp->add_option("--replace-from", replace_from,
                  "absences: the file is the whole list from this day (YYYY-MM-DD) for the "
                  "schools of its pupils; absences of the period it no longer lists are deleted");
  imp->add_option("--replace-to", replace_to, "absences: the last day of the replaced period");

  auto* exp = cli.add_subcommand("export", "export a list to CSV or XLSX");
  std::string ekind, format = "csv", out, scope_s, lang_s = "ar", year;
  exp->add_option(
         "KIND", ekind,
         "regions, provinces, directorates, communes, schools, pupils, households, absences")
      ->required();
  exp->add_option("--format", format, "csv, xlsx or pdf")->capture_default_str();
  exp->add_option("-o,--output", out, "output file")->required();
  exp->add_option("--scope", scope_s,
                  "a territory code: 03 (region), 03.531 (directorate), 03.531.01.05 (commune) "
                  "or a school code; the whole country by default");
  exp->add_option("--lang", lang_s, "ar (default, right-to-left) or fr")->capture_default_str();
  exp->add_option("--year", year, "pupils: only this school year, e.g. 2025-2026");

  auto* dem =
      cli.add_subcommand("demo", "fill an empty database with a deterministic synthetic registry");
  std::string scale = "province";
  uint64_t seed = 1;
  std::string demo_year = "2025-2026";
  bool no_abs = false;
  int demo_communes = 0, demo_years = 1;
  dem->add_option("--scale", scale, "school, province (Taounate), region (Fès-Meknès) or national")
      ->capture_default_str();
  dem->add_option("--seed", seed, "random seed: the same seed gives the same data")
      ->capture_default_str();
  dem->add_option("--year", demo_year, "school year")->capture_default_str();
  dem->add_flag("--no-absences", no_abs, "skip the absences");
  dem->add_option("--years", demo_years,
                  "2: also the year before (where the pupils were, who dropped out), for cohort "
                  "rates and trends")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  dem->add_option("--communes", demo_communes,
                  "only N communes of each province, taken evenly along its list (0: all), for a "
                  "small registry")
      ->check(CLI::Range(0, 10000));

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
  std::string ex_every = "1d", ex_retry = "5m";
  serve_opt.sdmx_dir = SANAD_DEFAULT_SDMX_DIR;
  srv->add_option("--exchange-outbox", serve_opt.exchange_outbox,
                  "send the SDMX exchange regularly into this folder");
  srv->add_option("--exchange-url", serve_opt.exchange_url,
                  "… or POST it to this http:// endpoint");
  srv->add_option("--exchange-every", ex_every, "how often: 90s, 30m, 6h, 1d …")
      ->capture_default_str();
  srv->add_option("--exchange-retries", serve_opt.exchange_retries,
                  "attempts after a failed delivery")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  srv->add_option("--exchange-retry-after", ex_retry, "first delay before a retry (doubles)")
      ->capture_default_str();
  srv->add_option("--exchange-threshold", serve_opt.exchange_threshold,
                  "counts of fewer pupils are withheld")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();

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

  cli::TayssirCommand tayssir(cli);
  cli::StatsCommand stats_cmd(cli);
  cli::ExchangeCommand exchange_cmd(cli);
  cli::RequestsCommand requests_cmd(cli);

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
      if (r.absence_days_recounted)
        std::cout << fmt::format(
            "absence tallies counted from the {} absence days (they did not match them: a "
            "database from before the tallies, or absences written without sanad)\n",
            r.absence_days_recounted);
      return 0;
    }
    if (tayssir.parsed()) {
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad tayssir: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      return tayssir.run(st, actor(), progress, progress_done);
    }
    if (stats_cmd.parsed()) {
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad stats: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      return stats_cmd.run(st, actor());
    }
    if (exchange_cmd.parsed()) {
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad exchange: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      return exchange_cmd.run(st, actor());
    }
    if (requests_cmd.parsed()) {
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad requests: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      return requests_cmd.run(st, actor());
    }
    if (*imp)
      return run_import(db, kind, file, skip, dry, report, lenient, replace_from, replace_to);
    if (*exp) {
      auto k = app::parse_list_kind(ekind);
      auto lang = parse_lang(lang_s);
      auto scope = parse_scope(scope_s);
      if (!k) {
        std::cerr << "sanad export: unknown list " << ekind << "\n";
        return kUsage;
      }
      if (!lang) {
        std::cerr << "sanad export: --lang must be ar or fr\n";
        return kUsage;
      }
      if (!app::parse_file_format(format)) {
        std::cerr << "sanad export: --format must be csv, xlsx or pdf\n";
        return kUsage;
      }
      if (!scope) {
        std::cerr << "sanad export: --scope " << scope_s << " is not a territory or school code\n";
        return kUsage;
      }
      store::Store st = store::Store::open(db);
      if (!st.initialized()) {
        std::cerr << "sanad export: the database is not initialised: run `sanad init` first\n";
        return kFail;
      }
      if (!st.scope_exists(*scope)) {
        std::cerr << "sanad export: no " << node_kind_name(scope->kind) << " with code "
                  << scope->code << "\n";
        return kDataErr;
      }
      app::ExportOptions opt;
      opt.format = *app::parse_file_format(format);
      opt.scope = *scope;
      opt.lang = *lang;
      opt.year = year;
      int64_t n = app::export_list(st, *k, out, opt);
      std::cout << fmt::format("{}: {} rows\n", out, n);
      return 0;
    }
    if (*dem) {
      store::Store st = store::Store::open(db);
      app::DemoOptions opt;
      opt.scale = scale;
      opt.seed = seed;
      opt.school_year = demo_year;
      opt.absences = !no_abs;
      opt.communes = demo_communes;
      opt.years = demo_years;
      opt.actor = actor();
      opt.progress = progress;
      if (!app::valid_scale(scale)) {
        std::cerr << "sanad demo: --scale must be school, province, region or national\n";
        return kUsage;
      }
      auto r = app::run_demo(st, opt);
      progress_done();
      std::cout << fmt::format(
          "demo ({} scale, seed {}): {} schools, {} pupils, {} enrolments, {} households, {} "
          "absence days\n",
          scale, seed, r.schools, r.pupils, r.enrolments, r.households, r.absences);
      return 0;
    }
    if (*srv) {
      serve_opt.db_url = db;
      serve_opt.listen = listen;
      serve_opt.max_upload = upload_mb << 20;
      auto every = parse_duration(ex_every), retry = parse_duration(ex_retry);
      if (!every || !retry) {
        std::cerr << "sanad serve: --exchange-every and --exchange-retry-after are durations "
                     "such as 90s, 30m, 6h or 1d\n";
        return 2;
      }
      serve_opt.exchange_every = *every;
      serve_opt.exchange_retry_after = *retry;
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
  } catch (const app::DemoError& e) {
    progress_done();
    std::cerr << "sanad: " << e.what() << "\n";
    return kFail;
  } catch (const std::exception& e) {
    progress_done();
    std::cerr << "sanad: " << e.what() << "\n";
    return kFail;
  }
  return kFail;
}
