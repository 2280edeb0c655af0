#include <sluice/drill/record_store.hpp>

#include <sluice/kube/resources.hpp>

namespace sluice::drill {

using nlohmann::json;

util::Result<std::optional<DrillRecord>> RecordStore::load() {
  auto object = kube_.get(kube::k_configmaps, ns_, name_);
  if (!object) {
    if (object.error().kind == util::ErrorKind::not_found) return std::optional<DrillRecord>{};
    return object.error();
  }
  resource_version_ = object->value("/metadata/resourceVersion"_json_pointer, std::string());
  json text = object->value("/data/record"_json_pointer, json());
  if (!text.is_string())
    return util::make_error(util::ErrorKind::invalid, "drill record " + name_ + ": no data.record");
  json parsed = json::parse(text.get<std::string>(), nullptr, false);
  auto record = drill_record_from_json(parsed);
  if (!record) return record.error();
  return std::optional<DrillRecord>{std::move(*record)};
}

util::Status RecordStore::save(const DrillRecord& record) {
  json object = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", name_},
        {"namespace", ns_},
        {"labels", {{"app.kubernetes.io/managed-by", "sluice"}, {"sluice.io/drill", record.drill}}}}},
      {"data", {{"record", to_json(record).dump()}}}};
  util::Result<json> written = util::make_error(util::ErrorKind::internal, "not written");
  if (resource_version_.empty()) {
    written = kube_.create(kube::k_configmaps, ns_, object);
  } else {
    object["metadata"]["resourceVersion"] = resource_version_;
    written = kube_.update(kube::k_configmaps, ns_, object);
  }
  if (!written) return written.error();
  resource_version_ = written->value("/metadata/resourceVersion"_json_pointer, std::string());
  return {};
}

}  // namespace sluice::drill
