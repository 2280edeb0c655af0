#include <sluice/notify/receivers.hpp>

#include <sluice/http/secret_registry.hpp>
#include <sluice/util/rfc3339.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::notify {

using plan::NotifyOn;
using plan::Receiver;
using util::ErrorKind;
using util::make_error;

namespace {

std::string where_of(const plan::SecretRef& ref) {
  switch (ref.kind) {
    case plan::SecretRef::Kind::env: return "environment variable " + ref.name;
    case plan::SecretRef::Kind::file: return "file '" + ref.name + "'";
    case plan::SecretRef::Kind::secret_key: return "Secret " + ref.name + " key '" + ref.key + "'";
  }
  return ref.name;
}

util::Result<std::string> read_registered(const plan::SecretRef& ref, const SecretLookup& lookup,
                                          const std::string& what) {
  auto value = lookup(ref);
  if (!value) return value.error().with_context(what);
  if (value->empty()) return make_error(ErrorKind::invalid, what + ": " + where_of(ref) + " is empty");
  http::register_secret(*value);
  return value;
}

util::Result<std::string> read_value(const plan::SecretValue& value, const SecretLookup& lookup,
                                     const std::string& what) {
  if (!value.from) return value.literal;
  return read_registered(*value.from, lookup, what);
}

}  // namespace

util::Result<std::string> read_secret_ref(const plan::SecretRef& ref) {
  if (ref.kind == plan::SecretRef::Kind::env) {
    const char* value = std::getenv(ref.name.c_str());
    if (value == nullptr)
      return make_error(ErrorKind::not_found, "environment variable " + ref.name + " is not set");
    return std::string(value);
  }
  if (ref.kind != plan::SecretRef::Kind::file)
    return make_error(ErrorKind::invalid, "notifications read secrets from the environment or a file");
  std::ifstream in(ref.name, std::ios::binary);
  if (!in) return make_error(ErrorKind::not_found, "cannot read file '" + ref.name + "'");
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  if (!out.empty() && out.back() == '\n') out.pop_back();
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

util::Result<ReadyReceiver> make_ready(const plan::Receiver& spec, const SecretLookup& lookup) {
  std::string what = "receiver '" + spec.name + "'";
  ReadyReceiver ready{spec, "", "", {}};
  auto url = read_value(spec.url, lookup, what + " url");
  if (!url) return url.error();
  ready.url = *url;
  if (spec.key) {
    auto key = read_registered(*spec.key, lookup, what + " key");
    if (!key) return key.error();
    ready.key = *key;
  }
  for (const auto& [name, value] : spec.headers) {
    std::string header = what;
    header.append(" header '").append(name).append("'");
    auto text = read_value(value, lookup, header);
    if (!text) return text.error();
    ready.headers.emplace_back(name, *text);
  }
  return ready;
}

const char* severity_of(NotifyOn on) {
  switch (on) {
    case NotifyOn::needs_human: return "critical";
    case NotifyOn::rolled_back: return "error";
    case NotifyOn::step_failed:
    case NotifyOn::lock_contention: return "warning";
    default: return "info";
  }
}

bool resolves(NotifyOn on) {
  return on == NotifyOn::succeeded || on == NotifyOn::aborted;
}

std::string dedup_key(const RolloutFacts& facts) {
  return "sluice/" + facts.context + "/" + facts.ns + "/" + facts.rollout;
}

std::string webhook_signature(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  std::string hex = "sha256=";
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace sluice::notify
