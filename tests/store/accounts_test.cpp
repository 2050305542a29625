#include <fmt/format.h>
// Accounts, sessions, throttling, scopes and the audit chain, on both backends.
#include "backend.hpp"
#include "core/app/access.hpp"
#include "core/app/accounts.hpp"
#include "core/app/caller.hpp"
#include "registry/app/import.hpp"

using namespace sanad;
using namespace sanad::app;
using sanad::testing::BothBackends;

namespace {

const std::string kPw = "correct horse 42";

class Accounts : public BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(import_examples({{ListKind::schools, "schools.csv"}}));
  }
  void add(const std::string& login, const std::string& role, const std::string& scope) {
    add_user(st(), {login, "Test " + login, role, scope, kPw}, "test", "local");
  }
  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const AccountError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_P(Accounts, PasswordsAreArgon2idAndNeverStoredInClear) {
  add("head1", "school_head", "35310051B");
  auto u = st().user_by_login("head1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->password_hash.rfind("$argon2id$", 0), 0u) << u->password_hash;
  EXPECT_EQ(u->password_hash.find(kPw), std::string::npos);
  EXPECT_TRUE(verify_password(u->password_hash, kPw));
  EXPECT_FALSE(verify_password(u->password_hash, kPw + "x"));
}

TEST_P(Accounts, RoleAndScopeMustFit) {
  EXPECT_NE(error_of([&] { add("head-a", "school_head", "03.531"); }).find("cannot have"),
            std::string::npos);
  EXPECT_NE(error_of([&] { add("head-b", "school_head", "99999999Z"); }).find("unknown scope"),
            std::string::npos);
  EXPECT_NE(error_of([&] { add("head-c", "headmaster", "35310051B"); }).find("unknown role"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              add_user(st(), {"head-d", "X", "school_head", "35310051B", "short"}, "t", "l");
            }).find("at least 10"),
            std::string::npos);
  add("dup", "auditor", "03");
  EXPECT_NE(error_of([&] { add("dup", "auditor", "03"); }).find("taken"), std::string::npos);
  EXPECT_EQ(st().count("users"), 1);
}

TEST_P(Accounts, LoginGivesASessionThatLogoutEnds) {
  add("head1", "school_head", "35310051B");
  auto r = login(st(), "head1", kPw, "127.0.0.1");
  EXPECT_EQ(r.token.size(), 64u);
  EXPECT_NE(r.token, r.csrf);
  // Only the token's hash is in the database.
  EXPECT_EQ(st().db().scalar_i64("SELECT count(*) FROM sessions WHERE token_hash = $1", {r.token}),
            0);
  auto a = authenticate(st(), r.token);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->who.login, "head1");
  EXPECT_EQ(a->who.role, Role::school_head);
  EXPECT_EQ(a->csrf, r.csrf);
  logout(st(), r.token);
  EXPECT_FALSE(authenticate(st(), r.token));
}

// Two servers on one database: a session checked (and kept in memory) by one ends there as soon
// as the other signs it out or disables the account, and a new session of the other is known.
TEST_P(Accounts, ASessionEndedOnAnotherServerEndsHereAtOnce) {
  add("head1", "school_head", "35310051B");
  add("head2", "school_head", "35310077K");
  auto other = backend_.store(false);  // the other server's connection
  auto r = login(st(), "head1", kPw, "ip");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(authenticate(st(), r.token));  // kept in memory
  ASSERT_TRUE(authenticate(*other, r.token));
  logout(*other, r.token);
  EXPECT_FALSE(authenticate(st(), r.token));
  auto r2 = login(*other, "head1", kPw, "ip");
  ASSERT_TRUE(authenticate(st(), r2.token));
  set_disabled(*other, "head1", true, "admin", "local");
  EXPECT_FALSE(authenticate(st(), r2.token));
  // A sign-in of someone else moves the head too; the first account's sessions stay ended.
  auto r3 = login(*other, "head2", kPw, "ip");
  EXPECT_FALSE(authenticate(st(), r2.token));
  EXPECT_EQ(authenticate(st(), r3.token)->who.login, "head2");
}

