#include "server/accounts.h"

#include <algorithm>

#include "store/crypto.h"

namespace isocourse::server {

using store::Role;

namespace {
Error Unauthenticated(std::string message) {
  return Error{ErrorCode::kUnauthenticated, std::move(message), "credentials", {}};
}
}  // namespace

Result<std::optional<std::string>> Accounts::BootstrapAdmin() {
  ISO_ASSIGN_OR_RETURN(int64_t users, store_.CountUsers());
  if (users > 0) return std::optional<std::string>();
  NewAccount admin;
  admin.username = "admin";
  admin.display_name = "Administrator";
  admin.role = Role::kAdmin;
  ISO_ASSIGN_OR_RETURN(CreatedAccount created, Create(admin));
  return std::optional<std::string>(created.password);
}

Result<CreatedAccount> Accounts::Create(const NewAccount& a) {
  CreatedAccount out;
  std::string password = a.password;
  if (password.empty()) {
    password = store::RandomPassword();
    out.password = password;
  } else if (password.size() < kMinPasswordLength) {
    return InvalidArgument(
        "password", "must be at least " + std::to_string(kMinPasswordLength) + " characters");
  }
  ISO_ASSIGN_OR_RETURN(std::string hash, store::HashPassword(password));
  ISO_ASSIGN_OR_RETURN(
      out.user, store_.CreateUser(
                    store::NewUser{a.username, a.display_name, a.role, a.clinic, a.patient, hash}));
  return out;
}

Result<LoginResult> Accounts::Login(std::string_view username, std::string_view password) {
  auto user = store_.FindUserByName(username);
  if (!user) {
    if (user.error().code != ErrorCode::kNotFound) return std::unexpected(user.error());
    // Spend the same time as a real check so response times do not reveal which
    // usernames exist.
    static const std::string dummy = store::HashPassword("not-a-real-password").value_or("");
    (void)store::VerifyPassword(password, dummy);
    return std::unexpected(Unauthenticated("wrong username or password"));
  }
  const store::Timestamp now = store_.Now();
  if (!user->locked_until.empty() && user->locked_until > now) {
    return MakeError(
        ErrorCode::kResourceExhausted, "credentials",
        "too many failed logins; this account is locked until " + user->locked_until + " (UTC)");
  }
  if (!store::VerifyPassword(password, user->password_hash)) {
    int failures = user->failed_logins + 1;
    store::Timestamp lock;
    if (failures >= kFreeAttempts) {
      int64_t secs = kLockBaseSeconds;
      for (int i = kFreeAttempts; i < failures && secs < kLockMaxSeconds; ++i) secs *= 2;
      lock = store::AddSeconds(now, std::min<int64_t>(secs, kLockMaxSeconds));
    }
    ISO_RETURN_IF_ERROR(store_.SetLoginState(user->id, failures, lock));
    return std::unexpected(Unauthenticated("wrong username or password"));
  }
  if (user->disabled)
    return MakeError(ErrorCode::kPermissionDenied, "credentials", "this account is disabled");
  if (user->failed_logins != 0 || !user->locked_until.empty())
    ISO_RETURN_IF_ERROR(store_.SetLoginState(user->id, 0, ""));

  LoginResult r;
  r.session_token = store::RandomToken(32);
  r.csrf_token = store::RandomToken(24);
  r.expires_at = store::AddSeconds(now, kSessionSeconds);
  ISO_RETURN_IF_ERROR(store_.CreateSession(store::Session{
      store::Blake2bHex(r.session_token), user->id, r.csrf_token, now, r.expires_at}));
  ISO_ASSIGN_OR_RETURN(r.who, PrincipalFor(user->id));
  r.who.csrf_token = r.csrf_token;
  r.who.session_hash = store::Blake2bHex(r.session_token);
  return r;
}

Status Accounts::Logout(const Principal& who) {
  if (who.session_hash.empty())
    return MakeError(ErrorCode::kFailedPrecondition, "Authorization",
                     "API tokens do not log out; an admin revokes them");
  Status st = store_.DeleteSession(who.session_hash);
  ForgetCached();
  return st;
}

void Accounts::ForgetCached() {
  std::lock_guard lock(cache_mu_);
  cache_.clear();
  ++generation_;
}

uint64_t Accounts::Generation() {
  std::lock_guard lock(cache_mu_);
  return generation_;
}

std::optional<Accounts::Cached> Accounts::FindCached(const std::string& hash) {
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(hash);
  if (it == cache_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() >= it->second.until) {
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

Result<Principal> Accounts::FromCached(const Cached& hit, const std::string& hash,
                                       bool via_cookie) {
  // A session still ends on time: its expiry is checked as if it had been read.
  if (hit.session && hit.expires_at <= store_.Now())
    return std::unexpected(Unauthenticated("the session has expired; log in again"));
  ISO_ASSIGN_OR_RETURN(Principal p, PrincipalFor(hit.user));
  if (hit.session) {
    p.csrf_token = hit.csrf_token;
    p.via_cookie = via_cookie;
    p.session_hash = hash;
  }
  return p;
}

void Accounts::Remember(uint64_t generation, const std::string& hash, Cached entry) {
  std::lock_guard lock(cache_mu_);
  // A token was revoked or a session ended while this lookup ran: do not keep it.
  if (generation != generation_) return;
  if (cache_.size() >= kCacheEntries) cache_.clear();
  entry.until = std::chrono::steady_clock::now() + std::chrono::seconds(kCacheSeconds);
  cache_.insert_or_assign(hash, std::move(entry));
}

Result<Principal> Accounts::PrincipalFor(const UserId& id) {
  auto u = store_.GetUser(id);
  if (!u) {
    if (u.error().code == ErrorCode::kNotFound)
      return std::unexpected(Unauthenticated("the account no longer exists"));
    return std::unexpected(u.error());
  }
  if (u->disabled) return std::unexpected(Unauthenticated("this account is disabled"));
  Principal p;
  p.id = u->id;
  p.username = u->username;
  p.display_name = u->display_name;
  p.role = u->role;
  p.clinic = u->clinic;
  p.patient = u->patient;
  return p;
}

Result<Principal> Accounts::FromSessionToken(std::string_view token, bool via_cookie) {
  if (token.empty() || token.size() > 200) return std::unexpected(Unauthenticated("not logged in"));
  std::string hash = store::Blake2bHex(token);
  if (auto hit = FindCached(hash); hit && hit->session) return FromCached(*hit, hash, via_cookie);
  const uint64_t generation = Generation();
  auto s = store_.FindSession(hash);
  if (!s) {
    if (s.error().code == ErrorCode::kNotFound)
      return std::unexpected(Unauthenticated("the session is unknown or has ended; log in again"));
    return std::unexpected(s.error());
  }
  if (s->expires_at <= store_.Now())
    return std::unexpected(Unauthenticated("the session has expired; log in again"));
  ISO_ASSIGN_OR_RETURN(Principal p, PrincipalFor(s->user));
  p.csrf_token = s->csrf_token;
  p.via_cookie = via_cookie;
  p.session_hash = hash;
  Remember(generation, hash, Cached{s->user, s->csrf_token, s->expires_at, true, {}});
  return p;
}

Result<Principal> Accounts::FromBearer(std::string_view token) {
  if (token.empty() || token.size() > 200)
    return std::unexpected(Unauthenticated("the bearer token is empty or malformed"));
  const std::string hash = store::Blake2bHex(token);
  if (auto hit = FindCached(hash)) return FromCached(*hit, hash, /*via_cookie=*/false);
  const uint64_t generation = Generation();
  auto t = store_.FindApiToken(hash);
  if (t) {
    if (!t->revoked_at.empty())
      return std::unexpected(Unauthenticated("this API token was revoked"));
    ISO_ASSIGN_OR_RETURN(Principal p, PrincipalFor(t->user));
    Remember(generation, hash, Cached{t->user, "", "", false, {}});
    return p;
  }
  if (t.error().code != ErrorCode::kNotFound) return std::unexpected(t.error());
  return FromSessionToken(token, /*via_cookie=*/false);
}

Result<std::pair<std::string, store::ApiToken>> Accounts::CreateApiToken(const UserId& user,
                                                                         std::string name) {
  std::string token = "iso_" + store::RandomToken(32);
  ISO_ASSIGN_OR_RETURN(store::ApiToken t,
                       store_.CreateApiToken(store::ApiToken{"", user, std::move(name),
                                                             store::Blake2bHex(token), "", ""}));
  return std::make_pair(token, t);
}

}  // namespace isocourse::server
