#include <sluice/plan/parser.hpp>

#include <sluice/plan/parse_parts.hpp>
#include <sluice/plan/source.hpp>
#include <sluice/plan/suggest.hpp>
#include <sluice/plan/values.hpp>
#include <sluice/registry/reference.hpp>
#include <sluice/util/sha256.hpp>

#include <algorithm>
#include <set>

namespace sluice::plan {

namespace detail {

bool is_dns_label(const std::string& name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : name)
    if (!alnum(c) && c != '-') return false;
  return alnum(name.front()) && alnum(name.back());
}

bool is_platform(const std::string& text) {
  // os/arch or os/arch/variant, as OCI image indexes spell them.
  int parts = 1;
  bool part_empty = true;
  for (char c : text) {
    if (c == '/') {
      if (part_empty) return false;
      ++parts;
      part_empty = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      part_empty = false;
    } else {
      return false;
    }
  }
  return !part_empty && (parts == 2 || parts == 3);
}

bool is_fields_mapping(const YAML::Node& root, Sink& sink, const std::string& what) {
  if (root.IsMap()) return true;
  sink.error(mark_of(root, YAML::Mark()), "",
             what + " is a mapping of fields (apiVersion, kind, metadata, ...), not " + kind_of(root));
  return false;
}

void read_image_fields(const MapReader& top, std::string& image_out,
                       std::vector<std::string>& platforms_out) {
  // Checked offline with the registry's own grammar, so a reference apply
  // would refuse at preflight is refused here, before anything is contacted.
  if (auto image = top.string("image", true)) {
    if (auto why = registry::image_ref_problem(*image)) {
      top.error("image", quoted(*image) + " is not a valid image reference (" + *why +
                             "); write e.g. registry.example.com/shop/app:1.4.2");
    } else {
      image_out = *image;
    }
  }
  auto platforms = top.string_list("platforms");
  if (!platforms) return;
  std::set<std::string> seen;
  for (const auto& item : *platforms) {
    if (!detail::is_platform(item.text)) {
      top.sink().error(
          item.mark, item.path,
          quoted(item.text) + " is not a platform; write os/arch or os/arch/variant, e.g. linux/arm64");
    } else if (!seen.insert(item.text).second) {
      top.sink().error(item.mark, item.path, quoted(item.text) + " is listed twice");
    } else {
      platforms_out.push_back(item.text);
    }
  }
}

}  // namespace detail

