// File: open_store.h
//
// Opens the store a `--db` value names, so every command accepts either backend:
//   postgresql://user@host:5432/isocourse, postgres://...   PostgreSQL (libpq URL)
//   host=/run/postgresql dbname=isocourse ...              PostgreSQL (libpq key=value)
//   anything else                                          a SQLite file path
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace isocourse::store {

// Whether `spec` names a PostgreSQL database rather than a SQLite file: a
// postgresql:// or postgres:// URL, or a libpq "keyword=value ..." string. A SQLite
// file whose name starts with "word=" must be given as a path ("./x=y.db").
bool IsPostgresSpec(std::string_view spec);

// The database a `--db` value names: the value itself, else $ISOCOURSE_DB (which may
// be a PostgreSQL URL too), else ./data/isocourse.db.
std::string DatabaseSpec(const std::string& flag);

// Opens and migrates the store DatabaseSpec(flag) names. Errors as SqliteStore::Open
// and PgStore::Open.
Result<std::unique_ptr<Store>> OpenStore(const std::string& flag);

// `spec` as it may appear in logs and messages: a password in it is replaced by "***".
std::string RedactSpec(const std::string& spec);

}  // namespace isocourse::store
