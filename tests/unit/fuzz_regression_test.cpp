// Every file the fuzzers kept (seeds and the inputs that once found a problem) must still be
// read or refused with a ReadError: no crash, no other exception.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "io/table.hpp"

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> files_in(const std::string& dir) {
  std::vector<fs::path> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(FuzzRegressions, CsvCorpus) {
  auto files = files_in(std::string(SANAD_FUZZ_CORPUS) + "/csv");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    try {
      sanad::io::read_csv_bytes(slurp(f), f.filename().string());
    } catch (const sanad::io::ReadError&) {
    }
  }
}

TEST(FuzzRegressions, XlsxCorpus) {
  auto files = files_in(std::string(SANAD_FUZZ_CORPUS) + "/xlsx");
  ASSERT_FALSE(files.empty());
  int readable = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    try {
      sanad::io::read_xlsx_bytes(slurp(f), f.filename().string());
      ++readable;
    } catch (const sanad::io::ReadError&) {
    }
  }
  EXPECT_GT(readable, 0);  // the seeds are real workbooks
}
