#include "detect/prefilter.hpp"

#include <algorithm>

#ifdef VIGIE_HAVE_VECTORSCAN
#include <hs/hs.h>
#endif

namespace vigie::detect {

#ifdef VIGIE_HAVE_VECTORSCAN
namespace {

// RE2 syntax → what Vectorscan reads the same way, or "" when it would not (residual).
std::string translate(std::string_view re) {
  std::string out;
  out.reserve(re.size() + 8);
  for (std::size_t i = 0; i < re.size(); ++i) {
    const auto c = static_cast<unsigned char>(re[i]);
    if (c >= 0x80) return {};  // non-ASCII: Vectorscan's caseless matching is ASCII-only
    if (c != '\\') {
      out += re[i];
      continue;
    }
    if (i + 1 >= re.size()) return {};
    const char n = re[i + 1];
    if (n == 'C') {
      out += "(?s:.)";
    } else if (n == 'p' || n == 'P' || n == 'Q' || n == 'E') {
      return {};  // Unicode classes and \Q…\E: leave them to RE2
    } else {
      out += re[i];
      out += n;
    }
    ++i;
  }
  if (out.find("(?U") != std::string::npos) return {};
  return out;
}

}  // namespace

bool Prefilter::available() { return true; }

std::unique_ptr<Prefilter> Prefilter::build(const std::vector<std::string>& patterns) {
  if (patterns.empty()) return nullptr;
  std::unique_ptr<Prefilter> p(new Prefilter());
  std::vector<std::string> texts;
  std::vector<unsigned> ids;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    auto t = translate(patterns[i]);
    if (t.empty()) {
      p->residual_.push_back(static_cast<int>(i));
      continue;
    }
    texts.push_back(std::move(t));
    ids.push_back(static_cast<unsigned>(i));
  }
  // A pattern Vectorscan refuses joins the residual ones; compile again without it.
  for (;;) {
    if (p->residual_.size() > kMaxResidual || texts.empty()) return nullptr;
    std::vector<const char*> exprs;
    for (const auto& t : texts) exprs.push_back(t.c_str());
    const std::vector<unsigned> flags(texts.size(),
                                      HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_UTF8);
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                         nullptr, &db, &err) == HS_SUCCESS) {
      p->db_ = db;
      break;
    }
    const int bad = err != nullptr ? err->expression : -1;
    hs_free_compile_error(err);
    if (bad < 0 || static_cast<std::size_t>(bad) >= texts.size()) return nullptr;
    p->residual_.push_back(static_cast<int>(ids[static_cast<std::size_t>(bad)]));
    texts.erase(texts.begin() + bad);
    ids.erase(ids.begin() + bad);
  }
  std::sort(p->residual_.begin(), p->residual_.end());
  return p;
}

Prefilter::~Prefilter() { hs_free_database(static_cast<hs_database_t*>(db_)); }

bool Prefilter::candidates(std::string_view text, PrefilterScratch& scratch, std::vector<int>& out) const {
  out.clear();
  const auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
    static_cast<std::vector<int>*>(ctx)->push_back(static_cast<int>(id));
    return 0;
  };
  if (hs_scan(static_cast<const hs_database_t*>(db_), text.data(), static_cast<unsigned>(text.size()), 0,
              static_cast<hs_scratch_t*>(scratch.scratch_), on_match, &out) != HS_SUCCESS)
    return false;
  out.insert(out.end(), residual_.begin(), residual_.end());
  std::sort(out.begin(), out.end());
  return true;
}

bool PrefilterScratch::prepare(const Prefilter& p) {
  auto* s = static_cast<hs_scratch_t*>(scratch_);
  const bool ok = hs_alloc_scratch(static_cast<const hs_database_t*>(p.db_), &s) == HS_SUCCESS;
  scratch_ = s;
  return ok;
}

PrefilterScratch::~PrefilterScratch() { hs_free_scratch(static_cast<hs_scratch_t*>(scratch_)); }

#else

bool Prefilter::available() { return false; }
std::unique_ptr<Prefilter> Prefilter::build(const std::vector<std::string>&) { return nullptr; }
Prefilter::~Prefilter() = default;
bool Prefilter::candidates(std::string_view, PrefilterScratch&, std::vector<int>&) const { return false; }
bool PrefilterScratch::prepare(const Prefilter&) { return false; }
PrefilterScratch::~PrefilterScratch() = default;

#endif

}  // namespace vigie::detect
