// Disclosure control: small counts are withheld and cannot be found back by subtraction.
#include <gtest/gtest.h>

#include "stats/domain/disclosure.hpp"

using namespace sanad::disclosure;

namespace {

// Recovers what can be found back from published cells by one subtraction in a relation.
bool recoverable(const std::vector<Cell>& cells, const std::vector<Relation>& rel,
                 const std::vector<Conf>& conf) {
  for (const auto& r : rel) {
    int hidden = conf[static_cast<std::size_t>(r.total)] != Conf::free;
    for (auto p : r.parts) hidden += conf[static_cast<std::size_t>(p)] != Conf::free;
    if (hidden == 1) return true;
  }
  return false;
}

TEST(Disclosure, SmallCountsAreWithheldAndProtectedBySecondaryCells) {
  // Girls 3, boys 40, total 43: the girls are withheld, and so must be one more cell, else
  // 43 − 40 gives them back.
  std::vector<Cell> cells{{43, 43}, {3, 3}, {40, 40}};
  std::vector<Relation> rel{{0, {1, 2}}};
  auto conf = protect(cells, rel, 5);
  EXPECT_EQ(conf[1], Conf::primary);
  EXPECT_TRUE(conf[0] == Conf::secondary || conf[2] == Conf::secondary);
  EXPECT_FALSE(recoverable(cells, rel, conf));
}

TEST(Disclosure, ChainsOfRelationsAreFollowed) {
  // A region (0) = two directorates (1, 2); directorate 1 = communes 3, 4; the commune with 2
  // pupils is withheld, its sibling then, and the region's relation must not give it back.
  std::vector<Cell> cells{{100, 100}, {30, 30}, {70, 70}, {2, 2}, {28, 28}};
  std::vector<Relation> rel{{0, {1, 2}}, {1, {3, 4}}};
  auto conf = protect(cells, rel, 5);
  EXPECT_EQ(conf[3], Conf::primary);
  EXPECT_FALSE(recoverable(cells, rel, conf));
  // Zero and counts at the threshold are published; public cells are never withheld for
  // themselves.
  std::vector<Cell> ok{{10, 10}, {0, 0}, {10, 10}, {1, 1, false}};
  auto c2 = protect(ok, {{0, {1, 2}}}, 5);
  EXPECT_EQ(c2[0], Conf::free);
  EXPECT_EQ(c2[1], Conf::free);
  EXPECT_EQ(c2[3], Conf::free);
}

}  // namespace
