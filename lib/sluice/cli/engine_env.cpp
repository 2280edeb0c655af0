#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/observers.hpp>

#include <CLI/CLI.hpp>

#include <sluice/http/client.hpp>
#include <sluice/kube/attempt_listener.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/plan/notifications.hpp>
#include <sluice/plan/values.hpp>
#include <sluice/registry/registry.hpp>
#include <sluice/report/terminal.hpp>
#include <sluice/state/record.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/telemetry/api_counts.hpp>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <ostream>
#include <stdexcept>

namespace sluice::cli {

namespace {

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalRouter::SignalRouter(engine::Interrupt& interrupt) : interrupt_(interrupt) {
  // Blocked here, before any other thread starts, so no thread takes them
  // with the default action; they are read from the signalfd only.
  sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ < 0 || stop_fd_ < 0) throw std::runtime_error("cannot set up SIGINT/SIGTERM handling");
  thread_ = std::thread([this] { wait_for_signals(); });
}

SignalRouter::~SignalRouter() {
  std::uint64_t one = 1;
  while (::write(stop_fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
  thread_.join();
  ::close(signal_fd_);
  ::close(stop_fd_);
}

void SignalRouter::wait_for_signals() {
  pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    int ready = ::poll(fds, 2, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || fds[1].revents != 0) return;
    signalfd_siginfo info{};
    if (::read(signal_fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) continue;
    // After the outcome is decided a signal changes nothing: the run is over.
    if (!decided_) interrupt_.fire(info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
  }
}

namespace {

// Fires an Interrupt once a limit has passed on a clock, unless destroyed
// first. Only a fire of its own counts as a timeout: a SIGINT that came first
// keeps its 130.
class Deadline {
 public:
  Deadline(util::Clock& clock, util::Duration limit, engine::Interrupt& interrupt, std::string reason)
      : interrupt_(interrupt), reason_(std::move(reason)) {
    thread_ = std::thread([this, &clock, limit] {
      if (clock.sleep_for(limit, &stop_)) interrupt_.fire(reason_);
    });
  }
  ~Deadline() {
    stop_.cancel();
    thread_.join();
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  bool passed() const { return interrupt_.fired() && interrupt_.reason() == reason_; }

 private:
  engine::Interrupt& interrupt_;
  std::string reason_;
  util::CancelToken stop_;
  std::thread thread_;
};

}  // namespace

struct EngineEnv::Parts {
  telemetry::ApiCounts api_counts;  // first: outlives the kube client that counts into it
  kube::Config config;
  std::unique_ptr<kube::Client> kube;
  std::unique_ptr<kube::WatchHub> hub;
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<http::Client> http;
  std::unique_ptr<report::Reporter> reporter;
  engine::Interrupt interrupt;
  std::unique_ptr<Deadline> deadline;     // stopped before the interrupt it fires dies
  std::unique_ptr<SignalRouter> signals;  // last: stopped before anything it could reach dies
};

EngineEnv::~EngineEnv() = default;

namespace {

// Names this process in the API server's audit log: which of two sluice runs made a request.
// Counts every API attempt into `counts` (telemetry).
kube::ClientOptions kube_options(const state::Starter& starter, telemetry::ApiCounts& counts) {
  kube::ClientOptions options;
  options.user_agent = std::string("sluice/") + SLUICE_VERSION + " (" + starter.identity() + ")";
  options.http_factory = [&counts](const http::ClientOptions& o) {
    return kube::listening_transport(http::make_curl_client(o), [&counts](const kube::ApiAttempt& a) {
      counts.count(a.verb, a.code, a.retried);
    });
  };
  return options;
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The flags a printed command needs (engine::Reach), judged against what the
// same shell would get with the same kubeconfig and no flags: SLUICE_CONTEXT
// or current-context, then SLUICE_NAMESPACE or that context's namespace.
engine::Reach reach_from_shell(const kube::LoadOptions& load, const kube::Config& used) {
  engine::Reach reach;
  reach.context = used.context;
  kube::LoadOptions shell = load;
  shell.context = env_or_empty("SLUICE_CONTEXT");
  auto by_default = kube::load_kubeconfig(shell);
  reach.context_is_default = by_default && by_default->context == used.context;
  std::string env_ns = env_or_empty("SLUICE_NAMESPACE");
  reach.default_ns = env_ns.empty() ? used.ns : env_ns;
  return reach;
}

}  // namespace

std::unique_ptr<EngineEnv> EngineEnv::create(Context& ctx, const std::string& plan_context) {
  std::unique_ptr<EngineEnv> env(new EngineEnv());
  env->parts_ = std::make_unique<Parts>();
  auto& p = *env->parts_;
  p.signals = std::make_unique<SignalRouter>(p.interrupt);
  kube::LoadOptions load;
  load.explicit_path = ctx.global.kubeconfig;
  load.context = ctx.global.context.empty() ? plan_context : ctx.global.context;
  auto config = kube::load_kubeconfig(load);
  if (!config) {
    *ctx.err << "sluice: kubeconfig: " << config.error().message << "\n";
    return nullptr;
  }
  p.config = *config;
  state::Starter starter = state::current_starter();
  auto client = kube::make_client(p.config, kube_options(starter, p.api_counts));
  if (!client) {
    *ctx.err << "sluice: " << client.error().message << "\n";
    return nullptr;
  }
  p.kube = std::move(*client);
  p.hub = std::make_unique<kube::WatchHub>(*p.kube);
  p.registry = make_rollout_registry(registry::RegistryOptions{});
  p.http = http::make_curl_client(http::ClientOptions{});
  bool json = ctx.global.output == "json";
  if (!json && ctx.out == &std::cout && isatty(STDOUT_FILENO) == 1) {
    p.reporter = report::make_terminal_reporter(
        *ctx.out, util::system_clock(),
        report::TerminalOptions{report::color_wanted(ctx.global.no_color), report::stdout_columns, true});
  } else {
    p.reporter = report::make_reporter(json ? report::Format::json : report::Format::text, *ctx.out, false,
                                       util::system_clock());
  }
  env->deps_ = engine::Deps{p.kube.get(),
                            p.hub.get(),
                            p.registry.get(),
                            p.http.get(),
                            &util::system_clock(),
                            p.reporter.get(),
                            &p.interrupt,
                            reach_from_shell(load, p.config),
                            starter};
  return env;
}

std::unique_ptr<registry::Registry> make_rollout_registry(registry::RegistryOptions options) {
  options.credentials = registry::credentials_from_env();
  return registry::make_registry(std::move(options));
}

const telemetry::ApiCounts& EngineEnv::api_counts() const {
  return parts_->api_counts;
}

std::string EngineEnv::ns(const Context& ctx) const {
  return ctx.global.ns.empty() ? parts_->config.ns : ctx.global.ns;
}

void EngineEnv::stop_after(util::Duration limit, const std::string& flag_text) {
  parts_->deadline = std::make_unique<Deadline>(*deps_.clock, limit, parts_->interrupt,
                                                "--timeout " + flag_text + " ran out");
}

bool EngineEnv::timed_out() const {
  return parts_->deadline && parts_->deadline->passed();
}

int EngineEnv::finish(const std::string& rollout, engine::Outcome outcome) {
  parts_->signals->outcome_decided();
  auto& interrupt = parts_->interrupt;
  // Preflight reports what it could not read; when a signal cut those reads
  // short, the honest answer is "interrupted", and nothing was changed.
  if (outcome.exit_code == k_exit_preflight && interrupt.fired())
    outcome = {k_exit_interrupted, {}, "interrupted (" + interrupt.reason() + ") before any change"};
  // Stopped by our own deadline: saved exactly as on SIGINT, told apart for CI.
  if (outcome.exit_code == k_exit_interrupted && timed_out()) outcome.exit_code = k_exit_timed_out;
  engine::emit_finished(*deps_.out, rollout, outcome);
  return outcome.exit_code;
}

void add_operator_flags(CLI::App& sub, OperatorArgs& args) {
  sub.add_option("NAME", args.name, "Rollout (plan) name")->required();
  sub.add_option("--lease-seconds", args.lease_seconds, "Lock lease duration in seconds")
      ->check(CLI::Range(1, 3600));
}

CLI::Option* add_timeout_flag(CLI::App& sub, std::string& text, const std::string& what) {
  auto check = [](const std::string& value) -> std::string {
    auto parsed = plan::parse_duration(value);
    if (const auto* error = std::get_if<std::string>(&parsed)) return *error;
    if (std::get<util::Duration>(parsed).count() <= 0) return "must be more than 0";
    return "";
  };
  return sub.add_option("--timeout", text, what)
      ->type_name("DURATION")
      ->check(CLI::Validator(check, "", "duration"));
}

util::Duration timeout_of(const std::string& text) {
  if (text.empty()) return util::Duration{0};
  auto parsed = plan::parse_duration(text);
  const auto* value = std::get_if<util::Duration>(&parsed);
  return value != nullptr ? *value : util::Duration{0};
}

namespace {

// The receivers of the plan recorded with rollout `name`: promote, abort and
// rollback tell whom the plan's own apply told. None when there is no record
// or it cannot be read (the command itself says why, under the lock).
plan::Notifications recorded_notifications(engine::Deps& deps, const std::string& ns,
                                           const std::string& name) {
  auto configmap =
      deps.kube->get(kube::k_configmaps, ns, state::RecordStore::object_name(name), &deps.interrupt->token());
  if (!configmap) return {};
  auto record = state::record_from_configmap(*configmap);
  if (!record || !*record || (**record).plan_text.empty()) return {};
  const auto& recorded = **record;
  return plan::plan_notifications(recorded.plan_text,
                                  recorded.plan_path.empty() ? "<recorded plan>" : recorded.plan_path);
}

}  // namespace

int run_operator(Context& ctx, const OperatorArgs& args, const OperatorAction& action) {
  auto config = config_notifications(ctx);
  if (!config) return k_exit_usage;
  auto env = EngineEnv::create(ctx);
  if (!env) return k_exit_preflight;
  notify::RolloutFacts facts;
  facts.rollout = args.name;
  facts.context = env->deps().reach.context;
  facts.ns = env->ns(ctx);
  RunObservers observers(
      ctx, *env, plan::merge_notifications(*config, recorded_notifications(env->deps(), facts.ns, args.name)),
      facts);
  engine::RunOptions options;
  options.lease_duration = std::chrono::seconds(args.lease_seconds);
  return env->finish(args.name, action(env->ns(ctx), env->deps(), options));
}

}  // namespace sluice::cli
