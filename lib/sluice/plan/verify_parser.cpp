// The `verify` section: public keys (inline PEM or valueFrom), required
// annotations of the signed payload, required attestation types.
#include <sluice/plan/parse_parts.hpp>

namespace sluice::plan::detail {
namespace {

const std::vector<std::string> k_verify_fields = {"keys", "annotations", "attestations", "keyless"};

std::vector<SecretValue> read_keys(const MapReader& verify) {
  std::vector<SecretValue> keys;
  const Field* field = verify.find("keys");
  if (field == nullptr) {
    verify.missing("keys");
    return keys;
  }
  const std::string path = verify.child_path("keys");
  if (!field->value.IsSequence() || field->value.size() == 0) {
    verify.error("keys",
                 "must be a list of public keys (PEM, or {valueFrom: ...}), not " + kind_of(field->value));
    return keys;
  }
  for (std::size_t i = 0; i < field->value.size(); ++i) {
    const YAML::Node item = field->value[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const YAML::Mark mark = mark_of(item, verify.value_mark(*field));
    auto key = read_secret_value(item, item_path, mark, verify.sink());
    if (!key) continue;
    if (!key->from && key->literal.find("-----BEGIN PUBLIC KEY-----") == std::string::npos) {
      verify.sink().error(
          mark, item_path,
          key->literal.find("PRIVATE KEY") != std::string::npos
              ? "is a private key; list the public key (cosign.pub), never the private one"
              : "is not a PEM public key; write the PEM text or {valueFrom: {file: cosign.pub}}");
      continue;
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

}  // namespace

std::optional<VerifyPolicy> parse_verify(const MapReader& plan) {
  const Field* field = plan.find("verify");
  if (field == nullptr) return std::nullopt;
  MapReader verify(field->value, "verify", plan.value_mark(*field), k_verify_fields, plan.sink());
  if (!verify.ok()) return std::nullopt;
  if (verify.has("keyless")) {
    verify.error(
        "keyless",
        "keyless verification needs the public Sigstore services (Fulcio, Rekor), which sluice does not "
        "call; sign with a key pair and list its public key under verify.keys");
  }
  VerifyPolicy policy;
  policy.keys = read_keys(verify);
  policy.annotations = verify.string_map("annotations").value_or(std::map<std::string, std::string>{});
  if (auto types = verify.string_list("attestations")) {
    for (const auto& item : *types) policy.attestations.push_back(item.text);
  }
  return policy;
}

}  // namespace sluice::plan::detail
