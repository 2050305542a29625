// Calendar dates as the registry uses them: ISO-8601 inside, dd/mm/yyyy for people.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sanad {

struct Date {
  int year = 0, month = 0, day = 0;
  auto operator<=>(const Date&) const = default;
  std::string iso() const;  // 2024-11-22
  std::string dmy() const;  // 22/11/2024
  int64_t days() const;     // days since 1970-01-01
  static Date from_days(int64_t days);
};

bool valid_date(int y, int m, int d);
int days_in_month(int y, int m);

// Accepts dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, yyyy/mm/dd and Excel serial numbers
// (1900 date system, as a whole number). Returns nothing for anything else or an impossible date.
std::optional<Date> parse_date(std::string_view text);
std::optional<Date> parse_iso_date(std::string_view text);
Date from_excel_serial(int64_t serial);
int64_t to_excel_serial(const Date& d);

// "2024-2025", "2024/2025" or "2024-25" → "2024-2025"; the years must follow each other.
std::optional<std::string> parse_school_year(std::string_view text);
int school_year_start(std::string_view code);  // 2024 for "2024-2025"

// A school year, 1 September to 31 August, known by the year it starts.
struct SchoolYear {
  int start = 0;
  static SchoolYear of(const Date& d);  // 2024 for 2024-09-01 and for 2025-08-31
  std::string code() const;             // "2024-2025"
  std::string first_day() const;        // "2024-09-01"
  std::string last_day() const;         // "2025-08-31"
  bool contains(const Date& d) const { return of(d).start == start; }
};

// The school calendar: a day of lessons (Monday to Friday from the second week of September to
// 20 June, without the national holidays and the winter and spring breaks, as an approximation
// of the ministry's calendar), and the days of lessons in [from, to].
bool is_school_day(const Date& d);
int school_days_between(const Date& from, const Date& to);

}  // namespace sanad
