#include "kernel/dates.hpp"

#include <fmt/format.h>

#include <charconv>

#include "kernel/text.hpp"

namespace sanad {

std::string Date::iso() const {
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}
std::string Date::dmy() const {
  return fmt::format("{:02d}/{:02d}/{:04d}", day, month, year);
}

// Howard Hinnant's civil-from-days algorithms, restated.
int64_t Date::days() const {
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

int days_in_month(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

bool valid_date(int y, int m, int d) {
  return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

static int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Date from_excel_serial(int64_t serial) {
  // Serial 1 is 1900-01-01; Excel counts a 29 February 1900 that never was, so from serial 61
  // on the epoch is 1899-12-30.
  static const int64_t epoch = Date{1899, 12, 30}.days();
  if (serial < 61) return Date::from_days(epoch + serial + 1);
  return Date::from_days(epoch + serial);
}

int64_t to_excel_serial(const Date& d) {
  static const int64_t epoch = Date{1899, 12, 30}.days();
  int64_t s = d.days() - epoch;
  return s < 61 ? s - 1 : s;
}

std::optional<Date> parse_iso_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto y = t.substr(0, 4), m = t.substr(5, 2), d = t.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  Date r{to_int(y), to_int(m), to_int(d)};
  if (!valid_date(r.year, r.month, r.day)) return std::nullopt;
  return r;
}

std::optional<Date> parse_date(std::string_view text) {
  std::string s = trim(text);
  if (s.empty() || s.size() > 24) return std::nullopt;
  // Excel serial, possibly with a fractional time part ("45231" or "45231.0").
  std::string_view sv = s;
  if (auto dot = sv.find('.');
      dot != std::string_view::npos && dot > 0 && all_digits(sv.substr(0, dot))) {
    auto frac = sv.substr(dot + 1);
    if (frac.empty() || all_digits(frac)) sv = sv.substr(0, dot);
  }
  if (all_digits(sv) && sv.size() <= 6) {
    int64_t serial = to_int(sv);
    if (serial < 1 || serial > 2958465) return std::nullopt;
    Date d = from_excel_serial(serial);
    if (!valid_date(d.year, d.month, d.day)) return std::nullopt;
    return d;
  }
  // Split on one kind of separator.
  char sep = 0;
  for (char c : s) {
    if (c == '/' || c == '-' || c == '.') {
      sep = c;
      break;
    }
  }
  if (!sep) return std::nullopt;
  std::string_view parts[3];
  std::size_t start = 0;
  int n = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      if (n == 3) return std::nullopt;
      parts[n++] = std::string_view(s).substr(start, i - start);
      start = i + 1;
    }
  }
  if (n != 3) return std::nullopt;
  for (auto& p : parts)
    if (!all_digits(p) || p.size() > 4) return std::nullopt;
  Date r;
  if (parts[0].size() == 4) {  // year first
    if (parts[1].size() > 2 || parts[2].size() > 2) return std::nullopt;
    r = {to_int(parts[0]), to_int(parts[1]), to_int(parts[2])};
  } else if (parts[2].size() == 4) {  // day first, the Moroccan way
    if (parts[0].size() > 2 || parts[1].size() > 2) return std::nullopt;
    r = {to_int(parts[2]), to_int(parts[1]), to_int(parts[0])};
  } else {
    return std::nullopt;  // two-digit years are ambiguous
  }
  if (!valid_date(r.year, r.month, r.day)) return std::nullopt;
  return r;
}

std::optional<std::string> parse_school_year(std::string_view text) {
  std::string s = trim(text);
  if (s.size() < 7) return std::nullopt;
  std::string_view a = std::string_view(s).substr(0, 4);
  char sep = s[4];
  if (sep != '-' && sep != '/') return std::nullopt;
  std::string_view b = std::string_view(s).substr(5);
  if (!all_digits(a) || !all_digits(b)) return std::nullopt;
  int y1 = to_int(a);
  int y2 = b.size() == 4 ? to_int(b) : b.size() == 2 ? (y1 / 100) * 100 + to_int(b) : -1;
  if (b.size() == 2 && y2 < y1) y2 += 100;
  if (y1 < 1950 || y1 > 2200 || y2 != y1 + 1) return std::nullopt;
  return fmt::format("{}-{}", y1, y2);
}

int school_year_start(std::string_view code) {
  return to_int(code.substr(0, 4));
}

SchoolYear SchoolYear::of(const Date& d) {
  return {d.month >= 9 ? d.year : d.year - 1};
}
std::string SchoolYear::code() const {
  return fmt::format("{}-{}", start, start + 1);
}
std::string SchoolYear::first_day() const {
  return fmt::format("{}-09-01", start);
}
std::string SchoolYear::last_day() const {
  return fmt::format("{}-08-31", start + 1);
}

bool is_school_day(const Date& dt) {
  const int month = dt.month, d = dt.day;
  int64_t wd = (dt.days() + 4) % 7;  // 1970-01-01 was a Thursday: 0 = Sunday
  if (wd < 0) wd += 7;
  if (wd == 0 || wd == 6) return false;
  if (month == 7 || month == 8) return false;            // summer
  if (month == 9 && d < 8) return false;                 // school starts in the second week
  if (month == 11 && (d == 6 || d == 18)) return false;  // Green March, Independence Day
  if (month == 1 && (d == 1 || d == 11 || d == 14)) return false;
  if (month == 12 && d > 24) return false;  // winter break
  if (month == 1 && d < 3) return false;
  if (month == 3 && d >= 24) return false;  // spring break (approximate)
  if (month == 5 && d == 1) return false;
  if (month == 6 && d > 20) return false;  // end of lessons
  return true;
}

int school_days_between(const Date& from, const Date& to) {
  int n = 0;
  for (int64_t d = from.days(); d <= to.days(); ++d)
    if (is_school_day(Date::from_days(d))) ++n;
  return n;
}

}  // namespace sanad
