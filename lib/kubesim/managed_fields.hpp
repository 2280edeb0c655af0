// Field ownership for server-side apply: metadata.managedFields kept up to
// date on every write, the apply merge, and FieldManagerConflict detection.
// Ownership is tracked per leaf field; lists with a merge key are tracked per
// element (k:{"name":"web"}), other lists are owned as a whole.
#pragma once

#include <kubesim/api_status.hpp>

#include <string>

namespace kubesim {

// Records a non-apply write (create, update, patch) by `manager`: the fields it
// changed become its own and leave other managers. `old_object` is null on create.
// `subresource`: "scale" or "status" for writes there (a status write owns status fields).
void record_update(const Json& old_object, Json& new_object, const std::string& manager,
                   const std::string& api_version, const std::string& time,
                   const std::string& subresource = "");

// Server-side apply of `config` by `manager` onto `current` (null: create).
// Returns the object to store, or a 409 with FieldManagerConflict causes.
Result<Json> server_side_apply(const Json& current, const Json& config, const std::string& manager,
                               bool force, const std::string& api_version, const std::string& time,
                               ApiError& conflict, const std::string& subresource = "");

}  // namespace kubesim
