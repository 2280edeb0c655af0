// One Event storage, two API versions: the core/v1 form kubesim stores and
// the events.k8s.io/v1 form, converted as kubernetes pkg/apis/events/v1
// conversion.go does (involvedObject <-> regarding, message <-> note, ...).
#pragma once

#include <kubesim/store.hpp>

#include <string>

namespace kubesim {

inline constexpr const char* k_events_group = "events.k8s.io";

// Renames the top-level fields of an Event, or of anything shaped like one (a
// merge or apply patch, a schema's properties), to the other version's names.
Json event_fields_to_events_v1(Json core);
Json event_fields_to_core(Json events_v1);

// Whole objects: the fields and apiVersion (an EventList's items too).
Json event_to_events_v1(Json core);
Json event_to_core(Json events_v1);

// A JSON patch (RFC 6902) on the events.k8s.io form, as one on the core form:
// each path's first segment renamed.
Json event_json_patch_to_core(Json patch);

// An events.k8s.io field selector in core's labels (AddFieldLabelConversionsForEvent);
// the error names the first label events.k8s.io does not support.
Result<std::string> event_field_selector_to_core(const std::string& selector);

}  // namespace kubesim