namespace {

using detail::MapReader;
using detail::Sink;

const std::vector<std::string> k_top_fields = {
    "apiVersion",       "kind",         "metadata", "target", "targets",  "image",  "platforms",
    "progressDeadline", "minAvailable", "strategy", "checks", "rollback", "verify", "notifications"};

// Rollout names become part of Kubernetes object names (lock, state), which
// add a prefix and suffix; 53 leaves room, as Helm does for release names.
constexpr std::size_t k_max_name_length = 53;

std::optional<std::string> read_name(const MapReader& reader, const std::string& key, std::size_t max_length,
                                     bool required, const char* what) {
  auto value = reader.string(key, required);
  if (value && !detail::is_dns_label(*value, max_length)) {
    reader.error(key, quoted(*value) + " is not a valid " + what + ": use at most " +
                          std::to_string(max_length) +
                          " lowercase letters, digits and '-', starting and ending with a letter or digit");
    return std::nullopt;
  }
  return value;
}

void read_header(const MapReader& top, Plan& plan) {
  if (auto version = top.string("apiVersion", true); version && *version != "sluice/v1")
    top.error("apiVersion", "must be sluice/v1, not " + quoted(*version));
  if (auto kind = top.string("kind", true); kind && *kind != "Plan")
    top.error("kind", "must be Plan, not " + quoted(*kind));
  const detail::Field* metadata = top.find("metadata");
  if (!metadata) return top.missing("metadata");
  MapReader meta(metadata->value, "metadata", top.value_mark(*metadata), {"name"}, top.sink());
  if (!meta.ok()) return;
  if (auto name = read_name(meta, "name", k_max_name_length, true, "plan name")) plan.name = *name;
}

// A DNS-1123 subdomain, as Deployment names are: dot-separated labels.
std::optional<std::string> read_subdomain(const MapReader& reader, const std::string& key, const char* what) {
  auto value = reader.string(key, true);
  if (!value) return std::nullopt;
  bool ok = value->size() <= 253;
  for (std::size_t start = 0; ok && start <= value->size();) {
    std::size_t dot = std::min(value->find('.', start), value->size());
    ok = detail::is_dns_label(value->substr(start, dot - start));
    start = dot + 1;
  }
  if (ok) return value;
  reader.error(key,
               quoted(*value) + " is not a valid " + what +
                   ": use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a "
                   "letter or digit");
  return std::nullopt;
}

void read_target(const MapReader& top, Plan& plan) {
  if (top.has("targets"))
    top.error("targets", "multi-target plans are not supported yet; name one target with 'target'");
  const detail::Field* field = top.find("target");
  if (!field) {
    if (!top.has("targets")) top.missing("target");
    return;
  }
  MapReader target(field->value, "target", top.value_mark(*field),
                   {"context", "namespace", "deployment", "service", "container"}, top.sink());
  if (!target.ok()) return;
  Target& out = plan.target;
  out.context = target.string("context").value_or("");
  out.ns = read_name(target, "namespace", 63, false, "namespace").value_or("");
  out.deployment = read_subdomain(target, "deployment", "Deployment name").value_or("");
  out.service = read_name(target, "service", 63, false, "Service name").value_or("");
  out.container = read_name(target, "container", 63, false, "container name").value_or("");
}

void read_image(const MapReader& top, Plan& plan) {
  detail::read_image_fields(top, plan.image, plan.platforms);
}

void read_rollout_settings(const MapReader& top, Plan& plan) {
  if (auto deadline = top.duration("progressDeadline", Duration(10'000), Duration(24 * 3'600'000)))
    plan.progress_deadline = *deadline;
  plan.min_available = top.int_or_percent("minAvailable");
  const detail::Field* rollback = top.find("rollback");
  if (!rollback) return;
  MapReader reader(rollback->value, "rollback", top.value_mark(*rollback), {"automatic"}, top.sink());
  if (reader.ok()) plan.rollback_automatic = reader.boolean("automatic").value_or(true);
}

void check_references(const std::vector<detail::CheckRef>& refs, const std::map<std::string, Check>& checks,
                      bool checks_readable, Sink& sink) {
  if (!checks_readable) return;  // the checks section itself is broken; its errors say why
  std::vector<std::string> names;
  names.reserve(checks.size());
  for (const auto& [name, check] : checks) names.push_back(name);
  for (const auto& ref : refs) {
    if (checks.count(ref.name)) continue;
    sink.error(ref.mark, ref.path, "unknown check " + quoted(ref.name) + did_you_mean(ref.name, names));
  }
}

void read_plan(const YAML::Node& root, std::string_view bytes, Sink& sink, Plan& plan) {
  if (!detail::is_fields_mapping(root, sink, "a plan")) return;
  MapReader top(root, "", YAML::Mark(), k_top_fields, sink);
  read_header(top, plan);
  read_target(top, plan);
  read_image(top, plan);
  read_rollout_settings(top, plan);
  plan.verify = detail::parse_verify(top);
  detail::parse_notifications(top);  // checked here; read by plan_notifications
  std::vector<detail::CheckRef> refs;
  std::optional<Strategy> strategy = detail::parse_strategy(top, {plan.target.service}, refs);
  if (strategy) plan.strategy = std::move(*strategy);
  plan.checks = detail::parse_checks(top, bytes);
  // `checks:` with nothing under it is no checks: references to one are unknown.
  const detail::Field* checks_field = top.find("checks");
  bool checks_readable = !checks_field || checks_field->value.IsMap() || checks_field->value.IsNull();
  check_references(refs, plan.checks, checks_readable, sink);
  if (strategy) detail::check_template_variables(top, plan, bytes);
}

PlanParse refused(std::vector<Diagnostic> diagnostics) {
  PlanParse parse;
  parse.diagnostics = std::move(diagnostics);
  return parse;
}

// A problem with an overridden field is the flag's, not the file's: it names
// the flag and has no position in the file.
void blame_flags(std::vector<Diagnostic>& diagnostics, const Overrides& overrides) {
  for (auto& d : diagnostics) {
    if (overrides.count(d.path) == 0) continue;
    d.path = override_flag(d.path);
    d.line = 0;
    d.column = 0;
  }
}

}  // namespace

PlanParse parse_plan(std::string_view bytes, const std::string& file, const Overrides& overrides) {
  Sink sink(file);
  Document document = load_document(bytes, file);
  if (document.error) return refused({*document.error});
  YAML::Node& root = document.root;
  if (!root.IsDefined() || root.IsNull()) {
    return refused(
        {Diagnostic{file, 0, 0, "", "the plan is empty; a plan starts with 'apiVersion: sluice/v1'"}});
  }
  auto applied = apply_overrides(root, overrides, file);
  if (auto* problem = std::get_if<Diagnostic>(&applied)) return refused({*problem});
  Plan plan;
  plan.overrides = std::get<Overrides>(std::move(applied));
  read_plan(root, bytes, sink, plan);
  if (!sink.empty()) {
    auto diagnostics = sink.take();
    blame_flags(diagnostics, plan.overrides);
    return refused(std::move(diagnostics));
  }
  plan.source_path = file;
  plan.source_hash = util::sha256_hex(identity_text(bytes, plan.overrides));
  PlanParse parse;
  parse.plan = std::move(plan);
  return parse;
}

PlanParse load_plan(const std::string& path, const Overrides& overrides) {
  SourceText source = read_plan_file(path);
  if (source.error) return refused({*source.error});
  PlanParse parse = parse_plan(source.bytes, path, overrides);
  parse.text = std::move(source.bytes);
  return parse;
}

}  // namespace sluice::plan
