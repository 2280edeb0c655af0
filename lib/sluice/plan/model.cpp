#include <sluice/plan/model.hpp>

namespace sluice::plan {

int IntOrPercent::resolve(int total, bool round_up) const {
  if (!percent) return value;
  long long scaled = static_cast<long long>(total) * value;
  return static_cast<int>(round_up ? (scaled + 99) / 100 : scaled / 100);
}

}  // namespace sluice::plan
