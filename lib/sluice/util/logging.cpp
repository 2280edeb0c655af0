#include <sluice/util/logging.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace sluice::util {

void configure_logging(int verbosity) {
  // stdout is for command output (-o json must stay parseable), logs go to stderr.
  static auto logger = [] {
    auto created =
        std::make_shared<spdlog::logger>("sluice", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    created->set_pattern("%H:%M:%S.%e %l %v");
    spdlog::set_default_logger(created);
    return created;
  }();
  auto level = verbosity <= 0   ? spdlog::level::warn
               : verbosity == 1 ? spdlog::level::debug
                                : spdlog::level::trace;
  logger->set_level(level);
}

}  // namespace sluice::util
