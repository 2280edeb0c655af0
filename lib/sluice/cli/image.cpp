// `sluice image resolve REF`: a reference's digest and platforms, from its registry.
#include <sluice/cli/app.hpp>
#include <sluice/registry/registry.hpp>
#include <sluice/util/quote.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

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

int resolve_image(const ResolveArgs& args, Context& ctx) {
  auto fail = [&](const util::Error& e, int code) {
    // The message may quote the reference, a flag or a registry's answer.
    *ctx.err << "sluice image resolve: " << util::escape_control(e.message) << "\n";
    if (ctx.global.output == "json") {
      nlohmann::ordered_json line{{"reference", args.ref}, {"error", e.message}, {"exitCode", code}};
      *ctx.out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return code;
  };
  auto ref = registry::parse_image_ref(args.ref);
  if (!ref) return fail(ref.error(), k_exit_usage);
  std::vector<registry::Platform> required;
  for (const auto& text : args.platforms) {
    auto p = registry::parse_platform(text);
    if (!p) return fail(p.error(), k_exit_usage);
    required.push_back(*p);
  }
  if (!args.username.empty() && !args.password_stdin) {
    return fail(util::make_error(util::ErrorKind::invalid, "--username needs --password-stdin"),
                k_exit_usage);
  }
  registry::RegistryOptions options;
  options.insecure_hosts = args.insecure_registries;
  options.docker_config_path = args.docker_config;
  set_credentials(args, *ctx.in, options);
  auto resolved = registry::make_registry(std::move(options))->resolve(*ref, required);
  if (!resolved) {
    return fail(resolved.error(),
                resolved.error().kind == util::ErrorKind::cancelled ? k_exit_interrupted : k_exit_preflight);
  }
  print_resolved(*resolved, ctx);
  return k_exit_ok;
}

}  // namespace

void add_image(CLI::App& app, Context& ctx) {
  auto* image = app.add_subcommand("image", "Work with container images in their registry");
  image->require_subcommand(1);
  auto* resolve = image->add_subcommand("resolve", "Resolve an image reference to its digest and platforms");
  auto& args = ctx.keep<ResolveArgs>();
  resolve
      ->add_option("REF", args.ref, "Image reference, e.g. nginx:1.25 or registry.example.com/app@sha256:...")
      ->required();
  resolve->add_option("--platform", args.platforms,
                      "Platform the image must provide (os/arch[/variant]); repeatable");
  resolve->add_option("--insecure-registry", args.insecure_registries,
                      "Registry host[:port] reached over plain HTTP; repeatable");
  resolve->add_option("--username", args.username, "Registry user name (with --password-stdin)");
  resolve->add_flag("--password-stdin", args.password_stdin,
                    "Read the registry password from standard input");
  resolve->add_option("--docker-config", args.docker_config,
                      "Docker config.json to read credentials from (default ~/.docker/config.json)");
  resolve->callback([&ctx, &args] { ctx.exit_code = resolve_image(args, ctx); });
}

}  // namespace sluice::cli
