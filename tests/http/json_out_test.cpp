#include "core/http/json_out.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sanad::http {
namespace {

// What JsonOut writes reads back, with a JSON parser, as the document it describes.
TEST(JsonOut, WritesTheDocumentAParserReadsBack) {
  JsonOut out;
  out.begin_object()
      .field("name", "محمد \"الأمين\"\\ line\nnext\ttab \x01 end")
      .field("count", int64_t{-42})
      .strings("empty", {})
      .strings("levels", {"1AP", "2AP"})
      .key("items")
      .begin_array();
  out.begin_object().field("a", "x").key("ok").value(true).end_object();
  out.begin_object().key("nested").begin_array().value(int64_t{1}).value("b").end_array();
  out.end_object();
  out.end_array().end_object();
  const std::string text = out.take();
  const auto doc = nlohmann::json::parse(text);
  const nlohmann::json expected = {{"name", "محمد \"الأمين\"\\ line\nnext\ttab \x01 end"},
                                   {"count", -42},
                                   {"empty", nlohmann::json::array()},
                                   {"levels", {"1AP", "2AP"}},
                                   {"items", {{{"a", "x"}, {"ok", true}}, {{"nested", {1, "b"}}}}}};
  EXPECT_EQ(doc, expected) << text;
  // Arabic stays as it is (not \u escapes), control characters are escaped.
  EXPECT_NE(text.find("محمد"), std::string::npos);
  EXPECT_NE(text.find("\\u0001"), std::string::npos);
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(JsonOut, RefusesAStringThatIsNotUtf8) {
  JsonOut out;
  out.begin_object();
  EXPECT_THROW(out.field("name", "\xC3("), std::invalid_argument);
}

}  // namespace
}  // namespace sanad::http
