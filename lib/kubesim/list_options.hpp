// The query parameters of a list or watch (metav1.ListOptions) as the
// apiserver reads and validates them: booleans in Go's strconv.ParseBool
// forms, and the resourceVersion / resourceVersionMatch / sendInitialEvents
// rules of apimachinery's ValidateListOptions.
#pragma once

#include <kubesim/api_status.hpp>

#include <httplib.h>

#include <optional>
#include <string>

namespace kubesim {

struct ListOptions {
  bool watch = false;
  bool allow_watch_bookmarks = false;
  std::string resource_version;
  std::string resource_version_match;  // "", Exact, NotOlderThan
  std::optional<bool> send_initial_events;
  std::string continue_token;
  long limit = 0;
  std::string malformed;  // the first parameter that did not parse, as the 400 message says it
};

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parse_go_bool(const std::string& text);

ListOptions read_list_options(const httplib::Request& req);
// 400 for a malformed parameter, 422 `ListOptions.meta.k8s.io "" is invalid`
// for a combination the apiserver forbids. Without the WatchList feature
// (`watch_list` false) a watch asking for sendInitialEvents is one of them.
std::optional<ApiError> validate_list_options(const ListOptions& options, bool watch_list = true);

}  // namespace kubesim
