#include "store/sqlite.hpp"

#include <system_error>

namespace vigie::store {

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view v) {
  sqlite3_bind_blob64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

core::Result<bool> Stmt::step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return core::fail(sqlite3_db_filename(db_, "main") ? sqlite3_db_filename(db_, "main") : "sqlite",
                    std::string(sqlite3_errmsg(db_)) + " (in: " + sqlite3_sql(s_) + ")");
}

core::Result<void> Stmt::run() {
  auto r = step();
  reset();
  if (!r) return tl::unexpected(r.error());
  return {};
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::text(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  const int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

core::Result<Db> Db::open(const std::filesystem::path& file) {
  const std::string where = file.string();
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return core::fail(where, "cannot create directory " + file.parent_path().string() + ": " + ec.message());
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(where.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw, where);
  if (rc != SQLITE_OK) return core::fail(where, std::string("cannot open database: ") + sqlite3_errstr(rc));
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

core::Error Db::error(std::string_view context) const {
  return core::Error{where_, std::string(context) + ": " + sqlite3_errmsg(db_.get())};
}

core::Result<void> Db::exec(const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string what = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return core::fail(where_, what + " (in: " + sql.substr(0, 80) + ")");
  }
  return {};
}

core::Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
      SQLITE_OK)
    return tl::unexpected(error("prepare " + std::string(sql.substr(0, 60))));
  return Stmt(db_.get(), s);
}

core::Result<Stmt*> Db::cached(std::string_view sql) {
  if (const auto it = cache_.find(sql); it != cache_.end()) return &it->second;
  auto s = prepare(sql);
  if (!s) return tl::unexpected(s.error());
  return &cache_.emplace(std::string(sql), std::move(*s)).first->second;
}

core::Result<int64_t> Db::query_int(const std::string& sql) {
  auto st = prepare(sql);
  if (!st) return tl::unexpected(st.error());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? st->int64(0) : 0;
}

core::Result<Transaction> Transaction::begin(Db& db) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return tl::unexpected(r.error());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

core::Result<void> Transaction::commit() {
  auto r = db_->exec("COMMIT");
  if (r) db_ = nullptr;
  return r;
}

}  // namespace vigie::store
