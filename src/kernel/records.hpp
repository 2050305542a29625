// The records of the registry, as plain values. Dates are ISO-8601 strings ("" when unknown),
// codes are the natural keys; surrogate ids stay inside the store.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sanad {

struct Region {
  std::string code, name_ar, name_fr;
  int64_t population = 0, households = 0;
};

struct Province {
  std::string code, region_code, kind, name_ar, name_fr;  // kind: province, prefecture, …
  int64_t population = 0, households = 0;
};

struct Directorate {
  std::string code, region_code, name_ar, name_fr;
};

struct Commune {
  std::string code, province_code, region_code, directorate_code, milieu, name_ar, name_fr;
  int64_t population = 0, households = 0;
};

struct School {
  std::string code, name_ar, name_fr;
  std::vector<std::string> cycles;  // codes from cycles(), in teaching order
  std::string commune_code, milieu, sector;
  int64_t boarding_beds = 0;
  bool canteen = false;
  bool operator==(const School&) const = default;
};

struct Pupil {
  std::string massar, last_ar, first_ar, last_fr, first_fr, sex, birth_date, birth_place;
  bool operator==(const Pupil&) const = default;
};

struct Enrolment {
  std::string massar, school_year, school_code, level, class_name, status;
  std::string transfer_to, left_date;  // for status transferred / left
  bool operator==(const Enrolment&) const = default;
};

// A household is identified by its payee's CIN; a pupil belongs to one household with the
// payee's relation to that pupil.
struct Household {
  std::string payee_cin, payee_name, phone, ramed;
  bool operator==(const Household&) const = default;
};

struct Membership {
  std::string massar, payee_cin, relation;
  bool operator==(const Membership&) const = default;
};

struct Absence {
  std::string massar, date;
  bool justified = false;
  int sessions = 1;  // the sessions (half-days) missed that day, 1 to 12
  bool operator==(const Absence&) const = default;
};

}  // namespace sanad
