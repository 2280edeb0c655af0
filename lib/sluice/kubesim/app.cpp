#include <sluice/kubesim/app.hpp>

#include <iostream>

namespace sluice::kubesim {

int run_app(int, char**) {
  std::cerr << "kubesim: not built yet\n";
  return 2;
}

}  // namespace sluice::kubesim
