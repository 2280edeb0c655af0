#include <sluice/cli/app.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_image(CLI::App& app, Context& ctx) {
  auto* image = app.add_subcommand("image", "Work with container images in their registry");
  image->require_subcommand(1);
  auto* resolve = image->add_subcommand("resolve", "Resolve an image reference to its digest and platforms");
  static std::string ref;  // lives as long as the parsed command line
  resolve->add_option("REF", ref, "Image reference")->required();
  resolve->callback([&ctx] { ctx.exit_code = not_built_yet(ctx, "image resolve"); });
}

}  // namespace sluice::cli
