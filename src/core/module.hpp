// A part of Sanad beside its core: the registry, the statistics, each program (Tayssir …). A part
// adds to the shell what it brings — its API routes, its commands, the labels of its codes, its
// options and background work in `sanad serve` — through one value of this type, which its public
// header exposes as `module()`. The core never names a part: the program lists them in
// src/modules.cpp, the one place that knows them all, and the core asks for them through
// `modules()`.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/app/caller.hpp"
#include "core/http/routes.hpp"
#include "core/store/store.hpp"
#include "kernel/facts.hpp"

namespace sanad {

// What the shell gives a command it runs.
// The use cases it calls take its caller: the local operator (core/app/caller.hpp), who may do
// every action over the whole country.
struct CommandContext {
  store::Store& st;
  std::string actor;  // "cli:USER", as the audit log names who did it
  std::function<void(const std::string&)> progress;
  std::function<void()> progress_done;
  app::Principal operator_principal = app::local_operator(actor);
  app::Caller caller() const { return {operator_principal, "local", true}; }
};

// The subcommands a part adds to `sanad`, declared on the command line, then run.
class Command {
 public:
  virtual ~Command() = default;
  // One of its subcommands was chosen.
  virtual bool parsed() const = 0;
  // The database must be initialised first (the shell says so otherwise); not so for a command
  // that fills an empty one.
  virtual bool needs_initialised() const { return true; }
  // Exit code: 0, 2 usage, 65 invalid data or a refusal, 1 anything else.
  virtual int run(CommandContext& ctx) = 0;
};

// Work a part does in the background of `sanad serve`: `fn` every `tick_seconds`, on a thread
// and a database connection of its own, until the server stops (errors logged, the connection
// opened again next time).
struct Background {
  std::string name;
  int64_t tick_seconds = 60;
  std::function<void(store::Store&)> fn;
};

// Facts a part gives the statistics' cube. `load` runs on the statistics' connection for a school
// year (rows of that year only). Measures name the source ("source": NAME, "where": {field:
// [values]}, "sum": quantity).
struct FactSource {
  std::string_view name;
  FactShape shape;
  std::function<FactRows(store::Store&, const std::string& school_year)> load;
};

// A value a part gives each pupil of a school year (Tayssir: none, eligible, paid), by which the
// statistics' measures over the pupils may keep them ("where": {NAME: [values]}). `load` calls
// `give` for the pupils that have another value than the first (every other pupil has the first).
struct PupilAttribute {
  std::string_view name;
  std::vector<std::string> values;
  std::function<void(store::Store&, const std::string& school_year,
                     const std::function<void(int64_t pupil_id, uint8_t value)>& give)>
      load;
};

// What a part keeps true of its own tables beside what it writes, checked by `sanad check` and
// restored by `sanad init`: rows derived from others (the registry's absence tallies) counted
// again where they no longer match what they are counted from (a database from before them, rows
// written or moved around Sanad). `run` returns how many records it found drifted (0: it held)
// and, asked to repair, counts them again in the caller's transaction, which writes the audit
// entry ACTION on SUBJECT.
struct Upkeep {
  std::string_view action;   // "absence tallies recounted"
  std::string_view subject;  // "absences"
  std::string_view unit;     // what run counts: "pupils"
  std::string_view what;     // what held or drifted: "absence tallies"
  std::function<int64_t(store::Store&, bool repair)> run;
};

// A part's value, written with designated initializers: what it does not bring stays empty.
struct Module {
  std::string_view name;
  // Its routes under /api/v1, and their description: the path of its OpenAPI fragment compiled
  // into the program ({"paths": …, "components": {"schemas": …}}), merged into
  // /api/v1/openapi.json with the core's.
  std::function<const std::vector<http::Route>&()> routes = nullptr;
  std::string_view openapi;
  // Its subcommands, added to the command line.
  std::function<std::vector<std::unique_ptr<Command>>(CLI::App&)> commands = nullptr;
  // Options it adds to `sanad serve`.
  std::function<void(CLI::App& serve)> serve_options = nullptr;
  // Its background work in `sanad serve` on this database, once the options are parsed; throws
  // std::invalid_argument with a message for options that do not go together.
  std::function<std::vector<Background>(const std::string& db_url)> background = nullptr;
  // Labels of its codes, added to GET /api/v1/vocabulary.
  std::function<void(nlohmann::json&)> vocabulary = nullptr;
  // Its audit actions that change no figure or list (exports, targets, reports): added to
  // `actions` (whole names) and `prefixes` (beginnings of an action or a subject), so that
  // caches of the registry (app/registry_version.hpp) are not recomputed for them.
  std::function<void(std::vector<std::string>& actions, std::vector<std::string>& prefixes)>
      quiet_audit = nullptr;
  // Its facts for the statistics, the values it gives pupils, and the indicators it ships over
  // them: a JSON array of definitions in the form `sanad stats define` takes.
  std::vector<FactSource> facts = {};
  std::vector<PupilAttribute> pupil_attributes = {};
  std::string_view indicators = {};
  // What `sanad init` checks and restores of its tables.
  std::vector<Upkeep> upkeep = {};
};

// The parts of this program, in the order their routes and commands are listed (src/modules.cpp).
const std::vector<const Module*>& modules();

}  // namespace sanad
