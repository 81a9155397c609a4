// File: pg_migrations.h (internal to the store)
//
// The PostgreSQL schema as ordered, forward-only migrations. The numbers match the
// SQLite ones (sqlite_migrations.cpp): schema version N means the same tables and
// guarantees on either backend. Never edit a migration that has shipped: add one.
#pragma once

#include <span>

#include "store/sqlite_migrations.h"

namespace isocourse::store::pg {

std::span<const sql::Migration> Migrations();

}  // namespace isocourse::store::pg
