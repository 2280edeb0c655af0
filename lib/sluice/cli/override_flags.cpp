#include <sluice/cli/override_flags.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

#include <ostream>

namespace sluice::cli {

void add_override_flags(CLI::App& verb, OverrideFlags& flags) {
  verb.add_option("--image", flags.image, "Deploy this image reference instead of the plan's `image`");
  // One value per --set, so `--set a=1 web.yaml` leaves the plan file alone.
  verb.add_option("--set", flags.sets,
                  "Change a plan field: image, target.container, progressDeadline, minAvailable, "
                  "rollback.automatic, strategy.<kind>.<field> (docs/commands.md); repeatable")
      ->type_name("FIELD=VALUE")
      ->allow_extra_args(false);
}

std::optional<plan::Overrides> read_override_flags(const OverrideFlags& flags, const Context& ctx) {
  auto read = plan::read_overrides(flags.sets, flags.image);
  if (auto* overrides = std::get_if<plan::Overrides>(&read)) return *overrides;
  const auto& problem = std::get<plan::Diagnostic>(read);
  if (ctx.global.output == "json") {
    *ctx.out << report::to_json(problem).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
             << "\n";
  } else {
    *ctx.err << problem.path << ": " << problem.message << "\n";  // about the command line, not a file
  }
  return std::nullopt;
}

}  // namespace sluice::cli
