#include <sluice/util/logging.hpp>

#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

TEST_CASE("configure_logging maps -v counts to levels") {
  auto previous = spdlog::default_logger();
  sluice::util::configure_logging(0);
  CHECK_FALSE(spdlog::should_log(spdlog::level::info));
  CHECK(spdlog::should_log(spdlog::level::warn));
  sluice::util::configure_logging(1);
  CHECK(spdlog::should_log(spdlog::level::debug));
  CHECK_FALSE(spdlog::should_log(spdlog::level::trace));
  sluice::util::configure_logging(3);
  CHECK(spdlog::should_log(spdlog::level::trace));
  spdlog::set_default_logger(previous);
}
