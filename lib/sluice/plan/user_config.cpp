#include <sluice/plan/user_config.hpp>

#include <sluice/plan/parse_parts.hpp>
#include <sluice/plan/source.hpp>

namespace sluice::plan {

namespace {

ConfigParse refused(std::vector<Diagnostic> diagnostics) {
  ConfigParse parse;
  parse.diagnostics = std::move(diagnostics);
  return parse;
}

}  // namespace

ConfigParse parse_user_config(std::string_view bytes, const std::string& file) {
  Document document = load_document(bytes, file);
  if (document.error) return refused({*document.error});
  const YAML::Node& root = document.root;
  detail::Sink sink(file);
  UserConfig config;
  if (root.IsMap()) {
    detail::MapReader top(root, "", YAML::Mark(), {"notifications"}, sink);
    config.notifications = detail::parse_notifications(top);
  } else if (!root.IsNull()) {
    sink.error(detail::mark_of(root, YAML::Mark()), "",
               "a config file is a mapping of sections (notifications), not " + detail::kind_of(root));
  }
  if (!sink.empty()) return refused(sink.take());
  ConfigParse parse;
  parse.config = std::move(config);
  return parse;
}

ConfigParse load_user_config(const std::string& path) {
  SourceText source = read_plan_file(path);
  if (source.error) return refused({*source.error});
  return parse_user_config(source.bytes, path);
}

std::string default_user_config_path(const char* xdg_config_home, const char* home) {
  if (xdg_config_home != nullptr && *xdg_config_home != '\0')
    return std::string(xdg_config_home) + "/sluice/config.yaml";
  if (home != nullptr && *home != '\0') return std::string(home) + "/.config/sluice/config.yaml";
  return "";
}

}  // namespace sluice::plan