TEST_P(Accounts, WrongPasswordsAreThrottledAndUnknownLoginsLookTheSame) {
  add("head1", "school_head", "35310051B");
  EXPECT_EQ(error_of([&] { login(st(), "head1", "wrong", "ip"); }),
            error_of([&] { login(st(), "nobody", "wrong", "ip"); }));
  for (int i = 0; i < 4; ++i) EXPECT_NE(error_of([&] { login(st(), "head1", "x", "ip"); }), "");
  // Five failures: even the right password is refused for a while.
  EXPECT_NE(error_of([&] { login(st(), "head1", kPw, "ip"); }).find("too many"), std::string::npos);
  set_password(st(), "head1", "another pass 7", "admin", "local");  // an admin resets it
  EXPECT_NO_THROW(login(st(), "head1", "another pass 7", "ip"));
}

TEST_P(Accounts, OneAddressTryingManyLoginsIsThrottledToo) {
  add("head1", "school_head", "35310051B");
  SessionPolicy policy;
  policy.throttle.max_failures_per_origin = 6;
  // Two wrong passwords each on three logins: under the per-login limit, over the address's.
  for (const char* l : {"a1", "a2", "a3"})
    for (int i = 0; i < 2; ++i)
      EXPECT_EQ(error_of([&] { login(st(), l, "x", "10.0.0.9", policy); }),
                "wrong login or password");
  EXPECT_NE(error_of([&] { login(st(), "head1", kPw, "10.0.0.9", policy); }).find("this address"),
            std::string::npos);
  EXPECT_NO_THROW(login(st(), "head1", kPw, "10.0.0.10", policy));  // another address
}

// Moving from one address to the next of the same network does not escape the limit (issue 24):
// failures are also counted per /24 (IPv4) and /64 (IPv6).
TEST_P(Accounts, AnAttackerMovingAcrossOneNetworksAddressesIsThrottledAsOne) {
  add("head1", "school_head", "35310051B");
  SessionPolicy policy;
  policy.throttle.max_failures_per_origin = 3;
  policy.throttle.max_failures_per_network = 8;
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(error_of([&] {
                login(st(), "u" + std::to_string(i), "x", fmt::format("127.0.0.{}", 30 + i),
                      policy);
              }),
              "wrong login or password");
  EXPECT_NE(error_of([&] { login(st(), "head1", kPw, "127.0.0.99", policy); }).find("this address"),
            std::string::npos);
  EXPECT_NO_THROW(login(st(), "head1", kPw, "127.0.1.99", policy));  // another network
  for (int i = 0; i < 8; ++i)
    error_of([&] {
      login(st(), "v" + std::to_string(i), "x", fmt::format("2001:db8::{}", i + 1), policy);
    });
  EXPECT_NE(error_of([&] {
              login(st(), "head1", kPw, "2001:db8:0:0:ffff::5", policy);
            }).find("this address"),
            std::string::npos);
  EXPECT_NO_THROW(login(st(), "head1", kPw, "2001:db8:0:1::5", policy));
  EXPECT_EQ(network_of("::ffff:10.1.2.3"), "10.1.2.0/24");
  EXPECT_EQ(network_of("2001:DB8::1"), "2001:0db8:0000:0000::/64");
  EXPECT_EQ(network_of("unknown"), "unknown");
}

TEST_P(Accounts, DisablingOrANewPasswordEndsSessions) {
  add("head1", "school_head", "35310051B");
  auto r = login(st(), "head1", kPw, "ip");
  set_disabled(st(), "head1", true, "admin", "local");
  EXPECT_FALSE(authenticate(st(), r.token));
  EXPECT_NE(error_of([&] { login(st(), "head1", kPw, "ip"); }).find("disabled"), std::string::npos);
  set_disabled(st(), "head1", false, "admin", "local");
  auto r2 = login(st(), "head1", kPw, "ip");
  set_password(st(), "head1", "brand new pass 1", "admin", "local");
  EXPECT_FALSE(authenticate(st(), r2.token));
}

