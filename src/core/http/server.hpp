// `sanad serve`: the JSON API (http/api.cpp), the web application's static files and /healthz,
// on Boost.Beast. One I/O thread reads and writes every connection asynchronously (idle
// keep-alive connections cost a socket and a buffer); API calls run on a pool of workers, each
// with its own database connection.
#pragma once
#include <string>

namespace sanad::http {

int default_workers(const std::string& db_url);

struct ServeOptions {
  std::string db_url;
  std::string listen = "127.0.0.1:8080";
  std::string web_dir;  // the built web app (index.html, assets/); empty: built-in
  // API calls at once, one database connection each; 0: on SQLite the cores and one more (the
  // calls work the CPU; the extra one keeps a core busy while a call waits on the disk), on
  // PostgreSQL twice the cores (calls wait on the network).
  int workers = 0;
  int64_t max_body = 1 << 20;       // bytes of a request body …
  int64_t max_upload = 64LL << 20;  // … except an import's file
  int request_seconds = 60;         // reading a request, writing a response
  int shutdown_seconds = 30;        // after SIGTERM, how long requests in flight may finish
  // Served behind a reverse proxy that terminates TLS (and is the only way to the port): the
  // client's address is the last of X-Forwarded-For, the scheme X-Forwarded-Proto (https: the
  // session cookie gets Secure). Without it both headers are ignored.
  bool behind_proxy = false;
  // The parts' background work (Module::background): off for a server that must only answer.
  bool background = true;
};

// Runs until SIGINT or SIGTERM; returns the process exit code.
int serve(const ServeOptions& opt);

}  // namespace sanad::http
