#include <sluice/plan/source.hpp>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace sluice::plan {

namespace {

Diagnostic at(const std::string& file, int line, int column, std::string message) {
  return Diagnostic{file, line, column, "", std::move(message)};
}

Diagnostic whole(const std::string& file, std::string message) {
  return at(file, 0, 0, std::move(message));
}

std::string too_big(std::size_t size) {
  return "the file is " + std::to_string(size) + " bytes; plans are limited to " +
         std::to_string(k_max_plan_bytes) + " bytes (1 MiB)";
}

// Length of the UTF-8 sequence starting at bytes[i], or 0 when it is invalid
// (bad lead byte, truncated, overlong, surrogate or beyond U+10FFFF).
std::size_t utf8_length(std::string_view bytes, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > bytes.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  unsigned char second = byte(i + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
  if (lead == 0xED && second > 0x9F) return 0;  // UTF-16 surrogates
  if (lead == 0xF0 && second < 0x90) return 0;  // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;  // beyond U+10FFFF
  return length;
}

// Tracks nesting and documents; throws at the first node nested too deeply.
class StructureCheck : public YAML::EventHandler {
 public:
  struct TooDeep {
    YAML::Mark mark;
  };
  // yaml-cpp 0.7 reports an endless stream of empty documents, without
  // consuming anything, at a stray ',' between documents (found by fuzz_plan).
  struct Stuck {
    YAML::Mark mark;
  };
  int documents = 0;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents > 0 && mark.pos == last_document_pos_) throw Stuck{mark};
    last_document_pos_ = mark.pos;
    ++documents;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void enter(const YAML::Mark& mark) {
    if (++depth_ > k_max_plan_nesting) throw TooDeep{mark};
  }
  int depth_ = 0;
  int last_document_pos_ = -1;
};

}  // namespace

SourceText read_plan_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return {"", whole(path, std::string("cannot open: ") + std::strerror(errno))};
  if (S_ISDIR(info.st_mode)) return {"", whole(path, "is a directory, not a plan file")};
  if (!S_ISREG(info.st_mode)) return {"", whole(path, "is not a regular file")};
  if (static_cast<unsigned long long>(info.st_size) > k_max_plan_bytes)
    return {"", whole(path, too_big(static_cast<std::size_t>(info.st_size)))};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {"", whole(path, std::string("cannot be read: ") + std::strerror(errno))};
  // Read at most one byte past the cap: the file may have grown since stat.
  std::string bytes(k_max_plan_bytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return {"", whole(path, "cannot be read: I/O error")};
  if (bytes.size() > k_max_plan_bytes) return {"", whole(path, too_big(bytes.size()) + " or more")};
  return {std::move(bytes), std::nullopt};
}

std::optional<Diagnostic> check_plan_text(std::string_view bytes, const std::string& file) {
  if (bytes.size() > k_max_plan_bytes) return whole(file, too_big(bytes.size()));
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < bytes.size();) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    if ((byte < 0x20 && byte != '\n' && byte != '\t' && byte != '\r') || byte == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", byte);
      return at(
          file, line, column,
          std::string("control character ") + hex + " is not allowed in a plan (is this a binary file?)");
    }
    std::size_t length = utf8_length(bytes, i);
    if (length == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", byte);
      return at(file, line, column, std::string("the file is not UTF-8 text (invalid byte ") + hex + ")");
    }
    if (byte == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += length;
  }
  return std::nullopt;
}

std::optional<Diagnostic> check_yaml_structure(std::string_view bytes, const std::string& file) {
  std::istringstream in{std::string(bytes)};
  StructureCheck check;
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(check)) {
    }
  } catch (const StructureCheck::TooDeep& e) {
    return at(file, e.mark.line + 1, e.mark.column + 1,
              "nested more than " + std::to_string(k_max_plan_nesting) + " levels deep");
  } catch (const StructureCheck::Stuck& e) {
    std::size_t pos = static_cast<std::size_t>(e.mark.pos);
    std::string what = pos < bytes.size() ? " " + quoted(bytes.substr(pos, 1)) : "";
    return at(file, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: unexpected" + what);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line < 0 ? 0 : e.mark.line + 1;
    int column = e.mark.column < 0 ? 0 : e.mark.column + 1;
    return at(file, line, column, "YAML syntax error: " + e.msg);
  }
  if (check.documents > 1)
    return whole(file, "holds " + std::to_string(check.documents) + " YAML documents; a plan file holds one");
  return std::nullopt;
}

Document load_document(std::string_view bytes, const std::string& file) {
  if (auto error = check_plan_text(bytes, file)) return {YAML::Node(), error};
  if (auto error = check_yaml_structure(bytes, file)) return {YAML::Node(), error};
  try {
    return {YAML::Load(std::string(bytes)), std::nullopt};
  } catch (const YAML::Exception& e) {
    // check_yaml_structure parsed the same text, so this is not expected.
    return {YAML::Node(), Diagnostic{file, 0, 0, "", "YAML syntax error: " + e.msg}};
  }
}

std::string declared_kind(const std::string& path) {
  SourceText source = read_plan_file(path);
  if (source.error) return "";
  Document document = load_document(source.bytes, path);
  const YAML::Node& root = document.root;
  if (document.error || !root.IsMap() || !root["kind"] || !root["kind"].IsScalar()) return "";
  return root["kind"].Scalar();
}

}  // namespace sluice::plan