TEST_P(Accounts, ScopesFollowTheTerritoryTree) {
  add("head1", "school_head", "35310051B");
  add("dir", "directorate_manager", "03.531");
  add("fes", "academy_officer", "03");
  add("rabat", "academy_officer", "04");
  auto who = [&](const std::string& l) {
    return *authenticate(st(), login(st(), l, kPw, "ip").token);
  };
  const Scope school_a{NodeKind::school, "35310051B"}, school_b{NodeKind::school, "35310077K"};
  EXPECT_TRUE(can_see(st(), who("head1").who, school_a));
  EXPECT_FALSE(can_see(st(), who("head1").who, school_b));
  EXPECT_FALSE(can_see(st(), who("head1").who, Scope{NodeKind::directorate, "03.531"}));
  EXPECT_TRUE(can_see(st(), who("dir").who, school_a));
  EXPECT_TRUE(can_see(st(), who("dir").who, school_b));
  EXPECT_TRUE(can_see(st(), who("fes").who, school_b));
  EXPECT_FALSE(can_see(st(), who("rabat").who, school_a));
  EXPECT_FALSE(can_see(st(), who("dir").who, Scope{NodeKind::school, "NOSUCH1"}));
  EXPECT_FALSE(role_allows(Role::school_head, Action::manage_users));
  EXPECT_FALSE(role_allows(Role::auditor, Action::import_data));
  EXPECT_TRUE(role_allows(Role::auditor, Action::read_audit));
}

// The command line calls the same use cases as the API, as the local operator: whoever runs sanad
// beside the database may take every action over the whole country, even one no account's role
// holds at that level (a school's confirmation of its list), and is named in the audit log by the
// system user from "local". The same principal signed in through the API is held to its role.
TEST_P(Accounts, TheCommandLineActsAsTheLocalOperator) {
  const Principal op = local_operator("cli:amina");
  const Caller local{op, "local", true}, signed_in{op, "api 192.0.2.1"};
  for (Action a : all_actions()) EXPECT_TRUE(local.may(a)) << action_name(a);
  EXPECT_FALSE(role_allows(op.role, Action::tayssir_check));
  EXPECT_FALSE(signed_in.may(Action::tayssir_check));
  EXPECT_THROW(require(signed_in, {Action::tayssir_check}), Forbidden);
  EXPECT_NO_THROW(require(local, {Action::tayssir_check}));
  EXPECT_TRUE(can_see(st(), op, Scope{NodeKind::school, "35310051B"}));
  EXPECT_EQ(local.actor().name, "cli:amina");
  EXPECT_EQ(local.actor().origin, "local");
}

TEST_P(Accounts, TheAuditChainDetectsAlteredAndDeletedEntries) {
  add("head1", "school_head", "35310051B");
  login(st(), "head1", kPw, "10.0.0.7");
  set_disabled(st(), "head1", true, "admin", "local");
  auto ok = st().verify_audit();
  EXPECT_FALSE(ok.broken_at) << ok.reason;
  EXPECT_GE(ok.entries, 4);  // init, schools import, user add, login, disable
  auto hist = st().audit_of("user head1", 10);
  ASSERT_GE(hist.size(), 3u);
  EXPECT_EQ(hist[0].action, "user disable");  // newest first
  EXPECT_NE(hist[0].detail.find("\"disabled\":true"), std::string::npos) << hist[0].detail;
  EXPECT_NE(hist[0].detail.find("\"before\""), std::string::npos);

  auto target = hist[1].id;
  st().db().execute("UPDATE audit_log SET actor = 'someone else' WHERE id = $1", {target});
  auto bad = st().verify_audit();
  ASSERT_TRUE(bad.broken_at);
  EXPECT_EQ(*bad.broken_at, target);
  st().db().execute("UPDATE audit_log SET actor = $1 WHERE id = $2", {hist[1].actor, target});
  EXPECT_FALSE(st().verify_audit().broken_at);
  st().db().execute("DELETE FROM audit_log WHERE id = $1", {target});
  auto gone = st().verify_audit();
  ASSERT_TRUE(gone.broken_at);
  EXPECT_EQ(*gone.broken_at, hist[0].id);  // the entry after the deleted one
}

