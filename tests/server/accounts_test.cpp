// Login backoff and lockout with a controlled clock (in-process, real SQLite file).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "server/accounts.h"
#include "store/crypto.h"
#include "store/sqlite_store.h"

namespace isocourse::server {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "isocourse-acc-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    store::SqliteOptions opt;
    opt.clock = [this] { return store::AddSeconds("2026-03-01T09:00:00.000Z", now_); };
    store_ = std::move(*store::SqliteStore::Open(dir_ / "a.db", std::move(opt)));
    accounts_ = std::make_unique<Accounts>(*store_);
    auto clinic = store_->CreateClinic(store::Clinic{ClinicId(), "C", "US", ""});
    ASSERT_TRUE(accounts_->Create(
        NewAccount{"kim", "Kim", store::Role::kStaff, clinic->id, std::nullopt, "right-password"}));
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  ErrorCode Fail() {
    auto r = accounts_->Login("kim", "wrong-password");
    return r ? ErrorCode::kInternal : r.error().code;
  }

  int64_t now_ = 0;  // seconds after 09:00
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsTest, BackoffDoublesUpToTheMaximumAndSuccessResets) {
  for (int i = 0; i < Accounts::kFreeAttempts; ++i) EXPECT_EQ(Fail(), ErrorCode::kUnauthenticated);
  // Locked for 30 s: even the right password is refused, and says until when.
  auto locked = accounts_->Login("kim", "right-password");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(locked.error().message.find("2026-03-01T09:00:30.000Z"), std::string::npos)
      << locked.error().message;
  now_ = 31;
  EXPECT_EQ(Fail(), ErrorCode::kUnauthenticated);  // 6th failure: 60 s
  EXPECT_EQ(store_->FindUserByName("kim")->locked_until, "2026-03-01T09:01:31.000Z");
  now_ = 92;
  EXPECT_EQ(Fail(), ErrorCode::kUnauthenticated);  // 7th: 120 s
  EXPECT_EQ(store_->FindUserByName("kim")->locked_until, "2026-03-01T09:03:32.000Z");
  for (int i = 0; i < 10; ++i) {
    now_ += 3600;
    EXPECT_EQ(Fail(), ErrorCode::kUnauthenticated);
  }
  // Capped at 15 minutes.
  EXPECT_EQ(store_->FindUserByName("kim")->locked_until, store::AddSeconds(store_->Now(), 900));
  now_ += 901;
  auto ok = accounts_->Login("kim", "right-password");
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(store_->FindUserByName("kim")->failed_logins, 0);
  EXPECT_TRUE(store_->FindUserByName("kim")->locked_until.empty());
}

TEST_F(AccountsTest, SessionsExpireAndOnlyTheirHashIsStored) {
  auto login = accounts_->Login("kim", "right-password");
  ASSERT_TRUE(login);
  EXPECT_FALSE(store_->FindSession(login->session_token));  // not stored in clear
  EXPECT_TRUE(store_->FindSession(store::Blake2bHex(login->session_token)));
  EXPECT_TRUE(accounts_->FromSessionToken(login->session_token, true));
  now_ = Accounts::kSessionSeconds + 1;
  auto expired = accounts_->FromSessionToken(login->session_token, true);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
}

TEST_F(AccountsTest, FirstAdminOnlyOnAnEmptyDatabase) {
  auto first = accounts_->BootstrapAdmin();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->has_value());  // kim exists already
  EXPECT_FALSE(store_->FindUserByName("admin"));
  auto short_pw = accounts_->Create(
      NewAccount{"x", "", store::Role::kAdmin, std::nullopt, std::nullopt, "short"});
  ASSERT_FALSE(short_pw);
  EXPECT_EQ(short_pw.error().where, "password");
  auto generated =
      accounts_->Create(NewAccount{"y", "", store::Role::kAdmin, std::nullopt, std::nullopt, ""});
  ASSERT_TRUE(generated);
  EXPECT_GE(generated->password.size(), 20u);
  EXPECT_TRUE(accounts_->Login("y", generated->password));
}

}  // namespace
}  // namespace isocourse::server
