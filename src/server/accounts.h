// File: accounts.h
//
// Logins, sessions, API tokens and the first admin, on top of the Store.
//
// Passwords are Argon2id hashes (store/crypto.h). A session is a random 256-bit
// token sent as an HttpOnly cookie (or as a bearer token by non-browser clients); only
// its BLAKE2b hash is stored, so a copy of the database cannot be used to log in. Each
// session carries a CSRF token that browser writes must echo in X-CSRF-Token.
//
// Failed logins: after kFreeAttempts consecutive failures the account is locked for
// 30 s, doubling with every further failure up to 15 minutes (backoff and temporary
// lockout in one rule). A locked account refuses even the right password until the
// lock expires; a successful login resets the count.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "store/store.h"

namespace isocourse::server {

// Who is calling, after authentication.
struct Principal {
  UserId id;
  std::string username;
  std::string display_name;
  store::Role role = store::Role::kStaff;
  std::optional<ClinicId> clinic;
  std::optional<PatientId> patient;
  // Set when authenticated by the session cookie: writes must present this token.
  std::string csrf_token;
  bool via_cookie = false;
  std::string session_hash;  // empty for API tokens
};

struct LoginResult {
  std::string session_token;  // give to the client once; never stored
  std::string csrf_token;
  store::Timestamp expires_at;
  Principal who;
};

struct NewAccount {
  std::string username;
  std::string display_name;
  store::Role role = store::Role::kStaff;
  std::optional<ClinicId> clinic;
  std::optional<PatientId> patient;
  std::string password;  // empty = generate one
};

struct CreatedAccount {
  store::User user;
  std::string password;  // the generated password, empty if the caller chose one
};

class Accounts {
 public:
  static constexpr int kFreeAttempts = 5;
  static constexpr int kLockBaseSeconds = 30;
  static constexpr int kLockMaxSeconds = 15 * 60;
  static constexpr int kSessionSeconds = 12 * 60 * 60;
  static constexpr size_t kMinPasswordLength = 10;

  explicit Accounts(store::Store& store) : store_(store) {}

  // On an empty database, creates user "admin" with a random one-time password and
  // returns it; otherwise returns nullopt.
  Result<std::optional<std::string>> BootstrapAdmin();

  // Errors: kUnauthenticated "wrong username or password" (the same words whether the
  // user exists or not), kResourceExhausted while locked (message says until when),
  // kPermissionDenied for a disabled account.
  Result<LoginResult> Login(std::string_view username, std::string_view password);
  Status Logout(const Principal& who);

  // Resolves a session token (cookie or bearer) or an API token (bearer).
  // kUnauthenticated when it is unknown, expired, revoked or its user is disabled.
  Result<Principal> FromSessionToken(std::string_view token, bool via_cookie);
  Result<Principal> FromBearer(std::string_view token);

  Result<CreatedAccount> Create(const NewAccount& a);
  // Returns the token text (shown once) and its record.
  Result<std::pair<std::string, store::ApiToken>> CreateApiToken(const UserId& user,
                                                                 std::string name);

  // Which user a token belongs to is kept for at most kCacheSeconds, so a busy client
  // costs one database read (its account, so that disabling it, even from another
  // process with `isocourse user disable`, takes effect on the next request) instead of
  // three. This process forgets all of them on logout and when a token is revoked or an
  // account disabled through the server (ForgetCached, called by the admin routes); a
  // session or token removed by another process would still be honoured for up to
  // kCacheSeconds. Session expiry is checked on every request, cached or not.
  static constexpr int kCacheSeconds = 2;
  static constexpr size_t kCacheEntries = 4096;
  void ForgetCached();

 private:
  struct Cached {
    UserId user;
    std::string csrf_token;       // the session's; empty for API tokens
    store::Timestamp expires_at;  // the session's; empty for API tokens
    bool session = false;
    std::chrono::steady_clock::time_point until;
  };
  Result<Principal> PrincipalFor(const UserId& id);
  std::optional<Cached> FindCached(const std::string& hash);
  // The principal for a cached token: its account is read again every time.
  Result<Principal> FromCached(const Cached& hit, const std::string& hash, bool via_cookie);
  uint64_t Generation();
  void Remember(uint64_t generation, const std::string& hash, Cached entry);

  store::Store& store_;
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
  uint64_t generation_ = 0;  // bumped by ForgetCached; guards a lookup racing with it
};

}  // namespace isocourse::server
