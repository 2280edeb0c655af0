#include <sluice/kube/resources.hpp>

namespace sluice::kube {

std::string ResourceRef::path(const std::string& ns, const std::string& name,
                              const std::string& subresource) const {
  std::string out = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) out += "/namespaces/" + ns;
  out += "/" + plural;
  if (!name.empty()) out += "/" + name;
  if (!name.empty() && !subresource.empty()) out += "/" + subresource;
  return out;
}

}  // namespace sluice::kube
