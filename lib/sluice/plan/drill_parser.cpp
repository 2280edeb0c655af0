// The drill document's parser: header, regions, record, director, failover,
// checks (the plan's own check parser) and objectives.
#include <sluice/plan/drill_parser.hpp>

#include <sluice/plan/drill_parts.hpp>
#include <sluice/plan/parse_parts.hpp>
#include <sluice/plan/source.hpp>
#include <sluice/plan/suggest.hpp>

#include <set>

namespace sluice::plan {

const Region* Drill::region(const std::string& region_name) const {
  for (const Region& each : regions)
    if (each.name == region_name) return &each;
  return nullptr;
}

std::string HttpRouteDirector::backend_of(const std::string& region) const {
  auto it = backends.find(region);
  return it == backends.end() ? region : it->second;
}

std::vector<ContextRef> Drill::contexts() const {
  std::vector<ContextRef> out;
  for (const Region& each : regions) out.push_back(each.context);
  out.push_back(record.context);
  if (const auto* route = std::get_if<HttpRouteDirector>(&director)) out.push_back(route->context);
  return out;
}

namespace {

using detail::Field;
using detail::MapReader;
using detail::Sink;

const std::vector<std::string> k_top_fields = {"apiVersion", "kind",     "metadata", "service",   "record",
                                               "director",   "failover", "checks",   "objectives"};
constexpr std::size_t k_max_name_length = 53;  // as a plan's name: it becomes part of object names

std::optional<std::string> read_label(const MapReader& reader, const std::string& key, bool required,
                                      const char* what, std::size_t max_length = 63) {
  auto value = reader.string(key, required);
  if (value && !detail::is_dns_label(*value, max_length)) {
    reader.error(key, quoted(*value) + " is not a valid " + what + ": use at most " +
                          std::to_string(max_length) +
                          " lowercase letters, digits and '-', starting and ending with a letter or digit");
    return std::nullopt;
  }
  return value;
}

ContextRef read_context(const MapReader& reader) {
  ContextRef ref;
  ref.name = reader.string("context", true).value_or("");
  ref.path = reader.child_path("context");
  if (const Field* field = reader.find("context")) {
    YAML::Mark mark = reader.value_mark(*field);
    ref.pos = {mark.line + 1, mark.column + 1};
  }
  return ref;
}

void read_header(const MapReader& top, Drill& drill) {
  if (auto version = top.string("apiVersion", true); version && *version != "sluice/v1")
    top.error("apiVersion", "must be sluice/v1, not " + quoted(*version));
  if (auto kind = top.string("kind", true); kind && *kind != "Drill")
    top.error("kind", "must be Drill, not " + quoted(*kind));
  const Field* metadata = top.find("metadata");
  if (!metadata) return top.missing("metadata");
  MapReader meta(metadata->value, "metadata", top.value_mark(*metadata), {"name"}, top.sink());
  if (!meta.ok()) return;
  drill.name = read_label(meta, "name", true, "drill name", k_max_name_length).value_or("");
}

std::optional<Region> read_region(const YAML::Node& node, const std::string& path, const YAML::Mark& where,
                                  Sink& sink) {
  MapReader reader(node, path, where, {"name", "context", "namespace", "deployment"}, sink);
  if (!reader.ok()) return std::nullopt;
  Region region;
  region.name = read_label(reader, "name", true, "region name").value_or("");
  region.context = read_context(reader);
  region.ns = read_label(reader, "namespace", true, "namespace").value_or("");
  region.deployment = reader.string("deployment", true).value_or("");
  if (region.name.empty() || region.context.name.empty() || region.ns.empty() || region.deployment.empty())
    return std::nullopt;
  return region;
}

void read_regions(const MapReader& top, Drill& drill) {
  const Field* field = top.find("service");
  if (!field) return top.missing("service");
  if (!field->value.IsSequence()) {
    return top.error("service", "must be a list of regions ({name, context, namespace, deployment}), not " +
                                    detail::kind_of(field->value));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < field->value.size(); ++i) {
    const YAML::Node item = field->value[i];
    const std::string path = "service[" + std::to_string(i) + "]";
    auto region = read_region(item, path, detail::mark_of(item, top.value_mark(*field)), top.sink());
    if (!region) continue;
    if (!names.insert(region->name).second) {
      top.sink().error(detail::mark_of(item, top.value_mark(*field)), path + ".name",
                       "region " + quoted(region->name) + " is listed twice");
      continue;
    }
    drill.regions.push_back(std::move(*region));
  }
  if (field->value.size() < 2)
    top.error("service", "needs at least two regions: one to fail over from and one to carry its traffic");
}

void read_record(const MapReader& top, Drill& drill) {
  const Field* field = top.find("record");
  if (!field) return top.missing("record");
  MapReader reader(field->value, "record", top.value_mark(*field), {"context", "namespace"}, top.sink());
  if (!reader.ok()) return;
  drill.record.context = read_context(reader);
  drill.record.ns = read_label(reader, "namespace", true, "namespace").value_or("");
}

}  // namespace

namespace {

std::vector<std::string> region_names(const Drill& drill) {
  std::vector<std::string> names;
  for (const Region& each : drill.regions) names.push_back(each.name);
  return names;
}

void read_failover(const MapReader& top, Drill& drill, bool regions_readable) {
  const Field* field = top.find("failover");
  if (!field) return top.missing("failover");
  MapReader reader(field->value, "failover", top.value_mark(*field), {"from"}, top.sink());
  if (!reader.ok()) return;
  auto from = reader.string("from", true);
  if (!from) return;
  if (regions_readable && !drill.region(*from)) {
    reader.error("from", "unknown region " + quoted(*from) + did_you_mean(*from, region_names(drill)));
    return;
  }
  drill.failover_from = *from;
}

void read_objectives(const MapReader& top, Drill& drill) {
  const Field* field = top.find("objectives");
  if (!field) return;
  MapReader reader(field->value, "objectives", top.value_mark(*field), {"rto", "failback"}, top.sink());
  if (!reader.ok()) return;
  const Duration day{24 * 3'600'000};
  drill.objectives.rto = reader.duration("rto", Duration(1), day);
  drill.objectives.failback = reader.duration("failback", Duration(1), day);
}

void read_drill(const YAML::Node& root, std::string_view bytes, Sink& sink, Drill& drill) {
  if (!detail::is_fields_mapping(root, sink, "a drill")) return;
  MapReader top(root, "", YAML::Mark(), k_top_fields, sink);
  read_header(top, drill);
  read_regions(top, drill);
  read_record(top, drill);
  detail::read_director(top, drill);
  const Field* service = top.find("service");
  read_failover(top, drill, service && service->value.IsSequence());
  drill.checks = detail::parse_checks(top, bytes);
  read_objectives(top, drill);
}

DrillParse refused(std::vector<Diagnostic> diagnostics) {
  DrillParse parse;
  parse.diagnostics = std::move(diagnostics);
  return parse;
}

}  // namespace

DrillParse parse_drill(std::string_view bytes, const std::string& file) {
  Document document = load_document(bytes, file);
  if (document.error) return refused({*document.error});
  const YAML::Node& root = document.root;
  if (!root.IsDefined() || root.IsNull()) {
    return refused(
        {Diagnostic{file, 0, 0, "", "the drill is empty; it starts with 'apiVersion: sluice/v1'"}});
  }
  Sink sink(file);
  Drill drill;
  read_drill(root, bytes, sink, drill);
  if (!sink.empty()) return refused(sink.take());
  drill.source_path = file;
  DrillParse parse;
  parse.drill = std::move(drill);
  return parse;
}

DrillParse load_drill(const std::string& path) {
  SourceText source = read_plan_file(path);
  if (source.error) return refused({*source.error});
  return parse_drill(source.bytes, path);
}

bool is_drill_file(const std::string& path) {
  return declared_kind(path) == "Drill";
}

}  // namespace sluice::plan
