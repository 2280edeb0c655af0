// kubesim's audit log: every API request (time, verb, path, user agent,
// status, duration) and every change in what a Deployment or Service serves
// (ready endpoints per image), so tests can count a client's calls, time its
// reactions and check serving capacity never dipped. Optional JSONL mirror.
#pragma once

#include <kubesim/store.hpp>

#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <string>

namespace kubesim {

struct RequestRecord {
  std::int64_t time_ms = 0;  // unix epoch milliseconds
  std::string verb;          // get, list, watch, create, update, patch, delete, deletecollection
  std::string method;        // HTTP method
  std::string path;
  std::string query;
  std::string user_agent;
  int status = 0;
  double duration_ms = 0;
  bool dry_run = false;  // dryRun=All: nothing was changed
};

class Audit {
 public:
  explicit Audit(std::size_t limit = 200000);
  ~Audit();
  Audit(const Audit&) = delete;
  Audit& operator=(const Audit&) = delete;

  sluice::util::Status open_file(const std::string& path);  // JSONL mirror of every record
  void record_request(const RequestRecord& record);
  // Watches the store for serving-state changes of Services and Deployments.
  void attach(Store& store);
  void detach();

  // {"requests":[...], "serving":[...], "next": seq}; records with seq >= since.
  Json to_json(std::uint64_t since = 0) const;
  void clear();

 private:
  void on_event(const WatchEvent& event);
  void record_serving(Json entry);
  void append(Json entry, bool request);

  mutable std::mutex mutex_;
  std::size_t limit_;
  std::uint64_t seq_ = 0;
  std::deque<Json> requests_;
  std::deque<Json> serving_;
  std::map<std::string, Json> last_state_;  // "service/ns/name" -> last recorded state
  std::ofstream file_;
  Store* store_ = nullptr;
  int listener_ = 0;
};

std::int64_t unix_millis();
std::string rfc3339_millis(std::int64_t unix_ms);

}  // namespace kubesim
