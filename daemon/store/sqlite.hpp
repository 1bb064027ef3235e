// A thin RAII layer over the SQLite C API: a connection and prepared statements that return
// core::Result instead of codes. Not thread-safe: a Db and its Stmts belong to one thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"
#include "core/time.hpp"

namespace vigie::store {

// Times and durations are stored as integers: microseconds since the Unix epoch, UTC.
inline int64_t us(core::TimePoint t) { return t.time_since_epoch().count(); }
inline int64_t us(core::Duration d) { return d.count(); }
inline core::TimePoint tp(int64_t v) { return core::TimePoint{core::Duration{v}}; }

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(std::exchange(o.s_, nullptr)) {}
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_blob(int i, std::string_view v);
  Stmt& bind_null(int i);
  Stmt& bind(int i, std::optional<int64_t> v) { return v ? bind(i, *v) : bind_null(i); }

  // true: a row is available; false: done. Errors carry SQLite's message.
  [[nodiscard]] core::Result<bool> step();
  // Runs to completion (statements without result rows).
  [[nodiscard]] core::Result<void> run();
  // Resets and clears bindings so the cached statement can be reused.
  void reset();
  // Steps through every row, calling `fn()` at each (read columns from this statement);
  // `fn` may return a Result<void> to stop with an error. Resets the statement in all cases.
  template <class Fn>
  [[nodiscard]] core::Result<void> each(Fn&& fn) {
    core::Result<void> out;
    for (;;) {
      auto row = step();
      if (!row) {
        out = tl::unexpected(row.error());
        break;
      }
      if (!*row) break;
      if constexpr (std::is_same_v<decltype(fn()), core::Result<void>>) {
        if (auto r = fn(); !r) {
          out = r;
          break;
        }
      } else {
        fn();
      }
    }
    reset();
    return out;
  }

  [[nodiscard]] int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  [[nodiscard]] std::string text(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  [[nodiscard]] static core::Result<Db> open(const std::filesystem::path& file);
  Db(Db&&) noexcept = default;
  Db& operator=(Db&&) noexcept = default;

  [[nodiscard]] core::Result<void> exec(const std::string& sql);
  [[nodiscard]] core::Result<Stmt> prepare(std::string_view sql);
  // The statement for `sql`, prepared on this connection's first use of that text and kept
  // with the connection: for the functions outside Store that run the same statements batch
  // after batch (store/observables.hpp). Reset it after use (run() and each() do).
  [[nodiscard]] core::Result<Stmt*> cached(std::string_view sql);
  [[nodiscard]] core::Result<int64_t> query_int(const std::string& sql);
  [[nodiscard]] int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  [[nodiscard]] int changes() const { return sqlite3_changes(db_.get()); }
  [[nodiscard]] sqlite3* handle() const { return db_.get(); }
  [[nodiscard]] const std::string& where() const { return where_; }
  [[nodiscard]] core::Error error(std::string_view context) const;

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Db(sqlite3* db, std::string where) : db_(db), where_(std::move(where)) {}
  std::unique_ptr<sqlite3, Close> db_;
  std::string where_;  // the database file, for error messages
  // Declared after db_: finalized before the connection is closed.
  std::unordered_map<std::string, Stmt, SqlHash, std::equal_to<>> cache_;
};

// Begins a transaction (BEGIN IMMEDIATE: takes the write lock up front, so busy_timeout
// applies at the start instead of failing at commit) and rolls back unless commit() was called.
class Transaction {
 public:
  [[nodiscard]] static core::Result<Transaction> begin(Db& db);
  Transaction(Transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  [[nodiscard]] core::Result<void> commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
};

// The connection's open transaction if it has one (the store thread's batch), else a new one
// of its own, committed by commit().
struct TransactionScope {
  std::optional<Transaction> own;
  [[nodiscard]] static core::Result<TransactionScope> begin(Db& db) {
    TransactionScope s;
    if (sqlite3_get_autocommit(db.handle()) == 0) return s;
    auto tx = Transaction::begin(db);
    if (!tx) return tl::unexpected(tx.error());
    s.own.emplace(std::move(*tx));
    return s;
  }
  [[nodiscard]] core::Result<void> commit() { return own ? own->commit() : core::Result<void>{}; }
};

// SQLite's LIMIT for `limit` rows: -1 is "no limit".
inline int64_t sql_limit(std::size_t limit) {
  return limit > static_cast<std::size_t>(std::numeric_limits<int64_t>::max()) ? -1 : static_cast<int64_t>(limit);
}

}  // namespace vigie::store
