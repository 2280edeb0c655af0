// The events the simulated kubelet records, worded as the real kubelet words
// them (pkg/kubelet/images/image_manager.go, kuberuntime/kuberuntime_container.go,
// prober/prober.go): image pulls, container creation and start, back-offs,
// stopping containers and failing readiness probes.
#include <kubesim/kubelet.hpp>

#include <kubesim/kube_object.hpp>

#include <sluice/util/sha256.hpp>

namespace kubesim {

namespace {

std::string in_quotes(const std::string& text) {
  return "\"" + text + "\"";
}

// A stable, plausible compressed image size (the real one comes from the registry).
long long image_size(const std::string& image) {
  return 10'000'000 +
         static_cast<long long>(std::stoull(sluice::util::sha256_hex(image).substr(0, 6), nullptr, 16));
}

}  // namespace

std::string probe_failure_text(const Json& container, const std::string& pod_ip) {
  if (!container.contains("readinessProbe")) return "";
  const Json& probe = container["readinessProbe"];
  if (probe.contains("httpGet")) return "Readiness probe failed: HTTP probe failed with statuscode: 503";
  if (probe.contains("tcpSocket")) {
    std::string port = probe["tcpSocket"].value("port", Json()).dump();
    if (!port.empty() && port.front() == '"') port = port.substr(1, port.size() - 2);
    return "Readiness probe failed: dial tcp " + pod_ip + ":" + port + ": connect: connection refused";
  }
  return "Readiness probe failed: ";
}

void Kubelet::note_start(Container& c, sluice::util::Duration pull_took) {
  const bool present = pulled_.count(c.image) != 0;
  if (present && c.pull_policy != "Always") {
    c.notes.push_back(
        {"Normal", "Pulled", "Container image " + in_quotes(c.image) + " already present on machine"});
  } else if (c.pull_policy != "Never") {
    const std::string took = go_duration(pull_took);
    c.notes.push_back({"Normal", "Pulling", "Pulling image " + in_quotes(c.image)});
    c.notes.push_back({"Normal", "Pulled",
                       "Successfully pulled image " + in_quotes(c.image) + " in " + took + " (" + took +
                           " including waiting). Image size: " + std::to_string(image_size(c.image)) +
                           " bytes."});
    pulled_.insert(c.image);
  }
  c.notes.push_back({"Normal", "Created", "Created container: " + c.name});
  c.notes.push_back({"Normal", "Started", "Started container " + c.name});
}

std::string pull_not_found_error(const std::string& image) {
  const std::string ref = normalized_image(image);
  return "rpc error: code = NotFound desc = failed to pull and unpack image " + in_quotes(ref) +
         ": failed to resolve reference " + in_quotes(ref) + ": " + ref + ": not found";
}

// The kubelet quotes the pod's image; the error after it is containerd's.
void Kubelet::note_pull_failure(Container& c) const {
  c.notes.push_back({"Normal", "Pulling", "Pulling image " + in_quotes(c.image)});
  c.notes.push_back({"Warning", "Failed",
                     "Failed to pull image " + in_quotes(c.image) + ": " + pull_not_found_error(c.image)});
  c.notes.push_back({"Warning", "Failed", "Error: ErrImagePull"});
}

void Kubelet::note_back_off(Container& c, const Runtime& rt) const {
  if (c.stage == Stage::pull_backoff) {
    c.notes.push_back({"Normal", "BackOff", "Back-off pulling image " + in_quotes(c.image)});
    c.notes.push_back({"Warning", "Failed", "Error: ImagePullBackOff"});
    return;
  }
  c.notes.push_back(
      {"Warning", "BackOff", "Back-off restarting failed container " + c.name + " in pod " + rt.pod_text});
}

void Kubelet::note_unhealthy(Container& c) const {
  if (!c.probe_failure.empty()) c.notes.push_back({"Warning", "Unhealthy", c.probe_failure});
}

std::vector<std::pair<std::string, EventNote>> Kubelet::take_notes(Runtime& rt) {
  std::vector<std::pair<std::string, EventNote>> out;
  for (Container& c : rt.containers) {
    for (EventNote& note : c.notes) out.emplace_back(c.name, std::move(note));
    c.notes.clear();
  }
  return out;
}

void Kubelet::record(const Json& pod, const std::vector<std::pair<std::string, EventNote>>& notes) const {
  static const EventSource source{"kubelet", k_node_name};
  for (const auto& [container, note] : notes) {
    EventNote with_path = note;
    with_path.field_path = "spec.containers{" + container + "}";
    ctx_.events.record(pod, source, with_path);
  }
}

}  // namespace kubesim
