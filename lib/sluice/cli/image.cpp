// `sluice image resolve REF`: a reference's digest and platforms, from its registry.
// `sluice image verify REF --key K`: that digest's signature and attestations (docs/supply-chain.md).
#include <sluice/cli/app.hpp>
#include <sluice/registry/registry.hpp>
#include <sluice/trust/verify.hpp>
#include <sluice/util/quote.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>

namespace sluice::cli {
namespace {

struct ResolveArgs {
  std::string ref;
  std::vector<std::string> platforms;
  std::vector<std::string> insecure_registries;
  std::string username;
  bool password_stdin = false;
  std::string docker_config;
};

struct VerifyArgs : ResolveArgs {
  std::vector<std::string> keys;
  std::vector<std::string> attestations;
  std::vector<std::string> annotations;  // KEY=VALUE
};

void print_resolved(const registry::ResolvedImage& image, const Context& ctx) {
  std::vector<std::string> platforms;
  for (const auto& p : image.platforms) platforms.push_back(p.str());
  if (ctx.global.output == "json") {
    // One object on one line (NDJSON), as every verb prints under -o json.
    nlohmann::ordered_json out{{"reference", image.ref.str()},
                               {"digest", image.digest},
                               {"mediaType", image.media_type},
                               {"platforms", platforms},
                               {"pinned", image.pinned_ref}};
    *ctx.out << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  std::string joined;
  for (const auto& p : platforms) joined += (joined.empty() ? "" : ", ") + p;
  // Digest, media type and platforms come from the registry: show them escaped.
  *ctx.out << "reference:  " << image.ref.str() << "\n"
           << "digest:     " << util::escape_control(image.digest) << "\n"
           << "media type: " << util::escape_control(image.media_type) << "\n"
           << "platforms:  " << util::escape_control(joined) << "\n"
           << "pinned:     " << util::escape_control(image.pinned_ref) << "\n";
}

// Credentials: --username with --password-stdin, else REGISTRY_USERNAME/REGISTRY_PASSWORD.
void set_credentials(const ResolveArgs& args, std::istream& in, registry::RegistryOptions& options) {
  if (!args.username.empty() && args.password_stdin) {
    std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
    options.credentials = registry::Credentials{args.username, password};
    options.credentials_source = "--username/--password-stdin";
  } else {
    options.credentials = registry::credentials_from_env();
  }
}

int fail(const char* verb, const std::string& reference, const util::Error& e, int code, Context& ctx) {
  // The message may quote the reference, a flag or a registry's answer.
  *ctx.err << "sluice image " << verb << ": " << util::escape_control(e.message) << "\n";
  if (ctx.global.output == "json") {
    nlohmann::ordered_json line{{"reference", reference}, {"error", e.message}, {"exitCode", code}};
    *ctx.out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return code;
}

int resolve_exit_code(const util::Error& e) {
  return e.kind == util::ErrorKind::cancelled ? k_exit_interrupted : k_exit_preflight;
}

// The reference resolved with the registry flags; `code` is set when it failed.
std::optional<registry::ResolvedImage> resolve_with_flags(const char* verb, const ResolveArgs& args,
                                                          Context& ctx,
                                                          std::unique_ptr<registry::Registry>& reg,
                                                          int& code) {
  auto ref = registry::parse_image_ref(args.ref);
  if (!ref) return code = fail(verb, args.ref, ref.error(), k_exit_usage, ctx), std::nullopt;
  std::vector<registry::Platform> required;
  for (const auto& text : args.platforms) {
    auto p = registry::parse_platform(text);
    if (!p) return code = fail(verb, args.ref, p.error(), k_exit_usage, ctx), std::nullopt;
    required.push_back(*p);
  }
  if (!args.username.empty() && !args.password_stdin) {
    auto e = util::make_error(util::ErrorKind::invalid, "--username needs --password-stdin");
    return code = fail(verb, args.ref, e, k_exit_usage, ctx), std::nullopt;
  }
  registry::RegistryOptions options;
  options.insecure_hosts = args.insecure_registries;
  options.docker_config_path = args.docker_config;
  set_credentials(args, *ctx.in, options);
  reg = registry::make_registry(std::move(options));
  auto resolved = reg->resolve(*ref, required);
  if (!resolved) {
    return code = fail(verb, args.ref, resolved.error(), resolve_exit_code(resolved.error()), ctx),
           std::nullopt;
  }
  return std::move(*resolved);
}

int resolve_image(const ResolveArgs& args, Context& ctx) {
  std::unique_ptr<registry::Registry> reg;
  int code = k_exit_ok;
  auto resolved = resolve_with_flags("resolve", args, ctx, reg, code);
  if (!resolved) return code;
  print_resolved(*resolved, ctx);
  return k_exit_ok;
}

util::Result<trust::Policy> policy_from_flags(const VerifyArgs& args) {
  trust::Policy policy;
  for (const auto& path : args.keys) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return util::make_error(util::ErrorKind::invalid, "--key " + util::quoted(path) + ": cannot be read");
    policy.keys.push_back({"--key " + path, std::string(std::istreambuf_iterator<char>(in), {})});
  }
  policy.attestations = args.attestations;
  for (const auto& pair : args.annotations) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return util::make_error(util::ErrorKind::invalid,
                              "--annotation " + util::quoted(pair) + ": write KEY=VALUE");
    }
    policy.annotations[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return policy;
}

void print_verified(const registry::ResolvedImage& image, const trust::Verification& v, Context& ctx) {
  if (ctx.global.output == "json") {
    nlohmann::ordered_json out{{"reference", image.ref.str()},
                               {"digest", image.digest},
                               {"pinned", image.pinned_ref},
                               {"verified", true},
                               {"key", v.key},
                               {"algorithm", v.algorithm},
                               {"foundBy", v.found_by},
                               {"attestations", v.attestations}};
    *ctx.out << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  std::string attestations;
  for (const auto& a : v.attestations) attestations += (attestations.empty() ? "" : ", ") + a;
  *ctx.out << "reference:    " << image.ref.str() << "\n"
           << "digest:       " << util::escape_control(image.digest) << "\n"
           << "signed by:    " << v.key << " (" << v.algorithm << ")\n"
           << "found at:     " << util::escape_control(v.found_by) << "\n";
  if (!attestations.empty()) *ctx.out << "attestations: " << util::escape_control(attestations) << "\n";
}

int verify_image(const VerifyArgs& args, Context& ctx) {
  auto policy = policy_from_flags(args);
  if (!policy) return fail("verify", args.ref, policy.error(), k_exit_usage, ctx);
  std::unique_ptr<registry::Registry> reg;
  int code = k_exit_ok;
  auto resolved = resolve_with_flags("verify", args, ctx, reg, code);
  if (!resolved) return code;
  auto verified = trust::verify_image(*resolved, *policy, *reg);
  if (!verified) return fail("verify", args.ref, verified.error(), resolve_exit_code(verified.error()), ctx);
  print_verified(*resolved, *verified, ctx);
  return k_exit_ok;
}

void add_registry_flags(CLI::App* command, ResolveArgs& args) {
  command
      ->add_option("REF", args.ref, "Image reference, e.g. nginx:1.25 or registry.example.com/app@sha256:...")
      ->required();
  command->add_option("--platform", args.platforms,
                      "Platform the image must provide (os/arch[/variant]); repeatable");
  command->add_option("--insecure-registry", args.insecure_registries,
                      "Registry host[:port] reached over plain HTTP; repeatable");
  command->add_option("--username", args.username, "Registry user name (with --password-stdin)");
  command->add_flag("--password-stdin", args.password_stdin,
                    "Read the registry password from standard input");
  command->add_option("--docker-config", args.docker_config,
                      "Docker config.json to read credentials from (default ~/.docker/config.json)");
}

}  // namespace

void add_image(CLI::App& app, Context& ctx) {
  auto* image = app.add_subcommand("image", "Work with container images in their registry");
  image->require_subcommand(1);
  auto* resolve = image->add_subcommand("resolve", "Resolve an image reference to its digest and platforms");
  auto& args = ctx.keep<ResolveArgs>();
  add_registry_flags(resolve, args);
  resolve->callback([&ctx, &args] { ctx.exit_code = resolve_image(args, ctx); });

  auto* verify =
      image->add_subcommand("verify", "Verify the signature and attestations of an image's digest");
  auto& verify_args = ctx.keep<VerifyArgs>();
  add_registry_flags(verify, verify_args);
  verify->add_option("--key", verify_args.keys, "Public key (PEM file) that must have signed it; repeatable")
      ->required();
  verify->add_option("--attestation", verify_args.attestations,
                     "Attestation type required (spdx, cyclonedx, slsaprovenance or a URI); repeatable");
  verify->add_option("--annotation", verify_args.annotations,
                     "KEY=VALUE the signed payload must carry; repeatable");
  verify->callback([&ctx, &verify_args] { ctx.exit_code = verify_image(verify_args, ctx); });
}

}  // namespace sluice::cli
