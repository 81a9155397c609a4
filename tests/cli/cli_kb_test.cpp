// `isocourse kb check` end to end, on the shipped knowledge and on broken copies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/run_cli.h"

namespace isocourse {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;

fs::path CopyKnowledge() {
  fs::path dir = fs::temp_directory_path() / ("isocourse-kb-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(ISOCOURSE_TEST_KNOWLEDGE_DIR, dir / "knowledge", fs::copy_options::recursive);
  return dir / "knowledge";
}

void Replace(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = testing::ReadAll(file);
  auto pos = text.find(from);
  ASSERT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
  std::ofstream(file) << text;
}

TEST(CliKbTest, ShippedKnowledgeValidatesWithVersion) {
  auto r = RunCli({"kb", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("knowledge base OK, version kb-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("products"), std::string::npos);
}

TEST(CliKbTest, MissingCitationIsReportedWithFileAndLine) {
  fs::path k = CopyKnowledge();
  Replace(
      k / "products.yaml",
      "    citation: {source: SmPC, locator: \"4.2 Posology (once or twice daily with food); EC "
      "Annex I strengths\"}\n",
      "");
  auto r = RunCli({"--knowledge", k.string(), "kb", "check"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("products.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("item 'product.roaccutane': field 'citation': is missing"),
            std::string::npos)
      << r.err;
  fs::remove_all(k.parent_path());
}

TEST(CliKbTest, WrongTypeIsReported) {
  fs::path k = CopyKnowledge();
  Replace(k / "parameters-dosing.yaml", "value: 1.6", "value: one point six");
  auto r = RunCli({"--knowledge", k.string(), "kb", "check"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(
      r.err.find("item 'dose.max.ld': field 'value': expected a number, found 'one point six'"),
      std::string::npos)
      << r.err;
  fs::remove_all(k.parent_path());
}

TEST(CliKbTest, MissingDirectoryIsAnInputError) {
  auto r = RunCli({"--knowledge", "/nonexistent/knowledge", "kb", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("knowledge directory does not exist"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace isocourse
