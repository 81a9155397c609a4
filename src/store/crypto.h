// File: crypto.h
//
// The store's cryptography, all from libsodium: BLAKE2b for hash chains and token
// lookup, Argon2id for passwords, the system CSPRNG for ids and tokens.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace isocourse::store {

// BLAKE2b-256 of `data`, lowercase hex (64 characters).
std::string Blake2bHex(std::string_view data);

// `bytes` random bytes as unpadded base64url.
std::string RandomToken(size_t bytes = 32);

// A new opaque id such as "pat_3q9v...": prefix, underscore, 20 random base32 letters.
std::string NewId(std::string_view prefix);

// Argon2id (crypto_pwhash_str, interactive limits: 2 passes over 64 MiB), so a stolen
// database does not give away passwords cheaply.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& hash);

// A readable random password for one-time display (e.g. "kq7m-4xr2-..." ~ 100 bits).
std::string RandomPassword();

// Hash-chain links. Each covers the previous link's hash and every stored field in a
// length-prefixed encoding, so that changing, removing or reordering any field or
// event changes the hash.
std::string EventHash(std::string_view prev_hash, const Event& e);
std::string AuditHash(std::string_view prev_hash, const AuditEntry& a);

}  // namespace isocourse::store
