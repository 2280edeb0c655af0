#include <sluice/kubesim/app.hpp>

int main(int argc, char** argv) {
  return sluice::kubesim::run_app(argc, argv);
}
