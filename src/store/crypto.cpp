#include "store/crypto.h"

#include <sodium.h>

#include <cstdlib>
#include <string>

namespace isocourse::store {
namespace {

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // libsodium could not find an entropy source: nothing is safe
}

// Length-prefixed field encoding ("5:hello;"): no two field lists encode the same.
class Canon {
 public:
  Canon& Add(std::string_view s) {
    out_ += std::to_string(s.size());
    out_ += ':';
    out_ += s;
    out_ += ';';
    return *this;
  }
  Canon& Add(int64_t n) { return Add(std::to_string(n)); }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

}  // namespace

std::string Blake2bHex(std::string_view data) {
  EnsureSodium();
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 64);
}

std::string RandomToken(size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string NewId(std::string_view prefix) {
  EnsureSodium();
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";  // 32, no l/o/0/1
  // One call for all the randomness (each libsodium call may be a system call); 32
  // divides 256, so `byte % 32` is unbiased. 20 letters = 100 bits.
  unsigned char raw[20];
  randombytes_buf(raw, sizeof raw);
  std::string id(prefix);
  id += '_';
  for (unsigned char b : raw) id += kAlphabet[b % 32];
  return id;
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return MakeError(ErrorCode::kResourceExhausted, "password",
                     "not enough memory to hash the password (Argon2id needs 64 MiB)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  EnsureSodium();
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string RandomPassword() {
  EnsureSodium();
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
  std::string pw;
  for (int group = 0; group < 4; ++group) {
    if (group) pw += '-';
    for (int i = 0; i < 5; ++i) pw += kAlphabet[randombytes_uniform(32)];
  }
  return pw;
}

std::string EventHash(std::string_view prev_hash, const Event& e) {
  Canon c;
  c.Add("isocourse.event.v1")
      .Add(prev_hash)
      .Add(e.id.value())
      .Add(e.patient.value())
      .Add(e.seq)
      .Add(e.type)
      .Add(e.effective.ToString())
      .Add(e.recorded_by.value())
      .Add(e.recorded_at)
      .Add(e.corrects ? e.corrects->value() : std::string())
      .Add(e.payload_json);
  return Blake2bHex(c.str());
}

std::string AuditHash(std::string_view prev_hash, const AuditEntry& a) {
  Canon c;
  c.Add("isocourse.audit.v1")
      .Add(prev_hash)
      .Add(a.seq)
      .Add(a.at)
      .Add(a.what.actor)
      .Add(a.what.role)
      .Add(a.what.action)
      .Add(a.what.resource)
      .Add(a.what.patient ? a.what.patient->value() : std::string())
      .Add(a.what.clinic ? a.what.clinic->value() : std::string())
      .Add(a.what.remote)
      .Add(a.what.reason)
      .Add(a.what.outcome);
  return Blake2bHex(c.str());
}

}  // namespace isocourse::store
