// A use case's refusal to show the user as it is (a rule, a state, a missing right): its English
// message (the CLI, logs) and, when the use case has them, Arabic and French (the web app).
// Answered 422 through the API, exit code 1 on the command line.
#pragma once
#include <stdexcept>
#include <string>

namespace sanad::app {

struct Refusal : std::runtime_error {
  using std::runtime_error::runtime_error;
  Refusal(const std::string& en, std::string ar, std::string fr)
      : std::runtime_error(en), message_ar(std::move(ar)), message_fr(std::move(fr)) {}
  std::string message_ar, message_fr;
};

}  // namespace sanad::app
