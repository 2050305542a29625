// A JSON text written as it goes, without building a document first: for the answers of the
// routes called most (a pupil search), where the document's nodes were most of the allocations.
// The output is the same JSON a document would give: strings escaped, UTF-8 kept as it is;
// a string that is not valid UTF-8 is refused as the document's dump refuses it.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sanad::http {

class JsonOut {
 public:
  JsonOut() { out_.reserve(1024); }
  JsonOut& begin_object() {
    comma();
    out_ += '{';
    first_.push_back(true);
    return *this;
  }
  JsonOut& end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
  }
  JsonOut& begin_array() {
    comma();
    out_ += '[';
    first_.push_back(true);
    return *this;
  }
  JsonOut& end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
  }
  // A key of the object being written; its value comes next.
  JsonOut& key(std::string_view k) {
    comma();
    quoted(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonOut& value(std::string_view s) {
    comma();
    quoted(s);
    return *this;
  }
  JsonOut& value(const char* s) { return value(std::string_view(s)); }
  JsonOut& value(int64_t n) {
    comma();
    out_ += std::to_string(n);
    return *this;
  }
  JsonOut& value(bool b) {
    comma();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonOut& field(std::string_view k, std::string_view s) { return key(k).value(s); }
  JsonOut& field(std::string_view k, int64_t n) { return key(k).value(n); }
  JsonOut& strings(std::string_view k, const std::vector<std::string>& list) {
    key(k).begin_array();
    for (const auto& s : list) value(s);
    return end_array();
  }
  std::string take() { return std::move(out_); }

 private:
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  void quoted(std::string_view s);

  std::string out_;
  std::vector<bool> first_;  // per open object or array: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace sanad::http
