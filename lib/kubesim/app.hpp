// kubesim's command line: flags, starting the server, writing the kubeconfig,
// stopping on SIGTERM. apps/kubesim/main.cpp only calls run_app().
#pragma once

namespace kubesim {

int run_app(int argc, char** argv);

}  // namespace kubesim