// An entry slipped into the log without a hash stays a break: `sanad init` (which runs the
// migrations) does not seal it into the chain (issue 24). An anchor must name an entry and its
// hash: "0:abc" is no anchor.
TEST_P(Accounts, AnEntryWithoutAHashIsNeverLaunderedByAnUpgrade) {
  add("head1", "school_head", "35310051B");
  st().db().execute(
      "INSERT INTO audit_log (at, actor, origin, action, subject, detail) VALUES "
      "('2026-01-01T00:00:00Z', 'intruder', 'x', 'import', 'pupils', 'forged')");
  auto bad = st().verify_audit();
  ASSERT_TRUE(bad.broken_at);
  EXPECT_EQ(bad.reason, "entry has no hash");
  init_database(st(), "test");  // what `sanad init` does
  auto after = st().verify_audit();
  ASSERT_TRUE(after.broken_at);
  EXPECT_EQ(*after.broken_at, *bad.broken_at);
  EXPECT_THROW(st().verify_audit("0:abc"), std::invalid_argument);
  EXPECT_THROW(st().verify_audit("3:abc"), std::invalid_argument);
  EXPECT_THROW(st().verify_audit("0:" + std::string(64, 'a')), std::invalid_argument);
  EXPECT_NO_THROW(st().verify_audit("0:"));
}

// The chain cannot tell that its newest entries were deleted; an anchor kept outside can.
TEST_P(Accounts, AnAnchorDetectsEntriesDeletedFromTheEnd) {
  add("head1", "school_head", "35310051B");
  const std::string anchor = st().audit_head();
  const auto colon = anchor.find(':');
  const int64_t anchor_id = std::stoll(anchor.substr(0, colon));
  ASSERT_GT(anchor_id, 0);
  login(st(), "head1", kPw, "10.0.0.7");
  auto ok = st().verify_audit(anchor);
  EXPECT_FALSE(ok.broken_at) << ok.reason;

  // The anchor's entry and the ones after it deleted: the chain of what is left holds.
  st().db().execute("DELETE FROM audit_log WHERE id >= $1", {anchor_id});
  EXPECT_FALSE(st().verify_audit().broken_at);
  auto gone = st().verify_audit(anchor);
  ASSERT_TRUE(gone.broken_at);
  EXPECT_EQ(*gone.broken_at, anchor_id);
  EXPECT_NE(gone.reason.find("deleted from the end"), std::string::npos) << gone.reason;

  // An anchor whose hash is not the entry's: the log was rewritten since.
  const std::string now = st().audit_head();
  const int64_t now_id = std::stoll(now.substr(0, now.find(':')));
  auto rewritten = st().verify_audit(std::to_string(now_id) + ":" + std::string(64, 'a'));
  ASSERT_TRUE(rewritten.broken_at);
  EXPECT_EQ(*rewritten.broken_at, now_id);
  EXPECT_NE(rewritten.reason.find("rewritten"), std::string::npos) << rewritten.reason;
  EXPECT_FALSE(st().verify_audit(now).broken_at);
  EXPECT_THROW(st().verify_audit("twelve:abc"), std::invalid_argument);
  EXPECT_THROW(st().verify_audit("12"), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Backends, Accounts, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
