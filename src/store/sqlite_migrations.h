// File: sqlite_migrations.h (internal to the store)
//
// The schema as an ordered list of forward-only migrations. Never edit a migration
// that has shipped: add a new one with the next number.
#pragma once

#include <span>

namespace isocourse::store::sql {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

std::span<const Migration> Migrations();

}  // namespace isocourse::store::sql
