// File: articles.h
//
// Patient education articles: Markdown files in knowledge/articles/*.md (format in
// knowledge/articles/README.md, which is skipped). Each starts with YAML front matter
// between `---` lines (id, title, summary, audience, jurisdiction, last_reviewed,
// sources, tags); without it the id is "article." + the file name and the title the
// first `# ` heading.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace isocourse::store {

struct Article {
  std::string id;
  std::string title;
  std::string summary;  // front matter `summary`, else the first paragraph
  std::string audience;
  std::string jurisdiction;  // empty = applies everywhere
  std::string last_reviewed;
  std::vector<std::string> tags;
  struct Source {
    std::string key;
    std::string locator;
  };
  std::vector<Source> sources;
  std::string markdown;  // the body without front matter
};

// Every *.md file in `dir`, sorted by id. A missing directory gives an empty list;
// an unreadable file, bad front matter or a duplicate id is an error naming the file.
Result<std::vector<Article>> LoadArticles(const std::filesystem::path& dir);

}  // namespace isocourse::store
