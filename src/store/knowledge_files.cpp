#include "store/knowledge_files.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/knowledge/loader.h"

namespace isocourse::store {

namespace fs = std::filesystem;

Result<KnowledgeBase> LoadKnowledgeDir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFound(dir.string(), "knowledge directory does not exist");
  }
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".yaml") paths.push_back(it->path());
  }
  if (ec) return MakeError(ErrorCode::kUnavailable, dir.string(), "cannot list: " + ec.message());
  if (paths.empty()) return NotFound(dir.string(), "no .yaml files in the knowledge directory");
  std::sort(paths.begin(), paths.end());

  if (sodium_init() < 0) {
    return MakeError(ErrorCode::kInternal, "libsodium", "could not initialise libsodium");
  }
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 16);
  std::vector<KnowledgeFile> files;
  const fs::path base = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  for (const fs::path& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kUnavailable, p.string(), "cannot read file");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string rel = fs::relative(p, base, ec).generic_string();
    if (ec || rel.empty()) rel = p.generic_string();
    const std::string text = ss.str();
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(rel.data()),
                              rel.size() + 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
    files.push_back(KnowledgeFile{rel, text});
  }
  unsigned char digest[16];
  crypto_generichash_final(&state, digest, sizeof digest);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, digest, 6);
  return LoadKnowledge(files, std::string("kb-") + hex);
}

fs::path DefaultKnowledgeDir() {
  if (const char* env = std::getenv("ISOCOURSE_KNOWLEDGE"); env && *env) return env;
  std::error_code ec;
  if (fs::is_directory("knowledge", ec) && fs::exists("knowledge/sources.yaml", ec)) {
    return "knowledge";
  }
  return ISOCOURSE_SOURCE_KNOWLEDGE_DIR;
}

}  // namespace isocourse::store
