#include "store/articles.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace isocourse::store {
namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  size_t b = s.find_last_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, b - a + 1);
}

std::string Scalar(const YAML::Node& n, const char* key) {
  if (!n[key] || !n[key].IsScalar()) return "";
  return n[key].as<std::string>();
}

Status ReadFrontMatter(const std::string& yaml, const std::filesystem::path& file, Article& a) {
  YAML::Node n;
  try {
    n = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file.string() + ":" + std::to_string(e.mark.line + 2),
                           "front matter is not valid YAML: " + e.msg);
  }
  if (!n.IsMap()) return InvalidArgument(file.string(), "front matter must be a map of fields");
  try {
    if (auto id = Scalar(n, "id"); !id.empty()) a.id = id;
    a.title = Scalar(n, "title");
    a.summary = Scalar(n, "summary");
    a.audience = Scalar(n, "audience");
    a.jurisdiction = Scalar(n, "jurisdiction");
    a.last_reviewed = Scalar(n, "last_reviewed");
    if (n["tags"] && n["tags"].IsSequence()) {
      for (const auto& t : n["tags"]) a.tags.push_back(t.as<std::string>());
    }
    if (n["sources"] && n["sources"].IsSequence()) {
      for (const auto& s : n["sources"]) {
        if (s.IsMap()) a.sources.push_back({Scalar(s, "key"), Scalar(s, "locator")});
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file.string(), "front matter: " + e.msg);
  }
  return {};
}

}  // namespace

Result<std::vector<Article>> LoadArticles(const std::filesystem::path& dir) {
  std::vector<Article> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".md" &&
        entry.path().filename() != "README.md") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> ids;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kUnavailable, file.string(), "cannot read the article");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    Article a;
    a.id = "article." + file.stem().string();
    std::string body = text;
    if (text.rfind("---\n", 0) == 0 || text.rfind("---\r\n", 0) == 0) {
      size_t start = text.find('\n') + 1;
      size_t end = text.find("\n---", start);
      if (end != std::string::npos) {
        ISO_RETURN_IF_ERROR(ReadFrontMatter(text.substr(start, end - start), file, a));
        size_t after = text.find('\n', end + 4);
        body = after == std::string::npos ? "" : text.substr(after + 1);
      }
    }
    a.markdown = body;
    std::istringstream lines(body);
    std::string line, paragraph;
    while (std::getline(lines, line)) {
      if (line.rfind("# ", 0) == 0) {
        if (a.title.empty()) a.title = Trim(line.substr(2));
        continue;
      }
      if (Trim(line).empty() || line[0] == '#') {
        if (!paragraph.empty()) break;
        continue;
      }
      if (!paragraph.empty()) paragraph += ' ';
      paragraph += Trim(line);
    }
    if (a.summary.empty()) a.summary = paragraph;
    if (a.title.empty()) a.title = a.id;
    if (!ids.insert(a.id).second)
      return InvalidArgument(file.string(), "article id '" + a.id + "' is used twice");
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const Article& x, const Article& y) { return x.id < y.id; });
  return out;
}

}  // namespace isocourse::store
