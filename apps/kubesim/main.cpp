#include <kubesim/app.hpp>

int main(int argc, char** argv) {
  return kubesim::run_app(argc, argv);
}
