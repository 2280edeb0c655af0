#include <sluice/release/target_env.hpp>

#include <sluice/kube/client.hpp>
#include <sluice/kube/watch.hpp>

namespace sluice::release {

namespace {

// Adds the target to every event: `-o json` lines get a "target" field.
class TargetReporter final : public report::Reporter {
 public:
  TargetReporter(report::Reporter& out, std::string target) : out_(out), target_(std::move(target)) {}
  void emit(const report::Event& event) override {
    report::Event tagged = event;
    tagged.data["target"] = target_;
    out_.emit(tagged);
  }

 private:
  report::Reporter& out_;
  std::string target_;
};

// Names this process in each API server's audit log, as a plain apply does.
kube::ClientOptions client_options(const state::Starter& starter) {
  kube::ClientOptions options;
  options.user_agent = std::string("sluice/") + SLUICE_VERSION + " (" + starter.identity() + ")";
  return options;
}

}  // namespace

void SharedReporter::emit(const report::Event& event) {
  std::lock_guard lock(mutex_);
  out_.emit(event);
}

struct TargetEnv::Parts {
  kube::Config config;
  std::unique_ptr<kube::Client> kube;
  std::unique_ptr<kube::WatchHub> hub;
  std::unique_ptr<TargetReporter> reporter;
};

TargetEnv::~TargetEnv() = default;

const kube::Config& TargetEnv::config() const {
  return parts_->config;
}

util::Result<std::unique_ptr<TargetEnv>> TargetEnv::create(const kube::LoadOptions& kubeconfig,
                                                           const std::string& context,
                                                           const std::string& name,
                                                           const SharedDeps& shared) {
  kube::LoadOptions load = kubeconfig;
  load.context = context;
  auto config = kube::load_kubeconfig(load);
  if (!config) return config.error();
  std::unique_ptr<TargetEnv> env(new TargetEnv());
  env->parts_ = std::make_unique<Parts>();
  auto& p = *env->parts_;
  p.config = *config;
  auto client = kube::make_client(p.config, client_options(shared.starter));
  if (!client) return client.error();
  p.kube = std::move(*client);
  p.hub = std::make_unique<kube::WatchHub>(*p.kube, *shared.clock);
  p.reporter = std::make_unique<TargetReporter>(*shared.out, name);
  env->name_ = name;
  env->release_interrupt_ = shared.interrupt;
  env->rearm();
  engine::Reach reach;
  reach.context = p.config.context;
  reach.context_is_default = false;  // a release spans contexts: printed commands name theirs
  reach.default_ns = "";
  env->deps_ = engine::Deps{p.kube.get(),     p.hub.get(),           nullptr, shared.http,   shared.clock,
                            p.reporter.get(), env->interrupt_.get(), reach,   shared.starter};
  return env;
}

void TargetEnv::rearm() {
  interrupt_ = std::make_shared<engine::Interrupt>();
  deps_.interrupt = interrupt_.get();
  // The hook keeps the interrupt alive however long the release's lives.
  release_interrupt_->on_fire(
      [target = interrupt_, release = release_interrupt_] { target->fire(release->reason()); });
  if (release_interrupt_->fired()) interrupt_->fire(release_interrupt_->reason());
}

}  // namespace sluice::release
