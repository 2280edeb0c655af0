// Registers one Catch2 test case per row of a table, so a fault-injection
// matrix reads as data (given/when/then per row) while each row still runs,
// fails and can be hidden (`[.pending]`) on its own.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sluice::faults {

// A row's test body, bound to its row.
class RowInvoker final : public Catch::ITestInvoker {
 public:
  explicit RowInvoker(std::function<void()> body) : body_(std::move(body)) {}
  void invoke() const override { body_(); }

 private:
  std::function<void()> body_;
};

// Registers `rows` as test cases named name(row), tagged "[faults]" + tags(row);
// a row whose name is a key of `pending` (name -> observed failure) also gets
// "[.pending]", which hides it from the default run until the bug is fixed.
template <class Row>
bool register_rows(const std::vector<Row>& rows, const std::function<std::string(const Row&)>& name,
                   const std::function<std::string(const Row&)>& tags,
                   const std::map<std::string, std::string>& pending, void (*run)(const Row&)) {
  for (const auto& row : rows) {
    std::string n = name(row);
    std::string t = "[faults]" + tags(row) + (pending.count(n) != 0 ? "[.pending]" : "");
    Catch::AutoReg(new RowInvoker([row, run] { run(row); }), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                   Catch::NameAndTags{n, t});
  }
  return true;
}

}  // namespace sluice::faults
